"""Time and peak memory of the risk ranking (:mod:`simulation.analysis.risk_removal`) against the
number of risks.

For each risk count, a scenario is written with that many risks (minimal.toml plus, in turn, a
staff loss, a ticket surge and a one-off cost shock, each uncertain), and a child process runs
the baseline and then the ranking at a fixed iteration count. This script samples the
proportional set size (PSS) of the child's whole process tree (workers included) every 50 ms
from ``/proc`` (Linux only) and prints, per risk count: the baseline's and the ranking's wall
time and the peak memory of each phase.

    .venv/bin/python scripts/bench_ranking.py                       # 200 and 600 risks
    .venv/bin/python scripts/bench_ranking.py --risks 2000 --jobs 2 --iterations 200
    .venv/bin/python scripts/bench_ranking.py --code /tmp/old    # another version's simulation/
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_memory import _pss, _tree  # noqa: E402


def scenario_text(risks: int) -> str:
    """minimal.toml with ``risks`` risks of three kinds, every one with uncertain fields."""
    lines = [f'extends = "{ROOT / "scenarios" / "minimal.toml"}"', "[costs]"]
    lines += [f"one_off_r{i} = 0" for i in range(2, risks, 3)]  # the items the shocks add to
    for i in range(risks):
        kind = i % 3
        lines.append(f'[[risks]]\nname = "r{i}"\nprobability = 0.{1 + i % 3}')
        if kind == 0:
            lines.append('event = "staff_loss"\nagents = 1')
            lines.append("window_start_month = 3\nwindow_end_month = 18")
        elif kind == 1:
            lines.append('event = "ticket_surge"\nduration_days = 10')
            lines.append('extra_tickets_per_day = { dist = "uniform", low = 1, high = 5 }')
            lines.append("window_start_month = 3\nwindow_end_month = 18")
        else:
            lines.append(f'adds_to = "costs.one_off_r{i}"')
            lines.append('impact = { dist = "uniform", low = 1000, high = 5000 }')
    return "\n".join(lines) + "\n"


CHILD = """
import json, sys, time
from simulation.engine.run import simulate
from simulation.analysis.risk_removal import risk_removal
from simulation.scenario.reader import load_scenario
path, n, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
scenario = load_scenario(path)
t0 = time.perf_counter()
base = simulate(scenario, n, seed=1, jobs=jobs)
t1 = time.perf_counter()
print(json.dumps({"phase": "ranking", "baseline_s": t1 - t0}), flush=True)
table = risk_removal(scenario, base, jobs=jobs)
t2 = time.perf_counter()
print(json.dumps({"phase": "done", "ranking_s": t2 - t1, "rows": len(table)}), flush=True)
"""


def measure(path: Path, n: int, jobs: int, code: str | None = None) -> dict[str, float]:
    """Run the child (with ``code`` first on its import path, if given); return its phase
    times (s) and peak PSS per phase (bytes)."""
    cmd = [sys.executable, "-c", CHILD, str(path), str(n), str(jobs)]
    env = dict(os.environ)
    if code:  # first on the path: the child's working folder comes before the installed package
        env["PYTHONPATH"] = code
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=code
    )
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out: dict[str, float] = {"baseline_peak": 0.0, "ranking_peak": 0.0}
    phase = "baseline_peak"
    buffer = ""
    while proc.poll() is None:
        for _ in sel.select(timeout=0.05):
            buffer += proc.stdout.read() or ""
        while "\n" in buffer:
            line, buffer = buffer.split("\n", 1)
            record = json.loads(line)
            out.update({k: v for k, v in record.items() if k != "phase"})
            phase = "ranking_peak"
        pss = sum(_pss(p) for p in _tree(proc.pid))
        out[phase] = max(out[phase], float(pss))
    rest = proc.stdout.read() or ""
    for line in (buffer + rest).splitlines():
        if line.strip():
            out.update({k: v for k, v in json.loads(line).items() if k != "phase"})
    if proc.returncode != 0:
        assert proc.stderr is not None
        raise SystemExit(proc.stderr.read())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, nargs="*", default=[200, 600])
    parser.add_argument("--iterations", "-n", type=int, default=200)
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--code", default=None, help="folder holding another simulation/ to time")
    args = parser.parse_args(argv)
    from simulation.engine.memory import size_text

    print(
        f"{'risks':>6}{'n':>6}{'jobs':>5}{'baseline':>10}{'ranking':>10}"
        f"{'peak (baseline)':>17}{'peak (ranking)':>16}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for risks in args.risks:
            path = Path(tmp) / f"risks_{risks}.toml"
            path.write_text(scenario_text(risks))
            r = measure(path, args.iterations, args.jobs, args.code)
            assert r.get("rows") == risks, r
            print(
                f"{risks:>6}{args.iterations:>6}{args.jobs:>5}{r['baseline_s']:>9.1f}s"
                f"{r['ranking_s']:>9.1f}s{size_text(r['baseline_peak']):>17}"
                f"{size_text(r['ranking_peak']):>16}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
