"""`dazzle backends` and `dazzle build`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dazzle.cli.completion import complete_backend_names, complete_backend_options

if TYPE_CHECKING:
    from dazzle.cli.build_arguments import BuildArguments

#: The real stdout, kept for the command's results once ``reserve_stdout`` ran.
_results: Any = None


def reserve_stdout() -> None:
    """Keep the real stdout for the command's results (``--json``,
    ``--check``'s list) and send file descriptor 1, and so ``sys.stdout``, to
    stderr from now on. Code a plugin leaves behind (a thread it started at
    import, an exit handler, a C library) may write to stdout at any time,
    after the guard around the plugin's own calls has ended; it must not mix
    into the results. Run before any plugin code; does nothing when stdout
    was replaced (a test runner's capture), where nothing else writes."""
    global _results
    if _results is not None or sys.stdout is not sys.__stdout__ or sys.stdout is None:
        return
    try:
        out_fd, err_fd = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return
    if out_fd == err_fd:
        return
    sys.stdout.flush()
    kept = os.dup(out_fd)
    os.dup2(err_fd, out_fd)
    _results = open(kept, "w", encoding=sys.stdout.encoding, errors=sys.stdout.errors)  # noqa: SIM115


def echo_result(text: str) -> None:
    """One line of the command's results on stdout (see ``reserve_stdout``)."""
    click.echo(text, file=_results if _results is not None else sys.stdout)


@click.command("backends")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the backends as JSON on stdout.")
def backends_command(path: Path | None, as_json: bool) -> None:
    """List the installed backends: what each one makes, where it comes from
    and the options it accepts; and those that cannot be used, with why.

    Also lists the command backends of the project at PATH (default: the
    project of the current folder, if any), declared as [backends.NAME] in
    its dazzle.toml; listing never runs them.
    """
    from dazzle.backends.api import API_VERSION
    from dazzle.backends.interrupts import StopRequested, stop_signals_raise
    from dazzle.backends.registry import get_registry

    reserve_stdout()
    registry = get_registry()
    add_project_backends(registry, path)
    # Watching for signals tells a real Ctrl-C from a plugin raising KeyboardInterrupt.
    with stop_signals_raise():
        try:
            infos = registry.describe()
        except StopRequested as stop:
            click.echo(f"dazzle backends: stopped by {stop}", err=True)
            sys.exit(stop.exit_status)
    if as_json:
        payload = {"api_version": API_VERSION, "backends": [backend_to_json(i) for i in infos]}
        echo_result(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not infos:
        echo_result("No backends installed. A backend is a distribution you install beside dazzle-core,")
        echo_result("for example: pip install dazzle-backend-openapi")
        return
    for info in infos:
        echo_result("\n".join(describe_backend(info)))


def add_project_backends(registry: Any, path: Path | None) -> None:
    """Add the command backends of the project at ``path`` to ``registry``;
    without ``path``, of the project whose dazzle.toml is in the current
    folder or above it, if any. A broken dazzle.toml given as ``path`` ends
    the command; found by looking around, it is reported and the installed
    backends are listed all the same."""
    from dazzle.backends.command_backends import project_backends
    from dazzle.core.project import CONFIG_NAME, load_project

    given = path is not None
    if path is None:
        here = Path(os.path.abspath(os.curdir))
        path = next((f for f in (here, *here.parents) if (f / CONFIG_NAME).is_file()), None)
        if path is None:
            return
    project, problems = load_project(path)
    if project is None:
        from dazzle.cli.validate import print_diagnostics
        from dazzle.core.compiler import CompileResult

        print_diagnostics(CompileResult(None, tuple(problems)))
        if given:
            sys.exit(1)
        click.echo(f"warning: the project's command backends are not listed: its {CONFIG_NAME} has errors", err=True)
        return
    registry.add_project_backends(project_backends(project))


def backend_to_json(info: Any) -> dict[str, Any]:
    from dazzle.backends.api import option_type_name

    caps = info.capabilities
    return {
        "name": info.name,
        "status": info.status,
        "description": caps.description if caps else None,
        "output_formats": list(caps.output_formats) if caps else [],
        "supports_incremental": caps.supports_incremental if caps else None,
        "requires_config": caps.requires_config if caps else None,
        "options": [
            {
                "name": o.name,
                "type": option_type_name(o.type),
                "default": list(o.default) if isinstance(o.default, tuple) else o.default,
                "choices": list(o.choices),
                "help": o.help,
            }
            for o in (caps.options if caps else ())
        ],
        "origin": info.origin,
        "command": list(info.local.command) if info.local is not None else None,
        "distributions": [
            {"name": p.distribution, "version": p.version, "entry_point": p.entry_point} for p in info.plugins
        ],
        "reason": info.reason or None,
    }


def describe_backend(info: Any) -> list[str]:
    """The lines `dazzle backends` prints for one backend."""
    from dazzle.backends.api import option_type_name
    from dazzle.backends.options import list_as_written

    caps = info.capabilities
    if info.status != "available":
        lines = [f"{info.name}  [{info.status.upper()}]"]
        if info.local is not None:
            lines.append(f"    from: {info.local.origin}, command {' '.join(info.local.command)!r}")
        lines += [f"    from: {p.origin}, entry point '{p.entry_point}'" for p in info.plugins]
        return [*lines, f"    reason: {info.reason}"]
    lines = [f"{info.name}  {caps.description}".rstrip(), f"    from: {info.origin}"]
    if caps.output_formats:
        lines.append(f"    formats: {', '.join(caps.output_formats)}")
    if not caps.options:
        lines.append("    options: any KEY=VALUE, passed as strings")
    else:
        lines.append("    options:")
        for o in caps.options:
            facts = [option_type_name(o.type)]
            if o.choices:
                facts.append("one of " + "|".join(str(c) for c in o.choices))
            if o.type == list[str] and isinstance(o.default, tuple):
                facts.append(f"default {list_as_written(o.default)}")
            elif o.default is not None:
                facts.append(f"default {o.default!r}")
            lines.append(f"      {o.name} ({', '.join(facts)})" + (f"  {o.help}" if o.help else ""))
    return lines


@click.command("build")
@click.argument("path", default=".", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-b",
    "--backend",
    "backends",
    multiple=True,
    metavar="NAME",
    help="A backend to run (repeatable). Default: [build] backends in dazzle.toml, else every available one.",
    shell_complete=complete_backend_names,
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    help="The output folder. Default: [build] out in dazzle.toml, else build/ in the project folder.",
)
@click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    metavar="[BACKEND.]KEY=VALUE",
    help="A backend option (repeatable); BACKEND.KEY=VALUE gives it to one backend only.",
    shell_complete=complete_backend_options,
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop a backend whose validate_config or generate takes longer. Default: [build] timeout, else none.",
)
@click.option("--strict", is_flag=True, help="Treat warnings (the compiler's and the backends') as errors.")
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 listing the files a build would add, update or remove."
)
@click.option("--debug", is_flag=True, help="Show the traceback when a backend fails.")
@click.option(
    "--watch",
    is_flag=True,
    help="Build, then build again whenever a .dsl file or dazzle.toml of the project changes, until Ctrl-C. "
    'Needs the watchfiles package: pip install "dazzle-core[watch]".',
)
def build_command(watch: bool, **given: Any) -> None:
    """Validate a DAZZLE project, then build artifacts from it with backends.

    PATH is a project folder (with dazzle.toml), a folder of .dsl files, or one
    .dsl file (whose default output folder is build/ beside it). Only files whose
    content changed are written; a file a backend that ran wrote last time and
    no longer writes is removed (unless it was edited since); every other file
    is left alone. Each backend runs in a worker process
    of its own; what it prints goes to stderr, marked [NAME]. Exit status: 0
    built (or, with --check, up to date), 1 any error (or, with --check, changes
    pending), 2 a usage error, 130 or 143 stopped by SIGINT or SIGTERM (also
    when the signal came once the output was committed: the build is then
    complete, and says so).
    """
    reserve_stdout()
    from dazzle.cli.build_arguments import BuildArguments

    arguments = BuildArguments(**given)
    if not watch:
        run_stoppable(lambda: build_project(arguments))
        return
    if arguments.check:
        raise click.UsageError("--watch and --check cannot be used together")
    from dazzle.cli.watch import ParseCache, watch_and_build

    def build_on_change(arguments: BuildArguments, parse: ParseCache) -> None:
        run_stoppable(lambda: build_project(arguments, parse), watching=True)

    watch_and_build(arguments, build_on_change)


