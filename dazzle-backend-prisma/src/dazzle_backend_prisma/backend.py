"""The backend class that DAZZLE finds through the ``dazzle.backends`` entry point."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dazzle.backends import API_VERSION, BackendCapabilities, BackendError
from dazzle.core.ir import AppSpec

from dazzle_backend_prisma.build import build_schema
from dazzle_backend_prisma.options import OPTIONS, read_options
from dazzle_backend_prisma.render import render_schema

#: Where the schema goes, relative to the output folder: Prisma's CLI finds
#: ``prisma/schema.prisma`` without being told.
SCHEMA_PATH = Path("prisma") / "schema.prisma"


class PrismaBackend:
    """Writes a Prisma schema (prisma/schema.prisma) for the application's entities."""

    api_version = API_VERSION

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
    with _cyclic_gc_paused():
        return render_schema(build_schema(appspec, settings))


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    # The schema is a few hundred thousand small containers that all live
    # until the text is written, and none of them forms a cycle. Left on, the
    # cyclic collector keeps walking them, and the whole AppSpec with them:
    # over half the time of a 4,000-entity build. Reference counting still
    # frees everything; the collector is switched back on (if it was on) as
    # soon as the text is done.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
