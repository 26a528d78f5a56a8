"""The test kit for backend authors, ``dazzle.testing``: compiling, the
bundled examples, ``run_backend``, the pytest fixtures and the conformance
check (against distributions installed into a temporary folder on sys.path:
real entry points, no pip)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from backend_calls import calls, record
from dazzle.backends import Backend, BackendCapabilities, BackendError, BackendOption, BackendWarning
from dazzle.backends.committer import CommitError
from dazzle.backends.options import OptionError
from dazzle.backends.registry import UnknownBackendError
from dazzle.core import ir
from dazzle.testing import (
    CHECKS,
    EXAMPLE_NAMES,
    ConformanceError,
    SpecError,
    assert_conforms,
    check_conformance,
    compile_dsl,
    compile_example,
    compile_project,
    compile_project_at,
    example_path,
    load_example,
    run_backend,
)
from dazzle.testing.conformance import CheckResult, ConformanceReport, capability_problems, describe_difference

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]

APP = """
    app shop "Shop"

    entity Product "Product":
      id: uuid pk
      name: str(100) required
"""


# --- importing ----------------------------------------------------------------------------------------


def test_the_kit_imports_without_pytest():
    code = textwrap.dedent("""
        import sys
        sys.modules["pytest"] = None  # an import of pytest now fails
        import dazzle.testing
        from dazzle.testing import assert_conforms, compile_dsl, run_backend
        assert "_pytest" not in sys.modules
        print(compile_dsl('app a "A"').name)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "a\n"


# --- compiling ----------------------------------------------------------------------------------------


def test_compile_dsl_dedents_and_gives_the_appspec():
    appspec = compile_dsl(APP, "shop.dsl")
    assert appspec.name == "shop"
    assert appspec.get_entity("Product").location == ir.SourceLocation("shop.dsl", 3, 8)


def test_compile_dsl_raises_spec_error_with_the_diagnostics():
    with pytest.raises(SpecError) as caught:
        compile_dsl(
            """
            app shop "Shop"

            entity Order "Order":
              id: uuid pk
              product: ref Produkt required
        """,
            "shop.dsl",
        )
    assert isinstance(caught.value, AssertionError)
    message = str(caught.value)
    assert message.startswith("the DSL text (shop.dsl) does not compile:")
    assert "shop.dsl:5:" in message and "Produkt" in message
    assert caught.value.result.error_count == 1


def test_compile_project_and_the_examples():
    assert compile_project_at(REPO / "examples" / "helpdesk").name == "helpdesk"
    assert compile_example("bookshop").name == "bookshop"
    with pytest.raises(SpecError, match="does not compile"):
        compile_project_at(REPO / "no-such-project")


def test_compile_project_is_the_deprecated_name_of_compile_project_at():
    with pytest.deprecated_call(match="use dazzle.testing.compile_project_at"):
        assert compile_project(REPO / "examples" / "bookshop") == compile_project_at(REPO / "examples" / "bookshop")
    with pytest.deprecated_call(), pytest.raises(SpecError, match="does not compile"):
        compile_project(REPO / "no-such-project")


def test_the_examples_are_loaded_once_and_can_be_copied(tmp_path):
    assert EXAMPLE_NAMES == ("bookshop", "helpdesk")
    helpdesk = load_example("helpdesk")
    assert load_example("helpdesk") is helpdesk
    assert helpdesk.path == example_path("helpdesk")
    assert {e.module for e in helpdesk.appspec.entities} >= {"helpdesk.core", "helpdesk.billing"}
    copy = helpdesk.copy_to(tmp_path / "copy")
    assert compile_project_at(copy) == compile_project_at(copy)
    assert (copy / "dazzle.toml").read_bytes() == (helpdesk.path / "dazzle.toml").read_bytes()
    with pytest.raises(KeyError, match="no bundled example named 'shop'; the examples are bookshop, helpd"):
        example_path("shop")


