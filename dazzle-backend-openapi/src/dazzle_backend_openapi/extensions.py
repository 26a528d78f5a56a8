"""The ``x-dazzle-*`` extensions: what the spec says that OpenAPI has no
word for, kept at the top of the document so no declaration is dropped.

- ``x-dazzle-app``: the application's name, root module and modules.
- ``x-dazzle-surfaces``: every surface, with the operationIds that serve it.
- ``x-dazzle-experiences``, ``x-dazzle-services``, ``x-dazzle-foreign-models``,
  ``x-dazzle-integrations``: those declarations, field for field.

Values are JSON values: option literals keep their type except decimals,
which are written as strings so their digits survive exactly; integration
expressions are written as in the DSL (``form.vrn``, ``"text"``, ``12.50``).

``x-dazzle-surfaces`` (one entry per surface, thousands in a big project) is
made as events (``document``); the other members are plain data.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from dazzle.core import ir

from dazzle_backend_openapi.document import MAP_END, MAP_START, NULL, Events, LazyMapping, Scalars, constant
from dazzle_backend_openapi.schemas import SchemaMapper


def literal(value: ir.Literal) -> Any:
    """A DSL literal as a JSON value."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def expression_text(expression: ir.Expression) -> str:
    """An expression as it is written in the DSL."""
    if expression.path:
        return ".".join(expression.path)
    value = expression.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def outcome_text(outcome: ir.Outcome) -> str:
    """An action's outcome as it is written in the DSL, after ``->``."""
    text = f"{outcome.kind} {outcome.target}"  # a StrEnum formats as its value
    if outcome.step is not None:
        text += f" step {outcome.step}"
    if outcome.action is not None:
        text += f" action {outcome.action}"
    return text


def _options(options: ir.Options) -> dict[str, Any]:
    return {key: literal(value) for key, value in options.pairs}


