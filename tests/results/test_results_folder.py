"""Output folders are never lost and never leak: ``--force`` replaces only our own results
folders, concurrent runs never overwrite each other, a replacement is atomic, interrupted runs
are reported and cleaned, and the saved scenario is the one that ran (issue 13, section 1)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulation.api import run as api_run
from simulation.cli import main
from simulation.errors import SimulationError
from simulation.results import folders, publishing, stale
from simulation.scenario.reader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "minimal.toml"
SIMULATE = Path(sys.executable).with_name("simulate")
FAST = ["-n", "30", "--seed", "1", "--no-report", "--no-rank-risks", "-q", "-j", "1"]


def _run(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    runner = CliRunner()
    if cwd is None:
        result = runner.invoke(main, list(args))
    else:
        old = Path.cwd()
        os.chdir(cwd)
        try:
            result = runner.invoke(main, list(args))
        finally:
            os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (links as their target text) by relative path."""
    out: dict[str, bytes] = {}
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = Path(root, name)
            rel = str(path.relative_to(folder))
            out[rel] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return out


def _results(folder: Path) -> Path:
    code, output = _run("run", str(MINIMAL), *FAST, "--out", str(folder))
    assert code == 0, output
    return folder


# --force replaces only what is ours --------------------------------------------------------------


def _thesis(tmp: Path) -> Path:
    d = tmp / "thesis"
    d.mkdir()
    (d / "chapter1.tex").write_text("It was a dark and stormy night.")
    (d / "figures").mkdir()
    (d / "figures" / "plot.png").write_bytes(b"\x89PNG...")
    return d


def _scenarios_copy(tmp: Path) -> Path:
    d = tmp / "scenarios"
    shutil.copytree(ROOT / "scenarios", d)
    return d


def _empty(tmp: Path) -> Path:
    d = tmp / "empty"
    d.mkdir()
    return d


def _results_with_user_file(tmp: Path) -> Path:
    d = _results(tmp / "res")
    (d / "notes.txt").write_text("my notes on this run")
    return d


def _results_with_user_chart(tmp: Path) -> Path:
    d = _results(tmp / "res")
    (d / "charts").mkdir()
    (d / "charts" / "my_drawing.pdf").write_bytes(b"%PDF")
    return d


