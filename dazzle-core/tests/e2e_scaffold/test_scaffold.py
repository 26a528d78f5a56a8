"""The third-party author's path, end to end, as a person would walk it.

The `scaffold` nox session installs dazzle-core (and `build`) into its
virtualenv and runs these tests, which:

1. run `dazzle new-backend demo` in a temporary folder;
2. make a fresh virtualenv, install this repository's dazzle-core into it,
   then the generated distribution as its README says
   (`pip install -e . --group test`);
3. run the generated tests there, `dazzle backends`, and `dazzle build -b demo`
   on the repository's helpdesk example; check the generated backend with
   `mypy --strict` against the installed dazzle-core (its py.typed); show it
   refused, with the reason, by a dazzle-core whose API version is patched;
4. build a wheel and an sdist with `python -m build`, read the wheel's
   metadata, and install the wheel in place of the editable install.

Installing takes a while (pip builds dazzle-core and the new distribution),
so the folder, the virtualenv and the built files are made once per module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from installed_command import DAZZLE, require_installed
from new_backend_layout import GENERATED_FILES

REPO = Path(__file__).resolve().parents[3]
CORE = REPO / "dazzle-core"
HELPDESK = REPO / "examples" / "helpdesk"
BIN = "Scripts" if os.name == "nt" else "bin"
ENTRY_POINT = "demo = dazzle_backend_demo:DemoBackend"
Completed = subprocess.CompletedProcess


def run(*command: str | Path, cwd: Path | None = None, venv: Path | None = None) -> Completed:
    """Run a command outside the test's own virtualenv (in ``venv`` when given)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = os.pathsep.join([str(venv / BIN), env.get("PATH", "")])
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def succeed(*command: str | Path, **kwargs) -> Completed:
    done = run(*command, **kwargs)
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
    return done


@pytest.fixture(scope="module", autouse=True)
def session_has_dazzle():
    require_installed(session="scaffold")


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scaffold")


@pytest.fixture(scope="module")
def generated(work) -> Path:
    parent = work / "not-yet"  # --dir is created when missing
    done = succeed(DAZZLE, "new-backend", "demo", "--dir", parent)
    assert done.stdout.startswith(f"Wrote {parent / 'dazzle-backend-demo'}/")
    return parent / "dazzle-backend-demo"


@pytest.fixture(scope="module")
def venv(work, generated) -> Path:
    """A fresh virtualenv with dazzle-core from this repository and the
    generated distribution installed the way its README says."""
    venv = work / "venv"
    succeed(sys.executable, "-m", "venv", venv)
    python = venv / BIN / "python"
    succeed(python, "-m", "pip", "install", "--upgrade", "pip", venv=venv)  # --group needs pip >= 25.1
    # As the "Next" steps printed by new-backend say: dazzle-core from its folder first.
    succeed(python, "-m", "pip", "install", CORE, venv=venv)
    succeed(python, "-m", "pip", "install", "-e", ".", "--group", "test", cwd=generated, venv=venv)
    return venv


@pytest.fixture(scope="module")
def built(work, generated) -> Path:
    """The wheel and the sdist, built by `python -m build` as the README says."""
    out = work / "dist"
    succeed(sys.executable, "-m", "build", "--outdir", out, generated)
    return out


def only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"{pattern} in {folder}: {found}"
    return found[0]


# --- the generated folder ----------------------------------------------------------------------------


def test_the_generated_distribution(generated):
    files = sorted(p.relative_to(generated).as_posix() for p in generated.rglob("*") if p.is_file())
    assert files == GENERATED_FILES
    project = tomllib.loads((generated / "pyproject.toml").read_text())["project"]
    assert project["name"] == "dazzle-backend-demo"
    assert project["dependencies"] == ["dazzle-core>=0.1,<1"]
    assert project["entry-points"]["dazzle.backends"] == {"demo": "dazzle_backend_demo:DemoBackend"}
    assert (generated / "LICENSE").read_text().startswith("TODO: choose a licence")
    assert "Private :: Do Not Upload" in project["classifiers"]
    assert set(project["urls"]) == {"Homepage", "Source", "Issues"}
    again = run(DAZZLE, "new-backend", "demo", "--dir", generated.parent)
    assert again.returncode == 1
    assert "already exists; nothing was written" in again.stderr


