"""The backend registry: manual registration, and discovery through entry
points read from temporary dist-info folders (no backend distribution needs
to be installed)."""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import attrs
import dazzle
import importlib_metadata
import pytest
from dazzle.backends import (
    API_VERSION,
    Backend,
    BackendCapabilities,
    BackendError,
    BackendOption,
    BackendRegistry,
)
from dazzle.backends import api as api_module
from dazzle.backends import registry as registry_module
from dazzle.backends.registry import (
    BackendConflictError,
    LoadedPlugin,
    Plugin,
    PluginLoadError,
    RegistryError,
    UnknownBackendError,
    find_plugins,
    load_plugin,
    read_capabilities,
)
from dazzle.core import ir


def make_appspec() -> ir.AppSpec:
    return ir.AppSpec(name="demo", title="Demo", version="1.0", location=ir.NO_LOCATION)


class EchoBackend(Backend):
    """Writes the app's name and the options it got."""

    def get_capabilities(self) -> BackendCapabilities:
        return BackendCapabilities(
            name="echo",
            description="Echoes the app",
            output_formats=("txt",),
            options=(BackendOption("target", str, default="out.txt"),),
        )

    def validate_config(self, **options):
        if not options.get("target"):
            raise BackendError("echo needs a target file name")

    def generate(self, appspec, output_dir, **options):
        (output_dir / options["target"]).write_text(f"{appspec.name} {sorted(options.items())}\n")


class PlainBackend:
    """A backend that does not subclass Backend."""

    def generate(self, appspec, output_dir, **options):
        (output_dir / "plain.txt").write_text(appspec.name)


@pytest.fixture
def registry() -> BackendRegistry:
    return BackendRegistry(distributions=lambda: ())


# --- the seed's scenarios -----------------------------------------------------


def test_register_and_get_returns_an_instance(registry):
    registry.register("echo", EchoBackend)
    backend = registry.get("echo")
    assert isinstance(backend, EchoBackend)
    assert registry.get("echo") is not backend  # a fresh instance each time


def test_duplicate_registration_is_rejected(registry):
    registry.register("echo", EchoBackend)
    with pytest.raises(BackendError, match=r"backend 'echo' is already registered \(by .*EchoBackend\)"):
        registry.register("echo", PlainBackend)
    assert isinstance(registry.get("echo"), EchoBackend)


def test_missing_backend_lists_the_available_ones_and_suggests_the_nearest(registry):
    registry.register("echo", EchoBackend)
    registry.register("plain", PlainBackend)
    with pytest.raises(UnknownBackendError) as caught:
        registry.get("ecko")
    message = str(caught.value)
    assert "unknown backend 'ecko'" in message
    assert "did you mean 'echo'?" in message
    assert "available backends: echo, plain" in message


def test_missing_backend_with_nothing_installed(registry):
    with pytest.raises(BackendError, match="available backends: none installed"):
        registry.get("openapi")


def test_generate_into_a_temporary_folder(registry, tmp_path):
    registry.register("echo", EchoBackend)
    registry.get("echo").generate(make_appspec(), tmp_path, target="app.txt")
    assert (tmp_path / "app.txt").read_text() == "demo [('target', 'app.txt')]\n"


def test_capabilities(registry):
    registry.register("echo", EchoBackend)
    caps = read_capabilities(registry.get("echo"), "echo")
    assert caps.name == "echo"
    assert caps.description == "Echoes the app"
    assert caps.output_formats == ("txt",)
    assert caps.supports_incremental is False and caps.requires_config is False
    assert caps.get_option("target") == BackendOption("target", str, default="out.txt")


def test_default_capabilities_of_a_class_without_get_capabilities(registry):
    registry.register("plain", PlainBackend)
    caps = read_capabilities(registry.get("plain"), "plain")
    assert caps == BackendCapabilities(name="plain", description="A backend that does not subclass Backend.")


def test_capabilities_take_the_registered_name(registry):
    registry.register("echo2", EchoBackend)
    assert read_capabilities(registry.get("echo2"), "echo2").name == "echo2"


