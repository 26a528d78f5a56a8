"""`dazzle new-backend`: the name rules, the template, writing all or nothing,
and the generated backend itself (run in-process, and its generated tests run
against a copy "installed" into a temporary folder). The `scaffold` nox
session does the real thing with pip: tests/e2e_scaffold."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from dazzle import __version__
from dazzle.backends import registry as registry_module
from dazzle.backends.registry import Plugin
from dazzle.cli import main
from dazzle.scaffold.distribution import (
    TEMPLATE_DIR,
    BackendNameError,
    ScaffoldError,
    TargetExistsError,
    backend_names,
    core_requirement,
    render_template,
    write_distribution,
)
from dazzle.testing import EXAMPLE_NAMES, load_example, run_backend
from dazzle.testing.conformance import capability_problems
from new_backend_layout import GENERATED_FILES


def new_backend(*args: str):
    return CliRunner().invoke(main, ["new-backend", *args])


def files_under(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "distribution", "package", "class_name"),
    [
        ("demo", "dazzle-backend-demo", "dazzle_backend_demo", "DemoBackend"),
        ("json-schema", "dazzle-backend-json-schema", "dazzle_backend_json_schema", "JsonSchemaBackend"),
        ("sql_ddl", "dazzle-backend-sql-ddl", "dazzle_backend_sql_ddl", "SqlDdlBackend"),
        ("graph2d", "dazzle-backend-graph2d", "dazzle_backend_graph2d", "Graph2dBackend"),
        ("x", "dazzle-backend-x", "dazzle_backend_x", "XBackend"),
    ],
)
def test_the_names_of_a_backend(name, distribution, package, class_name):
    names = backend_names(name)
    assert (names.name, names.distribution, names.package, names.class_name) == (
        name,
        distribution,
        package,
        class_name,
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Demo", "backend names are lowercase: try 'demo'"),
        ("a.b", "a '.' would be read as the one in -O NAME.key=value"),
        ("dazzle-backend-demo", "without 'dazzle-backend-': try `dazzle new-backend demo`"),
        ("dazzle_backend_sql_ddl", "try `dazzle new-backend sql_ddl`, which writes dazzle-backend-sql-ddl"),
        ("", "'' is not a valid backend name"),
        ("1st", "starting with a letter"),
        ("-x", "is not a valid backend name"),
        ("x-", "is not a valid backend name"),
        ("a--b", "is not a valid backend name"),
        ("a b", "is not a valid backend name"),
        ("café", "is not a valid backend name"),
        ("x/y", "is not a valid backend name"),
    ],
)
def test_names_that_are_refused(name, message):
    with pytest.raises(BackendNameError, match=None) as caught:
        backend_names(name)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("version", "requirement"),
    [
        ("0.1.0", "dazzle-core>=0.1,<1"),
        ("0.7.3.dev1", "dazzle-core>=0.7,<1"),
        ("1.4.2", "dazzle-core>=1.4,<2"),
        ("12.0", "dazzle-core>=12.0,<13"),
    ],
)
def test_the_requirement_on_dazzle_core(version, requirement):
    assert core_requirement(version) == requirement


def test_a_version_without_a_number():
    with pytest.raises(ValueError, match="cannot read a version number from 'next'"):
        core_requirement("next")


# --- the template -------------------------------------------------------------------------------------


def test_the_template_gives_every_file_with_every_placeholder_filled():
    files = render_template(backend_names("demo"), "0.1.0")
    assert list(files) == GENERATED_FILES
    for path, text in files.items():
        assert "{{" not in text and "}}" not in text, path
        assert text.endswith("\n"), path
    for path in [p for p in files if p.endswith(".py")]:
        compile(files[path], path, "exec")


def test_the_pyproject():
    pyproject = tomllib.loads(render_template(backend_names("json-schema"), "0.1.0")["pyproject.toml"])
    project = pyproject["project"]
    assert project["name"] == "dazzle-backend-json-schema"
    assert project["dependencies"] == ["dazzle-core>=0.1,<1"]
    assert project["requires-python"] == ">=3.11"
    assert project["entry-points"] == {
        "dazzle.backends": {"json-schema": "dazzle_backend_json_schema:JsonSchemaBackend"}
    }
    assert pyproject["build-system"]["build-backend"] == "hatchling.build"
    assert pyproject["dependency-groups"] == {"test": ["pytest>=8"]}
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/dazzle_backend_json_schema"]


def test_the_requirement_follows_the_installed_core():
    pyproject = tomllib.loads(render_template(backend_names("demo"), __version__)["pyproject.toml"])
    assert pyproject["project"]["dependencies"] == [core_requirement(__version__)]


def test_the_readme_and_the_licence():
    files = render_template(backend_names("demo"), "0.1.0")
    assert files["LICENSE"].startswith("TODO: choose a licence for dazzle-backend-demo")
    readme = files["README.md"]
    for step in (
        "python3 -m venv .venv",
        "python -m pip install -e . --group test",
        "pytest",
        "python -m build",
        "python -m twine check dist/*",
        "python -m twine upload dist/*",
        "dazzle build path/to/project -b demo",
        "[build.options.demo]",
        "dazzle-core>=0.1,<1",
    ):
        assert step in readme, step
    assert files["tests/conftest.py"].endswith('pytest_plugins = ["dazzle.testing.fixtures"]\n')


def test_an_unknown_placeholder_is_an_error(tmp_path):
    (tmp_path / "dot-config.tmpl").write_text("name = {{ name }}\n")
    assert render_template(backend_names("demo"), "0.1.0", tmp_path) == {".config": "name = demo\n"}
    (tmp_path / "README.tmpl").write_text("by {{author}}\n")
    with pytest.raises(ScaffoldError, match=r"template file README.tmpl: unknown placeholder \{\{author\}\}"):
        render_template(backend_names("demo"), "0.1.0", tmp_path)


def test_the_template_is_in_the_installed_package():
    assert (TEMPLATE_DIR / "pyproject.toml.tmpl").is_file()
    assert (TEMPLATE_DIR / "src" / "{{package}}" / "backend.py.tmpl").is_file()


# --- writing ------------------------------------------------------------------------------------------


def test_writing_is_all_or_nothing(tmp_path):
    # "a" is written as a file, so "a/b" cannot be: the write fails midway.
    with pytest.raises(OSError):
        write_distribution({"a": "1\n", "a/b": "2\n"}, tmp_path / "dist")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_target_is_never_touched(tmp_path):
    (tmp_path / "dist").mkdir()
    with pytest.raises(TargetExistsError, match="dist already exists"):
        write_distribution({"a": "1\n"}, tmp_path / "dist")
    assert list(tmp_path.iterdir()) == [tmp_path / "dist"]
    assert list((tmp_path / "dist").iterdir()) == []


# --- the command --------------------------------------------------------------------------------------


def test_new_backend_writes_the_distribution(tmp_path, monkeypatch):
    monkeypatch.setattr(registry_module, "find_plugins", lambda *args, **kwargs: ())
    result = new_backend("demo", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    target = tmp_path / "dazzle-backend-demo"
    assert list(files_under(target)) == GENERATED_FILES
    assert files_under(target) == render_template(backend_names("demo"), __version__)
    assert [p.name for p in tmp_path.iterdir()] == ["dazzle-backend-demo"]
    assert result.stdout.startswith(f"Wrote {target}/, the distribution dazzle-backend-demo of the backend 'demo':\n")
    assert "  src/dazzle_backend_demo/backend.py   the backend class DemoBackend\n" in result.stdout
    assert f"  cd {target}\n" in result.stdout
    assert result.stderr == ""
    mode = target.stat().st_mode & 0o777
    assert mode == 0o777 & ~current_umask()


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_new_backend_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = new_backend("sql_ddl")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dazzle-backend-sql-ddl" / "src" / "dazzle_backend_sql_ddl" / "backend.py").is_file()


def test_an_existing_folder_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "dazzle-backend-demo"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    result = new_backend("demo", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target} already exists; nothing was written\n"
    assert files_under(target) == {"mine.txt": "keep me"}
    assert [p.name for p in tmp_path.iterdir()] == ["dazzle-backend-demo"]


def test_a_bad_name_is_refused(tmp_path):
    result = new_backend("Demo", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "Error: 'Demo' is not a valid backend name" in result.stderr
    assert "try 'demo'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_usage_errors(tmp_path):
    assert new_backend().exit_code == 2
    (tmp_path / "a-file").write_text("")
    result = new_backend("demo", "--dir", str(tmp_path / "a-file"))
    assert result.exit_code == 2
    assert "is a file" in result.stderr


def test_a_missing_dir_is_created(tmp_path, monkeypatch):
    monkeypatch.setattr(registry_module, "find_plugins", lambda *args, **kwargs: ())
    result = new_backend("demo", "--dir", str(tmp_path / "new" / "deeper"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "deeper" / "dazzle-backend-demo" / "pyproject.toml").is_file()


def test_without_a_licence_it_cannot_be_uploaded(tmp_path):
    files = render_template(backend_names("demo"), "0.1.0")
    project = tomllib.loads(files["pyproject.toml"])["project"]
    assert "license" not in project
    assert "Private :: Do Not Upload" in project["classifiers"]
    assert "--license SPDX" in files["pyproject.toml"]
    assert files["LICENSE"].startswith("TODO: choose a licence for dazzle-backend-demo")
    result = new_backend("demo", "--dir", str(tmp_path))
    assert "remove the 'Private :: Do Not Upload' classifier" in result.stdout


@pytest.mark.parametrize(("given", "expression"), [("MIT", "MIT"), (" (MIT  OR Apache-2.0) ", "(MIT OR Apache-2.0)")])
def test_a_licence_chosen_with_license(tmp_path, given, expression):
    result = new_backend("demo", "--dir", str(tmp_path), "--license", given)
    assert result.exit_code == 0, result.output
    target = tmp_path / "dazzle-backend-demo"
    project = tomllib.loads((target / "pyproject.toml").read_text())["project"]
    assert project["license"] == expression
    assert "Private :: Do Not Upload" not in project["classifiers"]
    assert (
        (target / "LICENSE")
        .read_text()
        .startswith(f"TODO: replace this text with the full text of the licence {expression}\n")
    )
    assert f"Before you publish: put the full text of {expression} in LICENSE" in result.stdout


@pytest.mark.parametrize("bad", ["", "x y", "MIT;", "(MIT", "OR MIT"])
def test_a_license_that_is_no_spdx_expression_is_refused(tmp_path, bad):
    result = new_backend("demo", "--dir", str(tmp_path), "--license", bad)
    assert result.exit_code == 1
    assert "--license takes an SPDX licence identifier or expression, like MIT" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_placeholder_urls():
    project = tomllib.loads(render_template(backend_names("demo"), "0.1.0")["pyproject.toml"])["project"]
    assert set(project["urls"]) == {"Homepage", "Source", "Issues"}
    assert all("your-name/dazzle-backend-demo" in url for url in project["urls"].values())


def test_next_steps_install_the_core_first(tmp_path):
    from dazzle.cli.scaffold import core_source, next_steps

    steps = next_steps(tmp_path / "my dir", "demo", "/src/dazzle/dazzle-core")
    assert steps[0] == f"cd '{tmp_path / 'my dir'}'"
    core = steps.index("python -m pip install /src/dazzle/dazzle-core   # the dazzle-core this command runs from")
    assert core < steps.index("python -m pip install -e . --group test")
    unknown = next_steps(tmp_path, "demo", None)
    assert any(
        s.startswith("python -m pip install PATH/TO/dazzle/dazzle-core   # dazzle-core from a clone") for s in unknown
    )
    # The virtualenv is made before any is active, where Debian and Ubuntu have only `python3`;
    # inside it `python` exists.
    assert steps[1].startswith("python3 -m venv .venv && . .venv/bin/activate")
    assert not any(s.startswith("python ") for s in steps[:2])
    # This test runs on a dazzle-core installed from this repository's folder.
    assert core_source() in (str(Path(__file__).resolve().parents[1]), None)


def test_a_name_an_installed_backend_has_is_a_warning(tmp_path, monkeypatch):
    installed = Plugin("demo", "dazzle-backend-other", "2.0.0", "dazzle_backend_other:Demo")
    monkeypatch.setattr(registry_module, "find_plugins", lambda *args, **kwargs: (installed,))
    result = new_backend("demo", "--dir", str(tmp_path))
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "warning: a backend named 'demo' is already installed (from dazzle-backend-other 2.0.0); "
    )
    assert (tmp_path / "dazzle-backend-demo" / "pyproject.toml").is_file()


def test_help():
    result = CliRunner().invoke(main, ["--help"])
    assert "new-backend" in result.stdout
    result = CliRunner().invoke(main, ["new-backend", "--help"])
    assert "Write a ready-to-publish backend distribution, dazzle-backend-NAME." in result.stdout


# --- the generated backend ------------------------------------------------------------------------------


@pytest.fixture
def generated(tmp_path, monkeypatch):
    """The generated distribution, its package importable from src/."""
    assert new_backend("demo", "--dir", str(tmp_path)).exit_code == 0
    root = tmp_path / "dazzle-backend-demo"
    monkeypatch.syspath_prepend(str(root / "src"))
    yield root
    for module in [m for m in sys.modules if m.startswith("dazzle_backend_demo")]:
        del sys.modules[module]


def test_the_generated_backend_builds_every_example(generated):
    from dazzle_backend_demo import DemoBackend

    capabilities = DemoBackend().get_capabilities()
    assert capability_problems(capabilities, "demo") == []
    for name in EXAMPLE_NAMES:
        example = load_example(name)
        text = run_backend(DemoBackend, example).text("demo.md")
        assert text.startswith(f"# {example.appspec.title}\n\nVersion {example.appspec.version}.\n")
        for entity in example.appspec.entities:
            assert f"\n## {entity.name}" in text
    bookshop = run_backend(DemoBackend, load_example("bookshop"), options={"layout": "list"}).text("demo.md")
    assert "- `isbn`: str(13), required\n" in bookshop
    assert '# Bookshop · Ünïcödé "quoted" titles 📚\n' in bookshop


def test_the_generated_tests_pass_against_an_installed_copy(generated, tmp_path):
    # What pip would leave in site-packages: the package and its metadata
    # with the entry point. The e2e_scaffold tests do it with pip itself.
    site = tmp_path / "site"
    info = site / "dazzle_backend_demo-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dazzle-backend-demo\nVersion: 0.1.0\n\n")
    project = tomllib.loads((generated / "pyproject.toml").read_text())
    entry_points = project["project"]["entry-points"]["dazzle.backends"]
    (info / "entry_points.txt").write_text(
        "[dazzle.backends]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    )
    paths = [str(site), str(generated / "src"), os.environ.get("PYTHONPATH", "")]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=generated,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "10 passed" in done.stdout


def test_the_generated_messages_do_not_repeat_the_backend_name(generated):
    from dazzle.backends import BackendError
    from dazzle_backend_demo import DemoBackend

    example = load_example("bookshop")
    with pytest.raises(BackendError) as caught:
        run_backend(DemoBackend, example, options={"filename": "../up.md"})
    assert str(caught.value) == "option 'filename' must be a plain file name (like demo.md), not '../up.md'"
    with pytest.raises(BackendError) as caught:
        DemoBackend().generate(example.appspec, generated, colour="red")
    assert str(caught.value) == "unknown option(s) colour; valid options: filename, layout"
