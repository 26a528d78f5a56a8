"""`dazzle new-backend`."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

#: What each file of a new distribution is for, as printed after writing it.
PURPOSES = {
    "pyproject.toml": "metadata, the dependency on dazzle-core, the dazzle.backends entry point",
    "README.md": "how to use, test and publish the backend",
    "LICENSE": "a placeholder: put your licence's text here before you publish",
    ".gitignore": "",
    "tests/conftest.py": "enables the test kit's pytest fixtures",
    "tests/test_backend.py": "tests written with dazzle.testing",
}


@click.command("new-backend")
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to create dazzle-backend-NAME in (created if missing).",
)
@click.option(
    "--license",
    "license_",
    metavar="SPDX",
    help="The licence, as an SPDX identifier or expression (MIT, Apache-2.0, ...). Without one, the "
    "distribution carries the 'Private :: Do Not Upload' classifier until you choose.",
)
def new_backend_command(name: str, parent: Path, license_: str | None) -> None:
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
        check_license,
        core_requirement,
        render_template,
        write_distribution,
    )

    try:
        names = backend_names(name)
        license_ = None if license_ is None else check_license(license_)
    except (BackendNameError, ScaffoldError) as error:
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
        files = render_template(names, __version__, license=license_)
        parent.mkdir(parents=True, exist_ok=True)
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
    for line in next_steps(target, names.name, core_source()):
        click.echo(f"  {line}")
    if license_ is None:
        click.echo(
            "Before you publish: choose a licence (LICENSE and pyproject.toml, or write the distribution "
            "with --license SPDX) and remove the 'Private :: Do Not Upload' classifier; README.md says how."
        )
    else:
        click.echo(f"Before you publish: put the full text of {license_} in LICENSE; README.md says how.")


def core_source() -> str | None:
    """Where the running dazzle-core was installed from, when that was a
    folder (a clone of the DAZZLE repository), as pip's install record says;
    None for an install from a package index."""
    import json
    from urllib.parse import unquote, urlparse

    import importlib_metadata

    try:
        record = importlib_metadata.distribution("dazzle-core").read_text("direct_url.json")
        url = urlparse(json.loads(record or "null")["url"])
    except (importlib_metadata.PackageNotFoundError, ValueError, TypeError, KeyError):
        return None
    if url.scheme != "file":
        return None
    folder = Path(unquote(url.path))
    return str(folder) if (folder / "pyproject.toml").is_file() else None


def next_steps(target: Path, name: str, core: str | None) -> list[str]:
    """The commands that take a new distribution to a passing test run.
    dazzle-core must be installed into the new virtualenv first: it is not
    on a package index yet, so pip could not find it by name."""
    if core is None:
        core_step = [
            "python -m pip install PATH/TO/dazzle/dazzle-core   "
            "# dazzle-core from a clone of the DAZZLE repository, until it is on a package index",
        ]
    else:
        core_step = [f"python -m pip install {shlex.quote(core)}   # the dazzle-core this command runs from"]
    return [
        f"cd {shlex.quote(str(target))}",
        "python3 -m venv .venv && . .venv/bin/activate   # python3: Debian and Ubuntu have no python",
        "python -m pip install --upgrade pip   # --group needs pip 25.1 or newer",
        *core_step,
        "python -m pip install -e . --group test",
        "pytest",
        f"dazzle build path/to/project -b {name}",
    ]