def _fake_marker(tmp: Path) -> Path:
    d = _thesis(tmp)
    (d / folders.MARKER).write_text('{"tool": "backsourcing-sim", "kind": "run"}')
    return d


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_thesis, "is not a results folder of this tool"),
        (_scenarios_copy, "is not a results folder of this tool"),
        (_empty, "is not a results folder of this tool"),
        (_results_with_user_file, "holds files this tool did not write (notes.txt)"),
        (_results_with_user_chart, "holds files this tool did not write (charts/my_drawing.pdf)"),
        (_fake_marker, "holds files this tool did not write (chapter1.tex, figures)"),
    ],
)
def test_force_refuses_folders_that_are_not_ours(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    target = make(tmp_path)
    before = _snapshot(target)
    code, output = _run("run", str(MINIMAL), *FAST, "--out", str(target), "--force")
    assert code == 1
    assert expected in output and "Traceback" not in output
    assert output.count("error:") == 1
    assert _snapshot(target) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_force_refuses_a_file_and_a_link(tmp_path: Path) -> None:
    file = tmp_path / "report.docx"
    file.write_bytes(b"PK...")
    code, output = _run("run", str(MINIMAL), *FAST, "--out", str(file), "--force")
    assert code == 2 and "'--out'" in output and "is a file" in output  # click refuses it
    assert file.read_bytes() == b"PK..."
    with pytest.raises(SimulationError, match="is a file, not a results folder"):
        folders.check_replaceable(file)
    real = _results(tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    before = _snapshot(real)
    code, output = _run("run", str(MINIMAL), *FAST, "--out", str(link), "--force")
    assert code == 1 and "is a symbolic link" in output
    assert link.is_symlink() and _snapshot(real) == before


def test_force_on_the_current_folder(tmp_path: Path) -> None:
    """``--out .`` names the current folder: refused even when it is a results folder of ours
    (replacing it would leave the shell in a deleted folder), and no ``..XXXX.old`` is left."""
    work = _thesis(tmp_path)
    before = _snapshot(work)
    code, output = _run("run", str(MINIMAL), *FAST, "--out", ".", "--force", cwd=work)
    assert code == 1 and "is the current folder" in output
    assert _snapshot(work) == before
    res = _results(tmp_path / "res")
    before = _snapshot(res)
    for out in (".", "..", str(tmp_path)):
        code, output = _run("run", str(MINIMAL), *FAST, "--out", out, "--force", cwd=res)
        assert code == 1 and "is the current folder (or holds it)" in output, output
    code, output = _run("run", str(MINIMAL), *FAST, "--out", ".", cwd=res)
    assert code == 1 and "exists already" in output
    assert _snapshot(res) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res", "thesis"]


def test_force_replaces_our_results_and_compare_and_sweep_folders(tmp_path: Path) -> None:
    out = _results(tmp_path / "res")
    code, output = _run("run", str(MINIMAL), *FAST, "--seed", "7", "--out", str(out), "--force")
    assert code == 0, output
    assert json.loads((out / "run.json").read_text())["seed"] == 7
    assert folders.read_marker(out) == {**folders.read_marker(out), "kind": "run"}  # type: ignore[dict-item]
    # a compare folder and a sweep folder carry the marker too, and replace like a run folder
    comp = tmp_path / "cmp"
    args = ["compare", str(MINIMAL), str(MINIMAL), "-n", "30", "--seed", "1", "-j", "1"]
    for _ in range(2):
        code, output = _run(*args, "--no-report", "-q", "--out", str(comp), "--force")
        assert code == 0, output
    assert (folders.read_marker(comp) or {}).get("kind") == "compare"
    thesis = _thesis(tmp_path)
    code, output = _run(*args, "--no-report", "-q", "--out", str(thesis), "--force")
    assert code == 1 and "is not a results folder of this tool" in output
    sweep = ["sweep", str(MINIMAL), "--set", "staffing.target_agents=3,4", "-n", "30", "-j", "1"]
    code, output = _run(*sweep, "--no-chart", "-q", "--out", str(thesis), "--force")
    assert code == 1 and "is not a results folder of this tool" in output
    assert (thesis / "chapter1.tex").exists()


# Concurrent runs --------------------------------------------------------------------------------


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SIMULATE), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


needs_script = pytest.mark.skipif(not SIMULATE.exists(), reason="simulate is not installed")


@needs_script
def test_two_runs_started_in_the_same_second_get_two_folders(tmp_path: Path) -> None:
    args = ["run", str(MINIMAL), "-n", "40", "--no-report", "--no-rank-risks", "-q", "-j", "1"]
    time.sleep(1.02 - time.time() % 1.0)  # start both just after a second boundary
    procs = [_spawn([*args, "--seed", str(s)], tmp_path) for s in (1, 2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    printed = [Path(o.strip()) for o, _ in outs]
    assert len(set(printed)) == 2, printed
    seeds = {json.loads((tmp_path / p / "run.json").read_text())["seed"] for p in printed}
    assert seeds == {1, 2}  # both results kept, each in its own folder
    for p in printed:
        assert folders.read_marker(tmp_path / p) is not None
    names = sorted(p.name for p in (tmp_path / "results" / "minimal").iterdir())
    assert len(names) == 2 and not [n for n in names if n.startswith(".")]


@needs_script
def test_two_runs_aiming_at_one_folder_never_lose_results_silently(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    args = ["run", str(MINIMAL), "-n", "300", "--no-rank-risks", "-q", "-j", "1", "--out", str(out)]
    procs = [_spawn([*args, "--seed", str(s)], tmp_path) for s in (1, 2)]
    outs = [p.communicate(timeout=180) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 1], outs
    loser = next(err for (o, err), p in zip(outs, procs, strict=True) if p.returncode == 1)
    assert "Traceback" not in loser
    assert "another run" in loser and str(out.name) in loser
    winner = next(p for p in procs if p.returncode == 0)
    seed = json.loads((out / "run.json").read_text())["seed"]
    assert seed == (1 if winner is procs[0] else 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared"]


def test_a_folder_that_appears_during_the_run_is_not_replaced(tmp_path: Path) -> None:
    """The existence check at start is not enough: the final publish refuses too."""
    out = folders.target_path(tmp_path / "res")
    res = api_run(load_scenario(MINIMAL), 20, seed=1, jobs=1, out=out, rank_risks=False)
    out.mkdir()  # someone else's folder, created while this run drew its charts
    (out / "theirs.txt").write_text("not yours")
    with pytest.raises(SimulationError, match="appeared while this run was going on"):
        res.save(out, charts=False, report=False)
    assert sorted(p.name for p in out.iterdir()) == ["theirs.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]  # the staging folder is gone


def test_force_given_at_start_still_checks_the_folder_at_publish(tmp_path: Path) -> None:
    out = folders.target_path(tmp_path / "res")
    res = api_run(load_scenario(MINIMAL), 20, seed=1, jobs=1, out=out, force=True, rank_risks=False)
    out.mkdir()
    (out / "theirs.txt").write_text("not yours")
    with pytest.raises(SimulationError, match="is not a results folder of this tool"):
        res.save(out, force=True, charts=False, report=False)
    assert (out / "theirs.txt").read_text() == "not yours"


# Atomic replacement ----------------------------------------------------------------------------


def test_replacement_swaps_atomically_where_the_system_can(tmp_path: Path) -> None:
    out = _results(tmp_path / "res")
    new = tmp_path / ".res.tmp"
    new.mkdir()
    (new / "run.json").write_text("{}")
    publishing.publish(new, out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["run.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_an_interrupted_replacement_is_restored_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without renameat2 the old folder is set aside first: a process killed between the two
    renames leaves ``.res.old``, which the next run (or ``simulate clean``) puts back."""
    out = _results(tmp_path / "res")
    before = _snapshot(out)
    new = tmp_path / ".res.tmp"
    new.mkdir()
    (new / "run.json").write_text("{}")
    monkeypatch.setattr(publishing, "_renameat2", lambda *a: False)
    calls: list[tuple[Path, Path]] = []
    real_rename = os.rename

    def rename(src: Path, dst: Path) -> None:
        calls.append((Path(src), Path(dst)))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process stops between the two renames
        real_rename(src, dst)

    monkeypatch.setattr(folders.os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        publishing.publish(new, out, force=True)
    monkeypatch.setattr(folders.os, "rename", real_rename)
    aside = tmp_path / ".res.old"
    assert not out.exists() and aside.is_dir()
    # the owner of the set-aside folder is this (live) process: a run now leaves it alone ...
    assert stale.stale_folders(tmp_path) == []
    # ... and once its owner is gone the next run restores it
    owner = json.loads((aside / folders.OWNER).read_text())
    owner["pid"] = _dead_pid()
    (aside / folders.OWNER).write_text(json.dumps(owner))
    code, output = _run("run", str(MINIMAL), *FAST, "--out", str(tmp_path / "other"))
    assert code == 0
    assert f"restored {out}" in output
    assert _snapshot(out) == before
    assert not aside.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# Stale temporary folders and `simulate clean` ----------------------------------------------------


def _stale_staging(parent: Path, name: str, pid: int) -> Path:
    path = parent / f".{name}.tmp"
    path.mkdir(parents=True)
    (path / "samples.csv").write_text("iteration\n0\n")
    record = folders.owner_record(name)
    record["pid"] = pid
    (path / folders.OWNER).write_text(json.dumps(record))
    return path


def test_stale_folders_are_reported_and_cleaned_and_live_ones_left(tmp_path: Path) -> None:
    results = tmp_path / "results" / "minimal"
    dead = _stale_staging(results, "20260101T000000Z", _dead_pid())
    live = _stale_staging(results, "20260101T000001Z", os.getpid())
    legacy = results / ".20250101T000000Z.ab12cd34.tmp"  # an older version's staging folder
    legacy.mkdir()
    (legacy / "samples.csv").write_text("iteration\n")
    os.utime(legacy, (time.time() - 3600, time.time() - 3600))
    foreign = results / ".thesis.tmp"  # hidden, similar name, not ours: never touched
    foreign.mkdir()
    (foreign / "chapter.tex").write_text("x")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "keep").write_text("keep")
    (results / ".link.ab12cd34.tmp").symlink_to(secret, target_is_directory=True)
    code, output = _run("run", str(MINIMAL), *FAST[:-2], "-j", "1", cwd=tmp_path)
    assert code == 0, output
    assert "2 temporary folders of interrupted runs" in output
    assert "simulate clean" in output
    code, output = _run("clean", "--dry-run", cwd=tmp_path)
    assert code == 0 and "would remove" in output and dead.exists()
    code, output = _run("clean", cwd=tmp_path)
    assert code == 0, output
    assert not dead.exists() and not legacy.exists()
    assert live.exists() and foreign.exists() and (secret / "keep").exists()
    code, output = _run("clean", cwd=tmp_path)
    assert "nothing to clean" in output


def test_clean_refuses_what_is_not_a_folder(tmp_path: Path) -> None:
    code, output = _run("clean", str(tmp_path / "missing"))
    assert code == 1 and "not a folder" in output


def test_long_folder_names_get_a_legal_staging_name(tmp_path: Path) -> None:
    out = tmp_path / ("r" * 250)  # legal: 250 bytes
    code, output = _run("run", str(MINIMAL), *FAST, "--out", str(out))
    assert code == 0, output
    assert (out / "run.json").is_file()


# The saved scenario is the one that ran ---------------------------------------------------------


def test_the_saved_scenario_is_the_bytes_read_at_start(tmp_path: Path) -> None:
    src = tmp_path / "case.toml"
    original = MINIMAL.read_bytes()
    src.write_bytes(original)
    sc = load_scenario(src)
    src.write_text("# edited while the run went on\n")  # the file changes during the run
    out = api_run(sc, 20, seed=1, jobs=1, out=tmp_path / "res", rank_risks=False).save(
        tmp_path / "res", charts=False, report=False
    )
    assert (out / "scenario.toml").read_bytes() == original
    meta = json.loads((out / "run.json").read_text())
    assert meta["scenario"]["sha256"] == sc.sha256
    assert [f["path"] for f in meta["scenario"]["files"]] == [str(src)]


def test_an_extends_chain_saves_every_file(tmp_path: Path) -> None:
    base = tmp_path / "base.toml"
    base.write_bytes(MINIMAL.read_bytes())
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\n[staffing]\ntarget_agents = 4\n')
    code, output = _run("run", str(child), *FAST, "--out", str(tmp_path / "res"))
    assert code == 0, output
    res = tmp_path / "res"
    assert (res / "scenario.toml").read_bytes() == child.read_bytes()
    assert (res / "scenario.base-1.toml").read_bytes() == base.read_bytes()
    files = json.loads((res / "run.json").read_text())["scenario"]["files"]
    assert [Path(f["path"]).name for f in files] == ["child.toml", "base.toml"]


@needs_script
def test_a_scenario_read_from_a_pipe_is_saved(tmp_path: Path) -> None:
    """``simulate run <(cat file)``: the pipe can be read only once; its bytes are saved."""
    cmd = f"'{SIMULATE}' run <(cat '{MINIMAL}') -n 30 --no-report --no-rank-risks -q -j 1"
    done = subprocess.run(
        ["bash", "-c", cmd], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    folder = tmp_path / done.stdout.strip()
    assert (folder / "scenario.toml").read_bytes() == MINIMAL.read_bytes()


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 600 kB tmpfs (root only): a results folder does not fit on it."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_no_folder_and_no_staging(small_disk: Path) -> None:
    keep = small_disk / "earlier.txt"
    keep.write_text("an earlier file")
    out = small_disk / "res"
    code, output = _run(
        "run", str(MINIMAL), "-n", "3000", "--seed", "1", "-j", "1", "--out", str(out)
    )
    assert code == 1, output
    assert "No space left on device" in output and "Traceback" not in output
    assert sorted(p.name for p in small_disk.iterdir()) == ["earlier.txt"]
    assert keep.read_text() == "an earlier file"
