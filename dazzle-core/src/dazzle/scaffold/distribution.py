"""Checking a new backend's name and writing its distribution from the template."""

from __future__ import annotations

import keyword
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

import attrs

from dazzle.backends.api import API_VERSION

#: The folder of template files (see the package docstring).
TEMPLATE_DIR = Path(__file__).resolve().parent / "template"

DISTRIBUTION_PREFIX = "dazzle-backend-"
PACKAGE_PREFIX = "dazzle_backend_"

#: A backend name: lowercase words of letters and digits joined by single
#: "-" or "_", starting with a letter. Stricter than an entry-point name, so
#: that the name, the distribution and the package agree, and so that it
#: reads well in `dazzle build -b NAME -O NAME.key=value` (a "." there
#: would be taken for the one between NAME and key).
BACKEND_NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
#: An entry-point name, as the entry-points specification recommends.
ENTRY_POINT_NAME = re.compile(r"[\w.-]+")
#: A distribution name (PEP 508), matched case-insensitively.
DISTRIBUTION_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")


class BackendNameError(ValueError):
    """A name that cannot be a backend's; the message says why and what to do."""


class ScaffoldError(Exception):
    """The distribution cannot be written; nothing was."""


class TargetExistsError(ScaffoldError):
    """The folder to write already exists; it was left alone."""


@attrs.frozen
class BackendNames:
    """Every name a new backend goes by."""

    #: The entry-point name: what users type after -b.
    name: str
    #: The distribution (and folder) name, normalised: dazzle-backend-NAME.
    distribution: str
    #: The import package: dazzle_backend_NAME.
    package: str
    #: The backend class.
    class_name: str


def backend_names(name: str) -> BackendNames:
    """Check ``name`` and derive the others from it; raise ``BackendNameError``."""
    for prefix in (DISTRIBUTION_PREFIX, PACKAGE_PREFIX):
        if name.lower().startswith(prefix) and len(name) > len(prefix):
            raise BackendNameError(
                f"NAME is the backend's own name, without '{prefix}': try "
                f"`dazzle new-backend {name[len(prefix) :]}`, which writes {DISTRIBUTION_PREFIX}"
                f"{name[len(prefix) :].lower().replace('_', '-')}"
            )
    if not BACKEND_NAME.fullmatch(name):
        hint = ""
        if name != name.lower() and BACKEND_NAME.fullmatch(name.lower()):
            hint = f"; backend names are lowercase: try '{name.lower()}'"
        elif "." in name:
            hint = "; a '.' would be read as the one in -O NAME.key=value"
        raise BackendNameError(
            f"{name!r} is not a valid backend name: use lowercase letters and digits, starting with a "
            "letter, with single '-' or '_' between words (like 'graphql' or 'json-schema')" + hint
        )
    distribution = DISTRIBUTION_PREFIX + name.replace("_", "-")
    package = PACKAGE_PREFIX + name.replace("-", "_")
    class_name = "".join(word.capitalize() for word in re.split(r"[-_]", name)) + "Backend"
    # The pattern above guarantees all three; checked again against the
    # specifications themselves, in case the pattern is ever loosened.
    if not ENTRY_POINT_NAME.fullmatch(name) or not DISTRIBUTION_NAME.match(distribution):
        raise BackendNameError(f"{name!r} gives no valid entry-point or distribution name")
    if not package.isidentifier() or keyword.iskeyword(package):
        raise BackendNameError(f"{name!r} gives {package!r}, which is not a Python package name")
    return BackendNames(name, distribution, package, class_name)


def core_requirement(core_version: str) -> str:
    """The requirement on dazzle-core for a backend written against
    ``core_version``: that release or a later one of the same major version
    (``0.1.0`` gives ``dazzle-core>=0.1,<1``). Whether a backend can run is
    decided by ``API_VERSION`` when it is loaded; the range only keeps pip
    from pairing it with a future major release."""
    match = re.match(r"(\d+)\.(\d+)", core_version)
    if match is None:
        raise ValueError(f"cannot read a version number from {core_version!r}")
    major, minor = int(match[1]), int(match[2])
    return f"dazzle-core>={major}.{minor},<{major + 1}"


#: An SPDX licence expression, loosely: identifiers (``MIT``, ``Apache-2.0``,
#: ``LicenseRef-mine``, ``GPL-3.0-or-later``) joined by AND, OR, WITH and
#: parentheses. The build backend (hatchling) checks the identifiers
#: themselves against the SPDX list when the distribution is built.
LICENSE_EXPRESSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*|\(|\)|AND|OR|WITH")

#: The classifier package indexes refuse: set while no licence is chosen.
DO_NOT_UPLOAD = "Private :: Do Not Upload"