def project_files(folder: Path) -> dict[str, bytes]:
    """Every file of the example projects under ``folder``, skipping what is
    not a project's (Python files of the package, build output)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not {"__pycache__", "build"} & set(relative.parts) and path.suffix != ".py":
            files[relative.as_posix()] = path.read_bytes()
    return files


def test_the_bundled_examples_are_the_repositorys_examples_byte_for_byte():
    # The kit ships a copy of examples/ inside the package, because a backend
    # author installs dazzle-core and never sees this repository. This test
    # runs against the installed package, so it also checks that the wheel
    # carries them. After changing examples/, copy them:
    #   cp -R examples/. dazzle-core/src/dazzle/testing/examples/
    shipped = project_files(example_path("helpdesk").parent)
    assert set(EXAMPLE_NAMES) == {path.split("/")[0] for path in shipped}
    assert shipped == project_files(REPO / "examples"), "copy examples/ into src/dazzle/testing/examples/"


# --- run_backend --------------------------------------------------------------------------------------

# Greeter records its calls as (method, options).


class Greeter(Backend):
    """Writes a greeting per entity."""

    def get_capabilities(self):
        return BackendCapabilities(
            name="greeter",
            description="Greetings",
            options=(
                BackendOption("greeting", str, default="hello"),
                BackendOption("count", int, default=1),
                BackendOption("style", str, default="plain", choices=("plain", "x")),
            ),
        )

    def validate_config(self, **options):
        record("validate_config", options)
        if options["count"] < 0:
            raise BackendError("count must not be negative")

    def generate(self, appspec, output_dir, **options):
        record("generate", options)
        if options["count"] == 13:
            raise KeyError("unlucky")
        (output_dir / "greetings").mkdir()
        for entity in appspec.entities:
            text = " ".join([options["greeting"]] * options["count"]) + f" {entity.name}\n"
            (output_dir / "greetings" / f"{entity.name}.txt").write_text(text, encoding="utf-8")


class Escapes(Backend):
    def generate(self, appspec, output_dir, **options):
        (output_dir / ".." / "outside.txt").write_text("x")


class Plain:
    """Not a subclass of Backend, and without get_capabilities."""

    def generate(self, appspec, output_dir, **options):
        (output_dir / "plain.txt").write_text(appspec.name)


@pytest.fixture(autouse=True)
def no_calls(calls_log):
    """Every test here starts with no calls recorded."""


def test_run_backend_builds_through_the_pipeline():
    output = run_backend(Greeter, compile_dsl(APP))
    assert output.backend == "greeter"
    assert output.paths == ("greetings/Product.txt",)
    assert output.text("greetings/Product.txt") == "hello Product\n"
    assert output.options == {"greeting": "hello", "count": 1, "style": "plain"}
    assert [call for call, _ in calls()] == ["validate_config", "generate"]
    assert output.out_dir is None
    assert [(c.kind, c.path) for c in output.plan.changes] == [("add", "greetings/Product.txt")]
    with pytest.raises(KeyError, match="did not write 'nothing.txt'; it wrote greetings/Product.txt"):
        output.text("nothing.txt")


def test_options_from_the_project_then_options_then_the_command_line(tmp_path):
    (tmp_path / "dsl").mkdir()
    (tmp_path / "dsl" / "shop.dsl").write_text(textwrap.dedent(APP), encoding="utf-8")
    (tmp_path / "dazzle.toml").write_text(
        textwrap.dedent("""
        [project]
        name = "shop"
        root = "shop"

        [modules]
        paths = ["./dsl"]

        [build.options.greeter]
        greeting = "hi"
        count = 2

        [build.options.other]
        anything = 1
    """),
        encoding="utf-8",
    )
    assert run_backend(Greeter, tmp_path).text("greetings/Product.txt") == "hi hi Product\n"
    assert run_backend(Greeter, tmp_path, options={"count": 3}).options["count"] == 3
    output = run_backend(Greeter, tmp_path, options={"count": 3}, command_line=["count=4", "greeter.style=x"])
    assert output.options == {"greeting": "hi", "count": 4, "style": "x"}


def test_run_backend_takes_an_example():
    output = run_backend(Greeter, load_example("bookshop"))
    assert output.paths == ("greetings/Author.txt", "greetings/Book.txt", "greetings/Order.txt")


def test_options_are_checked_as_dazzle_build_checks_them():
    with pytest.raises(OptionError, match=r"unknown option 'colour' for backend 'greeter' \(run_backend"):
        run_backend(Greeter, compile_dsl(APP), options={"colour": "red"})
    with pytest.raises(OptionError, match="must be an integer, not 'two'"):
        run_backend(Greeter, compile_dsl(APP), command_line=["count=two"])
    with pytest.raises(OptionError, match="must be one of plain, x"):
        run_backend(Greeter, compile_dsl(APP), options={"style": "quiet"})
    assert calls() == []


def test_the_backends_own_exceptions_come_out_as_they_were_raised(tmp_path):
    with pytest.raises(BackendError, match="^count must not be negative$"):
        run_backend(Greeter, compile_dsl(APP), options={"count": -1})
    with pytest.raises(KeyError, match="unlucky"):
        run_backend(Greeter, compile_dsl(APP), options={"count": 13}, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_output_folder_is_kept_and_only_changes_are_written(tmp_path):
    first = run_backend(Greeter, compile_dsl(APP), out_dir=tmp_path / "out")
    assert first.out_dir == tmp_path / "out"
    assert (tmp_path / "out" / "greetings" / "Product.txt").read_text() == "hello Product\n"
    (tmp_path / "out" / "mine.txt").write_text("the user's own")
    again = run_backend(Greeter, compile_dsl(APP), out_dir=tmp_path / "out")
    assert again.plan.changes == () and again.plan.unchanged == ("greetings/Product.txt",)
    assert again.paths == ("greetings/Product.txt",)


def test_writing_outside_the_output_folder_is_refused():
    with pytest.raises(CommitError, match="backend 'escapes' wrote outside its output folder"):
        run_backend(Escapes, compile_dsl(APP), name="escapes")


def test_an_unknown_installed_backend_and_bad_arguments():
    with pytest.raises(UnknownBackendError, match="unknown backend 'dazzle-kit-no-such-backend'"):
        run_backend("dazzle-kit-no-such-backend", compile_dsl(APP))
    with pytest.raises(ValueError, match="give the name to register Plain under: name=..."):
        run_backend(Plain, compile_dsl(APP))
    assert run_backend(Plain, compile_dsl(APP), name="plain").paths == ("plain.txt",)
    with pytest.raises(TypeError, match="source must be an AppSpec, an Example or a path"):
        run_backend(Greeter, 42)
    with pytest.raises(ValueError, match="only for a backend class"):
        run_backend("greeter", compile_dsl(APP), name="other")


# --- the pytest fixtures --------------------------------------------------------------------------------


def test_the_fixtures_plugin(pytester):
    pytester.makeconftest('pytest_plugins = ["dazzle.testing.fixtures"]\n')
    pytester.makepyfile(
        test_backend=textwrap.dedent("""
        from dazzle.backends import Backend


        class Lister(Backend):
            def generate(self, appspec, output_dir, **options):
                names = "".join(e.name + "\\n" for e in appspec.entities)
                (output_dir / "entities.txt").write_text(names)


        def test_each_example(dazzle_example):
            assert dazzle_example.appspec.name == dazzle_example.name
            assert (dazzle_example.path / "dazzle.toml").exists() == (dazzle_example.name == "helpdesk")


        def test_all_examples(dazzle_examples):
            assert sorted(dazzle_examples) == ["bookshop", "helpdesk"]


        def test_dsl(dazzle_dsl):
            assert dazzle_dsl('''
                app shop "Shop"
            ''').title == "Shop"


        def test_project(dazzle_project, dazzle_examples):
            assert dazzle_project(dazzle_examples["helpdesk"].path).name == "helpdesk"


        def test_build(dazzle_build, dazzle_examples, tmp_path):
            first = dazzle_build(Lister, dazzle_examples["bookshop"], name="lister")
            second = dazzle_build(Lister, dazzle_examples["bookshop"], name="lister")
            assert first.out_dir == tmp_path / "build-1" and second.out_dir == tmp_path / "build-2"
            assert (tmp_path / "build-1" / "entities.txt").read_text() == "Author\\nBook\\nOrder\\n"
    """)
    )
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["*test_each_example?bookshop? PASS*", "*test_each_example?helpdesk? PASS*"])


# --- the conformance check ------------------------------------------------------------------------------

FAKE_BACKENDS = '''
"""Backends for the conformance check's tests, good and bad."""

