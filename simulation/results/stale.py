"""Temporary folders that interrupted runs left behind: found (``simulate clean``, and a warning
before a run), sized, and removed only when their owner is gone and they look like ours."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from simulation.inputfiles import os_reason
from simulation.results.folders import (
    HIDDEN_NAME,
    OWNER,
    TOOL,
    foreign_entries,
    is_stale,
    read_json_nofollow,
    remove_tree,
)

__all__ = [
    "StaleFolder",
    "clean",
    "stale_folders",
    "stale_warning",
]


@dataclass(frozen=True)
class StaleFolder:
    """A staging (``tmp``) or set-aside (``old``) folder whose run is gone.

    ``target``: the folder it was meant to become (or be restored to); ``restore``: a set-aside
    folder whose target is missing (its results would otherwise be lost)."""

    path: Path
    kind: str
    target: Path
    bytes: int
    restore: bool


def _size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def stale_folders(folder: Path, depth: int = 2) -> list[StaleFolder]:
    """Stale staging and set-aside folders of this tool in ``folder`` and up to ``depth``
    levels below it (links are never followed)."""
    found: list[StaleFolder] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
            continue
        match = HIDDEN_NAME.match(entry.name)
        path = Path(entry.path)
        if match is None:
            if depth > 0 and not entry.name.startswith("."):
                found.extend(stale_folders(path, depth - 1))
            continue
        owner = read_json_nofollow(path / OWNER)
        ours = isinstance(owner, dict) and owner.get("tool") == TOOL
        if not ours and not _looks_like_ours(path, match):
            continue
        if not is_stale(path, owner if ours else None):
            continue
        target_name = owner.get("target") if ours else None
        if not isinstance(target_name, str) or "/" in target_name or target_name in ("", ".", ".."):
            target_name = match.group("stem")
        target = path.parent / target_name
        restore = match.group("kind") == "old" and not os.path.lexists(target)
        found.append(StaleFolder(path, match.group("kind"), target, _size(path), restore))
    return found


def _looks_like_ours(path: Path, match: re.Match[str]) -> bool:
    """A folder of an older version (no owner file): the legacy name pattern and nothing in it
    this tool does not write."""
    if match.group("legacy") is None:
        return False
    try:
        return not foreign_entries(path)
    except OSError:
        return False


def clean(found: list[StaleFolder]) -> list[str]:
    """Remove stale staging folders and set-aside copies, restoring a set-aside folder whose
    target is missing; returns one line per folder saying what was done."""
    lines = []
    for item in found:
        if item.restore:
            try:
                os.rename(item.path, item.target)
            except OSError as exc:
                why = os_reason(exc)
                lines.append(f"{item.path}: could not restore it to {item.target} ({why})")
                continue
            with contextlib.suppress(OSError):
                os.unlink(item.target / OWNER)
            lines.append(f"restored {item.target} (a replacement was interrupted)")
        else:
            remove_tree(item.path)
            lines.append(f"removed {item.path} ({_megabytes(item.bytes)})")
    return lines


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def stale_warning(folder: Path) -> str | None:
    """One line about the stale folders in ``folder`` (restoring the interrupted replacements
    found there at once), or ``None``."""
    found = stale_folders(folder, depth=0)
    restorable = [f for f in found if f.restore]
    restored = clean(restorable) if restorable else []
    rest = [f for f in found if not f.restore]
    parts = list(restored)
    if rest:
        size = sum(f.bytes for f in rest)
        parts.append(
            f"{len(rest)} temporary folder{'s' if len(rest) != 1 else ''} of interrupted runs "
            f"in {folder} ({_megabytes(size)}); `simulate clean {folder}` removes "
            f"{'them' if len(rest) != 1 else 'it'}"
        )
    return "; ".join(parts) if parts else None
