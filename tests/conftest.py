"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from folder_tools import write_genuine


def pytest_sessionstart(session: pytest.Session) -> None:
    """With SIMULATION_EXPECT_BUILD set (``scripts/bench_compiled.py --suite``: ``mypyc``), the
    suite runs only on that build of the model."""
    expected = os.environ.get("SIMULATION_EXPECT_BUILD")
    if expected:
        from simulation.model.build import model_build

        found = model_build()
        if found != expected:
            raise pytest.UsageError(f"the model build is {found!r}, expected {expected!r}")


@pytest.fixture(scope="session")
def genuine_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder written by ``simulate run scenarios/minimal.toml -n 40`` (with its
    charts and report), built once; copy it before changing anything in it."""
    return write_genuine(tmp_path_factory.mktemp("genuine") / "run")
