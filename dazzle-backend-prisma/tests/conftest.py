"""Fixtures: compiling DSL text, Prisma's own validator and formatter, and
every case the tests turn into schemas.

The cases: the repository's examples, the edge cases in ``dsl/``, synthetic
projects drawn at random (but the same every run) and a small project from
the benchmark's generator; each for every provider and both naming styles.
They are built once per session (``every_schema``): Prisma's validator and
the real databases check the same schemas. A test takes a ``case`` argument
to run once per case, a ``database_case`` argument to run once per SQLite and
PostgreSQL case. (The tests run with ``--import-mode=importlib``, so they
share this through fixtures, not imports.)

The reference examples beside the repository are not among the cases: only
the tests marked ``shared`` read them (``shared_schemas``), run by
``nox -s shared``, which names their folder in ``DAZZLE_SHARED_EXAMPLES``;
without it those tests fail.

The validator is the npm package ``@prisma/prisma-schema-wasm``, run under
Node through ``prisma_check.js``; ``DAZZLE_PRISMA_WASM`` names its package
folder (``nox -s prisma`` installs it and sets the variable). Tests that
need it fail, with a message saying how to get it, when it is missing.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from dazzle.backends import BackendError
from dazzle.core import ir
from dazzle.testing import compile_dsl, compile_project_at
from dazzle_backend_prisma import generate_schema
from dazzle_backend_prisma.naming import NAMING_STYLES
from dazzle_backend_prisma.providers import PROVIDERS

# The test kit's fixtures (dazzle_example, dazzle_build, ...), as a third-party
# backend would use them.
pytest_plugins = ["dazzle.testing.fixtures"]

TESTS = Path(__file__).resolve().parent
WASM_ENV = "DAZZLE_PRISMA_WASM"
ENGINES_ENV = "DAZZLE_PRISMA_ENGINES"


def find_node(what: str) -> str:
    """The `node` program, which ``what`` runs under; fails the test without it."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"Node (`node`) is not on PATH; {what} runs under Node", pytrace=False)
    return node


def run_node_script(
    node: str, script: str, args: Sequence[str], schemas: Mapping[str, str], *, timeout: int
) -> list[dict[str, Any]]:
    """Run one of the Node scripts beside this file on ``schemas``, sent on
    stdin as JSON ``[name, text]`` pairs; its JSON answer, one object per schema."""
    done = subprocess.run(
        [node, str(TESTS / script), *args],
        input=json.dumps([[name, text] for name, text in schemas.items()]).encode("utf-8"),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"{script} failed:\n{done.stderr.decode('utf-8', 'replace')}")
    return json.loads(done.stdout)


@attrs.frozen
class PrismaVerdict:
    error: str | None
    formatted: str | None


class PrismaTool:
    """Prisma's validator and formatter, many schemas per Node process."""

    def __init__(self, node: str, package: Path) -> None:
        self.node = node
        self.package = package

    def check(self, schemas: Mapping[str, str]) -> dict[str, PrismaVerdict]:
        results = run_node_script(self.node, "prisma_check.js", [str(self.package)], schemas, timeout=600)
        return {r["name"]: PrismaVerdict(r["error"], r["formatted"]) for r in results}

    def check_one(self, text: str) -> PrismaVerdict:
        return self.check({"schema.prisma": text})["schema.prisma"]


@pytest.fixture(scope="session")
def prisma() -> PrismaTool:
    location = os.environ.get(WASM_ENV)
    if not location:
        pytest.fail(
            f"{WASM_ENV} is not set: these tests check the schemas with Prisma's own validator, the npm "
            "package @prisma/prisma-schema-wasm. Run them with `nox -s prisma`, which installs it, or "
            "`npm install --prefix DIR @prisma/prisma-schema-wasm@VERSION` (VERSION as in noxfile.py) and "
            f"set {WASM_ENV}=DIR/node_modules/@prisma/prisma-schema-wasm.",
            pytrace=False,
        )
    package = Path(location)
    if not (package / "package.json").is_file():
        pytest.fail(f"{WASM_ENV}={location} is not the folder of an npm package (no package.json)", pytrace=False)
    return PrismaTool(find_node("Prisma's validator"), package)


@attrs.frozen
class Migration:
    """What Prisma's migration engine made of one schema: the first
    migration's SQL, or the error; for PostgreSQL, the tables and foreign keys
    of the database the SQL made: table names, ``{table: key columns}``, and
    ``{table, columns, refTable, refColumns}`` per foreign key."""

    sql: str | None
    error: str | None
    tables: tuple[str, ...]
    primary_keys: Mapping[str, list[str]]
    foreign_keys: tuple[Mapping[str, object], ...]