import json
import os
from pathlib import Path

from dazzle.backends import Backend, BackendCapabilities, BackendError, BackendOption, BackendWarning


def caps(name, **kwargs):
    kwargs.setdefault("description", "A test backend")
    return BackendCapabilities(name=name, **kwargs)


def check(options, known):
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise BackendError(f"unknown options: {unknown}")


def write(path, text):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BackendError(f"cannot write {path}: {error.strerror}") from error


class Good(Backend):
    def get_capabilities(self):
        return caps("good", output_formats=("txt",), options=(BackendOption("greeting", str, default="hi"),))

    def validate_config(self, **options):
        check(options, {"greeting"})

    def generate(self, appspec, output_dir, **options):
        self.validate_config(**options)
        names = "".join(f"{options['greeting']} {e.name}\\n" for e in appspec.entities)
        write(output_dir / "good" / "entities.txt", names)


class Raw(Backend):
    """Declares no options."""

    def get_capabilities(self):
        return caps("raw")

    def generate(self, appspec, output_dir, **options):
        write(output_dir / "raw.txt", appspec.name + "\\n")


class Seeded(Raw):
    def get_capabilities(self):
        return caps("seeded")

    def generate(self, appspec, output_dir, **options):
        write(output_dir / "seeded.txt", f"{hash('dazzle')}\\n")