def test_capabilities_of_the_wrong_type_are_an_error(registry):
    class Confused(PlainBackend):
        def get_capabilities(self):
            return {"name": "confused"}

    registry.register("confused", Confused)
    with pytest.raises(BackendError, match="must return BackendCapabilities, not dict"):
        read_capabilities(registry.get("confused"), "confused")


def test_the_registrys_own_failures_are_told_from_a_backends(registry):
    registry.register("echo", EchoBackend)
    with pytest.raises(RegistryError) as caught:
        registry.get("ecko")
    assert isinstance(caught.value, UnknownBackendError) and isinstance(caught.value, BackendError)
    with pytest.raises(BackendError) as caught:
        registry.get("echo").validate_config()
    assert not isinstance(caught.value, RegistryError)


def test_config_validation_missing_and_valid(registry):
    registry.register("echo", EchoBackend)
    backend = registry.get("echo")
    with pytest.raises(BackendError, match="echo needs a target file name"):
        backend.validate_config()
    backend.validate_config(target="x.txt")


def test_default_validate_config_accepts_anything():
    class Minimal(Backend):
        def generate(self, appspec, output_dir, **options):
            pass

    assert Minimal().validate_config(anything="goes") is None


def test_options_reach_the_backend(registry, tmp_path):
    seen = {}

    class Recorder(PlainBackend):
        def generate(self, appspec, output_dir, **options):
            seen.update(options)

    registry.register("recorder", Recorder)
    registry.get("recorder").generate(make_appspec(), tmp_path, title="T", depth="2")
    assert seen == {"title": "T", "depth": "2"}


class NoGenerate:
    def render(self, appspec):
        pass


class GenerateTooFewArguments:
    def generate(self, appspec):
        pass


class GenerateNotCallable:
    generate = "yes"


class OnlyTheProtocolStub(Backend):
    """Subclasses Backend but never writes generate."""


class CapabilitiesNotAMethod(PlainBackend):
    get_capabilities = BackendCapabilities(name="x")


class FromTheFuture(PlainBackend):
    api_version = API_VERSION + 1


@pytest.mark.parametrize(
    ("candidate", "reason"),
    [
        (PlainBackend(), "is not a backend class: got PlainBackend"),
        ("dazzle_backend:Thing", "is not a backend class: got str"),
        (NoGenerate, "has no generate"),
        (GenerateNotCallable, "has no generate"),
        (OnlyTheProtocolStub, "has no generate"),
        (GenerateTooFewArguments, r"generate\(\) must accept \(self, appspec, output_dir, \*\*options\)"),
        (CapabilitiesNotAMethod, "get_capabilities is not a method"),
        (
            FromTheFuture,
            f"was written for backend API {API_VERSION + 1}; this dazzle-core "
            rf"\({re.escape(dazzle.__version__)}\) speaks API {API_VERSION}: upgrade dazzle-core",
        ),
    ],
)
def test_invalid_class_is_rejected_with_its_name(registry, candidate, reason):
    with pytest.raises(BackendError, match=reason) as caught:
        registry.register("bad", candidate)
    assert "backend 'bad'" in str(caught.value)
    assert registry.list_backends() == []


class StatesOne(PlainBackend):
    api_version = 1


class StatesAString(PlainBackend):
    api_version = "1"


@pytest.fixture
def core_speaks_api_2(monkeypatch):
    """This dazzle-core as if its API had become 2, first released in 1.0.0."""
    monkeypatch.setattr(api_module, "API_VERSION", 2)
    monkeypatch.setitem(api_module.FIRST_CORE_RELEASE, 2, "1.0.0")


@pytest.mark.parametrize("candidate", [PlainBackend, EchoBackend, StatesOne])
def test_a_backend_for_an_older_api_is_refused_with_advice(registry, core_speaks_api_2, candidate):
    # PlainBackend states nothing and EchoBackend inherits the protocol's
    # default: both mean API 1, whatever the core speaks now.
    with pytest.raises(BackendError) as caught:
        registry.register("old", candidate)
    assert str(caught.value).endswith(
        f"was written for backend API 1; this dazzle-core ({dazzle.__version__}) speaks API 2: "
        "upgrade the backend to a release written for API 2, or install dazzle-core<1.0.0"
    )


