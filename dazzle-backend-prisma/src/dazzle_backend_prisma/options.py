"""The options the backend declares (``dazzle backends`` shows them) and
their reading into one record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from dazzle.backends import BackendError, BackendOption

from dazzle_backend_prisma.naming import NAMING_STYLES, NamingStyle
from dazzle_backend_prisma.providers import PROVIDERS

DEFAULT_GENERATOR = "prisma-client"
DEFAULT_GENERATOR_OUTPUT = "../generated/prisma"

OPTIONS: tuple[BackendOption, ...] = (
    BackendOption(
        "provider",
        str,
        "postgresql",
        PROVIDERS,
        "the database: the datasource provider, and the native column types that go with it",
    ),
    BackendOption(
        "naming",
        str,
        "prisma",
        NAMING_STYLES,
        "prisma: PascalCase models and camelCase fields, mapped to the DSL's table and column "
        "names with @@map/@map; preserve: the DSL's names as they are",
    ),
    BackendOption(
        "generator",
        str,
        DEFAULT_GENERATOR,
        (),
        "provider of the `generator client` block (prisma-client, prisma-client-js, ...)",
    ),
    BackendOption(
        "generator_output",
        str,
        DEFAULT_GENERATOR_OUTPUT,
        (),
        "`output` of the generator block, relative to prisma/schema.prisma; empty to leave it out",
    ),
)


#: The declared defaults: the one place they are written is ``OPTIONS``.
_DEFAULTS: dict[str, Any] = {option.name: option.default for option in OPTIONS}


@attrs.frozen
class PrismaOptions:
    """The checked options; a missing one has its declared default."""

    provider: str = _DEFAULTS["provider"]
    naming: NamingStyle = _DEFAULTS["naming"]
    generator: str = _DEFAULTS["generator"]
    generator_output: str = _DEFAULTS["generator_output"]


def read_options(options: Mapping[str, Any]) -> PrismaOptions:
    """The options as given to ``generate``/``validate_config``, checked;
    missing ones take their defaults. Raises ``BackendError``."""
    known = {o.name: o for o in OPTIONS}
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise BackendError(
            f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"the prisma backend takes {', '.join(known)}"
        )
    values = {}
    for name, option in known.items():
        value = options.get(name, option.default)
        if not isinstance(value, str):
            raise BackendError(f"option '{name}' must be a string, not {value!r}")
        if option.choices and value not in option.choices:
            raise BackendError(f"option '{name}' must be one of {', '.join(option.choices)}, not {value!r}")
        values[name] = value
    if not values["generator"].strip():
        raise BackendError("option 'generator' must name a generator provider, such as prisma-client")
    return PrismaOptions(**values)
