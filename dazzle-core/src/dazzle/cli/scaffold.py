"""`dazzle new-backend`."""

from __future__ import annotations

from pathlib import Path

import click

#: What each file of a new distribution is for, as printed after writing it.
PURPOSES = {
    "pyproject.toml": "metadata, the dependency on dazzle-core, the dazzle.backends entry point",
    "README.md": "how to use, test and publish the backend",
    "LICENSE": "a placeholder: put your licence here before you publish",
    ".gitignore": "",
    "tests/conftest.py": "enables the test kit's pytest fixtures",
    "tests/test_backend.py": "tests written with dazzle.testing",
}


@click.command("new-backend")
@click.argument("name")
@click.option(
    "--dir", "parent", default=".", show_default=True,
    type=click.Path(exists=True, file_okay=False, writable=True, path_type=Path),
    help="The folder to create dazzle-backend-NAME in.",
)
def new_backend_command(name: str, parent: Path) -> None:
    """Write a ready-to-publish backend distribution, dazzle-backend-NAME.

    NAME is the backend's name, as users type it after `dazzle build -b`:
    lowercase letters and digits, starting with a letter, with single - or _
    between words. The new folder holds pyproject.toml, a small working backend
    with options in src/dazzle_backend_NAME/, tests written with the test kit
    dazzle.testing, a README on testing and publishing, and a LICENSE for you
    to fill in. An existing folder is never overwritten.
    """
    from dazzle import __version__
    from dazzle.backends.registry import find_plugins
    from dazzle.scaffold.distribution import (
        BackendNameError,
        ScaffoldError,
        TargetExistsError,
        backend_names,
        core_requirement,
        render_template,
        write_distribution,
    )

    try:
        names = backend_names(name)
    except BackendNameError as error:
        raise click.ClickException(str(error)) from None
    target = parent / names.distribution
    if target.exists() or target.is_symlink():
        raise click.ClickException(f"{target} already exists; nothing was written")
    for plugin in find_plugins():
        if plugin.name == names.name:
            click.echo(
                f"warning: a backend named '{names.name}' is already installed (from {plugin.origin}); "
                f"installed together, the two would conflict and `dazzle build -b {names.name}` would run "
                "neither. Consider another name.",
                err=True,
            )
    try:
        files = render_template(names, __version__)
        write_distribution(files, target)
    except TargetExistsError:
        raise click.ClickException(f"{target} already exists; nothing was written") from None
    except (OSError, ScaffoldError) as error:
        raise click.ClickException(f"cannot write {target}: {error}; nothing was written") from None

    click.echo(f"Wrote {target}/, the distribution {names.distribution} of the backend '{names.name}':")
    purposes = {**PURPOSES, f"src/{names.package}/backend.py": f"the backend class {names.class_name}"}
    width = max(len(path) for path in files)
    for path in files:
        purpose = purposes.get(path, "")
        click.echo(f"  {path:<{width}}  {purpose}".rstrip())
    click.echo(f"It depends on {core_requirement(__version__)}. Next:")
    click.echo(f"  cd {target}")
    click.echo("  python -m venv .venv && . .venv/bin/activate")
    click.echo("  python -m pip install --upgrade pip && python -m pip install -e . --group test")
    click.echo("  pytest")
    click.echo(f"  dazzle build path/to/project -b {names.name}")
    click.echo("Fill in LICENSE before you publish; README.md says how.")
