"""The backend as DAZZLE meets it: the entry point, its capabilities and
options, the file it writes, and output that is the same bytes every time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

from dazzle.backends import BackendCapabilities
from dazzle_backend_prisma import PrismaBackend, generate_schema

PROJECT = """
app shop "Shop"
entity Customer "Customer":
  id: uuid pk
  email: email unique
  name: str(120) required
entity Order "Order":
  id: int pk
  customer: ref Customer required
  placed_at: datetime auto_add
  status: enum[new,paid,shipped]=new
  total: decimal(10,2)
"""


def test_registered_under_dazzle_backends():
    found = [ep for ep in entry_points(group="dazzle.backends") if ep.name == "prisma"]
    assert len(found) == 1
    assert found[0].value == "dazzle_backend_prisma:PrismaBackend"
    assert found[0].load() is PrismaBackend


def test_found_by_dazzle_registry():
    from dazzle.backends.registry import BackendRegistry

    registry = BackendRegistry()
    registry.discover()
    assert "prisma" in registry.list_backends()
    assert isinstance(registry.get("prisma"), PrismaBackend)
    assert registry.describe_one("prisma").status == "available"


def test_capabilities_declare_the_options():
    capabilities = PrismaBackend().get_capabilities()
    assert isinstance(capabilities, BackendCapabilities)
    assert capabilities.name == "prisma"
    # Stated on the class itself, as the literal it was written for.
    assert vars(PrismaBackend)["api_version"] == 1
    options = {o.name: o for o in capabilities.options}
    assert list(options) == ["provider", "naming", "generator", "generator_output"]
    assert options["provider"].default == "postgresql"
    assert options["provider"].choices == ("postgresql", "mysql", "sqlite", "sqlserver", "cockroachdb")
    assert options["naming"].default == "prisma"
    assert options["naming"].choices == ("prisma", "preserve")
    assert options["generator"].default == "prisma-client"
    assert options["generator_output"].default == "../generated/prisma"
    assert all(o.type is str and o.help for o in options.values())


def test_validate_config_accepts_every_declared_choice():
    backend = PrismaBackend()
    for option in backend.get_capabilities().options:
        for choice in option.choices:
            backend.validate_config(**{option.name: choice})
    backend.validate_config()


def test_generate_writes_prisma_schema(dsl, tmp_path):
    appspec = dsl(PROJECT)
    PrismaBackend().generate(appspec, tmp_path, provider="postgresql", naming="prisma")
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["prisma/schema.prisma"]
    data = (tmp_path / "prisma" / "schema.prisma").read_bytes()
    assert data.decode("utf-8") == generate_schema(appspec)
    assert b"\r" not in data and data.endswith(b"}\n") and not data.endswith(b"\n\n")


def test_same_bytes_every_time(dsl, tmp_path):
    appspec = dsl(PROJECT)
    first = generate_schema(appspec, provider="mysql")
    assert all(generate_schema(appspec, provider="mysql") == first for _ in range(3))
    assert generate_schema(dsl(PROJECT), provider="mysql") == first


def test_same_bytes_in_fresh_interpreters(tmp_path):
    """String hashing differs between interpreters; the output must not."""
    (tmp_path / "app.dsl").write_text(PROJECT + _MANY_ENTITIES, encoding="utf-8")
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from dazzle.core.compiler import compile_path
        from dazzle_backend_prisma import generate_schema
        result = compile_path(Path(sys.argv[1]))
        for provider in ("postgresql", "sqlserver"):
            for naming in ("prisma", "preserve"):
                sys.stdout.write(generate_schema(result.appspec, provider=provider, naming=naming))
        """
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "app.dsl")],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


_MANY_ENTITIES = "".join(
    f"entity Item{i}:\n  id: int pk\n  owner: ref Customer\n  other: ref Item{(i * 7) % 20}\n"
    f"  peer: ref Item{(i * 3) % 20} unique?\n  kind: enum[a,b,c]\n  index owner,kind\n"
    for i in range(20)
)


def test_dazzle_build_with_the_cli(tmp_path):
    """End to end: the installed ``dazzle`` command finds the backend and
    writes the schema, options given the way users give them."""
    dazzle = Path(sys.executable).parent / ("dazzle.exe" if os.name == "nt" else "dazzle")
    assert dazzle.exists(), "the dazzle command must be installed beside this Python (nox -s prisma does it)"
    (tmp_path / "app.dsl").write_text(PROJECT, encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [
            str(dazzle),
            "build",
            str(tmp_path / "app.dsl"),
            "--out",
            str(out),
            "-b",
            "prisma",
            "-O",
            "prisma.provider=sqlite",
            "-O",
            "prisma.naming=preserve",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = (out / "prisma" / "schema.prisma").read_text(encoding="utf-8")
    assert 'provider = "sqlite"' in text and "placed_at" in text
