"""Every check for every distribution, each in a fresh virtualenv.

`nox` runs the default sessions (all the tests); `nox -s demo` sets up and runs
the README's example; `nox -s bench` runs the benchmark (not a test).
"""

from __future__ import annotations

from pathlib import Path

import nox

ROOT = Path(__file__).parent
CORE = ROOT / "dazzle-core"
OPENAPI = ROOT / "dazzle-backend-openapi"
PRISMA = ROOT / "dazzle-backend-prisma"

# Versions of the field's own validators, installed from npm by the sessions
# that use them.
REDOCLY_CLI = "@redocly/cli@2.77.0"
PRISMA_SCHEMA_WASM = "@prisma/prisma-schema-wasm@8.1.0-2.59be4fda12412a79eeb9c2ae727b6aa723593323"
# Prisma's migration engine (the same engine build as the validator), the
# SQLite driver adapter and its client, and PGlite (PostgreSQL in WebAssembly):
# the prisma session turns every schema into a real database with them.
PRISMA_ENGINES = (
    "@prisma/schema-engine-wasm@8.1.0-2.59be4fda12412a79eeb9c2ae727b6aa723593323",
    "@prisma/adapter-libsql@7.10.0",
    "@prisma/driver-adapter-utils@7.10.0",
    "@libsql/client@0.17.4",
    "@electric-sql/pglite@0.5.17",
)

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["core", "plugins", "openapi", "prisma", "scaffold"]
nox.options.reuse_existing_virtualenvs = False


def test_deps(distribution: Path) -> list[str]:
    return list(nox.project.dependency_groups(nox.project.load_toml(distribution / "pyproject.toml"), "test"))


def npm_install(session: nox.Session, folder: str, package: str) -> Path:
    """Install an npm package into a cache folder of its own; return its node_modules."""
    prefix = Path(session.cache_dir) / "npm" / folder
    prefix.mkdir(parents=True, exist_ok=True)
    session.run(
        "npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error", package,
        external=True,
    )
    return prefix / "node_modules"


@nox.session
def core(session: nox.Session) -> None:
    """dazzle-core alone: the compiler and the plugin API, with no backend installed."""
    session.install(str(CORE), *test_deps(CORE))
    session.run(
        "pytest", str(CORE / "tests"),
        "--ignore", str(CORE / "tests" / "e2e"), "--ignore", str(CORE / "tests" / "e2e_scaffold"),
        *session.posargs,
    )


@nox.session
def plugins(session: nox.Session) -> None:
    """Real entry-point discovery: test-only backend distributions installed beside dazzle-core."""
    dists = sorted(p for p in (CORE / "tests" / "e2e" / "dists").iterdir() if (p / "pyproject.toml").exists())
    session.install(str(CORE), *test_deps(CORE), *(str(d) for d in dists))
    session.run("pytest", str(CORE / "tests" / "e2e"), *session.posargs)


@nox.session
def openapi(session: nox.Session) -> None:
    """dazzle-backend-openapi with dazzle-core alone, checked by openapi-spec-validator and Redocly."""
    modules = npm_install(session, "redocly", REDOCLY_CLI)
    session.install(str(CORE), str(OPENAPI), *test_deps(OPENAPI))
    session.run("pytest", str(OPENAPI / "tests"), *session.posargs,
                env={"DAZZLE_REDOCLY_BIN": str(modules / ".bin" / "redocly")})


@nox.session
def prisma(session: nox.Session) -> None:
    """dazzle-backend-prisma with dazzle-core alone, checked by Prisma's own validator and formatter,
    and by Prisma's migration engine on real SQLite and PostgreSQL (PGlite) databases."""
    modules = npm_install(session, "prisma", PRISMA_SCHEMA_WASM)
    # one folder for the engine and its companions (npm_install adds one package at a time)
    engines = [npm_install(session, "prisma-engines", package) for package in PRISMA_ENGINES][0]
    session.install(str(CORE), str(PRISMA), *test_deps(PRISMA))
    session.run("pytest", str(PRISMA / "tests"), *session.posargs,
                env={"DAZZLE_PRISMA_WASM": str(modules / "@prisma" / "prisma-schema-wasm"),
                     "DAZZLE_PRISMA_ENGINES": str(engines)})


@nox.session
def scaffold(session: nox.Session) -> None:
    """The third-party author's path: `dazzle new-backend`, its tests, install, build."""
    session.install(str(CORE), *test_deps(CORE), "build")
    session.run("pytest", str(CORE / "tests" / "e2e_scaffold"), *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Install DAZZLE with both backends, validate and build the bundled example."""
    session.install(str(CORE), str(OPENAPI), str(PRISMA))
    example = ROOT / "examples" / "helpdesk"
    session.run("dazzle", "--version")
    session.run("dazzle", "validate", str(example))
    session.run("dazzle", "build", str(example), "--out", str(example / "build"))
    session.log(f"Artifacts written to {example / 'build'}")


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark: time and peak memory per stage at several sizes (not a test)."""
    session.install(str(CORE), str(OPENAPI), str(PRISMA))
    session.run("python", str(ROOT / "bench" / "run.py"), *session.posargs)
