"""The backend class that DAZZLE finds through the ``dazzle.backends`` entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dazzle.backends import BackendCapabilities, BackendError
from dazzle.core.ir import AppSpec

from dazzle_backend_prisma.build import build_schema
from dazzle_backend_prisma.options import OPTIONS, read_options
from dazzle_backend_prisma.render import render_schema

#: Where the schema goes, relative to the output folder: Prisma's CLI finds
#: ``prisma/schema.prisma`` without being told.
SCHEMA_PATH = Path("prisma") / "schema.prisma"


class PrismaBackend:
    """Writes a Prisma schema (prisma/schema.prisma) for the application's entities."""

    #: The backend API this class was written for (a literal: see docs/writing-a-backend.md).
    api_version = 1

    def get_capabilities(self) -> BackendCapabilities:
        return BackendCapabilities(
            name="prisma",
            description="Prisma schema (prisma/schema.prisma): a model per entity, with relations and enums",
            output_formats=("prisma",),
            options=OPTIONS,
        )

    def validate_config(self, **options: Any) -> None:
        read_options(options)

    def generate(self, appspec: AppSpec, output_dir: Path, **options: Any) -> None:
        text = generate_schema(appspec, **options)
        target = Path(output_dir) / SCHEMA_PATH
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        except OSError as error:
            raise BackendError(f"prisma cannot write {target}: {error.strerror or error}") from error


def generate_schema(appspec: AppSpec, **options: Any) -> str:
    """The text of ``schema.prisma`` for ``appspec``. Raises ``BackendError``."""
    settings = read_options(options)
    return render_schema(build_schema(appspec, settings))
