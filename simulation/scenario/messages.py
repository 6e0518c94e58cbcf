"""How the scenario reader words its messages: one :class:`Collector` gathers every problem of a
file (``<file>: <dotted.key>: <what was expected>``), with did-you-mean suggestions, values and
numbers shown safely, and pydantic's errors turned into the same form."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from pydantic import ValidationError

from simulation.scenario.size import size_text

__all__ = []


def suggestion(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word[:200], list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def printable_text(text: str) -> str:
    """``text`` with control and other non-printable characters shown as escapes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"string '{value[:40]}'"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float | int):
        return f"{type(value).__name__} {num_text(value)}"
    return f"{type(value).__name__} {value}"


def num_text(value: float) -> str:
    """A number for a message: ``40``, ``1.2``, ``1e+300`` (never thousands of digits)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int) and abs(value) < 10**24:
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    try:
        return f"{float(value):g}"
    except OverflowError:
        return "a number with more than 300 digits"


def value_text(value: object) -> str:
    """A value for a message: a number (a boolean too, as Python writes it) as :func:`num_text`
    gives it, anything else as :func:`type_name` names it."""
    return num_text(value) if isinstance(value, int | float) else type_name(value)


bytes_text = size_text


class Collector:
    """Collects messages, each prefixed with the file in which its key lives.

    ``origins`` maps a dotted key (``staffing``, ``staffing.time_to_hire_days``, ``risks``) to
    the file that gave it; a message's key is looked up, then its parents (``a.b[2].c`` →
    ``a.b[2]`` → ``a.b`` → ``a``), and the first (extending) file is the fallback.
    """

    def __init__(self, file: str, origins: Mapping[str, str] | None = None) -> None:
        self.file = file
        self.origins: Mapping[str, str] = origins or {}
        self.messages: list[str] = []
        self.keys: set[str] = set()  # every key a message was given for

    def file_of(self, key: str) -> str:
        while key:
            found = self.origins.get(key)
            if found is not None:
                return found
            cut = max(key.rfind("."), key.rfind("["))
            key = key[:cut] if cut > 0 else ""
        return self.file

    def add(self, key: str, message: str, file: str | None = None) -> None:
        where = file if file is not None else self.file_of(key)
        text = f"{key}: {message}" if key else message
        self.keys.add(key)
        self.messages.append(f"{where}: {printable_text(text)}" if where else printable_text(text))


def pydantic_messages(err: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        elif e["type"] == "missing":
            msg = "is required"
        out.append((loc, msg))
    return out