# --- installed into a fresh virtualenv ---------------------------------------------------------------


def test_its_generated_tests_pass(venv, generated):
    done = succeed(venv / BIN / "python", "-m", "pytest", "-p", "no:cacheprovider", cwd=generated, venv=venv)
    assert "10 passed" in done.stdout, done.stdout


def test_dazzle_backends_lists_it(venv):
    done = succeed(venv / BIN / "dazzle", "backends", "--json", venv=venv)
    backends = {b["name"]: b for b in json.loads(done.stdout)["backends"]}
    assert set(backends) == {"demo"}
    demo = backends["demo"]
    assert demo["status"] == "available"
    assert demo["description"] == "A Markdown summary of the application's entities"
    assert demo["distributions"] == [{"name": "dazzle-backend-demo", "version": "0.1.0", "entry_point": ENTRY_POINT}]
    assert [(o["name"], o["default"], o["choices"]) for o in demo["options"]] == [
        ("filename", "demo.md", []),
        ("layout", "table", ["table", "list"]),
    ]
    text = succeed(venv / BIN / "dazzle", "backends", venv=venv).stdout
    assert text.startswith(
        "demo  A Markdown summary of the application's entities\n    from: dazzle-backend-demo 0.1.0\n"
    )
    version = succeed(venv / BIN / "dazzle", "--version", venv=venv).stdout
    assert "dazzle-backend-demo 0.1.0 (backends: demo)\n" in version


def test_dazzle_build_writes_its_output(venv, work):
    out = work / "helpdesk-build"
    done = succeed(venv / BIN / "dazzle", "build", HELPDESK, "-b", "demo", "-o", out, venv=venv)
    assert f"{out}: 1 added, 0 updated, 0 removed, 0 unchanged (demo)" in done.stderr
    text = (out / "demo.md").read_text(encoding="utf-8")
    assert text.startswith("# Help Desk — Support Centre\n\nVersion 1.2.0.\n")
    assert "\n## Ticket: Support ticket\n\n| field | type | required |\n" in text
    listed = succeed(
        venv / BIN / "dazzle",
        "build",
        HELPDESK,
        "-b",
        "demo",
        "-o",
        out,
        "-O",
        "demo.layout=list",
        "-O",
        "demo.filename=list.md",
        venv=venv,
    )
    # The file it no longer writes (demo.md) goes: the manifest says it wrote it.
    assert f"{out}: 1 added, 0 updated, 1 removed, 0 unchanged (demo)" in listed.stderr
    assert f"removed {out / 'demo.md'}" in listed.stdout.splitlines()
    assert not (out / "demo.md").exists()
    assert "- `title`: str(200), required\n" in (out / "list.md").read_text(encoding="utf-8")
    refused = run(
        venv / BIN / "dazzle", "build", HELPDESK, "-b", "demo", "-o", out, "-O", "demo.filename=../up.md", venv=venv
    )
    assert refused.returncode == 1
    assert "Backend error: demo: option 'filename' must be a plain file name (like demo.md), not '../up.md'" in (
        refused.stderr
    )
    assert not (work / "up.md").exists()


def test_the_generated_backend_passes_mypy_strict(venv, generated, work):
    # Written only against the public API, it type-checks against the
    # installed (not editable) dazzle-core: that needs its py.typed.
    site = succeed(
        venv / BIN / "python", "-c", "import dazzle, pathlib; print(pathlib.Path(dazzle.__file__).parent)", venv=venv
    ).stdout.strip()
    assert (Path(site) / "py.typed").is_file()
    assert "site-packages" in site
    # typed_backend.py uses the rest of the public API (IR helpers, apply_options, the JSON).
    done = run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--python-executable",
        venv / BIN / "python",
        "--cache-dir",
        work / "mypy-cache",
        "src",
        Path(__file__).with_name("typed_backend.py"),
        cwd=generated,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found in 3 source files")