def run_stoppable(work: Callable[[], None], *, watching: bool = False) -> None:
    """Run one build; SIGINT or SIGTERM stops it cleanly (nothing written),
    and ends the command (with --watch: the watching, as Ctrl-C does). One
    that arrives once the output is committed stops nothing: the build ends
    and reports, then the command says so and ends all the same."""
    from dazzle.backends.interrupts import StopRequested, final_stop, stop_signals_raise

    with stop_signals_raise():
        try:
            work()
        except StopRequested as stop:
            click.echo(f"dazzle build: stopped by {stop}; nothing was written", err=True)
            if watching:
                raise KeyboardInterrupt from None
            sys.exit(stop.exit_status)
        late = final_stop()
        if late is not None:
            message = f"dazzle build: stopped by {late} after the output was committed; the build is complete"
            click.echo(message, err=True)
            if watching:
                raise KeyboardInterrupt
            sys.exit(late.exit_status)


def build_project(arguments: BuildArguments, parse: Any = None) -> None:
    """One `dazzle build`: prints what it does, exits (SystemExit,
    ClickException) on failure. ``parse`` replaces the parser's entry point
    (``--watch``: one that re-parses only changed files)."""
    from dazzle.backends.api import BackendError
    from dazzle.backends.command_backends import CommandBackend, project_backends
    from dazzle.backends.committer import CommitError
    from dazzle.backends.options import OptionError, parse_command_line, read_config_tables, resolve_options
    from dazzle.backends.registry import UnknownBackendError, get_registry
    from dazzle.backends.runner import (
        BackendRunError,
        BackendWarningsError,
        build,
        load_targets,
        select_backends,
    )
    from dazzle.cli.validate import compile_for_command, report
    from dazzle.core.diagnostics import did_you_mean
    from dazzle.core.project import load_project

    out, timeout = arguments.out, arguments.timeout
    # Every path is absolute before any plugin code runs (a plugin may change
    # the working folder), and usage errors come before any compiling.
    if out is not None:
        out = Path(os.path.abspath(out))
        refuse_output_folder(out, "-o", usage=True)
    registry = get_registry()
    # The project's own command backends are known before -b and -O are read.
    project, problems = load_project(arguments.path)
    if project is not None:
        registry.add_project_backends(project_backends(project))
    known = set(registry.list_backends()) | {p.name for p in registry.plugins}
    try:
        for name in arguments.backends:
            if name not in known:
                select_backends(registry, [name], None)  # raises, listing the available ones
        command_line = parse_command_line(arguments.options, known)
    except (UnknownBackendError, OptionError) as error:
        raise click.UsageError(str(error)) from None

    if project is None:
        report(compile_for_command(arguments.path, parse=parse), strict=arguments.strict)
        sys.exit(1)
    project_dir = Path(os.path.abspath(project.root_dir))
    # The project loader has checked the shape of [build] (E010).
    config = project.config.get("build", {})
    if out is None:
        out = Path(os.path.abspath(project_dir / config.get("out", "build")))
        refuse_output_folder(out, "[build] out in dazzle.toml", usage=False)
    if timeout is None:
        timeout = config.get("timeout")

    try:
        names, skipped = select_backends(registry, arguments.backends, config.get("backends"))
        for info in skipped:
            click.echo(f"warning: skipping backend '{info.name}': {info.reason}", err=True)
        if not names:
            raise click.ClickException("no backend to run: none is installed (see `dazzle backends`)")
        targets = load_targets(registry, names)
        for target in targets:
            if isinstance(target.backend, CommandBackend) and target.backend.project_dir is None:
                target.backend.project_dir = project_dir  # a published command runs in the project folder too
        known = set(registry.list_backends()) | set(names)
        for table in config.get("options", {}):
            if table not in known:
                suggestion = did_you_mean(table, known)
                click.echo(
                    f"warning: dazzle.toml: [build.options.{table}] names no installed backend"
                    + (f"; {suggestion}" if suggestion else ""),
                    err=True,
                )
        capabilities = {t.name: t.capabilities for t in targets}
        from_config = read_config_tables(config.get("options", {}))
        resolve_options(capabilities, from_config)  # an error here is the configuration's
        try:
            resolved = resolve_options(capabilities, from_config + command_line)
        except OptionError as error:
            raise click.UsageError(str(error)) from None
    except (UnknownBackendError, OptionError) as error:
        raise click.ClickException(str(error)) from None
    except BackendError as error:  # a backend that cannot be loaded or created
        import traceback

        raise BackendFailed(
            f"Backend error: {error}", "".join(traceback.format_exception(error)), arguments.debug
        ) from None

    result = compile_for_command(arguments.path, loaded=(project, problems), parse=parse)
    if not report(result, strict=arguments.strict):
        sys.exit(1)

    warned: list[str] = []

    from dazzle.cli.colour import colour_wanted

    colour = colour_wanted()

    def on_warning(name: str, warning: Any) -> None:
        warned.append(name)
        click.echo(render_backend_warning(name, warning, result) + "\n", err=True, color=colour)

    try:
        plan = build(
            result.appspec,
            targets,
            resolved,
            out,
            check=arguments.check,
            strict=arguments.strict,
            timeout=timeout,
            on_output=print_marked,
            on_warning=on_warning,
        )
    except (CommitError, BackendWarningsError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # the output folder cannot be written (permissions, disk full, ...)
        raise click.ClickException(f"cannot write the output: {error}") from None
    except BackendRunError as error:
        if isinstance(error.error, BackendError):
            raise BackendFailed(f"Backend error: {error}", error.traceback, arguments.debug) from None
        raise BackendFailed(f"Error: {error}", error.traceback, arguments.debug, hint=bool(error.traceback)) from None

    ran = ", ".join(t.name for t in targets)
    if warned:
        ran += f"; {len(warned)} backend warning{'s' * (len(warned) != 1)}"
    report_commit(plan, out, ran, check=arguments.check)


def report_commit(plan: Any, out: Path, ran: str, *, check: bool) -> None:
    """One line per file added, updated or removed on stdout (``--check``:
    that would be), warnings and the counts on stderr; exit 1 under
    ``--check`` when anything would change."""
    from dazzle.backends.committer import MANIFEST_NAME

    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)
    for kept in plan.kept:
        click.echo(
            f"warning: kept {out / kept.path}: backend '{kept.backend}' no longer writes it, but "
            f"{kept.reason}; it is yours now",
            err=True,
        )
    verbs = ("add", "update", "remove") if check else ("added", "updated", "removed")
    width = max(map(len, verbs)) + 1
    lines = [(c.path, verbs[0] if c.kind == "add" else verbs[1]) for c in plan.changes]
    lines += [(r.path, verbs[2]) for r in plan.removals]
    if plan.manifest is not None:
        lines.append((MANIFEST_NAME, verbs[1] if plan.manifest_exists else verbs[0]))
    for path, verb in sorted(lines):
        echo_result(f"{verb:<{width}}{out / path}")
    added = sum(c.kind == "add" for c in plan.changes)
    numbers = (added, len(plan.changes) - added, len(plan.removals))
    counts = ", ".join(f"{n} {'to ' if check else ''}{verb}" for n, verb in zip(numbers, verbs, strict=True))
    if not plan.pending:
        unchanged = len(plan.unchanged)
        click.echo(f"{out}: up to date, {unchanged} file{'s' * (unchanged != 1)} unchanged ({ran})", err=True)
        return
    click.echo(f"{out}: {counts}, {len(plan.unchanged)} unchanged ({ran})", err=True)
    if check:
        sys.exit(1)


