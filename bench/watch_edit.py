"""How long a one-file edit takes to reach the artifacts under
`dazzle build --watch`, against a cold `dazzle build` of the same project.

    python bench/watch_edit.py [--size 20x50] [--backends openapi,prisma] [--edits 10] [--out bench/out]

Generates the project with ``bench/generate.py`` (into ``OUT/watch-MxN``),
starts ``dazzle build --watch`` on it and waits for the first build; then,
``--edits`` times, adds a field to an entity of one module (a different one
each time) and measures the wall time from just before the file is written
to the moment every artifact holds the new field (polled every 2 ms), then
lets the watcher go quiet before the next edit. A cold ``dazzle build`` (a
fresh process that parses everything) of the same project is timed
``--edits`` times too, for the ratio; and, in this process, a compile from
scratch against one with a warm parse cache after a one-file edit. Needs ``dazzle-core[watch]`` and the
backends installed; ``bench/README.md`` says how to read the output.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ARTIFACTS = {"openapi": "openapi.yaml", "prisma": "prisma/schema.prisma"}


def generate(size: str, out: Path) -> Path:
    modules, entities = (int(n) for n in size.split("x"))
    project = out / f"watch-{size}"
    subprocess.run(
        [
            sys.executable,
            str(BENCH_DIR / "generate.py"),
            "--modules",
            str(modules),
            "--entities",
            str(entities),
            str(project),
        ],
        check=True,
        capture_output=True,
    )
    return project


def dazzle(*args: str) -> list[str]:
    return [sys.executable, "-m", "dazzle", *args]


def wait_until(done, what: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the watcher stopped while waiting for {what}")
        if time.perf_counter() > deadline:
            raise SystemExit(f"no {what} within {timeout}s")
        time.sleep(0.002)


def compile_seconds(project: Path, module: Path, repeat: int) -> tuple[float, float]:
    """Best compile time in this process: from scratch, and with a warm parse
    cache after a one-file edit (what each rebuild of the watcher compiles)."""
    from dazzle.cli.watch import ParseCache
    from dazzle.core.compiler import compile_path

    full, cached = [], []
    cache = ParseCache()
    compile_path(project, cache)
    text = module.read_text(encoding="utf-8")
    for n in range(repeat):
        started = time.perf_counter()
        compile_path(project)
        full.append(time.perf_counter() - started)
        module.write_text(text + f"\n# edit {n}\n", encoding="utf-8")
        started = time.perf_counter()
        assert compile_path(project, cache).ok
        cached.append(time.perf_counter() - started)
    module.write_text(text, encoding="utf-8")
    return min(full), min(cached)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="20x50", help="MxN: M modules of N entities (default 20x50)")
    parser.add_argument("--backends", default="openapi,prisma")
    parser.add_argument("--edits", type=int, default=10, help="edits timed (and cold builds), default 10")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out")
    args = parser.parse_args(argv)
    backends = [b for b in args.backends.split(",") if b]
    project = generate(args.size, args.out)
    build = project / "build"
    shutil.rmtree(build, ignore_errors=True)
    selected = [a for b in backends for a in ("-b", b)]
    artifacts = [build / ARTIFACTS[b] for b in backends]
    modules = sorted((project / "dsl").rglob("*.dsl"))

    cold = []
    for _ in range(args.edits):
        started = time.perf_counter()
        subprocess.run(dazzle("build", str(project), *selected), check=True, capture_output=True)
        cold.append(time.perf_counter() - started)

    log = args.out / f"watch-{args.size}.log"
    with log.open("w", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            dazzle("build", str(project), *selected, "--watch"), stdout=subprocess.DEVNULL, stderr=stderr
        )
    try:
        wait_until(lambda: "watching " in log.read_text(encoding="utf-8"), "first build", 120, proc)
        latencies = []
        for n in range(args.edits):
            module = modules[(n * 7) % len(modules)]
            text = module.read_text(encoding="utf-8")
            marker = f"watch_edit_{n}"
            # The first field line of the first entity gets a new field after it.
            at = text.index("  id: ")
            at = text.index("\n", at) + 1
            builds = log.read_text(encoding="utf-8").count("built in")
            started = time.perf_counter()
            module.write_text(text[:at] + f"  {marker}: int\n" + text[at:], encoding="utf-8")
            wait_until(
                lambda marker=marker: all(a.exists() and marker in a.read_text(encoding="utf-8") for a in artifacts),
                f"edit {n} in the artifacts",
                60,
                proc,
            )
            latencies.append(time.perf_counter() - started)
            wait_until(
                lambda builds=builds: log.read_text(encoding="utf-8").count("built in") > builds,
                "the build's end",
                60,
                proc,
            )
            time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    reparsed = log.read_text(encoding="utf-8").count(f"(parsed 1 of {len(modules)} files)")
    full, cached = compile_seconds(project, modules[0], args.edits)

    print(
        f"project {args.size}: {len(modules)} modules, {sum(m.stat().st_size for m in modules) / 1e6:.1f} MB of DSL;"
        f" backends {', '.join(backends)}"
    )
    print(f"cold `dazzle build`        best {min(cold):.3f} s  median {statistics.median(cold):.3f} s")
    print(
        f"edit -> artifacts (watch)  best {min(latencies):.3f} s  median {statistics.median(latencies):.3f} s"
        f"  ({reparsed} of {args.edits} rebuilds parsed only the edited file)"
    )
    print(f"ratio watch/cold (medians) {statistics.median(latencies) / statistics.median(cold):.2f}")
    print(
        f"compile in-process, best   {full:.3f} s from scratch, {cached:.3f} s after a one-file edit"
        f" with the parse cache (ratio {cached / full:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
