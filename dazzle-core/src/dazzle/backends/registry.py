"""Finding and loading backends: entry points of the group ``dazzle.backends``,
plus classes registered by hand.

Loading goes in three stages, each a small function over immutable records:

- *find* (``find_plugins``) reads entry points from installed metadata and
  imports nothing. The result is sorted, and a distribution seen twice on
  ``sys.path`` counts once (the first copy wins, as it would for an import).
- *load* (``load_plugin``) imports one entry point and gives a ``LoadedPlugin``
  record: the backend class, or, when the import raised anything, the
  ``PluginLoadError`` that names the distribution and the entry point.
- *classify* (``check_backend_class``) accepts a class that has the shape of a
  ``Backend`` and was written for this ``API_VERSION``, and rejects anything
  else with a ``BackendError`` that names it.

``BackendRegistry`` puts the stages together and keeps each plugin's
``LoadedPlugin``, so a plugin is imported once. A broken, incompatible or
conflicting plugin is recorded with the reason and never stops the others:
only using that one name is an error.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

import attrs

from dazzle.backends.api import Backend, BackendCapabilities, BackendError, api_version_mismatch
from dazzle.backends.plugin_calls import PluginCallFailed, describe_exception, plugin_call
from dazzle.core.diagnostics import closest_match

if TYPE_CHECKING:
    from dazzle.backends.command_backends import ProjectBackend

#: The entry-point group a backend distribution registers its backends under.
ENTRY_POINT_GROUP = "dazzle.backends"


@attrs.frozen(order=True)
class Plugin:
    """An entry point found in an installed distribution's metadata."""

    name: str
    distribution: str
    version: str
    value: str  # "module:attribute", as written in the distribution's metadata

    @property
    def entry_point(self) -> str:
        return f"{self.name} = {self.value}"

    @property
    def origin(self) -> str:
        return f"{self.distribution} {self.version}"


class RegistryError(BackendError):
    """The registry's own failure: a plugin that cannot be loaded, a name
    that is unknown or claimed twice. It is a ``BackendError`` so that every
    place catching one still reports it the same way (``Backend error: ...``),
    but code can tell it from a failure a backend raised itself."""


class PluginLoadError(RegistryError):
    """A plugin could not be imported or did not give a backend."""

    def __init__(self, plugin: Plugin, reason: str) -> None:
        super().__init__(
            f"backend '{plugin.name}' from {plugin.origin} (entry point '{plugin.entry_point}') "
            f"is unavailable: {reason}"
        )
        self.plugin = plugin
        self.reason = reason


class BackendConflictError(RegistryError):
    """Two distributions claim the same backend name."""

    def __init__(self, name: str, plugins: tuple[Plugin, ...]) -> None:
        origins = " and ".join(p.origin for p in plugins)
        super().__init__(
            f"backend '{name}' is claimed by {len(plugins)} distributions: {origins}; uninstall all but one of them"
        )
        self.name = name
        self.plugins = plugins


class ProjectConflictError(RegistryError):
    """A project's ``[backends.NAME]`` and an installed distribution claim one name."""

    def __init__(self, local: ProjectBackend, plugins: tuple[Plugin, ...]) -> None:
        origins = " and ".join(p.origin for p in plugins)
        super().__init__(
            f"backend '{local.name}' is claimed by {local.origin} and by {origins}; "
            f"rename the [backends.{local.name}] table or uninstall the distribution"
        )
        self.name = local.name
        self.plugins = plugins


class DuplicateEntryPointError(RegistryError):
    """One distribution lists one backend name twice, with different values."""

    def __init__(self, name: str, plugins: tuple[Plugin, ...]) -> None:
        values = " and ".join(f"'{p.value}'" for p in plugins)
        super().__init__(
            f"{plugins[0].origin} lists the backend name '{name}' {len(plugins)} times, as {values}; "
            f"a distribution must list each name once (its author must fix its entry points)"
        )
        self.name = name
        self.plugins = plugins


#: What a backend name must look like to suggest the distribution that may
#: provide it (see "Naming" in docs/writing-a-backend.md).
_BACKEND_NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*\Z")


class UnknownBackendError(RegistryError):
    """No backend has the requested name."""

    def __init__(self, name: str, available: Iterable[str]) -> None:
        available = tuple(available)
        message = f"unknown backend '{name}'"
        suggestion = closest_match(name, available)
        if suggestion:
            message += f" (did you mean '{suggestion}'?)"
        message += "; available backends: " + (", ".join(available) if available else "none installed")
        if not suggestion and _BACKEND_NAME.match(name):
            # Only for a name that is not a typo of an installed one: never
            # send the user to install a look-alike of what they have.
            message += f"; `pip install dazzle-backend-{name.replace('_', '-')}` may provide it"
        super().__init__(message)
        self.name = name
        self.available = available