def print_marked(name: str, line: str) -> None:
    """A line a backend printed: on stderr, marked with its name."""
    click.echo(f"[{name}] {line}", err=True)


def render_backend_warning(name: str, warning: Any, result: Any) -> str:
    """A backend's warning, shown like a compiler diagnostic:
    ``FILE:LINE:COL: warning[NAME CODE]: message`` with the source line."""
    from dazzle.cli.colour import paint
    from dazzle.core.diagnostics import Diagnostic, Severity, printable
    from dazzle.core.ir import NO_LOCATION

    label = f"{name} {warning.code}" if warning.code else name
    location = warning.location
    if location is None or location == NO_LOCATION:
        return f"{paint('warning', f'warning[{printable(label)}]')}: {printable(str(warning.message))}"
    diagnostic = Diagnostic(
        Severity.WARNING, label, str(warning.message), location.file, location.line, location.column
    )
    return diagnostic.render(result.source_line(diagnostic), paint)


def refuse_output_folder(out: Path, given_by: str, *, usage: bool) -> None:
    """Refuse an output folder that is the filesystem root or the user's home
    folder itself: a build there would mix its files with everything else."""
    home = os.path.abspath(os.path.expanduser("~"))
    what = "the filesystem root" if out.parent == out else "your home folder" if str(out) == home else None
    if what is None:
        return
    message = f"{given_by} is {what} ({out}); give the build a folder of its own, such as {out / 'build'}"
    raise click.UsageError(message) if usage else click.ClickException(message)


class BackendFailed(click.ClickException):
    """A backend's failure, shown as one line (``Backend error: ...`` or
    ``Error: ...``, the prefix is part of the message), after its traceback
    (from its worker process) with ``--debug``; exit status 1."""

    def __init__(self, message: str, traceback: str, debug: bool, *, hint: bool = False) -> None:
        if hint and not (debug and traceback):
            message += " (run with --debug for the traceback)"
        super().__init__(message)
        self.traceback = traceback if debug else ""

    def show(self, file: Any = None) -> None:
        if self.traceback:
            click.echo(self.traceback.rstrip("\n"), err=True)
        click.echo(self.message, err=True)
