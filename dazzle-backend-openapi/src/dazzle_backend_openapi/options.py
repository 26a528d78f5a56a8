"""The backend's options: their declarations (what ``dazzle backends`` shows)
and their checking, which turns user input into one immutable ``Settings``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from dazzle.backends import BackendError, BackendOption

FORMATS = ("yaml", "json")
OPENAPI_VERSIONS = ("3.1.0", "3.0.3")
SECURITY_SCHEMES = ("bearer", "none")
DEFAULT_SERVER = "/"

OPTIONS = (
    BackendOption(
        name="format",
        type=str,
        default="yaml",
        choices=FORMATS,
        help="Write openapi.yaml (yaml) or openapi.json (json); both hold the same document.",
    ),
    BackendOption(
        name="openapi_version",
        type=str,
        default="3.1.0",
        choices=OPENAPI_VERSIONS,
        help="The OpenAPI version to write.",
    ),
    BackendOption(
        name="server_url",
        type=str,
        default=DEFAULT_SERVER,
        help="Server URLs, comma separated (absolute, or relative such as /api/v1).",
    ),
    BackendOption(
        name="security",
        type=str,
        default="bearer",
        choices=SECURITY_SCHEMES,
        help="How the API is secured: an HTTP bearer token (bearer) or not at all (none).",
    ),
)

_KNOWN = tuple(option.name for option in OPTIONS)
#: The declared defaults: the one place they are written is ``OPTIONS``.
_DEFAULTS: dict[str, Any] = {option.name: option.default for option in OPTIONS}
# Characters that cannot stand in a server URL as written: whitespace, and the
# braces of server variables (which this backend never declares).
_BAD_URL_CHARS = frozenset(' \t\r\n\f\v{}"<>\\^`|')


@attrs.frozen
class Settings:
    """The checked options; a missing one has its declared default."""

    format: str = _DEFAULTS["format"]
    openapi_version: str = _DEFAULTS["openapi_version"]
    servers: tuple[str, ...] = (_DEFAULTS["server_url"],)
    security: str = _DEFAULTS["security"]

    @property
    def filename(self) -> str:
        return f"openapi.{self.format}"

    @property
    def is_31(self) -> bool:
        return self.openapi_version.startswith("3.1")


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BackendError(f"option '{name}' must be text, not {value!r}")
    return str(value).strip()


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    text = _text(name, value)
    if text.lower() in choices:
        return text.lower()
    allowed = ", ".join(choices)
    raise BackendError(f"option '{name}' must be one of {allowed}; got {text!r}")


def _servers(value: Any) -> tuple[str, ...]:
    text = _text("server_url", value)
    urls: list[str] = []
    for part in text.split(","):
        url = part.strip()
        if not url:
            raise BackendError(
                f"option 'server_url' has an empty URL in {text!r}; "
                "give one or more URLs separated by commas, e.g. https://api.example.org,/"
            )
        bad = sorted({ch for ch in url if ch in _BAD_URL_CHARS})
        if bad:
            shown = " ".join(repr(ch) for ch in bad)
            raise BackendError(f"option 'server_url': {url!r} contains {shown}, which a server URL cannot hold")
        if "://" not in url and not url.startswith("/"):
            raise BackendError(
                f"option 'server_url': {url!r} is neither an absolute URL "
                "(https://host/path) nor a path starting with '/'"
            )
        if len(url) > 1 and url.endswith("/"):
            # Paths start with '/'; a trailing slash here would double it.
            url = url.rstrip("/") or "/"
        if url not in urls:
            urls.append(url)
    return tuple(urls)


def parse_options(options: Mapping[str, Any]) -> Settings:
    """Check the user's options and return them as ``Settings``; raise
    ``BackendError`` naming the option for anything that cannot work."""
    unknown = sorted(name for name in options if name not in _KNOWN)
    if unknown:
        raise BackendError(f"unknown option(s) {', '.join(unknown)}; the options are {', '.join(_KNOWN)}")

    fields: dict[str, Any] = {}
    if options.get("format") is not None:
        fields["format"] = _choice("format", options["format"], FORMATS)
    if options.get("openapi_version") is not None:
        fields["openapi_version"] = _choice("openapi_version", options["openapi_version"], OPENAPI_VERSIONS)
    if options.get("server_url") is not None:
        fields["servers"] = _servers(options["server_url"])
    if options.get("security") is not None:
        fields["security"] = _choice("security", options["security"], SECURITY_SCHEMES)
    return Settings(**fields)