# --- find -------------------------------------------------------------------


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name_and_version(dist: Any) -> tuple[str, str]:
    # The two headers sit at the top of METADATA; reading them directly spares
    # every command that lists plugins the import of the email parser (~10 ms).
    headers: dict[str, str] = {}
    for line in (dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "").splitlines():
        if not line:
            break
        key, colon, value = line.partition(":")
        if colon and key in ("Name", "Version"):
            headers.setdefault(key, value.strip())
    if len(headers) < 2:
        return dist.metadata["Name"], dist.version
    return headers["Name"], headers["Version"]


def find_plugins(distributions: Iterable[Any] | None = None, group: str = ENTRY_POINT_GROUP) -> tuple[Plugin, ...]:
    """Every entry point of ``group`` in ``distributions`` (default: the
    distributions on ``sys.path``), sorted. Imports no plugin."""
    if distributions is None:
        import importlib_metadata

        distributions = importlib_metadata.distributions()
    seen: set[str] = set()
    found: list[Plugin] = []
    for dist in distributions:
        try:
            name, version = _name_and_version(dist)
            # The metadata's Name normalised as PEP 503 does: "My_Dist" and
            # "my-dist" on two sys.path entries are one distribution.
            key = _normalize(name) if name else None
            if key is None or key in seen:
                continue
            seen.add(key)
            entry_points = dist.entry_points.select(group=group)
            if not entry_points:
                continue
        except Exception:  # malformed metadata, most likely of another tool's distribution
            continue
        found.extend(Plugin(ep.name, name, version, ep.value) for ep in entry_points)
    return tuple(sorted(found))


# --- load and classify ----------------------------------------------------------


def check_backend_class(obj: Any, what: str) -> type:
    """Return ``obj`` if it is a backend class for this API version, else raise
    a ``BackendError`` naming ``what`` and saying what is wrong."""
    if not inspect.isclass(obj):
        raise BackendError(f"{what} is not a backend class: got {type(obj).__name__} {obj!r}")
    generate = getattr(obj, "generate", None)
    if not callable(generate) or generate is Backend.generate:
        raise BackendError(f"{what} is not a backend: it has no generate(self, appspec, output_dir, **options) method")
    try:
        inspect.signature(generate).bind(None, None, None)
    except TypeError:
        raise BackendError(
            f"{what} is not a backend: generate() must accept (self, appspec, output_dir, **options)"
        ) from None
    except ValueError:  # no signature to inspect (a builtin): accept it
        pass
    for method in ("get_capabilities", "validate_config"):
        if not callable(getattr(obj, method, len)):
            raise BackendError(f"{what} is not a backend: {method} is not a method")
    mismatch = api_version_mismatch(obj)
    if mismatch is not None:
        raise BackendError(f"{what} {mismatch}")
    return obj


@attrs.frozen
class LoadedPlugin:
    """One plugin after the load stage: the backend class it gives, or why it
    gives none (exactly one of the two is set)."""

    plugin: Plugin
    backend_class: type | None = None
    error: PluginLoadError | None = None

    def __attrs_post_init__(self) -> None:
        if (self.backend_class is None) == (self.error is None):
            raise ValueError("a LoadedPlugin holds exactly one of a backend class and the error that stopped it")

    def get_class(self) -> type:
        """The backend class; raises the ``PluginLoadError`` if there is none."""
        if self.error is not None:
            raise self.error
        assert self.backend_class is not None
        return self.backend_class


def load_plugin(plugin: Plugin) -> LoadedPlugin:
    """Import one plugin and check that it gives a backend class; a failure
    is recorded, never raised, so that it cannot stop the other plugins."""
    try:
        return LoadedPlugin(plugin, backend_class=_import_backend_class(plugin))
    except PluginLoadError as error:
        return LoadedPlugin(plugin, error=error)