class MigrationEngine:
    """Prisma's migration engine (``@prisma/schema-engine-wasm``), with the
    SQLite adapter and PGlite beside it, one Node process per provider."""

    def __init__(self, node: str, modules: Path) -> None:
        self.node = node
        self.modules = modules

    def migrate(self, provider: str, schemas: Mapping[str, str]) -> dict[str, Migration]:
        results = run_node_script(self.node, "prisma_migrate.mjs", [str(self.modules), provider], schemas, timeout=900)
        return {
            r["name"]: Migration(r["sql"], r["error"], tuple(r["tables"]), r["primaryKeys"], tuple(r["foreignKeys"]))
            for r in results
        }


@pytest.fixture(scope="session")
def migration_engine() -> MigrationEngine:
    location = os.environ.get(ENGINES_ENV)
    if not location:
        pytest.fail(
            f"{ENGINES_ENV} is not set: these tests turn the schemas into real databases with Prisma's "
            "migration engine. Run them with `nox -s prisma`, which installs it, or `npm install --prefix DIR` "
            "the packages and versions PRISMA_ENGINES in noxfile.py lists, and set "
            f"{ENGINES_ENV}=DIR/node_modules.",
            pytrace=False,
        )
    modules = Path(location)
    for package in ("@prisma/schema-engine-wasm", "@prisma/adapter-libsql", "@electric-sql/pglite"):
        if not (modules / package / "package.json").is_file():
            pytest.fail(f"{ENGINES_ENV}={location} does not hold the npm package {package}", pytrace=False)
    return MigrationEngine(find_node("Prisma's migration engine"), modules)


@pytest.fixture(scope="session")
def dsl() -> Callable[..., ir.AppSpec]:
    """``dsl(text, file="test.dsl")``: the AppSpec of one DSL module (the test
    kit's ``compile_dsl``; the texts here are written unindented)."""
    return lambda text, file="test.dsl": compile_dsl(text, file, dedent=False)


@pytest.fixture(scope="session")
def project() -> Callable[[Path], ir.AppSpec]:
    """``project(path)``: the AppSpec of a project folder or ``.dsl`` file."""
    return compile_project_at


REPOSITORY = TESTS.parents[1]
DSL_DIR = TESTS / "dsl"
EXAMPLES_DIR = REPOSITORY / "examples"
#: The reference examples live beside the repository, not in it: only the
#: tests marked `shared` read them, run by `nox -s shared`, which sets this.
SHARED_ENV = "DAZZLE_SHARED_EXAMPLES"
SHARED = ("support_tickets", "vat_tools")
EXAMPLES = tuple(sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir()))
OWN = tuple(sorted(p.stem for p in DSL_DIR.glob("*.dsl")))
SYNTHETIC_SEEDS = (1, 2, 3, 4)
#: The benchmark's generator at a small size: modules x entities per module.
BENCH_SIZE = (2, 12)
SOURCES = (
    *(f"example:{e}" for e in EXAMPLES),
    *(f"dsl:{s}" for s in OWN),
    *(f"synthetic:{s}" for s in SYNTHETIC_SEEDS),
    f"bench:{BENCH_SIZE[0]}x{BENCH_SIZE[1]}",
)


@attrs.frozen
class Generated:
    """What the backend made of one case: the schema or the refusal, and the
    warnings it gave (any kind: the tests check they are ``BackendWarning``)."""

    appspec: ir.AppSpec
    schema: str | None
    refusal: BackendError | None
    warnings: tuple[Warning, ...]


def synthetic_dsl(seed: int, entities: int = 40) -> str:
    """A project of ``entities`` entities drawn at random (but the same for the
    same seed): every type and modifier, int, uuid, str and email keys, refs
    to any entity (itself included), several refs to one entity, unique and
    index lines."""
    rng = random.Random(seed)
    names = [
        rng.choice(("Thing{}", "thing_{}", "Record{}Item", "record_{}_item", "X{}")).format(i) for i in range(entities)
    ]
    keys = {}
    lines = [f'app synthetic_{seed} "Synthetic {seed}"', ""]
    for name in names:
        keys[name] = rng.choice(("uuid", "uuid", "int", "int", "str(36)", "email"))
    for index, name in enumerate(names):
        lines.append(f'entity {name} "Entity {index} — n° {seed}":')
        lines.append(f"  id: {keys[name]} pk")
        scalars = []
        for number in range(rng.randint(1, 9)):
            field = rng.choice(("field_{}", "Field{}", "value_{}_x", "f{}"))
            field = field.format(number)
            kind = rng.choice(
                (
                    "str(40)",
                    "str(255)",
                    "text",
                    "int",
                    "decimal(10,2)",
                    "decimal(18,6)",
                    "bool",
                    "date",
                    "datetime",
                    "uuid",
                    "email",
                    "enum[alpha,beta,gamma]",
                    "enum[on,off]",
                )
            )
            modifier = rng.choice(("", "", " required", " optional", " unique", " unique?"))
            if kind == "text" and "unique" in modifier:
                modifier = " required"
            default = ""
            if not modifier.strip().startswith("unique") and rng.random() < 0.3:
                default = {
                    "int": "=7",
                    "decimal(10,2)": "=1.25",
                    "decimal(18,6)": " default=0",
                    "bool": "=true",
                    "date": '="2024-02-29"',
                    "datetime": '="2024-02-29T10:00:00Z"',
                    "str(40)": '="x"',
                    "str(255)": '=""',
                    "text": '="long"',
                    "email": '="a@example.com"',
                    "uuid": '="00000000-0000-0000-0000-000000000000"',
                    "enum[alpha,beta,gamma]": "=beta",
                    "enum[on,off]": " default=off",
                }[kind]
            if kind == "datetime" and not default and rng.random() < 0.3:
                modifier += rng.choice((" auto_add", " auto_update"))
            lines.append(f"  {field}: {kind}{default}{modifier}")
            if kind != "text":
                scalars.append(field)
        refs = []
        for number in range(rng.randint(0, 4)):
            target = rng.choice(names)
            modifier = rng.choice(("", " required", " optional", " unique?"))
            lines.append(f"  link_{number}: ref {target}{modifier}")
            refs.append(f"link_{number}")
        indexable = scalars + refs
        for _ in range(rng.randint(0, 3)):
            if indexable:
                chosen = rng.sample(indexable, rng.randint(1, min(3, len(indexable))))
                lines.append(f"  {rng.choice(('unique', 'index'))} {','.join(chosen)}")
        lines.append("")
    return "\n".join(lines)


