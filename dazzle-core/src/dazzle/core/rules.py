"""Checks over the linked application that need more than one declaration:
reachability of experience steps, unused entities, surface fields, services."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from dazzle.core import diagnostics as diag
from dazzle.core import ir
from dazzle.core.diagnostics import Diagnostic

OAUTH2_KINDS = (ir.AuthKind.OAUTH2_LEGACY, ir.AuthKind.OAUTH2_PKCE)


def _warn(loc: ir.SourceLocation, code: str, message: str, hint: str | None = None) -> Diagnostic:
    return diag.warning(code, message, loc.file, loc.line, loc.column, hint)


def check_experiences(appspec: ir.AppSpec, skip: Collection[tuple[str, str]] = ()) -> list[Diagnostic]:
    found = []
    for exp in appspec.experiences:
        start = exp.get_step(exp.start_step)
        if start is None or ("experience", exp.name) in skip:
            continue
        reached = {start.name}
        todo = [start]
        while todo:
            for t in todo.pop().transitions:
                if t.target_step not in reached:
                    target = exp.get_step(t.target_step)
                    if target is not None:
                        reached.add(target.name)
                        todo.append(target)
        unreachable = [s for s in exp.steps if s.name not in reached]
        if unreachable:
            found.append(
                _warn(
                    unreachable[0].location,
                    "W001",
                    f"Experience '{exp.name}' has unreachable steps: {', '.join(s.name for s in unreachable)}",
                    hint=f"add a transition to {'them' if len(unreachable) > 1 else 'it'}, or remove "
                    f"{'them' if len(unreachable) > 1 else 'it'}",
                )
            )
        if not any(exp.get_step(name).is_terminal for name in reached):
            found.append(
                _warn(
                    exp.location,
                    "W008",
                    f"Experience '{exp.name}' never ends: "
                    f"every step reachable from '{start.name}' leads to another step",
                    hint="give at least one reachable step no transition, so the flow can finish",
                )
            )
    return found


def referenced_entities(appspec: ir.AppSpec) -> set[str]:
    """Entities named by a ref field, a surface, a response mapping or a sync."""
    names: set[str] = set()
    for model in (*appspec.domain.entities, *appspec.foreign_models):
        for field in model.fields:
            if field.type.ref_entity is not None:
                names.add(field.type.ref_entity)
    names.update(s.entity for s in appspec.surfaces if s.entity)
    for integration in appspec.integrations:
        names.update(a.response.entity for a in integration.actions if a.response)
        names.update(s.entity for s in integration.syncs)
    return names


def check_unused_entities(appspec: ir.AppSpec) -> list[Diagnostic]:
    used = referenced_entities(appspec)
    return [
        _warn(
            e.location,
            "W002",
            f"Unused entities (not referenced anywhere): {e.name}",
            hint="reference it from a ref field, a surface, a response mapping or a sync, or remove it",
        )
        for e in appspec.domain.entities
        if e.name not in used
    ]


def form_reads(appspec: ir.AppSpec) -> dict[str, set[str]]:
    """For each surface, the ``form.NAME`` names that integration actions
    triggered by it read."""
    reads: dict[str, set[str]] = {}
    for integration in appspec.integrations:
        for action in integration.actions:
            if action.surface is None:
                continue
            assignments = action.arguments + (action.response.assignments if action.response else ())
            for a in assignments:
                path = a.expression.path
                if len(path) == 2 and path[0] == "form":
                    reads.setdefault(action.surface, set()).add(path[1])
    return reads


def check_surface_fields(appspec: ir.AppSpec, skip: Collection[tuple[str, str]] = ()) -> list[Diagnostic]:
    found = []
    reads = form_reads(appspec)
    suggest = diag.Suggester()
    for surface in appspec.surfaces:
        entity = appspec.get_entity(surface.entity) if surface.entity else None
        if entity is None or ("entity", entity.name) in skip:
            continue
        inputs = reads.get(surface.name, set())
        for element in surface.elements:
            if entity.get_field(element.field_name) is None and element.field_name not in inputs:
                found.append(
                    _warn(
                        element.location,
                        "W004",
                        f"surface '{surface.name}': '{element.field_name}' is not a field of entity '{entity.name}' "
                        "and no integration action reads it as form." + element.field_name,
                        hint=suggest(element.field_name, entity._fields, entity.name),
                    )
                )
    return found


def check_services(appspec: ir.AppSpec) -> list[Diagnostic]:
    found = []
    for service in appspec.services:
        auth = service.auth
        if auth is not None and auth.kind in OAUTH2_KINDS and "scopes" not in auth.options:
            found.append(
                _warn(
                    auth.location,
                    "W005",
                    f"service '{service.name}' uses {auth.kind.value} without 'scopes'",
                    hint=f'add the scopes it needs, such as: auth_profile: {auth.kind.value} scopes="read"',
                )
            )
        spec = service.spec
        if spec.kind is ir.ApiSpecKind.URL and not is_absolute_url(spec.value):
            found.append(
                _warn(
                    spec.location,
                    "W006",
                    f"service '{service.name}': spec URL \"{spec.value}\" is not absolute",
                    hint='write the whole URL, such as "https://api.example.com/openapi.json"',
                )
            )
    return found


def is_absolute_url(text: str) -> bool:
    """A scheme and a host (``https://host/...``), or a scheme and an absolute
    path (``file:///...``). Text that is not a URL at all is not absolute."""
    try:
        parts = urlsplit(text)
    except ValueError:  # "https://[x/..." and other text urlsplit refuses
        return False
    return bool(parts.scheme) and bool(parts.netloc or parts.path.startswith("/"))


def check_appspec(
    appspec: ir.AppSpec, skip: Collection[tuple[str, str]] = (), *, partial: bool = False
) -> list[Diagnostic]:
    """Every cross-declaration check. ``skip`` holds ``(kind, name)`` of
    declarations with syntax errors, whose contents are not judged;
    ``partial`` says that some source could not be read at all."""
    if skip or partial:
        # With syntax errors, what is referenced and what reads a form field
        # are not known for sure: warnings drawn from the whole application
        # would be guesses.
        return [*check_experiences(appspec, skip), *check_services(appspec)]
    return [
        *check_experiences(appspec, skip),
        *check_unused_entities(appspec),
        *check_surface_fields(appspec, skip),
        *check_services(appspec),
    ]