def test_a_class_that_states_no_version_means_1(registry):
    assert "api_version" not in vars(PlainBackend)
    assert Backend.api_version == 1
    registry.register("plain", PlainBackend)
    assert registry.list_backends() == ["plain"]


def test_api_version_must_be_an_integer(registry):
    with pytest.raises(BackendError, match=r"states api_version = '1'; it must be an integer"):
        registry.register("text", StatesAString)


def test_a_name_must_be_a_non_empty_string(registry):
    with pytest.raises(BackendError, match="non-empty string"):
        registry.register("", PlainBackend)


def test_a_backend_that_cannot_be_created_is_an_error_naming_it(registry):
    class NeedsArguments(PlainBackend):
        def __init__(self, path):
            self.path = path

    registry.register("needy", NeedsArguments)
    with pytest.raises(BackendError, match=r"backend 'needy' could not be created: TypeError"):
        registry.get("needy")


def test_listing_is_sorted(registry):
    registry.register("zeta", PlainBackend)
    registry.register("alpha", EchoBackend)
    assert registry.list_backends() == ["alpha", "zeta"]


def test_describe_lists_every_backend_with_its_capabilities(registry):
    registry.register("plain", PlainBackend)
    registry.register("echo", EchoBackend)
    infos = registry.describe()
    assert [(i.name, i.status) for i in infos] == [("echo", "available"), ("plain", "available")]
    assert infos[0].capabilities.output_formats == ("txt",)
    assert infos[0].origin == "registered in-process"


# --- discovery through entry points -----------------------------------------------

_unique = itertools.count()


