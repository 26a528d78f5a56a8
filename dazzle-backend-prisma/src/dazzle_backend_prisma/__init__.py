"""DAZZLE backend ``prisma``: writes ``prisma/schema.prisma`` from an AppSpec.

from dazzle_backend_prisma import PrismaBackend, generate_schema
"""

from dazzle_backend_prisma.backend import PrismaBackend, generate_schema

__all__ = ["PrismaBackend", "generate_schema"]