PATCHED_CORE = """
import sys
import dazzle.backends.api as api
api.API_VERSION = 2
api.FIRST_CORE_RELEASE[2] = "1.0.0"
from dazzle.cli import main
sys.exit(main())
"""


def test_a_core_that_speaks_another_api_refuses_it_and_says_why(venv, work):
    python = venv / BIN / "python"
    done = succeed(python, "-c", PATCHED_CORE, "backends", "--json", venv=venv)
    (demo,) = json.loads(done.stdout)["backends"]
    assert (demo["name"], demo["status"]) == ("demo", "unavailable")
    why = (
        "'dazzle_backend_demo:DemoBackend' was written for backend API 1; this dazzle-core (0.1.0) speaks API 2: "
        "upgrade the backend to a release written for API 2, or install dazzle-core<1.0.0"
    )
    assert demo["reason"] == why
    built = run(python, "-c", PATCHED_CORE, "build", HELPDESK, "-b", "demo", "-o", work / "never", venv=venv)
    assert built.returncode == 1
    assert why in built.stderr
    assert not (work / "never").exists()


# --- built and published ------------------------------------------------------------------------------


def test_a_wheel_and_an_sdist_build(built):
    wheel = only(built, "dazzle_backend_demo-0.1.0-py3-none-any.whl")
    sdist = only(built, "dazzle_backend_demo-0.1.0.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = "dazzle_backend_demo-0.1.0.dist-info"
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        metadata = archive.read(f"{info}/METADATA").decode()
    assert [line.strip() for line in entry_points.strip().splitlines()] == ["[dazzle.backends]", ENTRY_POINT]
    assert "Name: dazzle-backend-demo\n" in metadata
    # Without --license: package indexes refuse this classifier, so it cannot be uploaded yet.
    assert "Classifier: Private :: Do Not Upload\n" in metadata
    assert "Project-URL: Source, https://example.org/your-name/dazzle-backend-demo\n" in metadata
    requirement = next(x for x in metadata.splitlines() if x.startswith("Requires-Dist: dazzle-core"))
    assert set(requirement.removeprefix("Requires-Dist: dazzle-core").split(",")) == {">=0.1", "<1"}
    assert "dazzle_backend_demo/backend.py" in names
    assert any(name.startswith(info) and name.endswith("LICENSE") for name in names)
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "src/dazzle_backend_demo/backend.py",
        "tests/test_backend.py",
        "tests/conftest.py",
    } <= members


def test_a_licence_chosen_with_license_reaches_the_wheel(work):
    succeed(DAZZLE, "new-backend", "licensed", "--dir", work, "--license", "MIT OR Apache-2.0")
    out = work / "licensed-dist"
    succeed(sys.executable, "-m", "build", "--wheel", "--outdir", out, work / "dazzle-backend-licensed")
    with zipfile.ZipFile(only(out, "*.whl")) as archive:
        metadata = archive.read("dazzle_backend_licensed-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: MIT OR Apache-2.0\n" in metadata
    assert "Classifier: Private :: Do Not Upload" not in metadata


def test_the_wheel_installs_and_works(venv, built, generated, work):
    # Last: it replaces the editable install with the wheel, as users get it.
    wheel = only(built, "*.whl")
    python = venv / BIN / "python"
    succeed(python, "-m", "pip", "install", "--force-reinstall", "--no-deps", wheel, venv=venv)
    shown = succeed(python, "-m", "pip", "show", "-f", "dazzle-backend-demo", venv=venv).stdout
    assert "Editable project location" not in shown
    out = work / "from-wheel"
    bookshop = REPO / "examples" / "bookshop"
    succeed(venv / BIN / "dazzle", "build", bookshop, "-b", "demo", "-o", out, venv=venv)
    assert "\n## Book: Book\n" in (out / "demo.md").read_text(encoding="utf-8")
    done = succeed(python, "-m", "pytest", "-p", "no:cacheprovider", cwd=generated, venv=venv)
    assert "10 passed" in done.stdout