def _named(title: str | None, module: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if title is not None:
        out["title"] = title
    out["module"] = module
    return out


def members(
    appspec: ir.AppSpec,
    types: SchemaMapper,
    surface_operations: dict[str, list[str]],
    action_operations: dict[tuple[str, str], str],
    scalars: Scalars,
) -> Iterator[tuple[str, Any]]:
    """The top-level ``x-dazzle-*`` members in a fixed order, each built when
    asked for; empty ones are left out. The operationIds must be known."""
    yield "x-dazzle-app", _app(appspec)
    if appspec.surfaces:
        yield (
            "x-dazzle-surfaces",
            LazyMapping(
                lambda: (
                    (s.name, _surface(s, surface_operations, action_operations, scalars)) for s in appspec.surfaces
                )
            ),
        )
    if appspec.experiences:
        yield "x-dazzle-experiences", {x.name: _experience(x) for x in appspec.experiences}
    if appspec.services:
        yield "x-dazzle-services", {s.name: _service(s) for s in appspec.services}
    if appspec.foreign_models:
        yield "x-dazzle-foreign-models", {f.name: _foreign_model(f, types) for f in appspec.foreign_models}
    if appspec.integrations:
        yield "x-dazzle-integrations", {i.name: _integration(i) for i in appspec.integrations}


def _app(appspec: ir.AppSpec) -> dict[str, Any]:
    app: dict[str, Any] = {"name": appspec.name}
    for key in ("project_name", "root_module", "dsl_version"):
        if key in appspec.metadata:
            app[key] = literal(appspec.metadata[key])
    if appspec.modules:
        app["modules"] = {m.name: {"uses": list(m.uses)} for m in appspec.modules}
    return app


_TITLE = constant("title")
_MODULE = constant("module")
_MODE = constant("mode")
_ENTITY = constant("entity")
_OPERATIONS = constant("operations")
_SECTIONS = constant("sections")
_FIELDS = constant("fields")
_OPTIONS = constant("options")
_ACTIONS = constant("actions")
_LABEL = constant("label")
_TRIGGER = constant("trigger")
_TO = constant("to")
_OPERATION = constant("operation")
_META = constant("meta")
# By enum member: a member's ``value`` is a Python property call.
_MODE_VALUES = {mode: constant(mode.value) for mode in ir.SurfaceMode}
_TRIGGER_VALUES = {trigger: constant(trigger.value) for trigger in ir.ActionTrigger}


def _surface(
    surface: ir.SurfaceSpec,
    surface_operations: dict[str, list[str]],
    action_operations: dict[tuple[str, str], str],
    scalars: Scalars,
) -> Events:
    strings = scalars.strings
    out = Events(scalars, (MAP_START,))
    if surface.title is not None:
        out += (_TITLE, strings[surface.title])
    out += (_MODULE, strings[surface.module], _MODE, _MODE_VALUES[surface.mode])
    if surface.entity is not None:
        out += (_ENTITY, strings[surface.entity])
    out.append(_OPERATIONS)
    out += scalars.sequence(surface_operations.get(surface.name, []))
    if surface.sections:
        out += (_SECTIONS, MAP_START)
        for section in surface.sections:
            out.append(strings[section.name])
            _section(out, section, scalars)
        out.append(MAP_END)
    if surface.actions:
        out += (_ACTIONS, MAP_START)
        for action in surface.actions:
            out.append(strings[action.name])
            _action(out, action, action_operations.get((surface.name, action.name)), scalars)
        out.append(MAP_END)
    if surface.metadata:
        out.append(_META)
        out += scalars.events(_options(surface.metadata))
    out.append(MAP_END)
    return out


def _section(out: list[Any], section: ir.SurfaceSection, scalars: Scalars) -> None:
    """``fields`` maps each field to its label (null without one), in order;
    ``options`` holds the ``key=value`` options of the fields that have any."""
    strings = scalars.strings
    out.append(MAP_START)
    if section.title is not None:
        out += (_TITLE, strings[section.title])
    fields: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for element in section.elements:
        name = element.field_name
        if fields.get(name) is None:
            fields[name] = element.label
        if element.options:
            options.setdefault(name, {}).update(_options(element.options))
    out += (_FIELDS, MAP_START)
    for name, label in fields.items():
        out += (strings[name], NULL if label is None else strings[label])
    out.append(MAP_END)
    if options:
        out.append(_OPTIONS)
        out += scalars.events(options)
    out.append(MAP_END)


def _action(out: list[Any], action: ir.SurfaceAction, operation_id: str | None, scalars: Scalars) -> None:
    strings = scalars.strings
    out.append(MAP_START)
    if action.label is not None:
        out += (_LABEL, strings[action.label])
    out += (_TRIGGER, _TRIGGER_VALUES[action.trigger], _TO, strings[outcome_text(action.outcome)])
    if operation_id is not None:
        out += (_OPERATION, strings[operation_id])
    out.append(MAP_END)


def _experience(experience: ir.ExperienceSpec) -> dict[str, Any]:
    out = _named(experience.title, experience.module)
    out["start"] = experience.start_step
    steps: dict[str, Any] = {}
    for step in experience.steps:
        entry: dict[str, Any] = {"kind": step.kind.value}
        if step.surface is not None:
            entry["surface"] = step.surface
        if step.integration is not None:
            entry["integration"] = step.integration
        if step.action is not None:
            entry["action"] = step.action
        for transition in step.transitions:
            entry[f"on_{transition.event.value}"] = transition.target_step
        steps[step.name] = entry
    out["steps"] = steps
    return out


def _service(service: ir.ServiceSpec) -> dict[str, Any]:
    out = _named(service.title, service.module)
    out["spec"] = {service.spec.kind.value: service.spec.value}
    if service.auth is not None:
        out["auth"] = {"kind": service.auth.kind.value, **_options(service.auth.options)}
    if service.owner is not None:
        out["owner"] = service.owner
    return out


def _foreign_model(model: ir.ForeignModelSpec, types: SchemaMapper) -> dict[str, Any]:
    out = _named(model.title, model.module)
    out["service"] = model.service
    out["key"] = list(model.key_fields)
    if model.constraints:
        out["constraints"] = [{"kind": c.kind.value, **_options(c.options)} for c in model.constraints]
    schema: dict[str, Any] = {"type": "object"}
    required = [f.name for f in model.fields if f.required or f.pk]
    if required:
        schema["required"] = required
    schema["properties"] = {f.name: types.field_schema(f) for f in model.fields}
    out["schema"] = schema
    return out


def _integration(integration: ir.IntegrationSpec) -> dict[str, Any]:
    out = _named(integration.title, integration.module)
    out["services"] = list(integration.services)
    out["foreign_models"] = list(integration.foreign_models)
    if integration.actions:
        out["actions"] = {a.name: _integration_action(a) for a in integration.actions}
    if integration.syncs:
        out["syncs"] = {s.name: _sync(s) for s in integration.syncs}
    return out


def _integration_action(action: ir.IntegrationAction) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if action.surface is not None:
        out["when_submitted"] = action.surface
    out["call"] = f"{action.service}.{action.operation}"
    out["with"] = [{"target": a.target, "value": expression_text(a.expression)} for a in action.arguments]
    if action.response is not None:
        out["map_response"] = {
            "foreign_model": action.response.foreign_model,
            "entity": action.response.entity,
            "set": [{"target": a.target, "value": expression_text(a.expression)} for a in action.response.assignments],
        }
    return out


def _sync(sync: ir.IntegrationSync) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": sync.mode.value}
    if sync.schedule is not None:
        out["schedule"] = sync.schedule
    out["from"] = f"{sync.service}.{sync.operation}"
    out["as"] = sync.foreign_model
    out["into"] = sync.entity
    if sync.match_rules:
        out["match_on"] = [{"foreign": r.foreign_field, "entity": r.entity_field} for r in sync.match_rules]
    return out
