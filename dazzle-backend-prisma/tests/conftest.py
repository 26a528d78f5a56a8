"""Fixtures: compiling DSL text, and Prisma's own validator and formatter.

The validator is the npm package ``@prisma/prisma-schema-wasm``, run under
Node through ``prisma_check.js``; ``DAZZLE_PRISMA_WASM`` names its package
folder (``nox -s prisma`` installs it and sets the variable). Tests that
need it fail, with a message saying how to get it, when it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from dazzle.core import ir
from dazzle.testing import compile_dsl, compile_project

# The test kit's fixtures (dazzle_example, dazzle_build, ...), as a third-party
# backend would use them.
pytest_plugins = ["dazzle.testing.fixtures"]

TESTS = Path(__file__).resolve().parent
WASM_ENV = "DAZZLE_PRISMA_WASM"


@dataclass(frozen=True)
class PrismaVerdict:
    error: str | None
    formatted: str | None


class PrismaTool:
    """Prisma's validator and formatter, many schemas per Node process."""

    def __init__(self, node: str, package: Path) -> None:
        self.node = node
        self.package = package

    def check(self, schemas: Mapping[str, str]) -> dict[str, PrismaVerdict]:
        request = json.dumps([[name, text] for name, text in schemas.items()])
        done = subprocess.run(
            [self.node, str(TESTS / "prisma_check.js"), str(self.package)],
            input=request.encode("utf-8"),
            capture_output=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"prisma_check.js failed:\n{done.stderr.decode('utf-8', 'replace')}")
        results = json.loads(done.stdout)
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
        pytest.fail(
            f"{WASM_ENV}={location} is not the folder of an npm package (no package.json)", pytrace=False
        )
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node (`node`) is not on PATH; Prisma's validator runs under Node", pytrace=False)
    return PrismaTool(node, package)


@pytest.fixture(scope="session")
def dsl() -> Callable[..., ir.AppSpec]:
    """``dsl(text, file="test.dsl")``: the AppSpec of one DSL module (the test
    kit's ``compile_dsl``; the texts here are written unindented)."""
    return lambda text, file="test.dsl": compile_dsl(text, file, dedent=False)


@pytest.fixture(scope="session")
def project() -> Callable[[Path], ir.AppSpec]:
    """``project(path)``: the AppSpec of a project folder or ``.dsl`` file."""
    return compile_project
