"""The contract between DAZZLE and a backend.

A backend is a class with one required method::

    def generate(self, appspec: ir.AppSpec, output_dir: Path, **options) -> None

It writes files under ``output_dir`` (a fresh staging folder; DAZZLE moves what
it wrote into the user's output folder only after every backend succeeded) and
raises ``BackendError`` for anything the user must fix. Two optional methods,
``get_capabilities()`` and ``validate_config(**options)``, have defaults here;
subclass ``Backend`` to inherit them, or write them yourself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs

if TYPE_CHECKING:
    from dazzle.core import ir

#: The version of this contract. A backend states the version it was written
#: for as a literal on its class (``api_version = 1``); one written for another
#: version is reported as unavailable, with the reason, instead of being run.
#: Additions that keep existing backends working do not change it.
API_VERSION = 1

#: The version a backend class that states none was written for: 1, forever
#: (never the core's current version, which a backend cannot know).
DEFAULT_API_VERSION = 1

#: The first dazzle-core release of each API version, for the advice given
#: to a backend written for an older one ("install dazzle-core<X").
FIRST_CORE_RELEASE = {1: "0.1.0"}

#: The value types an option may declare. ``list[str]`` is a list of strings:
#: a TOML array of strings in ``dazzle.toml``, comma-separated text after
#: ``-O``; the backend receives it as a tuple of strings.
OPTION_TYPES: tuple[Any, ...] = (str, int, float, bool, list[str])


def option_type_name(option_type: Any) -> str:
    """How ``dazzle backends`` and messages write an option type: ``str``, ``int``,
    ``float``, ``bool``, ``list[str]``."""
    return "list[str]" if option_type == list[str] else str(getattr(option_type, "__name__", option_type))


class BackendError(Exception):
    """A failure the user can act on. ``dazzle build`` prints
    ``Backend error: <message>`` and exits 1, without a traceback."""


class BackendWarning(UserWarning):
    """A problem that does not stop the build, reported with Python's own
    ``warnings.warn(BackendWarning("...", location=loc))``.

    ``location`` is where in the DSL the cause was written (or ``None``);
    ``code`` is an optional short code of the backend's own (e.g. ``"P001"``).
    The build collects every one a backend gives, whatever the warning filters
    say, prints it like a compiler diagnostic naming the backend, and fails
    under ``--strict``.
    """

    def __init__(self, message: str, *, location: ir.SourceLocation | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments survive pickling (a worker process sends warnings back).
        return (_rebuild_warning, (type(self), self.message, self.location, self.code))


def _rebuild_warning(
    cls: type[BackendWarning], message: str, location: ir.SourceLocation | None, code: str | None
) -> BackendWarning:
    return cls(message, location=location, code=code)


def api_version_mismatch(backend_class: type) -> str | None:
    """Why ``backend_class`` cannot run on this dazzle-core because of the
    API version it states ("was written for backend API 2; ..."), or None."""
    from dazzle import __version__

    declared = getattr(backend_class, "api_version", DEFAULT_API_VERSION)
    if type(declared) is not int:
        return f"states api_version = {declared!r}; it must be an integer, the API version it was written for (like 1)"
    if declared == API_VERSION:
        return None
    speaks = f"was written for backend API {declared}; this dazzle-core ({__version__}) speaks API {API_VERSION}"
    if declared > API_VERSION:
        return f"{speaks}: upgrade dazzle-core (pip install --upgrade dazzle-core)"
    first = FIRST_CORE_RELEASE.get(API_VERSION)
    older = f"install dazzle-core<{first}" if first else f"install a dazzle-core that speaks API {declared}"
    return f"{speaks}: upgrade the backend to a release written for API {API_VERSION}, or {older}"


def _check_option_type(instance: Any, attribute: Any, value: Any) -> None:
    if value not in OPTION_TYPES:
        names = ", ".join(option_type_name(t) for t in OPTION_TYPES)
        raise TypeError(f"option type must be one of {names}, not {value!r}")


# Converters with precise types: with ``converter=tuple``, type checkers
# cannot tell what a field accepts, and reject a backend's own tuples.
def _values(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _options(items: Iterable[BackendOption]) -> tuple[BackendOption, ...]:
    return tuple(items)


@attrs.frozen
class BackendOption:
    """One option a backend accepts (``-O name=value`` on the command line,
    ``[build.options.BACKEND]`` in ``dazzle.toml``)."""

    name: str
    #: ``str``, ``int``, ``float``, ``bool`` or ``list[str]``.
    type: Any = attrs.field(default=str, validator=_check_option_type)
    #: The value a build gives when the option is not set (a list is kept as a tuple).
    default: Any = None
    #: The allowed values (for ``list[str]``: the allowed items); empty for any.
    choices: tuple[Any, ...] = attrs.field(default=(), converter=_values)
    help: str = ""

    def __attrs_post_init__(self) -> None:
        if self.type == list[str] and isinstance(self.default, list):
            object.__setattr__(self, "default", tuple(self.default))


@attrs.frozen
class BackendCapabilities:
    """What a backend says about itself; ``dazzle backends`` shows it.

    ``options`` declares the options the backend accepts. A backend that
    declares none receives every option given to it, as strings.
    """

    name: str
    description: str = ""
    output_formats: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    supports_incremental: bool = False
    requires_config: bool = False
    options: tuple[BackendOption, ...] = attrs.field(default=(), converter=_options)

    def get_option(self, name: str) -> BackendOption | None:
        for option in self.options:
            if option.name == name:
                return option
        return None


class Backend(Protocol):
    """The backend protocol, with defaults for the optional methods."""

    #: The ``API_VERSION`` this backend was written for, as a literal. Not
    #: stating it means 1.
    api_version: ClassVar[int] = DEFAULT_API_VERSION

    def generate(self, appspec: ir.AppSpec, output_dir: Path, **options: Any) -> None:
        """Write this backend's artifacts for ``appspec`` under ``output_dir``."""
        ...

    def get_capabilities(self) -> BackendCapabilities:
        """Describe the backend. The default uses the class name and docstring."""
        doc = (type(self).__doc__ or "").strip().splitlines()
        return BackendCapabilities(name=type(self).__name__, description=doc[0] if doc else "")

    def validate_config(self, **options: Any) -> None:
        """Raise ``BackendError`` if ``options`` cannot work together."""
        return None
