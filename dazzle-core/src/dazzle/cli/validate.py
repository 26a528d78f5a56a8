"""`dazzle validate` and `dazzle inspect`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

#: At most this many diagnostics are printed for people, unless there are more
#: errors: every error is printed, warnings fill what is left. --json gives all.
SHOWN_DIAGNOSTICS = 200


def print_diagnostics(result) -> None:
    """The diagnostics on stderr, as people read them, in order of place:
    every error, and the first warnings when there are very many."""
    from dazzle.cli.colour import colour_wanted, paint

    colour = colour_wanted()
    room = max(0, SHOWN_DIAGNOSTICS - result.error_count)
    hidden = 0
    for d in result.diagnostics:
        if not d.is_error:
            if room == 0:
                hidden += 1
                continue
            room -= 1
        click.echo(d.render(result.source_line(d), paint) + "\n", err=True, color=colour)
    if hidden:
        click.echo(
            f"... and {hidden} more warning{'s' * (hidden != 1)} (`dazzle validate --json` lists them all)\n", err=True
        )


def compile_for_command(path: Path, loaded=None, parse=None):
    """Compile for a command (``loaded``: the project and its problems, when
    the command has loaded it already). The compiled data is acyclic and lives until the
    process ends, so once it is built it moves to the collector's permanent
    generation (``gc.freeze``) instead of being rescanned by later collections.
    ``parse`` replaces the parser's entry point (``dazzle build --watch``)."""
    import gc

    from dazzle.core.compiler import compile_path, compile_project
    from dazzle.core.parser import parse_module

    gc.disable()
    parse = parse or parse_module
    result = compile_path(path, parse) if loaded is None else compile_project(*loaded, parse=parse)
    gc.freeze()
    gc.enable()
    return result


PATH_ARGUMENT = click.argument(
    "path",
    default=".",
    type=click.Path(exists=True, path_type=Path),
)


def report(result, *, strict: bool) -> bool:
    """Print the diagnostics of a compile to stderr, with a summary line.
    Returns whether the run counts as a success."""
    print_diagnostics(result)
    errors, warnings = result.error_count, result.warning_count
    ok = errors == 0 and not (strict and warnings)
    summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if ok:
        name = result.appspec.name if result.appspec else "project"
        click.echo(f"{name}: valid ({summary})", err=True)
    else:
        reason = " (warnings fail under --strict)" if errors == 0 else ""
        click.echo(f"validation failed: {summary}{reason}", err=True)
    return ok


@click.command("validate")
@PATH_ARGUMENT
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON on stdout.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate_command(path: Path, as_json: bool, strict: bool) -> None:
    """Check a DAZZLE project and report every error and warning.

    PATH is a project folder (with dazzle.toml), a folder of .dsl files, or one
    .dsl file. Exit status: 0 valid, 1 errors (or warnings with --strict).
    """
    result = compile_for_command(path)
    if as_json:
        ok = result.error_count == 0 and not (strict and result.warning_count)
        payload = {"ok": ok, "diagnostics": [d.to_json() for d in result.diagnostics]}
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        ok = report(result, strict=strict)
    sys.exit(0 if ok else 1)


@click.command("inspect")
@PATH_ARGUMENT
@click.option("--schema", is_flag=True, help="Print the JSON Schema of the output instead (PATH is not read).")
def inspect_command(path: Path, schema: bool) -> None:
    """Print the linked AppSpec as JSON on stdout.

    The output is {"format_version": 1, "appspec": {...}}; format_version
    changes only when the shape changes incompatibly. `dazzle inspect --schema`
    prints the JSON Schema it follows.
    The appspec mirrors the records of the Python package dazzle.core.ir (see
    their docstrings: `python -m pydoc dazzle.core.ir`) one to one: each
    record is an object of its attributes, keys sorted; tuples are arrays in
    declaration order; enums are their DSL word ("list", "scheduled"); decimal
    literals are strings ("12.50"); options are objects in the order written;
    absent values are null; every location is {"file", "line", "column"},
    1-based, with files named as found from PATH. The same project gives the
    same bytes. Diagnostics go to stderr; with errors nothing is printed on
    stdout and the exit status is 1.
    """
    from dazzle.core.serialize import appspec_json_schema, appspec_to_json

    if schema:
        click.echo(json.dumps(appspec_json_schema(), indent=2, ensure_ascii=False))
        return

    result = compile_for_command(path)
    if not result.ok:
        report(result, strict=False)
        sys.exit(1)
    print_diagnostics(result)
    click.echo(appspec_to_json(result.appspec))
