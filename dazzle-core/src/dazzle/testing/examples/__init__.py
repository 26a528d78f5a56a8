"""The example projects that ship with dazzle-core, for backend tests.

Each folder beside this file is a DAZZLE project, the same bytes as the
repository's ``examples/`` (a test of dazzle-core compares them):

- ``helpdesk``: a project with ``dazzle.toml`` and several modules in
  subfolders that uses every construct of the language;
- ``bookshop``: one ``.dsl`` file, with integer keys, several references to
  one entity, self references and names that are keywords elsewhere.

They live inside the package, not only in the repository, because a backend
author installs dazzle-core from an index and never sees the repository.
Read them; never write into them (they may sit in a read-only site-packages):
``Example.copy_to`` makes a copy to change or to build in.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import attrs

from dazzle.core import ir

#: The folder that holds the example projects.
EXAMPLES_DIR = Path(__file__).resolve().parent

#: The names of the bundled example projects, sorted.
EXAMPLE_NAMES: tuple[str, ...] = ("bookshop", "helpdesk")


@attrs.frozen
class Example:
    """A bundled example project and its compiled AppSpec."""

    name: str
    #: The project folder (inside the installed package: read only).
    path: Path
    appspec: ir.AppSpec = attrs.field(repr=False)

    def copy_to(self, folder: Path | str) -> Path:
        """Copy the project into ``folder`` (which must not exist yet) and
        return ``folder``."""
        target = Path(folder)
        shutil.copytree(self.path, target, ignore=shutil.ignore_patterns("__pycache__", "build"))
        return target


def example_path(name: str) -> Path:
    """The folder of the bundled example ``name``."""
    if name not in EXAMPLE_NAMES:
        raise KeyError(f"no bundled example named {name!r}; the examples are {', '.join(EXAMPLE_NAMES)}")
    return EXAMPLES_DIR / name


@functools.cache
def load_example(name: str) -> Example:
    """The bundled example ``name``, compiled (once per process)."""
    from dazzle.testing.appspecs import compile_project_at

    path = example_path(name)
    return Example(name, path, compile_project_at(path))
