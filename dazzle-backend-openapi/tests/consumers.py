"""The downstream tools a user feeds an OpenAPI document to, run as they
would run them: openapi-python-client (then ``mypy --strict``),
openapi-typescript (then ``tsc --strict``) and Prism's mock server.

``nox -s openapi`` installs each at a pinned version and says where they are
through the environment variables below; run by hand, a test that needs a
missing tool fails and says how to install it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

#: node_modules holding openapi-typescript and typescript.
TYPESCRIPT_ENV = "DAZZLE_OPENAPI_TS_MODULES"
#: node_modules holding @stoplight/prism-cli.
PRISM_ENV = "DAZZLE_PRISM_MODULES"

#: Bounds on waiting for Prism, so that a broken install fails instead of hanging.
PRISM_START_SECONDS = 120
REQUEST_SECONDS = 30

# openapi-python-client runs ruff on its output by default; the check is of
# the generated code as the generator writes it.
_PYTHON_CLIENT_CONFIG = "post_hooks: []\n"


def _node_modules(variable: str, packages: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        pytest.fail(
            f"{variable} is not set. Run these tests with `nox -s openapi`, which installs "
            f"{packages} from npm and sets it, or `npm install --prefix DIR {packages}` (the "
            f"versions in noxfile.py) and set {variable}=DIR/node_modules.",
            pytrace=False,
        )
    path = Path(value).resolve()
    if not path.is_dir():
        pytest.fail(f"{variable}={value} is not a folder", pytrace=False)
    return path


def _python_tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(
            f"{name} is not installed beside {sys.executable}; `nox -s openapi` installs it "
            f"(the pinned version is in noxfile.py)",
            pytrace=False,
        )
    return str(path)


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


# --- openapi-python-client and mypy --------------------------------------------


def python_client(document: Path, package: str, out: Path) -> str:
    """Generate a client package ``out/package``; return what the generator
    printed (it reports every skipped construct there as a warning)."""
    config = out / f"{package}.config.yaml"
    config.write_text(_PYTHON_CLIENT_CONFIG + f"package_name_override: {package}\n", encoding="utf-8")
    proc = _run(
        [
            _python_tool("openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(out / package),
            "--meta",
            "none",
            "--config",
            str(config),
            "--overwrite",
        ],
        out,
    )
    printed = proc.stdout + proc.stderr
    assert proc.returncode == 0, printed
    return printed


def mypy_strict(packages: list[Path]) -> str:
    """``mypy --strict`` over the packages, in one run; return its report."""
    proc = _run(
        [_python_tool("mypy"), "--strict", "--no-incremental", "--hide-error-context", *(p.name for p in packages)],
        packages[0].parent,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return proc.stdout + proc.stderr if proc.returncode else ""


# --- openapi-typescript and tsc ---------------------------------------------------


def typescript_types(documents: dict[str, Path], out: Path) -> dict[str, str]:
    """``openapi-typescript`` for each document (``out/NAME.ts``); return what
    it printed on stderr for each (warnings go there)."""
    modules = _node_modules(TYPESCRIPT_ENV, "openapi-typescript typescript")
    printed = {}
    for name, document in documents.items():
        proc = _run(
            [str(modules / ".bin" / "openapi-typescript"), str(document), "-o", str(out / f"{name}.ts")],
            out,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        printed[name] = proc.stderr
    return printed


def tsc_strict(files: list[Path]) -> str:
    """``tsc --strict --noEmit`` over the files, in one run; return its report."""
    modules = _node_modules(TYPESCRIPT_ENV, "openapi-typescript typescript")
    proc = _run([str(modules / ".bin" / "tsc"), "--strict", "--noEmit", *map(str, files)], files[0].parent)
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr


# --- Prism ----------------------------------------------------------------------


@attrs.frozen
class MockAnswer:
    """What Prism answered to one request."""

    path: str
    status: int
    violations: str | None  # Prism's ``sl-violations`` header, if any
    body: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def prism_mocks(documents: list[tuple[Path, Path]]) -> Iterator[list[str]]:
    """Prism mock servers, one per ``(document, log)``, started together (Node
    takes seconds to start) on 127.0.0.1 with ``--errors`` (a response that
    violates the document is answered as an error); yields their base URLs
    and stops each, by its process id, on the way out."""
    modules = _node_modules(PRISM_ENV, "@stoplight/prism-cli")
    started: list[tuple[subprocess.Popen[bytes], Path, int]] = []
    try:
        for document, log in documents:
            port = _free_port()
            with log.open("wb") as sink:
                proc = subprocess.Popen(
                    [
                        str(modules / ".bin" / "prism"),
                        "mock",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--errors",
                        str(document),
                    ],
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            started.append((proc, log, port))
        deadline = time.monotonic() + PRISM_START_SECONDS
        for proc, log, _ in started:
            while "Prism is listening" not in log.read_text(encoding="utf-8", errors="replace"):
                if proc.poll() is not None:
                    raise AssertionError(f"prism exited with {proc.returncode}:\n{log.read_text()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"prism did not start in {PRISM_START_SECONDS} s:\n{log.read_text()}")
                time.sleep(0.2)
        yield [f"http://127.0.0.1:{port}" for _, _, port in started]
    finally:
        for proc, _, _ in started:
            # Its own session: the signal reaches Prism and any worker it forked.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, _, _ in started:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)


def get(base: str, path: str) -> MockAnswer:
    request = urllib.request.Request(
        base + path, headers={"Authorization": "Bearer token", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
            return MockAnswer(
                path, response.status, response.headers.get("sl-violations"), response.read().decode("utf-8")
            )
    except urllib.error.HTTPError as error:
        return MockAnswer(
            path, error.code, error.headers.get("sl-violations"), error.read().decode("utf-8", errors="replace")
        )


def _resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in item:
        node: Any = document
        for token in item["$ref"].removeprefix("#/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        item = node
    return item


def _sample(schema: dict[str, Any]) -> str:
    """A value a path parameter of this schema accepts."""
    if "examples" in schema:
        return str(schema["examples"][0])
    if "example" in schema:
        return str(schema["example"])
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return "1"
    return "x" * min(3, schema.get("maxLength", 3))


def get_paths(document: dict[str, Any]) -> list[str]:
    """Every path that has a GET operation, with its parameters filled in."""
    concrete = []
    for template, item in document.get("paths", {}).items():
        if "get" not in item:
            continue
        path = template
        for parameter in [*item.get("parameters", []), *item["get"].get("parameters", [])]:
            parameter = _resolve(document, parameter)
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", _sample(parameter["schema"]))
        concrete.append(path)
    return concrete


def answers(documents: list[tuple[Path, Path]]) -> list[list[MockAnswer]]:
    """For each ``(document, log)``, Prism's answer to a GET of each path,
    from one server per document."""
    with prism_mocks(documents) as bases:
        return [
            [get(base, path) for path in get_paths(load_document(document))]
            for base, (document, _) in zip(bases, documents, strict=True)
        ]


def load_document(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def violations_logged(log: Path) -> list[str]:
    """The lines of Prism's log that report a violation of the document."""
    return [line for line in log.read_text(encoding="utf-8").splitlines() if "Violation" in line]


def dumps(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)
