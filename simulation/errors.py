"""Exceptions that carry user-facing messages (never shown as tracebacks)."""

from __future__ import annotations


class SimulationError(Exception):
    """Base class of every error the command line turns into a message and exit code 1."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages: list[str] = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class ScenarioError(SimulationError):
    """A scenario file is invalid; ``messages`` lists every problem, each naming file and key."""


class DistributionError(SimulationError):
    """A distribution table is invalid; messages are relative to the key (no file, no key)."""


class CorrelationError(SimulationError):
    """The requested rank-correlation matrix cannot be used (e.g. not PSD under ``--strict``)."""


class ModelError(SimulationError):
    """The transition model failed or produced a meaningless result for one iteration."""