class Stray(Raw):
    def get_capabilities(self):
        return caps("stray")

    def generate(self, appspec, output_dir, **options):
        write(output_dir / "ok.txt", "ok\\n")
        Path("stray.txt").write_text("written in the working folder")


class Escape(Raw):
    def get_capabilities(self):
        return caps("escape")

    def generate(self, appspec, output_dir, **options):
        write(output_dir / ".." / "beside.txt", "outside\\n")


class Crash(Raw):
    def get_capabilities(self):
        return caps("crash")

    def generate(self, appspec, output_dir, **options):
        return {}["missing"]


class Lax(Backend):
    """Declares an option, ignores unknown ones, lets OSError through."""

    def get_capabilities(self):
        return caps("lax", options=(BackendOption("level", int, default=1),))

    def generate(self, appspec, output_dir, **options):
        (output_dir / "lax.txt").write_text(str(options.get("level")))


class Misnamed(Raw):
    def get_capabilities(self):
        return BackendCapabilities(
            name="other",
            description="",
            output_formats=("txt", "txt"),
            options=(
                BackendOption("level", int, default="high"),
                BackendOption("mode", str, default="c", choices=("a", "b")),
                BackendOption("bad-name", str),
            ),
        )


class NoCapabilities:
    def generate(self, appspec, output_dir, **options):
        write(output_dir / "x.txt", "x\\n")
