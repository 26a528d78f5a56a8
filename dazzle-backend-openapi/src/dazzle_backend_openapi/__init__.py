"""DAZZLE's OpenAPI backend: ``dazzle build -b openapi`` writes ``openapi.yaml``
(or ``openapi.json``) describing the application's own HTTP API."""

from dazzle_backend_openapi.backend import OpenAPIBackend
from dazzle_backend_openapi.builder import build_document

__version__ = "0.1.0"

__all__ = ["OpenAPIBackend", "build_document", "__version__"]
