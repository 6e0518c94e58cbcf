"""Reading a scenario's TOML file safely and following its ``extends`` chain: each file of the
chain read once (loops and depth refused), tables merged key by key, ``[[risks]]`` and
``[[correlations]]`` entries merged by name, and every value remembering which file set it."""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.errors import ScenarioError
from simulation.inputfiles import decode_utf8, os_reason, read_input
from simulation.scenario.messages import printable_text, type_name

__all__ = [
    "MAX_EXTENDS_DEPTH",
    "MAX_FILE_BYTES",
    "read_toml",
]


@dataclass(frozen=True)
class Layer:
    """One file of an ``extends`` chain: its display path, parsed document and SHA-256 (hex)."""

    file: str
    data: Mapping[str, Any]
    sha256: str
    identity: str
    raw: bytes = b""


def file_identity(path: Path) -> str:
    """A path's identity for cycle detection (symlinks and ``..`` resolved)."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError, ValueError):
        return os.path.abspath(path)


def read_toml(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """Read and parse a TOML file; any problem becomes a :class:`ScenarioError` naming the file.

    Reads through :func:`simulation.inputfiles.read_input`: at most :data:`MAX_FILE_BYTES` + 1
    bytes, never blocking (a pipe with a writer is read, a FIFO nobody writes to is refused at
    once), devices and sockets refused unopened. A UTF-8 byte-order mark at the start is ignored
    (the SHA-256 is of the bytes as they are).
    """
    raw = read_input(path, limit=MAX_FILE_BYTES, what="scenario file", error=ScenarioError)
    text = decode_utf8(raw, path, ScenarioError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: TOML syntax error: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: TOML nesting is too deep") from None
    return data, raw


def extends_chain(first: Layer) -> list[Layer]:
    """``first`` followed by the files it extends, in order (base last)."""
    chain = [first]
    while "extends" in chain[-1].data:
        child = chain[-1]
        target = child.data["extends"]
        if not isinstance(target, str) or not target.strip():
            raise ScenarioError(
                f"{child.file}: extends: must be the file name of the base scenario, e.g. "
                f'"it_helpdesk.toml", got {printable_text(type_name(target))}'
            )
        if "\x00" in target or not target.endswith(".toml"):
            raise ScenarioError(
                f"{child.file}: extends: must name a .toml file, got '{printable_text(target)}'"
            )
        resolved = Path(os.path.normpath(Path(child.file).parent / target))
        try:
            exists, regular = resolved.exists(), resolved.is_file()
        except OSError as exc:  # e.g. a name too long for the file system
            raise ScenarioError(
                f"{child.file}: extends: cannot be read: {printable_text(str(resolved))[:200]} "
                f"({os_reason(exc)})"
            ) from None
        shown = printable_text(str(resolved))
        if not exists:
            raise ScenarioError(f"{child.file}: extends: file not found: {shown}")
        if not regular:
            raise ScenarioError(f"{child.file}: extends: not a regular file: {shown}")
        identity = file_identity(resolved)
        seen = [layer.identity for layer in chain]
        if identity in seen:
            loop = [layer.file for layer in chain[seen.index(identity) :]] + [str(resolved)]
            raise ScenarioError(
                f"{child.file}: extends: cycle of scenario files: {' -> '.join(loop)}"
            )
        if len(chain) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError(
                f"{chain[0].file}: extends: the chain is longer than {MAX_EXTENDS_DEPTH} files "
                f"({' -> '.join(layer.file for layer in chain)} -> {resolved})"
            )
        data, raw = read_toml(resolved)
        chain.append(Layer(str(resolved), data, hashlib.sha256(raw).hexdigest(), identity, raw))
    return chain


@dataclass(frozen=True)
class Entry:
    """One ``[[risks]]`` / ``[[correlations]]`` entry with the file that gave it and its label
    (``risks[2]``: index within that file)."""

    value: object
    file: str
    label: str


#: Arrays of tables merged by identity, with the function giving an entry's identity.
def _risk_id(entry: Mapping[str, Any]) -> Hashable | None:
    name = entry.get("name")
    return name if isinstance(name, str) else None


def _pair_id(entry: Mapping[str, Any]) -> Hashable | None:
    pair = entry.get("between")
    if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
        return frozenset(pair)
    return None


MERGED_ARRAYS: dict[str, Callable[[Mapping[str, Any]], Hashable | None]] = {
    "risks": _risk_id,
    "correlations": _pair_id,
    "waves": _risk_id,
}


#: Tables nested this deep are values (replaced whole); such nesting is never valid anyway.
_MAX_MERGE_DEPTH = 4


@dataclass
class _Merged:
    """An ``extends`` chain merged into one document, with each key's file of origin."""

    tables: dict[str, Any]
    arrays: dict[str, list[Entry] | None]
    origins: dict[str, str]
    messages: list[str]


