"""Peak memory of real ``simulate run`` processes against the estimate of
:mod:`simulation.engine.memory`.

Runs ``simulate run`` in a subprocess for each case and samples, every 50 ms, the proportional
set size (PSS: shared pages split between the processes sharing them) of the whole process tree
from ``/proc/<pid>/smaps_rollup`` (Linux only), so that forked workers are counted once. Prints
one line per case: iterations, horizon, uncertain inputs, risks, jobs, the measured peak, the
estimate and their ratio (the estimate should be at or a little above the measured peak).

    .venv/bin/python scripts/bench_memory.py                  # the calibration cases
    .venv/bin/python scripts/bench_memory.py --quick          # two small cases
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIMULATE = Path(sys.executable).with_name("simulate")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def peak_bytes(cmd: list[str]) -> tuple[int, float]:
    """Peak PSS of the process tree of ``cmd`` (bytes) and its wall time (s)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss(p) for p in _tree(proc.pid)))
        time.sleep(0.05)
    if proc.returncode != 0:
        assert proc.stderr is not None
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.read().decode()}")
    return peak, time.perf_counter() - t0


WIDE = """
extends = "{base}"
[scenario]
horizon_months = 24
{extra}
"""


def _wide(folder: Path) -> Path:
    """minimal.toml with 200 uncertain cost items (a wide input matrix, a short horizon)."""
    lines = [
        f'one_off_item{i} = {{ dist = "uniform", low = 0, high = {i + 1} }}' for i in range(200)
    ]
    path = folder / "wide.toml"
    base = ROOT / "scenarios" / "minimal.toml"
    path.write_text(WIDE.format(base=base, extra="[costs]\n" + "\n".join(lines)))
    return path


def _long(folder: Path) -> Path:
    path = folder / "long.toml"
    path.write_text(
        f'extends = "{ROOT / "scenarios" / "it_helpdesk.toml"}"\n[scenario]\nhorizon_months = 600\n'
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small cases only")
    args = parser.parse_args(argv)
    from simulation.engine.memory import scenario_need, size_text
    from simulation.scenario.reader import load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        helpdesk = ROOT / "scenarios" / "it_helpdesk.toml"
        cases = [(helpdesk, 2000, 1), (_wide(folder), 5000, 1)]
        if not args.quick:
            long = _long(folder)
            cases += [
                (helpdesk, 20_000, 1),
                (helpdesk, 60_000, 1),
                (helpdesk, 20_000, 2),
                (_wide(folder), 40_000, 1),
                (long, 2000, 1),
                (long, 10_000, 1),
                (long, 10_000, 2),
            ]
        print(
            f"{'scenario':<12}{'n':>8}{'months':>7}{'inputs':>7}{'risks':>6}{'jobs':>5}"
            f"{'measured':>12}{'estimate':>12}{'ratio':>7}{'wall':>8}"
        )
        for path, n, jobs in cases:
            scenario = load_scenario(path)
            need = scenario_need(scenario, n, jobs)
            cmd = [
                str(SIMULATE),
                "run",
                str(path),
                "-n",
                str(n),
                "-j",
                str(jobs),
                "-q",
                "--no-report",
                "--out",
                str(folder / "out"),
                "--force",
            ]
            peak, wall = peak_bytes(cmd)
            print(
                f"{path.stem:<12}{n:>8,}{need.horizon_months:>7}{len(scenario.uncertain):>7}"
                f"{len(scenario.risks):>6}{jobs:>5}{size_text(peak):>12}"
                f"{size_text(need.bytes):>12}{need.bytes / peak:>7.2f}{wall:>7.1f}s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
