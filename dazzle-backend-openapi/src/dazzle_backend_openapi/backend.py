"""``OpenAPIBackend``: the class DAZZLE finds under ``dazzle.backends``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dazzle.backends import Backend, BackendCapabilities, BackendError

from dazzle_backend_openapi.options import FORMATS, OPTIONS, parse_options

if TYPE_CHECKING:
    from dazzle.core import ir


class OpenAPIBackend(Backend):
    """An OpenAPI 3.1 (or 3.0) document of the application's own API."""

    #: The backend API this class was written for (a literal: see docs/writing-a-backend.md).
    api_version = 1

    def get_capabilities(self) -> BackendCapabilities:
        return BackendCapabilities(
            name="openapi",
            description="An OpenAPI 3.1 (or 3.0.3) document of the application's own API (openapi.yaml)",
            output_formats=FORMATS,
            options=OPTIONS,
        )

    def validate_config(self, **options: Any) -> None:
        parse_options(options)

    def generate(self, appspec: ir.AppSpec, output_dir: Path, **options: Any) -> None:
        from dazzle_backend_openapi.builder import document_members
        from dazzle_backend_openapi.writer import write_document

        settings = parse_options(options)
        output_dir = Path(output_dir)
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendError(f"cannot create the output folder {output_dir}: {exc.strerror}") from exc
        target = output_dir / settings.filename
        try:
            write_document(lambda: document_members(appspec, settings), target, settings.format)
        except OSError as exc:
            raise BackendError(f"cannot write {target}: {exc.strerror}") from exc
