"""Start-up time of the `dazzle` command, against `python -c pass`.

    python bench/startup.py [--runs 30] [--example PATH] [--json]

Runs each command `--runs` times (after two warm-up runs) in fresh processes
and reports the minimum and median wall time and the ratio of medians to
`python -c pass` run by the same interpreter. The target for
`dazzle backends` and `dazzle validate` is at most 3x.

Notes:

- Run it in the environment you mean to measure: it uses the `dazzle`
  executable next to the Python running it, and measures whatever backends
  are installed there (it prints them, from `dazzle --version`). The issue's
  setting is three backends installed, for example:

      python3 -m venv /tmp/venv-startup
      /tmp/venv-startup/bin/pip install ./dazzle-core ./dazzle-backend-openapi \\
          ./dazzle-backend-prisma ./dazzle-core/tests/e2e/dists/dazzle-test-failing
      /tmp/venv-startup/bin/python bench/startup.py

- `dazzle backends` imports every installed backend to read its
  capabilities, so its time grows with what the backends import.
- `python -c "import click"` is printed as well: it is the floor that any
  click command starts from, before DAZZLE's own code runs.
- `--example` defaults to `examples/support_tickets` when the repository has
  it, else a small project written into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SMALL_PROJECT = """\
app shop "Shop"

entity Customer "Customer":
  id: uuid pk
  email: email unique
  name: str(200) required

entity Order "Order":
  id: uuid pk
  customer: ref Customer required
  status: enum[open,paid,shipped]=open
  placed_at: datetime auto_add

surface order_list "Orders":
  uses entity Order
  mode: list
"""


def time_command(argv: list[str], runs: int) -> list[float]:
    for _ in range(2):
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        completed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
        if completed.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited with {completed.returncode}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per command (default 30)")
    parser.add_argument("--example", type=Path, help="the project `dazzle validate` checks")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    dazzle = Path(sys.executable).parent / "dazzle"
    if not dazzle.exists():
        raise SystemExit(f"no dazzle executable next to {sys.executable}; install dazzle-core there first")
    with tempfile.TemporaryDirectory() as scratch:
        example = args.example or ROOT / "examples" / "support_tickets"
        if args.example is None and not example.exists():
            example = Path(scratch) / "shop.dsl"
            example.write_text(SMALL_PROJECT)
        versions = subprocess.run([str(dazzle), "--version"], capture_output=True, text=True, check=True)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            'python -c "import click"': [sys.executable, "-c", "import click"],
            "dazzle --help": [str(dazzle), "--help"],
            "dazzle --version": [str(dazzle), "--version"],
            "dazzle backends": [str(dazzle), "backends"],
            f"dazzle validate {example.name}": [str(dazzle), "validate", str(example)],
        }
        results = {name: time_command(argv, args.runs) for name, argv in commands.items()}

    baseline = statistics.median(results["python -c pass"])
    rows = [
        {
            "command": name,
            "min_ms": round(min(times) * 1000, 1),
            "median_ms": round(statistics.median(times) * 1000, 1),
            "ratio": round(statistics.median(times) / baseline, 2),
        }
        for name, times in results.items()
    ]
    installed = versions.stdout.splitlines()
    if args.json:
        print(json.dumps({"installed": installed, "runs": args.runs, "results": rows}, indent=2))
        return
    print("installed:", "; ".join(installed))
    print(f"{args.runs} runs each, after 2 warm-up runs; ratio = median / median of `python -c pass`\n")
    width = max(len(r["command"]) for r in rows)
    print(f"{'command':<{width}}  {'min ms':>8}  {'median ms':>9}  {'ratio':>6}")
    for r in rows:
        print(f"{r['command']:<{width}}  {r['min_ms']:>8.1f}  {r['median_ms']:>9.1f}  {r['ratio']:>5.2f}x")


if __name__ == "__main__":
    main()
