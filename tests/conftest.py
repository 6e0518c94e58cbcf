"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from folder_tools import write_genuine


@pytest.fixture(scope="session")
def genuine_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder written by ``simulate run scenarios/minimal.toml -n 40`` (with its
    charts and report), built once; copy it before changing anything in it."""
    return write_genuine(tmp_path_factory.mktemp("genuine") / "run")
