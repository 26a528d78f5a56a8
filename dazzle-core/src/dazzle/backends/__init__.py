"""The backend plugin API: what a backend implements and how DAZZLE finds it.

    from dazzle.backends import Backend, BackendCapabilities, BackendError

A distribution makes a backend available by declaring an entry point in the
group ``dazzle.backends``; the entry point's name is the backend's name::

    [project.entry-points."dazzle.backends"]
    openapi = "dazzle_backend_openapi:OpenAPIBackend"

Finding backends imports none of them; a backend is imported when it is used
(``get_backend``, ``dazzle build -b``) or listed (``dazzle backends``). One
that fails to import, is not a backend class, or was written for another
``API_VERSION`` is reported as unavailable with the reason; two distributions
claiming one name are a conflict, and using that name is an error that names
both. A class registered by hand (``register_backend``) takes precedence over
an entry point of the same name.

A backend may be a program in any language: ``CommandBackend`` runs a command
that speaks the command protocol (docs/command-backends.md), declared in a
project's ``dazzle.toml`` (``[backends.NAME]``) or published by subclassing it.
"""

from dazzle.backends.api import (
    API_VERSION,
    Backend,
    BackendCapabilities,
    BackendError,
    BackendOption,
    BackendWarning,
)
from dazzle.backends.command_backends import PROTOCOL_VERSION, CommandBackend, command_protocol_schemas
from dazzle.backends.options import apply_options
from dazzle.backends.plurals import plural
from dazzle.backends.registry import (
    ENTRY_POINT_GROUP,
    BackendRegistry,
    get_backend,
    get_registry,
    list_backends,
    register_backend,
)

__all__ = [
    "API_VERSION",
    "Backend",
    "BackendCapabilities",
    "BackendError",
    "BackendOption",
    "BackendRegistry",
    "BackendWarning",
    "CommandBackend",
    "ENTRY_POINT_GROUP",
    "PROTOCOL_VERSION",
    "apply_options",
    "command_protocol_schemas",
    "get_backend",
    "get_registry",
    "list_backends",
    "plural",
    "register_backend",
]
