"""Shell completion of `dazzle build`'s values: ``-b`` completes the backend
names that can be asked for, ``-O`` the ``KEY=`` of the chosen backends'
options and then the values they allow (their choices; ``true`` and ``false``
for a bool). Click calls these when the shell asks (``_DAZZLE_COMPLETE``, see
the README). A completion prints nothing of its own and never fails: whatever
goes wrong (an unreadable project, a broken plugin) gives fewer candidates.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # imported when completing: every other run of `dazzle` is spared it
    from click.shell_completion import CompletionItem


def _registry_with_project(ctx: click.Context) -> tuple[Any, Any, tuple[Any, ...]]:
    """The process-wide registry with the command backends of the project at
    the command's PATH (as far as it was typed; else the current folder)
    added; the project (None if there is none) and those backends. Reads
    entry points and dazzle.toml only: no backend is imported or run."""
    from dazzle.backends.command_backends import project_backends
    from dazzle.backends.registry import get_registry
    from dazzle.core.project import load_project

    registry = get_registry()
    project, _ = load_project(Path(ctx.params.get("path") or "."))
    local = project_backends(project) if project is not None else ()
    registry.add_project_backends(local)
    return registry, project, local


def complete_backend_names(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The backend names starting with ``incomplete`` that can be asked for
    and are not chosen yet, each with where it comes from; found without
    importing any backend (the registry's find stage)."""
    from click.shell_completion import CompletionItem

    try:
        registry, _, local = _registry_with_project(ctx)
        chosen = set(ctx.params.get("backends") or ())
        described = {backend.name: backend.description or backend.origin for backend in local}
        items = []
        for name in registry.list_backends():
            if name.startswith(incomplete) and name not in chosen:
                plugin = registry.plugin_of(name)
                items.append(CompletionItem(name, help=plugin.origin if plugin is not None else described.get(name)))
        return items
    except Exception:
        return []


def _allowed_values(option: Any) -> tuple[str, ...]:
    """The values of ``option`` as ``-O`` takes them, for completion: its
    choices (for a ``list[str]``: its items), or ``true`` and ``false`` for a
    bool; none when any value goes."""
    if option.choices:
        return tuple(("true" if c else "false") if isinstance(c, bool) else str(c) for c in option.choices)
    return ("true", "false") if option.type is bool else ()


def _candidates(key: str, option: Any, value: str) -> list[str]:
    """``KEY=VALUE`` words for an option whose value is typed as far as
    ``value``: the values it allows; for a ``list[str]``, the items not yet
    given after the comma-separated ones (``KEY=a,b``)."""
    if option.type == list[str]:
        given, comma, _ = value.rpartition(",")
        taken = {item.strip() for item in given.split(",")} if comma else set()
        return [f"{key}={given}{comma}{item}" for item in _allowed_values(option) if item not in taken]
    return [f"{key}={item}" for item in _allowed_values(option)]


def complete_backend_options(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """``KEY=`` for each option the chosen backends declare (``-b``, else
    ``[build] backends`` of the project, else every backend), and
    ``BACKEND.KEY=`` once the word names a backend and a dot; after the
    ``=``, the values the option allows (``_allowed_values``). Reading the options
    imports those backends, each guarded as `dazzle backends` guards it;
    what they print is dropped."""
    from click.shell_completion import CompletionItem

    try:
        registry, project, _ = _registry_with_project(ctx)
        configured = project.config.get("build", {}).get("backends") if project is not None else None
        chosen = list(ctx.params.get("backends") or ()) or configured or registry.list_backends()
        typed_key, equals, value = incomplete.partition("=")
        prefix, dot, _ = typed_key.rpartition(".")
        items: dict[str, CompletionItem] = {}
        with contextlib.redirect_stderr(io.StringIO()):
            for name in dict.fromkeys(chosen):
                if dot and name != prefix:
                    continue
                capabilities = registry.describe_one(name).capabilities
                for option in capabilities.options if capabilities is not None else ():
                    key = f"{name}.{option.name}" if dot else option.name
                    if equals and key == typed_key:
                        words = _candidates(key, option, value)
                    elif not equals:
                        words = [f"{key}="]
                    else:
                        continue
                    for text in words:
                        if text.startswith(incomplete):
                            items.setdefault(text, CompletionItem(text, help=option.help or None))
        return list(items.values())
    except Exception:
        return []