'''

ENTRY_POINTS = {
    "good": "Good",
    "raw": "Raw",
    "seeded": "Seeded",
    "stray": "Stray",
    "escape": "Escape",
    "crash": "Crash",
    "lax": "Lax",
    "misnamed": "Misnamed",
    "nocaps": "NoCapabilities",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder holding an installed distribution, as pip would lay it out:
    the module and a .dist-info folder with its entry points."""
    site = tmp_path_factory.mktemp("site")
    (site / "dazzle_kit_fakes.py").write_text(FAKE_BACKENDS, encoding="utf-8")
    info = site / "dazzle_kit_fakes-0.3.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dazzle-kit-fakes\nVersion: 0.3.0\n\n")
    lines = [f"{name} = dazzle_kit_fakes:{cls}" for name, cls in ENTRY_POINTS.items()]
    lines.append("broken = dazzle_kit_no_such_module:Backend")
    (info / "entry_points.txt").write_text("[dazzle.backends]\n" + "\n".join(lines) + "\n")
    return site


@pytest.fixture
def installed(site, monkeypatch, tmp_path):
    """The fake distribution on sys.path here and in child processes; the
    working folder a temporary one (a bad backend writes into it)."""
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    monkeypatch.chdir(tmp_path)
    yield
    sys.modules.pop("dazzle_kit_fakes", None)


def conformance(name, **kwargs):
    kwargs.setdefault("projects", [example_path("bookshop")])
    kwargs.setdefault("seeds", ("1", "2"))
    return check_conformance(name, **kwargs)


def statuses(report):
    return {r.check: r.status for r in report.results}


def test_a_good_backend_passes_every_check(installed):
    report = conformance("good", projects=[example_path(n) for n in EXAMPLE_NAMES])
    assert report.ok, str(report)
    assert [r.check for r in report.results] == list(CHECKS)
    assert set(statuses(report).values()) == {"pass"}
    assert report.result("entry point").detail == (
        "dazzle-kit-fakes 0.3.0: good = dazzle_kit_fakes:Good (API version 1)"
    )
    assert report.result("builds").detail == "2 projects: bookshop (1 file), helpdesk (1 file)"
    assert str(report).startswith("backend 'good': every conformance check passed\n  PASS entry point: ")
    assert assert_conforms("good", projects=[example_path("bookshop")], seeds=("3",)).ok


def test_options_are_given_to_every_build(installed):
    report = conformance("good", options={"greeting": "hey"})
    assert report.ok, str(report)
    report = conformance("good", options={"colour": "red"})
    assert "unknown option 'colour' for backend 'good'" in report.result("builds").detail


def test_without_projects_the_check_fails_as_it_built_nothing(installed):
    report = conformance("good", projects=[])
    assert not report.ok
    assert statuses(report)["builds"] == "fail"
    assert report.result("builds").detail == (
        "no projects given (projects=[]): nothing was built; name at least one, or leave projects out "
        "to build the bundled examples"
    )
    assert report.result("deterministic").status == "skip"
    assert report.result("rejects unknown options").status == "pass"
    with pytest.raises(ConformanceError, match=r"FAIL builds: no projects given \(projects=\[\]\)"):
        assert_conforms("good", projects=[])


def test_without_seeds_the_check_fails_as_it_compared_nothing(installed):
    report = conformance("good", seeds=())
    assert [r.check for r in report.failures] == ["deterministic"]
    assert report.result("deterministic").detail.startswith(
        "no seeds given (seeds=()): no build ran in a child process"
    )
    with pytest.raises(ConformanceError, match=r"FAIL deterministic: no seeds given"):
        assert_conforms("good", projects=[example_path("bookshop")], seeds=())


def test_a_backend_without_options_skips_the_unknown_option_check(installed):
    report = conformance("raw")
    assert report.ok, str(report)
    assert report.result("rejects unknown options").status == "skip"


def test_not_installed_or_not_loadable(installed):
    report = conformance("dazzle-kit-absent")
    assert statuses(report) == {check: "skip" for check in CHECKS} | {"entry point": "fail"}
    assert "no installed distribution declares 'dazzle-kit-absent'" in report.result("entry point").detail
    assert "pip install -e ." in report.result("entry point").detail
    broken = conformance("broken")
    assert "No module named 'dazzle_kit_no_such_module'" in broken.result("entry point").detail
    with pytest.raises(ConformanceError) as caught:
        assert_conforms("broken")
    assert isinstance(caught.value, AssertionError)
    assert str(caught.value).startswith("backend 'broken': 1 of 7 conformance checks failed\n  FAIL entry")
    assert "  SKIP capabilities: not run: the check 'entry point' failed" in str(caught.value)


def test_output_that_depends_on_the_hash_seed(installed):
    report = conformance("seeded")
    assert statuses(report)["deterministic"] == "fail"
    detail = report.result("deterministic").detail
    assert "bookshop, PYTHONHASHSEED=1: `dazzle build` in a child process wrote other bytes" in detail
    assert "seeded.txt differs" in detail


def test_seeds_may_be_integers(installed):
    report = conformance("seeded", seeds=(1, 2))
    assert "bookshop, PYTHONHASHSEED=1: `dazzle build` in a child process wrote other bytes" in (
        report.result("deterministic").detail
    )
    assert conformance("good", seeds=[0, "3"]).ok


@pytest.mark.parametrize("seed", [-1, 4294967296, "random", "1.5", True, None, "٣"])
def test_a_seed_python_would_not_take_is_refused(seed):
    with pytest.raises(ValueError, match=r"seeds must be integers from 0 to 4294967295 \(PYTHONHASHSEED\), not "):
        check_conformance("good", projects=[], seeds=(seed,))


def test_writing_into_the_working_folder(installed, tmp_path):
    report = conformance("stray")
    assert statuses(report)["writes only inside its output folder"] == "fail"
    detail = report.result("writes only inside its output folder").detail
    assert "bookshop, PYTHONHASHSEED=1: left files in its working folder: stray.txt" in detail


def test_writing_beside_the_output_folder(installed):
    report = conformance("escape")
    assert statuses(report)["builds"] == "fail"
    detail = report.result("writes only inside its output folder").detail
    assert "wrote outside its output folder: ../beside.txt" in detail


def test_a_crash_that_is_not_a_backend_error(installed):
    report = conformance("crash")
    assert statuses(report)["builds"] == "fail"
    assert statuses(report)["deterministic"] == "skip"
    detail = report.result("failures are BackendError").detail
    assert "bookshop: the build raised KeyError: 'missing' (at " in detail
    assert "an application that declares nothing: KeyError" in detail


def test_unknown_options_accepted_and_os_errors_let_through(installed):
    report = conformance("lax")
    unknown = report.result("rejects unknown options")
    assert unknown.status == "fail"
    assert (
        "validate_config() with the unknown option 'dazzle_conformance_no_such_option': "
        "validate_config() accepted it" in unknown.detail
    )
    assert "generate() with the unknown option" in unknown.detail
    failures = report.result("failures are BackendError").detail
    assert "generate() into an output folder that cannot be written" in failures
    assert "raised NotADirectoryError" in failures or "raised FileNotFoundError" in failures


def test_malformed_capabilities(installed):
    detail = conformance("misnamed").result("capabilities").detail.splitlines()
    assert detail == [
        "get_capabilities() names it 'other', but its entry point names it 'misnamed'; they must be the same",
        "the description is empty; `dazzle backends` shows it beside the name",
        "output_formats lists a format twice: ('txt', 'txt')",
        "option 'level' has the type int, but its default is 'high'",
        "option 'mode': the default 'c' is not one of its choices",
        "option name 'bad-name' is not an identifier; options are keyword arguments and -O keys",
    ]
    nocaps = conformance("nocaps")
    assert "it does not define get_capabilities()" in nocaps.result("capabilities").detail
    assert nocaps.result("rejects unknown options").status == "skip"


def test_capability_problems_of_option_types():
    good = BackendCapabilities(
        name="x",
        description="X",
        options=(BackendOption("ratio", float, default=1), BackendOption("on", bool, default=False)),
    )
    assert capability_problems(good, "x") == []
    bad = BackendCapabilities(
        name="x",
        description="two\nlines",
        options=(
            BackendOption("count", int, default=True),
            BackendOption("count", int, choices=(1, "2")),
        ),
    )
    assert capability_problems(bad, "x") == [
        "the description has more than one line; `dazzle backends` shows it on one",
        "option 'count' has the type int, but its default is True",
        "option 'count' is declared twice",
        "option 'count' has the type int, but its choices include '2'",
    ]


def test_capability_problems_of_list_options():
    good = BackendCapabilities(
        name="x",
        description="X",
        options=(
            BackendOption("tags", list[str], default=["a"]),
            BackendOption("kinds", list[str], default=("p",), choices=("p", "q")),
        ),
    )
    assert capability_problems(good, "x") == []
    bad = BackendCapabilities(
        name="x",
        description="X",
        options=(
            BackendOption("tags", list[str], default="a,b"),
            BackendOption("kinds", list[str], default=("p", "z"), choices=("p", "q")),
            BackendOption("sizes", list[str], choices=(1, 2)),
        ),
    )
    assert capability_problems(bad, "x") == [
        "option 'tags' has the type list[str], but its default is 'a,b'",
        "option 'kinds': the default ('p', 'z') has an item that is not one of its choices",
        "option 'sizes' has the type list[str], but its choices include 1",
    ]


def test_describe_difference():
    assert describe_difference({"a": b"1\n"}, {"a": b"1\n"}) == ""
    assert describe_difference({"a": b"x\ny\n", "b": b""}, {"a": b"x\nz\n", "c": b""}) == (
        "missing b; extra c; a differs:\n-y\n+z"
    )


class FailsNamingItsFile(Backend):
    """Raises BackendError naming the file it would write."""

    def get_capabilities(self):
        return BackendCapabilities(name="fails-naming")

    def generate(self, appspec, output_dir, **options):
        raise BackendError(f"cannot write {output_dir / 'out.txt'}")


def test_run_backend_errors_name_the_file_in_out_dir(tmp_path):
    appspec = compile_dsl('app a "A"')
    with pytest.raises(BackendError) as caught:
        run_backend(FailsNamingItsFile, appspec, out_dir=tmp_path / "mine")
    assert str(caught.value) == f"cannot write {tmp_path / 'mine' / 'out.txt'}"


class WarnsTwice(Backend):
    def get_capabilities(self):
        return BackendCapabilities(name="warns")

    def generate(self, appspec, output_dir, **options):
        import warnings

        for _ in range(2):
            warnings.warn(
                BackendWarning("Product renamed", location=appspec.get_entity("Product").location, code="X1"),
                stacklevel=1,
            )
        (output_dir / "x.txt").write_text("x")


def test_run_backend_exposes_every_backend_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the caller's filters do not hide them
        output = run_backend(WarnsTwice, compile_dsl(APP))
    assert [(str(w), w.code, w.location.line) for w in output.warnings] == [("Product renamed", "X1", 3)] * 2


class Hangs(Backend):
    def get_capabilities(self):
        return BackendCapabilities(name="hangs")

    def generate(self, appspec, output_dir, **options):
        while True:
            pass


def test_run_backend_stops_a_backend_at_the_time_limit():
    from dazzle.backends.runner import BackendRunError

    with pytest.raises(BackendRunError, match="did not finish generate within 0.3 seconds"):
        run_backend(Hangs, compile_dsl(APP), timeout=0.3)


def test_a_bug_raised_in_the_worker_carries_its_traceback():
    with pytest.raises(KeyError) as caught:
        run_backend(Greeter, compile_dsl(APP), options={"count": 13})
    assert "Raised in the backend's worker process:" in caught.value.__notes__[0]
    assert 'raise KeyError("unlucky")' in caught.value.__notes__[0]


def test_a_report_can_be_failed_by_a_check_of_ones_own():
    """``ConformanceReport.fail`` gives a new report (the record is frozen)
    with the check failed and the problem as a line of its detail."""
    report = ConformanceReport(
        "mine", (CheckResult("builds", "pass", "1 project"), CheckResult("deterministic", "skip"))
    )
    failed = report.fail("builds", "bookshop: it wrote nothing")
    again = failed.fail("builds", "helpdesk: it wrote nothing").fail("extra check", "the README is missing")
    assert report.ok and not failed.ok
    assert failed.result("builds") == CheckResult("builds", "fail", "bookshop: it wrote nothing")
    assert again.result("builds").detail == "bookshop: it wrote nothing\nhelpdesk: it wrote nothing"
    assert again.result("extra check") == CheckResult("extra check", "fail", "the README is missing")
    assert again.result("deterministic").status == "skip"
    assert str(again).startswith("backend 'mine': 2 of 3 conformance checks failed\n")
