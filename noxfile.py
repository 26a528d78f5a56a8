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

# The downstream tools the openapi session feeds every document to.
# (prism-cli 5.14 is the last release that runs on Node 20.)
OPENAPI_PYTHON_CLIENT = "openapi-python-client==0.29.1"
MYPY = "mypy==2.4.1"
OPENAPI_TYPESCRIPT = ("openapi-typescript@7.13.0", "typescript@5.9.3")
PRISM_CLI = "@stoplight/prism-cli@5.14.2"

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
    """dazzle-backend-openapi with dazzle-core alone, checked by openapi-spec-validator and Redocly,
    and used by openapi-python-client (+ mypy), openapi-typescript (+ tsc) and Prism's mock server."""
    modules = npm_install(session, "redocly", REDOCLY_CLI)
    for package in OPENAPI_TYPESCRIPT:  # one folder: openapi-typescript finds its typescript
        typescript = npm_install(session, "openapi-typescript", package)
    prism = npm_install(session, "prism", PRISM_CLI)
    session.install(str(CORE), str(OPENAPI), *test_deps(OPENAPI), OPENAPI_PYTHON_CLIENT, MYPY)
    session.run("pytest", str(OPENAPI / "tests"), *session.posargs,
                env={"DAZZLE_REDOCLY_BIN": str(modules / ".bin" / "redocly"),
                     "DAZZLE_OPENAPI_TS_MODULES": str(typescript),
                     "DAZZLE_PRISM_MODULES": str(prism)})


@nox.session
def prisma(session: nox.Session) -> None:
    """dazzle-backend-prisma with dazzle-core alone, checked by Prisma's own validator and formatter."""
    modules = npm_install(session, "prisma", PRISMA_SCHEMA_WASM)
    session.install(str(CORE), str(PRISMA), *test_deps(PRISMA))
    session.run("pytest", str(PRISMA / "tests"), *session.posargs,
                env={"DAZZLE_PRISMA_WASM": str(modules / "@prisma" / "prisma-schema-wasm")})


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