def check_license(expression: str) -> str:
    """``expression`` stripped, if it reads as an SPDX licence expression;
    raise ``ScaffoldError`` saying what one looks like."""
    tokens = re.findall(r"\(|\)|[^\s()]+", expression)
    if not _is_license_expression(tokens):
        raise ScaffoldError(
            f"--license takes an SPDX licence identifier or expression, like MIT, Apache-2.0 or "
            f"'MIT OR Apache-2.0', not {expression!r}"
        )
    return " ".join(tokens).replace("( ", "(").replace(" )", ")")


def _is_license_expression(tokens: list[str]) -> bool:
    depth, want_identifier = 0, True
    for token in tokens:
        if not LICENSE_EXPRESSION.fullmatch(token):
            return False
        if token == "(" and want_identifier:
            depth += 1
        elif token == ")" and not want_identifier and depth > 0:
            depth -= 1
        elif token in ("AND", "OR", "WITH") and not want_identifier:
            want_identifier = True
        elif token not in ("(", ")", "AND", "OR", "WITH") and want_identifier:
            want_identifier = False
        else:
            return False
    return not want_identifier and depth == 0


def placeholders(names: BackendNames, core_version: str, license: str | None = None) -> dict[str, str]:
    """The values of the ``{{placeholders}}`` in the template. Without a
    ``license`` (an SPDX expression), the distribution carries the classifier
    package indexes refuse, so that it cannot be uploaded by mistake."""
    if license is None:
        license_field = (
            "# Before you publish: choose a licence and put its full text in LICENSE,\n"
            '# set its SPDX identifier here (license = "MIT", "Apache-2.0", ...), and\n'
            f'# remove the "{DO_NOT_UPLOAD}" classifier below, which package\n'
            "# indexes refuse. `dazzle new-backend --license SPDX` writes this for you."
        )
        private_classifier = (
            "\n    # Package indexes refuse this classifier: remove it once LICENSE holds your licence."
            f'\n    "{DO_NOT_UPLOAD}",'
        )
        license_todo = (
            f"choose a licence for {names.distribution} and replace this text with\n"
            "its full text. Then set `license` in pyproject.toml to its SPDX identifier\n"
            f'(for example MIT or Apache-2.0) and remove the "{DO_NOT_UPLOAD}"\n'
            "classifier there."
        )
    else:
        license_field = (
            f'license = "{license}"\n'
            "# LICENSE holds a placeholder: put the licence's full text in it before you publish."
        )
        private_classifier = ""
        license_todo = (
            f"replace this text with the full text of the licence {license}\n"
            f"of {names.distribution} (pyproject.toml names it)."
        )
    return {
        "name": names.name,
        "distribution": names.distribution,
        "package": names.package,
        "class_name": names.class_name,
        "core_requirement": core_requirement(core_version),
        "core_version": core_version,
        "api_version": str(API_VERSION),
        "license_field": license_field,
        "private_classifier": private_classifier,
        "license_todo": license_todo,
    }


def render_template(
    names: BackendNames, core_version: str, template: Path = TEMPLATE_DIR, *, license: str | None = None
) -> dict[str, str]:
    """Every file of the new distribution: relative path ("/" separated) to text, sorted."""
    values = placeholders(names, core_version, license)
    files = {}
    for source in sorted(template.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(template).as_posix()
        where = f"template file {relative}"
        path = "/".join(_output_name(part) for part in _fill(relative, values, where).split("/"))
        files[path] = _fill(source.read_text(encoding="utf-8"), values, where)
    return dict(sorted(files.items()))


def _output_name(part: str) -> str:
    part = part.removesuffix(".tmpl")
    return "." + part[len("dot-") :] if part.startswith("dot-") else part


def _fill(text: str, values: Mapping[str, str], where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match[1]
        if key not in values:
            raise ScaffoldError(f"{where}: unknown placeholder {{{{{key}}}}}; known: {', '.join(values)}")
        return values[key]

    return PLACEHOLDER.sub(replace, text)


def write_distribution(files: Mapping[str, str], target: Path) -> None:
    """Write ``files`` into the new folder ``target``, all or nothing.

    The files go into a hidden folder beside ``target``, which is then
    renamed to ``target``; on any failure the hidden folder is removed.
    ``target`` must not exist (``TargetExistsError``).
    """
    if target.exists() or target.is_symlink():
        raise TargetExistsError(f"{target} already exists")
    staging = _new_folder_beside(target)
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
        if target.exists() or target.is_symlink():
            raise TargetExistsError(f"{target} already exists")
        try:
            os.rename(staging, target)
        except OSError as error:  # created meanwhile, and not empty
            if target.exists():
                raise TargetExistsError(f"{target} already exists") from error
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _new_folder_beside(target: Path) -> Path:
    # os.mkdir, unlike tempfile.mkdtemp, gives the folder the user's usual
    # permissions, which it keeps once renamed.
    while True:
        folder = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