def cases(providers: tuple[str, ...] = PROVIDERS, sources: tuple[str, ...] = SOURCES) -> tuple[str, ...]:
    """``source:provider:naming`` for every source, provider and naming style."""
    return tuple(
        f"{source}:{provider}:{naming}" for source in sources for provider in providers for naming in NAMING_STYLES
    )


def load_source(
    source: str, dsl: Callable[..., ir.AppSpec], project: Callable[[Path], ir.AppSpec], scratch: Path
) -> ir.AppSpec:
    """The AppSpec of a source."""
    kind, _, name = source.partition(":")
    if kind == "example":
        return project(EXAMPLES_DIR / name)
    if kind == "shared":
        folder = Path(os.environ.get(SHARED_ENV, "")).resolve() / name
        if SHARED_ENV not in os.environ or not folder.is_dir():
            pytest.fail(
                f"{SHARED_ENV} must name the reference examples' folder (holding {name}/): run `nox -s shared`",
                pytrace=False,
            )
        return project(folder)
    if kind == "dsl":
        return project(DSL_DIR / f"{name}.dsl")
    if kind == "bench":
        modules, entities = name.split("x")
        folder = scratch / f"bench_{name}"
        subprocess.run(
            [sys.executable, str(REPOSITORY / "bench" / "generate.py"), "--modules", modules,
             "--entities", entities, str(folder)],
            check=True, capture_output=True,
        )  # fmt: skip
        return project(folder)
    return dsl(synthetic_dsl(int(name)), file=f"synthetic_{name}.dsl")


def generate_every_schema(
    dsl: Callable[..., ir.AppSpec],
    project: Callable[[Path], ir.AppSpec],
    scratch: Path,
    sources: tuple[str, ...] = SOURCES,
) -> dict[str, Generated]:
    """Every case's schema (or refusal) and the warnings given on the way."""
    appspecs: dict[str, ir.AppSpec] = {}
    result = {}
    for case in cases(sources=sources):
        source, provider, naming = case.rsplit(":", 2)
        if source not in appspecs:
            appspecs[source] = load_source(source, dsl, project, scratch)
        appspec = appspecs[source]
        schema, refusal = None, None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                schema = generate_schema(appspec, provider=provider, naming=naming)
            except BackendError as exc:
                refusal = exc
        result[case] = Generated(
            appspec, schema, refusal, tuple(w.message for w in caught if isinstance(w.message, Warning))
        )
    return result


DATABASE_PROVIDERS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        metafunc.parametrize("case", cases())
    if "database_case" in metafunc.fixturenames:
        metafunc.parametrize("database_case", cases(DATABASE_PROVIDERS))


@pytest.fixture(scope="session")
def every_schema(dsl, project, tmp_path_factory) -> dict[str, Generated]:
    """``{case: Generated}`` for every case (built once)."""
    return generate_every_schema(dsl, project, tmp_path_factory.mktemp("projects"))


@pytest.fixture(scope="session")
def shared_schemas(dsl, project, tmp_path_factory) -> dict[str, Generated]:
    """``{case: Generated}`` for the reference examples beside the repository
    (``DAZZLE_SHARED_EXAMPLES``), every provider and naming style: for the
    tests marked ``shared`` only; it fails when the variable is missing."""
    return generate_every_schema(
        dsl, project, tmp_path_factory.mktemp("shared"), sources=tuple(f"shared:{s}" for s in SHARED)
    )


@pytest.fixture(scope="session")
def synthetic_projects() -> dict[int, str]:
    """``{seed: DSL text}`` of the synthetic projects among the cases."""
    return {seed: synthetic_dsl(seed) for seed in SYNTHETIC_SEEDS}
