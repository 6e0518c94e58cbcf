"""Measure what compiling the SimPy model's Python with mypyc would buy (issue 14's speed target).

Copies the package into a temporary folder, compiles the modules of :data:`MODULES` there with
mypyc (from the ``test`` extra's mypy; needs a C compiler and the Python headers), then runs
bench_model's case in a fresh interpreter on each tree, interleaved: the milliseconds per
iteration of ``run_programme`` (CPU time, best of 5 rounds of 300 runs) with the response layer
and without it, and whether the two trees give byte-identical raw outputs for every shipped
scenario (200 iterations each). Nothing in the checkout is changed; the package as installed
stays pure Python.

Usage: python scripts/bench_compiled.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The SimPy side of the model: every module a run's events go through (the post-run numpy
#: outputs gain little from compiling). mypyc checks their annotations at run time.
MODULES: tuple[str, ...] = (
    "watch",
    "review",
    "capacity",
    "levers",
    "attrition",
    "staffing",
    "vendor",
    "knowledge",
    "programme",
    "streams",
    "context",
    "plan",
    "arrivals",
)

_TIMING = """
import sys, time
sys.path.insert(0, {scripts!r})
from bench_model import inputs
from simulation.model import run_programme
from simulation.sampling.seeds import iteration_stream

def per_run(p, n=300):
    best = []
    for _ in range(5):
        t0 = time.process_time()
        for i in range(n):
            run_programme(p, iteration_stream(1, i))
        best.append((time.process_time() - t0) / n * 1e3)
    return min(best)

on = per_run(inputs("stochastic"))
off = per_run(inputs("stochastic", options={{"response.enabled": False}}))
print(f"{{on:.2f}} {{off:.2f}}")
"""

_FINGERPRINT = """
import hashlib
from pathlib import Path
import numpy as np
from simulation import RunOptions, load_scenario
from simulation.engine import simulate
h = hashlib.sha256()
for f in sorted(Path({scenarios!r}).glob("*.toml")):
    raw = simulate(load_scenario(f), RunOptions(200, seed=12345, jobs=1))
    for a in (raw.scalars, raw.monthly, raw.risks):
        h.update(np.ascontiguousarray(a).tobytes())
print(h.hexdigest())
"""


def _python(tree: Path, code: str) -> str:
    """Run ``code`` in a fresh interpreter that imports the package from ``tree``."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    mypyc = Path(sys.executable).with_name("mypyc")
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        shutil.copytree(ROOT / "simulation", tree / "simulation")
        files = [f"simulation/model/{m}.py" for m in MODULES]
        build = subprocess.run(
            [str(mypyc), *files], cwd=tree, capture_output=True, text=True, check=False
        )
        if build.returncode != 0:
            print("mypyc failed:\n" + build.stdout[-2000:] + build.stderr[-2000:])
            sys.exit(1)
        timing = _TIMING.format(scripts=str(ROOT / "scripts"))
        for r in range(args.rounds):
            pure = _python(ROOT, timing).split()
            compiled = _python(tree, timing).split()
            print(
                f"round {r + 1}: run_programme ms/iteration, response on / off: "
                f"pure Python {pure[0]} / {pure[1]}, mypyc ({len(MODULES)} modules) "
                f"{compiled[0]} / {compiled[1]}"
            )
        fingerprint = _FINGERPRINT.format(scenarios=str(ROOT / "scenarios"))
        same = _python(ROOT, fingerprint) == _python(tree, fingerprint)
        print(f"raw outputs of every shipped scenario byte-identical: {same}")


if __name__ == "__main__":
    main()
