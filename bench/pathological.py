"""Hostile inputs at growing scale: time and peak memory of `dazzle validate`
on each, to show that both grow linearly with the input (issue 10).

    python bench/pathological.py [--scales 1,4,16] [--kinds K,...] [--core SRC ...]
                                 [--timeout 120] [--json] [--out bench/out/pathological]

Each kind is written at 1x, 4x and 16x its base size (16x is the size the
issue found slow) into ``--out`` and validated by a fresh subprocess that runs
the whole command (compile, and printing every diagnostic to /dev/null) and
reports its wall time and maximum resident set size. A linear kind shows a
time ratio near 4 from one scale to the next; a quadratic one near 16.

``--core SRC`` (repeatable) measures the dazzle-core sources under
``SRC/dazzle-core/src`` (another checkout, such as a ``git worktree`` of an
older commit) in the same run, side by side with the one installed; a run
longer than ``--timeout`` seconds is stopped and shown as such.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
MB = 1024 * 1024
APP = 'app bench "Bench"\n'


def write_toml_keys(out: Path, scale: int) -> str:
    """1,000 unknown dazzle.toml keys per scale: each is a W010 located in the file."""
    keys = "".join(f"unknown_key_{i} = {i}\n" for i in range(1000 * scale))
    (out / "dazzle.toml").write_text(f'[project]\nroot = "core"\n{keys}', encoding="utf-8")
    (out / "core.dsl").write_text(APP + "entity A:\n  id: uuid pk\n", encoding="utf-8")
    return f"{1000 * scale} unknown keys"


def write_misspelt(out: Path, scale: int) -> str:
    """3,125 lines of a misspelt keyword per scale (16x: the issue's 50,000)."""
    (out / "core.dsl").write_text(APP + "entiti X:\n" * (3125 * scale), encoding="utf-8")
    return f"{3125 * scale} misspelt lines"


def write_unknown_names(out: Path, scale: int) -> str:
    """3,125 references to different unknown entities per scale: one suggestion each, on a budget."""
    fields = "".join(f"  f{i}: ref Missing{i}\n" for i in range(3125 * scale))
    (out / "core.dsl").write_text(APP + "entity A:\n  id: uuid pk\n" + fields, encoding="utf-8")
    return f"{3125 * scale} unknown names"


def write_long_name(out: Path, scale: int) -> str:
    """One line holding a 1.25 MB name per scale (16x: 20 MB)."""
    size = 1_250_000 * scale
    (out / "core.dsl").write_text(APP + "entity A:\n  id: uuid pk\n  " + "n" * size + "\n", encoding="utf-8")
    return f"a {size / MB:.1f} MB name"


def write_long_string(out: Path, scale: int) -> str:
    """One line holding a 1.25 MB string default per scale (16x: 20 MB)."""
    size = 1_250_000 * scale
    (out / "core.dsl").write_text(
        APP + 'entity A:\n  id: uuid pk\n  s: str(10)="' + "s" * size + '"\n', encoding="utf-8"
    )
    return f"a {size / MB:.1f} MB string"


def write_use_chain(out: Path, scale: int) -> str:
    """625 modules per scale, each using the next (16x: the issue's 10,000)."""
    n = 625 * scale
    (out / "dazzle.toml").write_text('[project]\nroot = "m0"\n', encoding="utf-8")
    for i in range(n):
        lines = [f"module m{i}"]
        if i + 1 < n:
            lines.append(f"use m{i + 1}")
        if i == 0:
            lines.append(APP.strip())
        lines += [f"entity E{i}:", "  id: uuid pk"]
        if i + 1 < n:
            lines.append(f"  next: ref E{i + 1}")
        (out / f"m{i}.dsl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"{n} modules in a use chain"


def write_project(out: Path, scale: int) -> str:
    """A valid project from bench/generate.py: 5 modules of 20 entities per scale."""
    spec = importlib.util.spec_from_file_location("dazzle_bench_generate", BENCH_DIR / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    shutil.rmtree(out)
    generate.generate(5 * scale, 20, out)
    return f"valid {5 * scale}x20 project"


KINDS = {
    "toml_keys": write_toml_keys,
    "misspelt": write_misspelt,
    "unknown_names": write_unknown_names,
    "long_name": write_long_name,
    "long_string": write_long_string,
    "use_chain": write_use_chain,
    "project": write_project,
}


# --- inside a worker subprocess ------------------------------------------------


def worker(path: Path) -> None:
    """Run `dazzle validate PATH` in this process, diagnostics to /dev/null."""
    import dazzle
    from dazzle.cli import main

    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the whole process's stderr
    status = 0
    start = time.perf_counter()
    try:
        main(["validate", str(path)])
    except SystemExit as exit_:
        status = exit_.code
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_mb": peak_rss_mb(), "exit": status, "dazzle": dazzle.__file__}))


def peak_rss_mb() -> float:
    """This process's peak resident set size. Linux's ru_maxrss keeps the
    peak of the process before exec (here: the parent that forked it, which
    wrote the inputs), so the kernel's own high-water mark of this address
    space (VmHWM) is read where there is one."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- driving ----------------------------------------------------------------------


def measure(path: Path, core: str | None, timeout: float) -> dict:
    env = dict(os.environ)
    if core is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(Path(core) / "dazzle-core" / "src"), env.get("PYTHONPATH")) if p
        )
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"over {timeout:g} s"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"status": f"failed: {tail}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["status"] = "ok"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,4,16", help="comma-separated multiples of each kind's base size")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of: {', '.join(KINDS)}")
    parser.add_argument(
        "--core", action="append", default=[], help="a checkout whose dazzle-core/src is measured too (repeatable)"
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a run is stopped")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out" / "pathological")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        worker(args.worker)
        return 0
    kinds = args.kinds.split(",")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kind(s): {', '.join(unknown)}")
    scales = [int(s) for s in args.scales.split(",")]
    cores: list[str | None] = [None, *args.core]
    rows = []
    for kind in kinds:
        for scale in scales:
            out = args.out / f"{kind}-{scale}x"
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            what = KINDS[kind](out, scale)
            size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
            row = {"kind": kind, "scale": scale, "input": what, "input_mb": size / MB, "runs": []}
            for core in cores:
                row["runs"].append({"core": core or "installed", **measure(out, core, args.timeout)})
            rows.append(row)
            if not args.json:
                print_row(row, rows)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


def print_row(row: dict, rows: list[dict]) -> None:
    previous = next((r for r in reversed(rows[:-1]) if r["kind"] == row["kind"]), None)
    cells = []
    for i, run in enumerate(row["runs"]):
        if run["status"] != "ok":
            cells.append(f"{run['status']:>24}")
            continue
        ratio = ""
        if previous is not None and previous["runs"][i]["status"] == "ok":
            ratio = f" x{run['seconds'] / max(previous['runs'][i]['seconds'], 1e-9):.1f}"
        cells.append(f"{run['seconds']:7.2f} s{ratio:<6} {run['rss_mb']:6.0f} MB")
    print(
        f"{row['kind']:<14} {row['scale']:>3}x {row['input']:<28} {row['input_mb']:7.2f} MB | " + " | ".join(cells),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
