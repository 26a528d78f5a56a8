"""`dazzle backends` and `dazzle build`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click


@click.command("backends")
@click.option("--json", "as_json", is_flag=True, help="Print the backends as JSON on stdout.")
def backends_command(as_json: bool) -> None:
    """List the installed backends: what each one makes, where it comes from
    and the options it accepts; and those that cannot be used, with why."""
    from dazzle.backends.api import API_VERSION
    from dazzle.backends.registry import get_registry

    infos = get_registry().describe()
    if as_json:
        payload = {"api_version": API_VERSION, "backends": [backend_to_json(i) for i in infos]}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not infos:
        click.echo("No backends installed. A backend is a distribution you install beside dazzle-core,")
        click.echo("for example: pip install dazzle-backend-openapi")
        return
    for info in infos:
        click.echo("\n".join(describe_backend(info)))


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
                "default": o.default,
                "choices": list(o.choices),
                "help": o.help,
            }
            for o in (caps.options if caps else ())
        ],
        "distributions": [
            {"name": p.distribution, "version": p.version, "entry_point": p.entry_point} for p in info.plugins
        ],
        "reason": info.reason or None,
    }


def describe_backend(info: Any) -> list[str]:
    """The lines `dazzle backends` prints for one backend."""
    from dazzle.backends.api import option_type_name

    caps = info.capabilities
    if info.status != "available":
        lines = [f"{info.name}  [{info.status.upper()}]"]
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
            if o.default is not None:
                facts.append(f"default {o.default!r}")
            lines.append(f"      {o.name} ({', '.join(facts)})" + (f"  {o.help}" if o.help else ""))
    return lines


@click.command("build")
@click.argument("path", default=".", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-b", "--backend", "backends", multiple=True, metavar="NAME",
    help="A backend to run (repeatable). Default: [build] backends in dazzle.toml, else every available one.",
)
@click.option(
    "-o", "--out", type=click.Path(path_type=Path),
    help="The output folder. Default: [build] out in dazzle.toml, else build/ in the project folder.",
)
@click.option(
    "-O", "--option", "options", multiple=True, metavar="[BACKEND.]KEY=VALUE",
    help="A backend option (repeatable); BACKEND.KEY=VALUE gives it to one backend only.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing the files a build would add, update or remove.")
@click.option("--debug", is_flag=True, help="Show the traceback when a backend fails.")
@click.option(
    "--watch", is_flag=True,
    help="Build, then build again whenever a .dsl file or dazzle.toml of the project changes, until Ctrl-C. "
    'Needs the watchfiles package: pip install "dazzle-core[watch]".',
)
def build_command(
    path: Path,
    backends: tuple[str, ...],
    out: Path | None,
    options: tuple[str, ...],
    strict: bool,
    check: bool,
    debug: bool,
    watch: bool,
) -> None:
    """Validate a DAZZLE project, then build artifacts from it with backends.

    PATH is a project folder (with dazzle.toml), a folder of .dsl files, or one
    .dsl file (whose default output folder is build/ beside it). Only files whose
    content changed are written; a file a backend that ran wrote last time and
    no longer writes is removed (unless it was edited since); every other file
    is left alone. Exit status: 0 built (or, with
    --check, up to date), 1 any error (or, with --check, changes pending).
    """
    if not watch:
        build_project(path, backends, out, options, strict, check, debug)
        return
    if check:
        raise click.UsageError("--watch and --check cannot be used together")
    from dazzle.cli.watch import watch_and_build

    watch_and_build(path, lambda parse: build_project(path, backends, out, options, strict, check, debug, parse))


def build_project(
    path: Path,
    backends: tuple[str, ...],
    out: Path | None,
    options: tuple[str, ...],
    strict: bool,
    check: bool,
    debug: bool,
    parse=None,
) -> None:
    """One `dazzle build`: prints what it does, exits (SystemExit,
    ClickException) on failure. ``parse`` replaces the parser's entry point."""
    from dazzle.backends.api import BackendError
    from dazzle.backends.committer import CommitError
    from dazzle.backends.options import OptionError, parse_command_line, read_config_tables, resolve_options
    from dazzle.backends.registry import UnknownBackendError, get_registry
    from dazzle.backends.runner import BackendRunError, build, load_targets, select_backends
    from dazzle.cli.validate import compile_for_command, report
    from dazzle.core.diagnostics import did_you_mean

    result = compile_for_command(path, parse)
    if not report(result, strict=strict):
        sys.exit(1)
    project_dir = result.project.root_dir if result.project else (path if path.is_dir() else path.parent)
    # The project loader has checked the shape of [build] (E010).
    config = result.project.config.get("build", {}) if result.project else {}
    if out is None:
        out = project_dir / config.get("out", "build")

    registry = get_registry()
    try:
        names, skipped = select_backends(registry, backends, config.get("backends"))
        for info in skipped:
            click.echo(f"warning: skipping backend '{info.name}': {info.reason}", err=True)
        if not names:
            raise click.ClickException("no backend to run: none is installed (see `dazzle backends`)")
        targets = load_targets(registry, names)
        known = set(registry.list_backends()) | set(names)
        for table in config.get("options", {}):
            if table not in known:
                suggestion = did_you_mean(table, known)
                click.echo(f"warning: dazzle.toml: [build.options.{table}] names no installed backend"
                           + (f"; {suggestion}" if suggestion else ""), err=True)
        settings = read_config_tables(config.get("options", {})) + parse_command_line(options, known)
        resolved = resolve_options({t.name: t.capabilities for t in targets}, settings)
        plan = build(result.appspec, targets, resolved, out, check=check)
    except (UnknownBackendError, OptionError, CommitError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # the output folder cannot be written (permissions, disk full, ...)
        raise click.ClickException(f"cannot write the output: {error}") from None
    except BackendRunError as error:
        if isinstance(error.error, BackendError):
            fail(f"Backend error: {error}", error.error, debug)
        fail(f"Error: {error}", error.error, debug, hint=True)
    except BackendError as error:  # a backend that cannot be loaded or created
        fail(f"Backend error: {error}", error, debug)

    report_commit(plan, out, ", ".join(t.name for t in targets), check=check)


def report_commit(plan: Any, out: Path, ran: str, *, check: bool) -> None:
    """One line per file added, updated or removed on stdout (``--check``:
    that would be), warnings and the counts on stderr; exit 1 under
    ``--check`` when anything would change."""
    from dazzle.backends.committer import MANIFEST_NAME

    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)
    for kept in plan.kept:
        click.echo(f"warning: kept {out / kept.path}: backend '{kept.backend}' no longer writes it, but "
                   f"{kept.reason}; it is yours now", err=True)
    verbs = ("add", "update", "remove") if check else ("added", "updated", "removed")
    width = max(map(len, verbs)) + 1
    lines = [(c.path, verbs[0] if c.kind == "add" else verbs[1]) for c in plan.changes]
    lines += [(r.path, verbs[2]) for r in plan.removals]
    if plan.manifest is not None:
        lines.append((MANIFEST_NAME, verbs[1] if plan.manifest_exists else verbs[0]))
    for path, verb in sorted(lines):
        click.echo(f"{verb:<{width}}{out / path}")
    added = sum(c.kind == "add" for c in plan.changes)
    numbers = (added, len(plan.changes) - added, len(plan.removals))
    counts = ", ".join(f"{n} {'to ' if check else ''}{verb}" for n, verb in zip(numbers, verbs, strict=True))
    if not plan.pending:
        click.echo(f"{out}: up to date, {len(plan.unchanged)} files unchanged ({ran})", err=True)
        return
    click.echo(f"{out}: {counts}, {len(plan.unchanged)} unchanged ({ran})", err=True)
    if check:
        sys.exit(1)


def fail(message: str, error: BaseException, debug: bool, *, hint: bool = False) -> NoReturn:
    """Print one line about a backend's failure (after its traceback with
    ``--debug``) and exit 1."""
    if debug:
        import traceback

        traceback.print_exception(error)
    elif hint:
        message += " (run with --debug for the traceback)"
    click.echo(message, err=True)
    sys.exit(1)
