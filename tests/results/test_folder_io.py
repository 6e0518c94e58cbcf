"""simulation.results.folder_io on its own: reads that follow no link, writes that are all or
nothing."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from folder_tools import snapshot

from simulation.errors import SimulationError
from simulation.results import folder_io
from simulation.results.folder_io import Folder, WriteFailed, write_files

LINK = folder_io.LINK_REFUSED


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "results"
    (root / "charts").mkdir(parents=True)
    (root / "run.json").write_text("{}")
    (root / "charts" / "a.png").write_bytes(b"old a")
    return root


def test_reads_follow_no_link_on_the_way_or_at_the_end(folder: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.png").write_bytes(b"outside")
    (folder / "b.json").symlink_to(folder / "run.json")  # even a link to a file inside
    with Folder(folder) as files:
        assert files.read_bytes("run.json") == b"{}"
        assert files.read_bytes("missing.csv") is None
        with pytest.raises(SimulationError, match=f"b.json: {LINK}"):
            files.read_bytes("b.json")
    os.rename(folder / "charts", tmp_path / "old-charts")
    (folder / "charts").symlink_to(elsewhere)
    with Folder(folder) as files, pytest.raises(SimulationError, match=f"charts: {LINK}"):
        files.read_bytes("charts/a.png")


def test_files_are_replaced_keeping_their_mode_and_no_temporary_file_is_left(
    folder: Path,
) -> None:
    (folder / "charts" / "a.png").chmod(0o600)
    with Folder(folder) as files:
        written = write_files(files, {"charts/a.png": b"new a", "sub/dir/c.txt": b"c"})
    assert written == [folder / "charts" / "a.png", folder / "sub" / "dir" / "c.txt"]
    assert (folder / "charts" / "a.png").read_bytes() == b"new a"
    assert (folder / "charts" / "a.png").stat().st_mode & 0o777 == 0o600
    assert (folder / "sub" / "dir" / "c.txt").read_bytes() == b"c"
    assert not list(folder.rglob(".*"))


def test_a_failed_write_removes_what_it_wrote_and_the_folders_it_made(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second file hits a full disk: the first, complete under its temporary name, is
    removed again, and so is the folder made for it; nothing was renamed into place."""
    before = snapshot(folder)
    real = os.write
    calls = []

    def filling(fd: int, data: bytes | memoryview) -> int:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(folder_io.os, "write", filling)
    with Folder(folder) as files, pytest.raises(WriteFailed) as failed:
        write_files(files, {"new/one.png": b"1", "charts/a.png": b"2", "run.json": b"3"})
    assert failed.value.filename == str(folder / "charts" / "a.png")
    assert failed.value.strerror == "No space left on device"
    assert failed.value.replaced == 0
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("charts", "charts: is a folder, expected a file"),
        ("run.json/x", "run.json: is a file, expected a folder"),
        ("link.txt", f"link.txt: {LINK} (replace it by the file itself)"),
    ],
)
def test_a_target_that_is_not_a_plain_file_is_refused_before_writing(
    folder: Path, name: str, message: str
) -> None:
    (folder / "link.txt").symlink_to(folder / "run.json")
    before = snapshot(folder)
    with Folder(folder) as files, pytest.raises(SimulationError) as refused:
        write_files(files, {"charts/b.png": b"b", name: b"x"})
    assert str(refused.value) == f"{folder}/{message}"
    assert snapshot(folder) == before
