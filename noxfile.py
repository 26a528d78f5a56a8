"""Every check for every distribution, each in a fresh virtualenv.

`nox` runs the default sessions (all the tests and the linter); `nox -s demo`
sets up and runs the README's example; `nox -s shared` runs the tests that
read the reference examples kept beside the repository (`../shared`, absent
from a user's clone); `nox -s bench` runs the benchmark (not a test).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).parent
CORE = ROOT / "dazzle-core"
OPENAPI = ROOT / "dazzle-backend-openapi"
PRISMA = ROOT / "dazzle-backend-prisma"
# The reference examples beside the repository (CI has them; a user's clone
# does not); DAZZLE_SHARED_EXAMPLES names another folder.
SHARED_EXAMPLES = Path(os.environ.get("DAZZLE_SHARED_EXAMPLES", ROOT.parent / "shared" / "examples")).resolve()

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
RUFF = "ruff==0.17.6"
# PyPA's build: the scaffold session builds the generated distribution with it.
BUILD = "build==1.6.1"

# The downstream tools the openapi session feeds every document to.
# (prism-cli 5.14 is the last release that runs on Node 20.)
OPENAPI_PYTHON_CLIENT = "openapi-python-client==0.29.1"
MYPY = "mypy==2.4.1"
OPENAPI_TYPESCRIPT = ("openapi-typescript@7.13.0", "typescript@5.9.3")
PRISM_CLI = "@stoplight/prism-cli@5.14.2"

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "core", "plugins", "openapi", "prisma", "scaffold"]
nox.options.reuse_existing_virtualenvs = False


def test_deps(distribution: Path) -> list[str]:
    return list(nox.project.dependency_groups(nox.project.load_toml(distribution / "pyproject.toml"), "test"))


def require_node(session: nox.Session) -> None:
    """Stop, before any work, in one line saying what to install, when Node.js or npm is missing."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        session.error(
            f"{' and '.join(missing)} not found: this session runs tools that need Node.js 20 or newer "
            "and npm (Debian/Ubuntu: apt-get install nodejs npm; elsewhere: nodejs.org)"
        )


def npm_install(session: nox.Session, folder: str, package: str) -> Path:
    """Install an npm package into a cache folder of its own; return its node_modules."""
    require_node(session)
    prefix = Path(session.cache_dir) / "npm" / folder
    prefix.mkdir(parents=True, exist_ok=True)
    session.run(
        "npm",
        "install",
        "--prefix",
        str(prefix),
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        package,
        external=True,
    )
    return prefix / "node_modules"


@nox.session
def lint(session: nox.Session) -> None:
    """ruff's linter and its formatter check, over the whole repository (settings: pyproject.toml)."""
    session.install(RUFF)
    session.run("ruff", "check", str(ROOT), *session.posargs)
    session.run("ruff", "format", "--check", str(ROOT))


@nox.session
def core(session: nox.Session) -> None:
    """dazzle-core alone: the compiler and the plugin API, with no backend installed."""
    require_node(session)  # the command-backend tests run the guide's JavaScript example
    session.install(str(CORE), *test_deps(CORE))
    session.run(
        "pytest",
        str(CORE / "tests"),
        "--ignore",
        str(CORE / "tests" / "e2e"),
        "--ignore",
        str(CORE / "tests" / "e2e_scaffold"),
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
    """dazzle-backend-openapi with dazzle-core alone, checked by openapi-spec-validator and Redocly,
    and used by openapi-python-client (+ mypy), openapi-typescript (+ tsc) and Prism's mock server."""
    modules = npm_install(session, "redocly", REDOCLY_CLI)
    for package in OPENAPI_TYPESCRIPT:  # one folder: openapi-typescript finds its typescript
        typescript = npm_install(session, "openapi-typescript", package)
    prism = npm_install(session, "prism", PRISM_CLI)
    session.install(str(CORE), str(OPENAPI), *test_deps(OPENAPI), OPENAPI_PYTHON_CLIENT, MYPY)
    session.run(
        "pytest",
        str(OPENAPI / "tests"),
        *session.posargs,
        env={
            "DAZZLE_REDOCLY_BIN": str(modules / ".bin" / "redocly"),
            "DAZZLE_OPENAPI_TS_MODULES": str(typescript),
            "DAZZLE_PRISM_MODULES": str(prism),
        },
    )


def prisma_tools(session: nox.Session) -> dict[str, str]:
    """Install Prisma's validator and its migration engine (with the SQLite adapter and PGlite);
    return the variables that tell the prisma tests where they are."""
    modules = npm_install(session, "prisma", PRISMA_SCHEMA_WASM)
    # one folder for the engine and its companions (npm_install adds one package at a time)
    engines = [npm_install(session, "prisma-engines", package) for package in PRISMA_ENGINES][0]
    return {
        "DAZZLE_PRISMA_WASM": str(modules / "@prisma" / "prisma-schema-wasm"),
        "DAZZLE_PRISMA_ENGINES": str(engines),
    }


@nox.session
def prisma(session: nox.Session) -> None:
    """dazzle-backend-prisma with dazzle-core alone, checked by Prisma's own validator and formatter,
    and by Prisma's migration engine on real SQLite and PostgreSQL (PGlite) databases."""
    env = prisma_tools(session)
    session.install(str(CORE), str(PRISMA), *test_deps(PRISMA))
    session.run("pytest", str(PRISMA / "tests"), *session.posargs, env=env)


@nox.session
def scaffold(session: nox.Session) -> None:
    """The third-party author's path: `dazzle new-backend`, its tests, install, build."""
    session.install(str(CORE), *test_deps(CORE), BUILD)
    session.run("pytest", str(CORE / "tests" / "e2e_scaffold"), *session.posargs)


@nox.session
def shared(session: nox.Session) -> None:
    """The tests marked `shared`: they read the reference examples beside the repository,
    and fail without them. Not a default session, since a user's clone has no `../shared`."""
    if not SHARED_EXAMPLES.is_dir():
        session.error(f"{SHARED_EXAMPLES} is missing: this session needs the reference examples beside the repository")
    redocly = npm_install(session, "redocly", REDOCLY_CLI) / ".bin" / "redocly"
    prisma_env = prisma_tools(session)
    session.install(str(CORE), str(OPENAPI), str(PRISMA), *test_deps(CORE), *test_deps(OPENAPI), *test_deps(PRISMA))
    env = {"DAZZLE_SHARED_EXAMPLES": str(SHARED_EXAMPLES), "DAZZLE_REDOCLY_BIN": str(redocly), **prisma_env}
    # One pytest run per distribution: each test folder has its own conftest.
    for tests in (CORE / "tests", OPENAPI / "tests", PRISMA / "tests"):
        session.run("pytest", str(tests), "-m", "shared", *session.posargs, env=env)


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
