"""The `dazzle` command. Each subcommand lives in a module of this package and
imports what it needs inside its own body, so `dazzle --help` stays fast."""

from __future__ import annotations

import click

from dazzle import __version__
from dazzle.cli.build import backends_command, build_command
from dazzle.cli.scaffold import new_backend_command
from dazzle.cli.validate import inspect_command, validate_command


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from dazzle.backends.registry import find_plugins

    click.echo(f"dazzle-core {__version__}")
    by_distribution: dict[tuple[str, str], list[str]] = {}
    for plugin in find_plugins():
        by_distribution.setdefault((plugin.distribution, plugin.version), []).append(plugin.name)
    for (distribution, version), names in sorted(by_distribution.items()):
        click.echo(f"{distribution} {version} (backends: {', '.join(names)})")
    ctx.exit()


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    # \b keeps click from re-wrapping the lines after it.
    epilog="Each command's --help describes it in full.\n\n"
    "\b\nShell completion: add one line to the file named.\n"
    '  bash, ~/.bashrc:  eval "$(_DAZZLE_COMPLETE=bash_source dazzle)"\n'
    '  zsh, ~/.zshrc:    eval "$(_DAZZLE_COMPLETE=zsh_source dazzle)"\n'
    "  fish, ~/.config/fish/completions/dazzle.fish:\n"
    "                    _DAZZLE_COMPLETE=fish_source dazzle | source",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version of dazzle-core and of every installed backend, then exit.",
)
def main() -> None:
    """DAZZLE: compile an application described in the DAZZLE DSL, and build
    artifacts from it with pluggable backends."""


main.add_command(validate_command)
main.add_command(inspect_command)
main.add_command(backends_command)
main.add_command(build_command)
main.add_command(new_backend_command)
