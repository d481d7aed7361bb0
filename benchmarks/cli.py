"""Command-line latency, side by side in one run: ``lnsym`` commands against ``import sympy``.

Wall time of whole processes (``python -m lnsym ...``, the code the ``lnsym`` script runs), each
case run once per round, the rounds interleaved (every round runs every case, in a rotated order) so
that a busy machine slows all cases alike; the table shows medians. Cases:

* ``python -c pass``: the interpreter's own start (context, not a goal);
* ``python -c "import sympy"``: the yardstick;
* ``lnsym --help`` (goal: at most 0.3x the yardstick; it needs no SymPy);
* ``lnsym prove 'LN(x) = sqrt(n)*u(c(x), n*eps)'`` (goal: at most 1.3x);
* ``lnsym language`` (reported);
* 40 identities: ``lnsym prove --file F`` against 40 separate ``lnsym prove`` calls (goal: the
  file at least 10x faster). Every line's verdict from the file must equal the exit status of its
  separate call.

Every process runs with byte-code caching on, in a temporary ``PYTHONPYCACHEPREFIX`` warmed by one
untimed round: an installed package (SymPy, or lnsym from a wheel) loads from ``.pyc`` files, and a
machine that sets ``PYTHONDONTWRITEBYTECODE`` (as this one does) would otherwise recompile every
lnsym module in every process while SymPy reads its cached byte code -- a difference of install
layout, not of lnsym.

    python benchmarks/cli.py [--rounds R] [--batch-rounds B]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAIN = "LN(x) = sqrt(n)*u(c(x), n*eps)"
PYTHON = [sys.executable]
LNSYM = [sys.executable, "-m", "lnsym"]

#: the 40 statements of the batch: identities from the prover's table (proved) and false ones
#: (refuted with a witness), with per-line flags.
STATEMENTS = [
    "LN(x) = sqrt(n)*u(c(x), n*eps)",
    "LN(x) = sqrt(n)*u(c(x), n*eps) --dim 512",
    "LN(x) = sqrt(n)*u(c(x), n*eps) --dim 3",
    "Var(x) = norm(c(x))**2/n",
    "Var(x) = E(hadamard(x, x)) - E(x)**2",
    "norm(c(x))**2 = norm(x)**2 - n*mu(x)**2",
    "dot(c(x), ones) = 0",
    "c(c(x)) = c(x)",
    "c(a + b) = c(a) + c(b) --vectors a,b",
    "c(alpha*x) = alpha*c(x) --scalars alpha",
    "c(x + k*ones) = c(x) --scalars k",
    "Var(x + k*ones) = Var(x) --scalars k",
    "LN(x + k*ones) = LN(x) --scalars k",
    "mu(x) = norm(x)*cos(x, ones)/sqrt(n)",
    "mu(x) = dot(x, ones)/n",
    "E(x) = mu(x)",
    "LN(x) = RMS(c(x))",
    "norm(LN(x))**2 = n*Var(x)/(Var(x) + eps)",
    "dot(w, LN(a + b)) = sqrt(n)*(dot(w, c(a)) + dot(w, c(b)))/sqrt(norm(c(a + b))**2 + n*eps)"
    " --vectors w,a,b",
    "sqrt(n)*u(x, n*eps) = x/sqrt(Var(x) + eps) --assume 'mu(x) = 0'",
    "dot(c(a), b) = dot(a, c(b)) --vectors a,b",
    "LN(alpha*x) = sqrt(n)*u(c(x), n*eps/alpha**2) --scalars alpha --assume 'alpha > 0'",
    "dot(w, LN(x)) = dot(c(w), LN(x)) --vectors w,x",
    "c(x) = x/2 - sandwich(ones, x)/(2*n)",
    "LN(2*x, 4*eps) = LN(x)",
    "RMS(x) = sqrt(n)*u(x, n*eps)",
    "Var(x) = mu(hadamard(c(x), c(x)))",
    "norm(u(x, 0))**2 = 1",
    "LN(x) = 0 --dim 1",
    "dot(c(a), c(b))**2 = norm(c(a))**2*norm(c(b))**2 --vectors a,b --dim 2",
    "dot(w, LNA(x, g, beta)) + b = dot(hadamard(g, w), LN(x)) + (dot(w, beta) + b)"
    " --vectors w,x,g,beta --scalars b",
    "u(x, 0) = x --assume 'norm(x) = 1'",
    "LN(x) = c(x)/sqrt(eps) --assume 'Var(x) = 0'",
    "LN(x) = u(c(x), n*eps)",
    "norm(LN(x)) = 1",
    "Var(x) = norm(x)**2/n",
    "Var(x) = norm(c(x))**2/(n - 1)",
    "mu(x) = norm(x)*cos(x, ones)",
    "c(hadamard(a, b)) = hadamard(c(a), c(b)) --vectors a,b",
    "LN(x) = c(x)/sqrt(Var(x))",
]
assert len(STATEMENTS) == 40

CASES: dict[str, list[str]] = {
    "python -c pass": [*PYTHON, "-c", "pass"],
    'python -c "import sympy"': [*PYTHON, "-c", "import sympy"],
    "lnsym --help": [*LNSYM, "--help"],
    f"lnsym prove '{MAIN}'": [*LNSYM, "prove", MAIN],
    "lnsym language": [*LNSYM, "language"],
}
BASELINE = 'python -c "import sympy"'
GOALS = {"lnsym --help": 0.3, f"lnsym prove '{MAIN}'": 1.3}


#: the environment of every timed process: byte code cached (in a folder ``main`` sets), as installed
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(argv: list[str], expect: int = 0) -> float:
    """Seconds one process takes from start to exit (its output discarded)."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False, env=ENV)
    seconds = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(f"{shlex.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    return seconds


def separate(line: str) -> list[str]:
    """The ``lnsym prove`` call of one batch line (statement and flags as separate arguments)."""
    words = shlex.split(line)
    cut = next((i for i, w in enumerate(words) if w.startswith("--")), len(words))
    return [*LNSYM, "prove", " ".join(words[:cut]), *words[cut:]]


def batch_verdicts(path: Path) -> list[int]:
    done = subprocess.run(
        [*LNSYM, "prove", "--file", str(path), "--json"], capture_output=True, text=True, env=ENV
    )
    return [json.loads(line)["exit"] for line in done.stdout.splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds of the single commands")
    parser.add_argument("--batch-rounds", type=int, default=3, help="rounds of the 40 identities")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache:
        ENV["PYTHONPYCACHEPREFIX"] = cache
        run(options)


def run(options: argparse.Namespace) -> None:
    """Warm the byte-code cache, then time the cases and the batch, and print the table."""
    for argv in CASES.values():
        wall(argv)  # untimed: writes the byte code every timed run then reads
    times: dict[str, list[float]] = {name: [] for name in CASES}
    names = list(CASES)
    for round_ in range(options.rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(wall(CASES[name]))

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "identities.txt"
        path.write_text("# 40 identities\n" + "\n".join(STATEMENTS) + "\n", encoding="utf-8")
        expected = [
            subprocess.run(separate(line), capture_output=True, env=ENV).returncode
            for line in STATEMENTS
        ]
        assert batch_verdicts(path) == expected, "the file's verdicts differ from separate calls"
        worst = 1 if 1 in expected else 0
        file_times, separate_times = [], []
        for round_ in range(options.batch_rounds):
            order = ["file", "separate"] if round_ % 2 == 0 else ["separate", "file"]
            for which in order:
                if which == "file":
                    file_times.append(wall([*LNSYM, "prove", "--file", str(path)], expect=worst))
                else:
                    start = time.perf_counter()
                    for line, code in zip(STATEMENTS, expected, strict=True):
                        wall(separate(line), expect=code)
                    separate_times.append(time.perf_counter() - start)

    base = statistics.median(times[BASELINE])
    print(
        f"lnsym command line, wall time (medians of {options.rounds} interleaved rounds; "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})"
    )
    print(f"{'case':58} {'median s':>9} {'x sympy':>8}  goal")
    for name in names:
        median = statistics.median(times[name])
        goal = GOALS.get(name)
        verdict = (
            "" if goal is None else f"<= {goal}x  {'met' if median / base <= goal else 'MISSED'}"
        )
        print(f"{name:58} {median:9.3f} {median / base:8.2f}  {verdict}")
    file_median, separate_median = statistics.median(file_times), statistics.median(separate_times)
    speedup = separate_median / file_median
    print(f"\n40 identities (medians of {options.batch_rounds} interleaved rounds)")
    print(f"{'lnsym prove --file F (one process)':58} {file_median:9.3f}")
    print(f"{'40 separate lnsym prove calls':58} {separate_median:9.3f}")
    print(
        f"{'speed-up of the file':58} {speedup:8.1f}x  >= 10x  "
        f"{'met' if speedup >= 10 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