def _is_value_table(path: str, old: Mapping[str, Any], new: Mapping[str, Any], depth: int) -> bool:
    """True when the table ``new`` replaces ``old`` as a whole rather than merging key by key."""
    return (
        "dist" in old or "dist" in new or path.startswith("targets.") or depth >= _MAX_MERGE_DEPTH
    )


def _drop_origins(origins: dict[str, str], path: str) -> None:
    for key in [k for k in origins if k.startswith((f"{path}.", f"{path}["))]:
        del origins[key]


def _merge_table(
    dst: dict[str, Any],
    src: Mapping[str, Any],
    file: str,
    prefix: str,
    origins: dict[str, str],
    depth: int,
) -> None:
    for key, value in src.items():
        path = f"{prefix}.{key}" if prefix else key
        old = dst.get(key)
        if isinstance(value, dict) and not _is_value_table(
            path, old if isinstance(old, dict) else {}, value, depth
        ):
            if not isinstance(old, dict):
                dst[key] = {}
            origins[path] = file
            _merge_table(dst[key], value, file, path, origins, depth + 1)
            continue
        if isinstance(old, dict):
            _drop_origins(origins, path)
        dst[key] = value
        origins[path] = file


def _merge_entries(
    base: list[Entry] | None,
    new: list[object],
    file: str,
    section: str,
    messages: list[str],
) -> list[Entry]:
    identity = MERGED_ARRAYS[section]
    slots: list[Entry | None] = list(base or [])
    index: dict[Hashable, int] = {}
    for i, entry in enumerate(slots):
        key = identity(entry.value) if entry and isinstance(entry.value, dict) else None
        if key is not None:
            index.setdefault(key, i)
    for i, value in enumerate(new):
        label = f"{section}[{i}]"
        if not isinstance(value, dict):
            slots.append(Entry(value, file, label))
            continue
        key = identity(value)
        where = f"{section}.{key}" if section in ("risks", "waves") and key is not None else label
        remove = value.get("remove", False)
        if remove is not True and remove is not False:
            messages.append(f"{file}: {printable_text(where)}.remove: must be true or false")
            continue
        value = {k: v for k, v in value.items() if k != "remove"}
        # pop: a second entry with the same identity in the same file is appended, so that
        # validation reports it as given twice
        pos: int | None = index.pop(key, None) if key is not None else None
        if pos is not None:
            slots[pos] = None if remove else Entry(value, file, label)
        elif remove:
            messages.append(
                f"{file}: {printable_text(where)}.remove: the base scenario has no such entry "
                "to remove"
            )
        else:
            slots.append(Entry(value, file, label))
    return [e for e in slots if e is not None]


def merge_layers(chain: list[Layer]) -> _Merged:
    """Merge an ``extends`` chain (extending file first) base-first into one document."""
    merged = _Merged({}, {}, {}, [])
    for layer in reversed(chain):
        for key, value in layer.data.items():
            if key == "extends":
                continue
            if key in MERGED_ARRAYS:
                merged.origins[key] = layer.file
                if isinstance(value, list):
                    merged.tables.pop(key, None)
                    merged.arrays[key] = _merge_entries(
                        merged.arrays.get(key), value, layer.file, key, merged.messages
                    )
                else:  # not an array of tables: kept as is, validation reports it
                    merged.arrays[key] = None
                    merged.tables[key] = value
                continue
            _merge_table(merged.tables, {key: value}, layer.file, "", merged.origins, 0)
    return merged


#: Most files in an ``extends`` chain (the extending file included).
MAX_EXTENDS_DEPTH = 10


#: Largest scenario file read, in bytes.
MAX_FILE_BYTES = 5_000_000
