"""Measure the compiled model (setup.py, ``SIMULATION_COMPILE=1``) against the pure-Python one,
and check that it computes the same.

Copies the package and its build files into a temporary folder and installs that copy, compiled,
into another one with ``SIMULATION_COMPILE=1 pip install --target`` (setup.py, in pip's
isolated build environment, as a compiled install does: it needs the package index for mypy, a
C compiler and the Python headers; about a minute). Then, in fresh interpreters, interleaved:
the milliseconds per iteration of ``run_programme`` in bench_model's case (CPU time, best of 5
rounds of 300 runs) with the response layer and without it, and whether the two builds give
byte-identical raw outputs for every shipped scenario (200 iterations each). ``--suite`` also
runs the whole test suite on the compiled install (it comes first on ``PYTHONPATH``, also for
the suite's subprocesses; ``SIMULATION_EXPECT_BUILD=mypyc`` makes the suite refuse to start on
any other build). The exit code is 1 when the build fails, the outputs differ or the suite
fails. Nothing in the checkout is changed, except the suite's usual caches.

Usage: python scripts/bench_compiled.py [--rounds 2] [--suite]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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

_WHICH = "from simulation.model.build import model_build; print(model_build())"

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


def build(tmp: Path) -> Path:
    """Install a copy of the package, compiled, into ``tmp/site`` as a compiled install does;
    returns that folder."""
    tree, site = tmp / "src", tmp / "site"
    shutil.copytree(ROOT / "simulation", tree / "simulation")
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps"]
    done = subprocess.run(
        [*pip, "--target", str(site), str(tree)],
        env={**os.environ, "SIMULATION_COMPILE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print("the compiled build failed:\n" + done.stdout[-2000:] + done.stderr[-2000:])
        sys.exit(1)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--suite", action="store_true", help="run the test suite on it too")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        site = build(Path(tmp))
        compiled_modules = len(list((site / "simulation" / "model").glob("*.so")))
        which = _python(site, _WHICH), _python(ROOT, _WHICH)
        if which != ("mypyc", "Python"):
            print(f"the compiled install runs its model as {which[0]!r}, the checkout {which[1]!r}")
            sys.exit(1)
        timing = _TIMING.format(scripts=str(ROOT / "scripts"))
        for r in range(args.rounds):
            pure = _python(ROOT, timing).split()
            compiled = _python(site, timing).split()
            print(
                f"round {r + 1}: run_programme ms/iteration, response on / off: "
                f"pure Python {pure[0]} / {pure[1]}, mypyc ({compiled_modules} modules) "
                f"{compiled[0]} / {compiled[1]}"
            )
        fingerprint = _FINGERPRINT.format(scenarios=str(ROOT / "scenarios"))
        same = _python(ROOT, fingerprint) == _python(site, fingerprint)
        print(f"raw outputs of every shipped scenario byte-identical: {same}")
        failed = not same
        if args.suite:
            # PYTHONSAFEPATH: no interpreter of the suite puts the checkout before the install
            env = {
                **os.environ,
                "PYTHONPATH": str(site),
                "PYTHONSAFEPATH": "1",
                "SIMULATION_EXPECT_BUILD": "mypyc",
            }
            suite = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                cwd=ROOT,
                env=env,
                check=False,
            )
            print(f"test suite on the compiled build: exit code {suite.returncode}")
            failed = failed or suite.returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