def _import_backend_class(plugin: Plugin) -> type:
    import importlib_metadata

    entry_point = importlib_metadata.EntryPoint(plugin.name, plugin.value, ENTRY_POINT_GROUP)
    try:
        with plugin_call(plugin.name):
            obj = entry_point.load()
    except PluginCallFailed as error:  # a plugin's failure must never end the tool
        reason = describe_exception(error.error)
        if isinstance(error.error, SystemExit):
            reason = reason.replace("it called", "its import called", 1)
        raise PluginLoadError(plugin, reason) from error
    except Exception as error:
        raise PluginLoadError(plugin, f"{type(error).__name__}: {error}") from error
    try:
        return check_backend_class(obj, f"'{plugin.value}'")
    except BackendError as error:
        raise PluginLoadError(plugin, str(error)) from None


def read_capabilities(backend: Any, name: str) -> BackendCapabilities:
    """The capabilities of a backend instance, named by the name it is
    registered under. A backend without ``get_capabilities`` gets the default
    one of ``Backend`` (its docstring's first line as description)."""
    get_capabilities = getattr(backend, "get_capabilities", None)
    try:
        with plugin_call(name):
            if get_capabilities is None:
                capabilities = Backend.get_capabilities(backend)
            else:
                capabilities = get_capabilities()
    except BackendError:
        raise
    except PluginCallFailed as error:
        raise BackendError(f"backend '{name}': get_capabilities() failed: {error}") from error
    except Exception as error:
        raise BackendError(f"backend '{name}': get_capabilities() failed: {type(error).__name__}: {error}") from error
    if not isinstance(capabilities, BackendCapabilities):
        raise BackendError(
            f"backend '{name}': get_capabilities() must return BackendCapabilities, not {type(capabilities).__name__}"
        )
    return capabilities if capabilities.name == name else attrs.evolve(capabilities, name=name)


# --- the registry ----------------------------------------------------------------

Status = Literal["available", "unavailable", "conflict"]


@attrs.frozen
class BackendInfo:
    """What ``dazzle backends`` shows about one name."""

    name: str
    status: Status
    capabilities: BackendCapabilities | None = None
    #: Where it comes from: one plugin, several for a conflict, none when
    #: registered by hand.
    plugins: tuple[Plugin, ...] = ()
    #: Why a backend is not available.
    reason: str = ""
    #: The project's ``[backends.NAME]`` table it comes from, if any.
    local: ProjectBackend | None = None

    @property
    def origin(self) -> str:
        if self.local is not None:
            return " and ".join([self.local.origin, *(p.origin for p in self.plugins)])
        if self.plugins:
            return " and ".join(p.origin for p in self.plugins)
        return "registered in-process"