def make_distribution(
    site: Path, name: str, version: str, entry_points: dict[str, str], group: str = "dazzle.backends"
) -> Path:
    """A dist-info folder as an installer would leave it."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{group}]\n{lines}")
    return info


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """Write a plugin module importable under a unique name; returns its name."""
    folder = tmp_path / "modules"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    written = []

    def write(source: str) -> str:
        name = f"dazzle_registry_test_plugin_{next(_unique)}"
        (folder / f"{name}.py").write_text(source)
        written.append(name)
        return name

    yield write
    for name in written:
        sys.modules.pop(name, None)


PLUGIN_SOURCE = '''
import sys
sys.modules[__name__].imported = True

class Plugin:
    """A discovered backend."""

    def generate(self, appspec, output_dir, **options):
        (output_dir / "found.txt").write_text(appspec.name)
'''


def registry_over(*sites: Path) -> BackendRegistry:
    return BackendRegistry(distributions=lambda: importlib_metadata.distributions(path=[str(s) for s in sites]))


def test_find_plugins_reads_metadata_and_imports_nothing(tmp_path, modules):
    module = modules(PLUGIN_SOURCE)
    site = tmp_path / "site"
    make_distribution(site, "dazzle-backend-b", "2.0", {"beta": f"{module}:Plugin"})
    make_distribution(site, "dazzle-backend-a", "1.0", {"alpha": f"{module}:Plugin", "aleph": "nowhere:X"})
    make_distribution(site, "unrelated", "1.0", {"other": "x:y"}, group="console_scripts")

    found = find_plugins(importlib_metadata.distributions(path=[str(site)]))

    assert found == (
        Plugin("aleph", "dazzle-backend-a", "1.0", "nowhere:X"),
        Plugin("alpha", "dazzle-backend-a", "1.0", f"{module}:Plugin"),
        Plugin("beta", "dazzle-backend-b", "2.0", f"{module}:Plugin"),
    )
    assert module not in sys.modules


def test_a_distribution_with_malformed_entry_points_is_skipped(tmp_path, modules):
    module = modules(PLUGIN_SOURCE)
    site = tmp_path / "site"
    make_distribution(site, "dazzle-backend-good", "1.0", {"good": f"{module}:Plugin"})
    bad = make_distribution(site, "other-tool", "1.0", {})
    (bad / "entry_points.txt").write_text("[console_scripts]\nno equals sign here\n")

    assert [p.name for p in find_plugins(importlib_metadata.distributions(path=[str(site)]))] == ["good"]


def test_name_and_version_come_from_pkg_info_for_an_egg_info(tmp_path):
    info = tmp_path / "site" / "dazzle_backend_old-0.5.egg-info"
    info.mkdir(parents=True)
    (info / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: dazzle-backend-old\nVersion: 0.5\n\nbody\n")
    (info / "entry_points.txt").write_text("[dazzle.backends]\nold = old_module:Old\n")

    found = find_plugins(importlib_metadata.distributions(path=[str(tmp_path / "site")]))

    assert found == (Plugin("old", "dazzle-backend-old", "0.5", "old_module:Old"),)


def test_the_same_distribution_twice_on_the_path_counts_once(tmp_path, modules):
    module = modules(PLUGIN_SOURCE)
    first, second = tmp_path / "first", tmp_path / "second"
    make_distribution(first, "dazzle-backend-x", "1.0", {"x": f"{module}:Plugin"})
    make_distribution(second, "Dazzle_Backend.X", "0.9", {"x": f"{module}:Plugin"})

    registry = registry_over(first, second)
    registry.discover()

    assert registry.plugins == (Plugin("x", "dazzle-backend-x", "1.0", f"{module}:Plugin"),)
    assert registry.list_backends() == ["x"]
    assert registry.describe()[0].status == "available"


def test_discovered_backend_is_imported_only_when_used(tmp_path, modules):
    used, unused = modules(PLUGIN_SOURCE), modules(PLUGIN_SOURCE)
    site = tmp_path / "site"
    make_distribution(site, "dazzle-backend-used", "1.0", {"used": f"{used}:Plugin"})
    make_distribution(site, "dazzle-backend-unused", "1.0", {"unused": f"{unused}:Plugin"})
    registry = registry_over(site)
    registry.discover()
    assert registry.list_backends() == ["unused", "used"]
    assert used not in sys.modules and unused not in sys.modules

    backend = registry.get("used")
    backend.generate(make_appspec(), tmp_path)

    assert (tmp_path / "found.txt").read_text() == "demo"
    assert used in sys.modules and unused not in sys.modules
    assert registry.plugin_of("used") == Plugin("used", "dazzle-backend-used", "1.0", f"{used}:Plugin")


def test_discovery_does_not_break_manual_registrations(tmp_path, modules):
    module = modules(PLUGIN_SOURCE)
    site = tmp_path / "site"
    make_distribution(site, "dazzle-backend-found", "1.0", {"found": f"{module}:Plugin", "echo": f"{module}:Plugin"})
    registry = registry_over(site)
    registry.register("echo", EchoBackend)
    registry.register("plain", PlainBackend)

    registry.discover()

    assert registry.list_backends() == ["echo", "found", "plain"]
    assert isinstance(registry.get("echo"), EchoBackend)  # registered by hand wins over a plugin
    assert isinstance(registry.get("plain"), PlainBackend)
    assert type(registry.get("found")).__name__ == "Plugin"


def test_discover_runs_once(tmp_path, modules):
    calls = []

    def source():
        calls.append(1)
        return ()

    registry = BackendRegistry(distributions=source)
    registry.discover()
    registry.discover()
    assert calls == [1]


def test_two_distributions_claiming_one_name_are_a_conflict(tmp_path, modules):
    one, other = modules(PLUGIN_SOURCE), modules(PLUGIN_SOURCE)
    site = tmp_path / "site"
    make_distribution(site, "dazzle-backend-one", "1.0", {"shared": f"{one}:Plugin", "solo": f"{one}:Plugin"})
    make_distribution(site, "dazzle-backend-other", "2.5", {"shared": f"{other}:Plugin"})
    registry = registry_over(site)
    registry.discover()

    with pytest.raises(BackendConflictError) as caught:
        registry.get("shared")
    message = str(caught.value)
    assert "backend 'shared' is claimed by 2 distributions" in message
    assert "dazzle-backend-one 1.0" in message and "dazzle-backend-other 2.5" in message
    assert one not in sys.modules and other not in sys.modules

    assert registry.list_backends() == ["solo"]
    infos = {i.name: i for i in registry.describe()}
    assert infos["shared"].status == "conflict"
    assert [p.distribution for p in infos["shared"].plugins] == ["dazzle-backend-one", "dazzle-backend-other"]
    assert infos["solo"].status == "available"


@pytest.mark.parametrize(
    ("source", "attribute", "reason"),
    [
        ("raise ImportError('needs libfoo')", "Plugin", "ImportError: needs libfoo"),
        (
            "import dazzle_registry_test_no_such_module",
            "Plugin",
            "ModuleNotFoundError: No module named 'dazzle_registry_test_no_such_module'",
        ),
        ("1 / 0", "Plugin", "ZeroDivisionError: division by zero"),
        ("import sys\nsys.exit(2)", "Plugin", r"its import called sys.exit\(2\)"),
        ("Plugin = 42", "Plugin", "is not a backend class: got int 42"),
        ("class Plugin:\n    pass", "Plugin", "has no generate"),
        ("", "Missing", "AttributeError"),
        (PLUGIN_SOURCE + "\nPlugin.api_version = 99", "Plugin", "written for backend API 99"),
    ],
)
def test_a_broken_plugin_is_unavailable_and_never_stops_the_others(tmp_path, modules, source, attribute, reason):
    broken, good = modules(source), modules(PLUGIN_SOURCE)
    site = tmp_path / "site"
    make_distribution(site, "dazzle-backend-broken", "0.3", {"broken": f"{broken}:{attribute}"})
    make_distribution(site, "dazzle-backend-good", "1.0", {"good": f"{good}:Plugin"})
    registry = registry_over(site)
    registry.discover()

    with pytest.raises(PluginLoadError, match=reason) as caught:
        registry.get("broken")
    message = str(caught.value)
    assert "backend 'broken' from dazzle-backend-broken 0.3" in message
    assert f"entry point 'broken = {broken}:{attribute}'" in message
    # The failure is remembered, not retried, and the others still work.
    with pytest.raises(PluginLoadError):
        registry.get("broken")
    assert type(registry.get("good")).__name__ == "Plugin"
    assert registry.list_backends() == ["good"]

    infos = {i.name: i for i in registry.describe()}
    assert infos["broken"].status == "unavailable"
    assert infos["broken"].plugins[0].origin == "dazzle-backend-broken 0.3"
    assert infos["good"].status == "available"


COUNTING_PLUGIN_SOURCE = PLUGIN_SOURCE.replace(
    "sys.modules[__name__].imported = True", "import builtins\nbuiltins.dazzle_registry_test_imports.append(__name__)"
)


def test_the_load_stage_gives_an_immutable_record_and_the_registry_imports_each_plugin_once(
    tmp_path, modules, monkeypatch
):
    imports: list[str] = []
    monkeypatch.setattr("builtins.dazzle_registry_test_imports", imports, raising=False)
    good, broken = modules(COUNTING_PLUGIN_SOURCE), modules(COUNTING_PLUGIN_SOURCE + "\n1 / 0")
    good_plugin = Plugin("good", "dazzle-backend-good", "1.0", f"{good}:Plugin")
    broken_plugin = Plugin("broken", "dazzle-backend-broken", "0.3", f"{broken}:Plugin")

    loaded = load_plugin(good_plugin)
    failed = load_plugin(broken_plugin)

    assert loaded.plugin == good_plugin and loaded.backend_class.__name__ == "Plugin" and loaded.error is None
    assert loaded.get_class() is loaded.backend_class
    assert failed.plugin == broken_plugin and failed.backend_class is None
    assert isinstance(failed.error, PluginLoadError) and failed.error.reason == "ZeroDivisionError: division by zero"
    with pytest.raises(PluginLoadError, match="division by zero"):
        failed.get_class()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        loaded.backend_class = None  # type: ignore[misc]
    with pytest.raises(ValueError, match="exactly one of a backend class and the error"):
        LoadedPlugin(good_plugin)
    with pytest.raises(ValueError, match="exactly one of a backend class and the error"):
        LoadedPlugin(broken_plugin, loaded.backend_class, failed.error)
    assert imports == [good, broken]

    imports.clear()
    for module in (good, broken):
        sys.modules.pop(module, None)
    site = tmp_path / "site"
    make_distribution(site, "dazzle-backend-good", "1.0", {"good": f"{good}:Plugin"})
    make_distribution(site, "dazzle-backend-broken", "0.3", {"broken": f"{broken}:Plugin"})
    registry = registry_over(site)
    registry.discover()
    for _ in range(2):
        assert registry.load("good").__name__ == "Plugin"
        with pytest.raises(PluginLoadError):
            registry.load("broken")
    registry.describe()
    assert imports == [good, broken]


def test_a_broken_get_capabilities_makes_a_backend_unavailable_in_the_listing(registry):
    class Crashes(PlainBackend):
        def get_capabilities(self):
            raise KeyError("oops")

    registry.register("crashes", Crashes)
    (info,) = registry.describe()
    assert info.status == "unavailable"
    assert "get_capabilities() failed: KeyError" in info.reason


# --- the module-level functions -------------------------------------------------


def test_module_level_functions_share_one_registry_that_discovers_once(monkeypatch):
    calls = []

    def source():
        calls.append(1)
        return ()

    monkeypatch.setattr(registry_module, "_registry", BackendRegistry(distributions=source))
    from dazzle.backends import get_backend, get_registry, list_backends, register_backend

    register_backend("echo", EchoBackend)
    assert list_backends() == ["echo"]
    assert isinstance(get_backend("echo"), EchoBackend)
    assert get_registry() is registry_module._registry
    assert calls == [1]
    with pytest.raises(BackendError, match="already registered"):
        register_backend("echo", EchoBackend)


def test_get_registry_creates_the_registry_on_first_use(monkeypatch):
    monkeypatch.setattr(registry_module, "_registry", None)
    registry = registry_module.get_registry()
    assert isinstance(registry, BackendRegistry)
    assert registry_module.get_registry() is registry


def test_the_public_imports_work_exactly_as_written():
    namespace: dict = {}
    exec(
        "from dazzle.backends import Backend, BackendCapabilities, BackendError\nfrom dazzle.core import ir", namespace
    )
    assert namespace["Backend"] is Backend and namespace["ir"] is ir


def test_one_distribution_listing_a_name_twice_is_one_claim_or_a_clear_error(tmp_path, modules):
    from dazzle.backends.registry import DuplicateEntryPointError

    module = modules(PLUGIN_SOURCE)
    site = tmp_path / "site"
    info = make_distribution(site, "dazzle-backend-twice", "1.0", {})
    # TOML cannot say it, but an entry_points.txt written by hand can.
    (info / "entry_points.txt").write_text(
        "[dazzle.backends]\n"
        f"twin = {module}:Plugin\ntwin = {module}:Plugin\n"
        f"odd = {module}:Plugin\nodd = {module}:Other\n"
    )
    registry = registry_over(site)
    registry.discover()
    infos = {i.name: i for i in registry.describe()}
    assert infos["twin"].status == "available"
    assert infos["odd"].status == "unavailable"
    assert infos["odd"].reason == (
        f"dazzle-backend-twice 1.0 lists the backend name 'odd' 2 times, as '{module}:Other' and "
        f"'{module}:Plugin'; a distribution must list each name once (its author must fix its entry points)"
    )
    with pytest.raises(DuplicateEntryPointError):
        registry.get("odd")
    assert "claimed by" not in infos["odd"].reason


def test_a_conflict_names_each_distribution_once(tmp_path, modules):
    one, other = modules(PLUGIN_SOURCE), modules(PLUGIN_SOURCE)
    site = tmp_path / "site"
    info = make_distribution(site, "dazzle-backend-one", "1.0", {})
    (info / "entry_points.txt").write_text(f"[dazzle.backends]\nshared = {one}:Plugin\nshared = {one}:Other\n")
    make_distribution(site, "dazzle-backend-other", "2.5", {"shared": f"{other}:Plugin"})
    registry = registry_over(site)
    registry.discover()
    with pytest.raises(
        BackendConflictError,
        match=r"claimed by 2 distributions: dazzle-backend-one 1\.0 and "
        r"dazzle-backend-other 2\.5;",
    ):
        registry.get("shared")