class BackendRegistry:
    """Backends by name: the ones registered by hand and those found through
    entry points. A hand-registered class takes precedence over a plugin of
    the same name."""

    def __init__(self, distributions: Callable[[], Iterable[Any]] | None = None) -> None:
        #: Where ``discover`` looks; the default is every distribution on sys.path.
        self._distributions = distributions
        self._manual: dict[str, type] = {}
        self._plugins: dict[str, tuple[Plugin, ...]] = {}
        #: The plugins imported so far, by name: each imported at most once.
        self._loaded: dict[str, LoadedPlugin] = {}
        self._project: dict[str, ProjectBackend] = {}
        self._discovered = False

    def add_project_backends(self, backends: Iterable[ProjectBackend]) -> None:
        """Set the command backends of the project being built
        (``[backends.NAME]``), replacing those set before (``--watch``
        reads dazzle.toml again). A name an installed distribution also
        claims is a conflict."""
        self._project = {backend.name: backend for backend in backends}

    def register(self, name: str, backend_class: type) -> None:
        """Register a backend class by hand under ``name``."""
        if not isinstance(name, str) or not name:
            raise BackendError(f"a backend name must be a non-empty string, not {name!r}")
        if name in self._manual:
            existing = self._manual[name]
            raise BackendError(
                f"backend '{name}' is already registered (by {existing.__module__}.{existing.__qualname__})"
            )
        what = f"backend '{name}'"
        if inspect.isclass(backend_class):
            what += f" ({backend_class.__module__}.{backend_class.__qualname__})"
        self._manual[name] = check_backend_class(backend_class, what)

    def discover(self) -> None:
        """Find the entry points of installed distributions (once; imports nothing)."""
        if self._discovered:
            return
        source = None if self._distributions is None else self._distributions()
        by_name: dict[str, dict[Plugin, None]] = {}
        for plugin in find_plugins(source):
            # The same entry point listed twice by one distribution is one claim.
            by_name.setdefault(plugin.name, {})[plugin] = None
        self._plugins = {name: tuple(plugins) for name, plugins in by_name.items()}
        self._discovered = True

    @property
    def plugins(self) -> tuple[Plugin, ...]:
        """Every entry point found, including broken and conflicting ones."""
        return tuple(p for plugins in self._plugins.values() for p in plugins)

    def list_backends(self) -> list[str]:
        """The names that can be asked for, sorted; imports nothing, so a plugin
        that fails to import is still listed until something loads it."""
        names = set(self._manual)
        names.update(name for name, plugins in self._plugins.items() if len(plugins) == 1)
        names.update(self._project)
        names.difference_update(n for n in self._project if n in self._plugins and n not in self._manual)
        names.difference_update(
            n for n, loaded in self._loaded.items() if loaded.error is not None and n not in self._manual
        )
        return sorted(names)

    def plugin_of(self, name: str) -> Plugin | None:
        """The plugin a name comes from, if it comes from exactly one."""
        plugins = self._plugins.get(name, ())
        return plugins[0] if len(plugins) == 1 and name not in self._manual and name not in self._project else None

    def load(self, name: str) -> type:
        """The backend class for ``name``, importing its plugin if need be."""
        if name in self._manual:
            return self._manual[name]
        loaded = self._loaded.get(name)
        if loaded is None:
            plugins = self._plugins.get(name)
            if not plugins:
                raise UnknownBackendError(name, self.list_backends())
            if len(plugins) > 1:
                raise _claim_error(name, plugins)
            loaded = self._loaded[name] = load_plugin(plugins[0])
        return loaded.get_class()

    def get(self, name: str) -> Any:
        """A new instance of the backend ``name``."""
        if name in self._project and name not in self._manual:
            if name in self._plugins:
                raise ProjectConflictError(self._project[name], self._plugins[name])
            return self._project[name].create()
        backend_class = self.load(name)
        try:
            with plugin_call(name):
                return backend_class()
        except BackendError:
            raise
        except Exception as error:
            plugin = self.plugin_of(name)
            where = f" from {plugin.origin}" if plugin else ""
            reason = str(error) if isinstance(error, PluginCallFailed) else describe_exception(error)
            raise BackendError(f"backend '{name}'{where} could not be created: {reason}") from error

    def describe(self) -> tuple[BackendInfo, ...]:
        """Every name with its status, loading every backend to read its
        capabilities; sorted by name."""
        names = set(self._manual) | set(self._plugins) | set(self._project)
        return tuple(self.describe_one(name) for name in sorted(names))

    def describe_one(self, name: str) -> BackendInfo:
        plugins = () if name in self._manual else self._plugins.get(name, ())
        local = None if name in self._manual else self._project.get(name)
        if local is not None:
            if plugins:
                return BackendInfo(
                    name, "conflict", plugins=plugins, reason=str(ProjectConflictError(local, plugins)), local=local
                )
            return BackendInfo(name, "available", read_capabilities(local.create(), name), local=local)
        if len(plugins) > 1:
            error = _claim_error(name, plugins)
            status: Status = "conflict" if isinstance(error, BackendConflictError) else "unavailable"
            return BackendInfo(name, status, plugins=plugins, reason=str(error))
        try:
            capabilities = read_capabilities(self.get(name), name)
        except PluginLoadError as error:
            return BackendInfo(name, "unavailable", plugins=plugins, reason=error.reason)
        except BackendError as error:
            return BackendInfo(name, "unavailable", plugins=plugins, reason=str(error))
        return BackendInfo(name, "available", capabilities, plugins)


def _claim_error(name: str, plugins: tuple[Plugin, ...]) -> BackendError:
    """Why a name that several entry points claim cannot be used: two
    distributions (a conflict), or one distribution that lists it twice."""
    by_distribution: dict[str, Plugin] = {}
    for plugin in plugins:
        by_distribution.setdefault(plugin.origin, plugin)
    if len(by_distribution) == 1:
        return DuplicateEntryPointError(name, plugins)
    return BackendConflictError(name, tuple(by_distribution.values()))


_registry: BackendRegistry | None = None


def get_registry() -> BackendRegistry:
    """The process-wide registry; it discovers installed plugins on first use."""
    global _registry
    if _registry is None:
        _registry = BackendRegistry()
    _registry.discover()
    return _registry


def register_backend(name: str, backend_class: type) -> None:
    """Register a backend class by hand in the process-wide registry."""
    get_registry().register(name, backend_class)


def get_backend(name: str) -> Any:
    """A new instance of the backend ``name`` from the process-wide registry."""
    return get_registry().get(name)


def list_backends() -> list[str]:
    """The backend names of the process-wide registry, sorted."""
    return get_registry().list_backends()
