"""Build the OpenAPI document, as plain dicts and lists, from an ``AppSpec``.

``document_members`` gives the document's top-level members in order, the
big ones as ``LazyMapping``s that are made entity by entity while they are
written (see ``lazy``); ``build_document`` gives the same document as one
plain dict. Iteration follows declaration order everywhere, so equal input
gives an equal document. The README ("Design") explains the choices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from dazzle.core import ir

from dazzle_backend_openapi import extensions
from dazzle_backend_openapi.document import LazyMapping, Pairs, SharedDict, SharedList, materialize
from dazzle_backend_openapi.naming import (
    NameAllocator,
    camel,
    component_ref,
    kebab,
    pascal,
    plural_kebab,
    plural_pascal,
    warn_renamed,
)
from dazzle_backend_openapi.options import Settings
from dazzle_backend_openapi.schemas import SchemaMapper

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
SECURITY_SCHEME = "bearerAuth"

# Page-number paging: ?page=1&page_size=20, answered by a page object.
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100

_METHOD_ORDER = {"parameters": 0, "get": 1, "put": 2, "post": 3, "delete": 4, "patch": 5}

#: Error responses: status -> (component name, description).
_ERRORS = {
    "400": ("BadRequest", "The request is malformed: a parameter or the body cannot be read."),
    "404": ("NotFound", "No such resource."),
    "422": ("UnprocessableContent", "The body is well formed but its values are not acceptable."),
}

_ERROR_REFS = {code: SharedDict({"$ref": component_ref("responses", name)}) for code, (name, _) in _ERRORS.items()}

_VERB = {ir.SurfaceMode.CREATE: "create", ir.SurfaceMode.EDIT: "update"}
_OPERATION_MODES = frozenset((ir.SurfaceMode.LIST, ir.SurfaceMode.VIEW, ir.SurfaceMode.CREATE, ir.SurfaceMode.EDIT))
_ITEM_MODES = frozenset((ir.SurfaceMode.VIEW, ir.SurfaceMode.EDIT))

_FORM_INPUT = SharedDict({"type": "string"})


def document_members(appspec: ir.AppSpec, settings: Settings) -> Iterator[tuple[str, Any]]:
    """The document's top-level members, in order."""
    return _DocumentBuilder(appspec, settings).members()


def build_document(appspec: ir.AppSpec, settings: Settings) -> dict[str, Any]:
    """The whole document as one plain dict."""
    return {key: materialize(value) for key, value in document_members(appspec, settings)}


def _integration_actions(surface: ir.SurfaceSpec) -> list[ir.SurfaceAction]:
    return [a for a in surface.actions if a.outcome.kind is ir.OutcomeKind.INTEGRATION]


class _EntityPlan:
    """What the document knows about one entity before writing it."""

    __slots__ = ("entity", "collection", "item", "surfaces", "tags", "enums", "derived")

    def __init__(self, entity: ir.EntitySpec, collection: str) -> None:
        self.entity = entity
        self.collection = collection
        pk = entity.primary_key
        self.item = f"{collection}/{{{pk.name if pk is not None else 'id'}}}"
        self.surfaces: list[ir.SurfaceSpec] = []
        self.tags = SharedList([entity.name])
        self.enums: list[tuple[str, ir.FieldType]] = []  # its enum components
        # Schemas that this entity's operations named (page, inputs, forms):
        # made when components/schemas is written.
        self.derived: list[tuple[str, Callable[[], dict[str, Any]]]] = []


class _PathGroup:
    """The paths of one entity (or one entity-less surface) while they are made."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.routes: set[tuple[str, str]] = set()

    def route(self, method: str, candidates: list[str], location: ir.SourceLocation | None = None) -> str:
        """The first candidate path not yet used with ``method``; failing all,
        the last candidate with ``-2``, ``-3``, ... appended (a warning)."""
        for path in candidates:
            if (path, method) not in self.routes:
                break
        else:
            last, n = candidates[-1], 2
            while (f"{last}-{n}", method) in self.routes:
                n += 1
            path = f"{last}-{n}"
            warn_renamed(f"path of {method.upper()}", last, path, location)
        self.routes.add((path, method))
        return path

    def add(self, path: str, method: str, operation: dict[str, Any], parameters: list | None) -> None:
        item = self.items.setdefault(path, {})
        if parameters and "parameters" not in item:
            item["parameters"] = parameters
        item[method] = operation

    def pairs(self) -> Pairs:
        for path, item in self.items.items():
            yield path, dict(sorted(item.items(), key=lambda kv: _METHOD_ORDER.get(kv[0], 9)))


class _DocumentBuilder:
    def __init__(self, appspec: ir.AppSpec, settings: Settings) -> None:
        self.app = appspec
        self.settings = settings
        self.secured = settings.security != "none"

        # Entities own their names (schemas, tags, first path segments):
        # claim them before any invented name; then each enum field's
        # component (``TicketStatus``), so that those names do not depend
        # on the surfaces.
        self.schema_names = NameAllocator(tuple(e.name for e in appspec.entities), what="schema")
        tag_names = NameAllocator(tuple(e.name for e in appspec.entities), what="tag")
        segments = NameAllocator(sep="-", what="path segment")
        self.plans: dict[str, _EntityPlan] = {
            e.name: _EntityPlan(e, "/" + segments.claim(plural_kebab(e.name), e.location)) for e in appspec.entities
        }
        enum_refs: dict[tuple[str, str], str] = {}
        for entity in appspec.entities:
            plan = self.plans[entity.name]
            for field in entity.fields:
                if field.type.kind is ir.FieldTypeKind.ENUM:
                    name = self.schema_names.claim(pascal(entity.name) + pascal(field.name), field.location)
                    enum_refs[(entity.name, field.name)] = component_ref("schemas", name)
                    plan.enums.append((name, field.type))
        self.types = SchemaMapper(appspec, settings.is_31, enum_refs)
        self.problem_schema = self.schema_names.claim("Problem")

        # Surfaces by entity; those without one (or with an unknown one) that
        # trigger an integration get a path segment and a tag of their own.
        self.loose: list[tuple[ir.SurfaceSpec, str, list[str]]] = []
        for surface in appspec.surfaces:
            plan = self.plans.get(surface.entity) if surface.entity else None
            if plan is not None:
                plan.surfaces.append(surface)
            elif _integration_actions(surface):
                self.loose.append(
                    (
                        surface,
                        "/" + segments.claim(kebab(surface.name), surface.location),
                        SharedList([tag_names.claim(surface.name, surface.location)]),
                    )
                )
        self.tags: list[dict[str, Any]] = []
        for plan in self.plans.values():
            if any(s.mode in _OPERATION_MODES or _integration_actions(s) for s in plan.surfaces):
                entity = plan.entity
                self.tags.append({"name": entity.name, "description": entity.title or entity.name})
        for surface, _base, tags in self.loose:
            self.tags.append({"name": tags[0], "description": surface.title or surface.name})

        self.operation_ids = NameAllocator(what="operationId")
        self.surface_operations: dict[str, list[str]] = {s.name: [] for s in appspec.surfaces}
        self.action_operations: dict[tuple[str, str], str] = {}
        self.input_names: dict[str, str] = {}  # write surface -> its ...Input schema
        self.form_names: dict[str, str] = {}  # surface -> its ...Form schema
        self.loose_derived: list[tuple[str, Callable[[], dict[str, Any]]]] = []
        self.used: set[str] = set()  # shared components something refers to
        self.key_params: dict[tuple[str, ir.FieldType], list[dict[str, Any]]] = {}
        self.key_parameters: dict[str, Any] = {}
        self.key_param_names = NameAllocator()
        self._error_cache: dict[tuple[str, ...], dict[str, Any]] = {}
        self._contents: dict[str, dict[str, Any]] = {}

    # -- the document -------------------------------------------------------

    def members(self) -> Iterator[tuple[str, Any]]:
        yield "openapi", self.settings.openapi_version
        yield "info", self._info()
        yield "servers", [{"url": url} for url in self.settings.servers]
        yield "security", [{SECURITY_SCHEME: []}] if self.secured else []
        if self.tags:
            yield "tags", self.tags
        yield "paths", LazyMapping(self._paths)
        yield "components", LazyMapping(self._components)
        yield from extensions.members(self.app, self.types, self.surface_operations, self.action_operations)

    def _info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "title": self.app.title or self.app.name,
            "version": self.app.version or "0.0.0",
        }
        description = self.app.metadata.get("description")
        if description:
            info["description"] = str(description)
        return info

    def _paths(self) -> Pairs:
        """Each entity's paths (collection, item, then the rest) in
        declaration order, then those of entity-less surfaces."""
        for plan in self.plans.values():
            if plan.surfaces:
                yield from self._entity_paths(plan).pairs()
        for surface, base, tags in self.loose:
            group = _PathGroup()
            for action in _integration_actions(surface):
                self._action_operation(group, surface, action, None, base, tags)
            yield from group.pairs()

    def _components(self) -> Pairs:
        yield "schemas", LazyMapping(self._schemas)
        errors = [code for code in _ERRORS if code in self.used]
        if errors:
            problem = {"schema": {"$ref": component_ref("schemas", self.problem_schema)}}
            yield (
                "responses",
                {
                    _ERRORS[code][0]: {"description": _ERRORS[code][1], "content": {PROBLEM_JSON: problem}}
                    for code in errors
                },
            )
        parameters: dict[str, Any] = {}
        if "page" in self.used:
            parameters["Page"] = {
                "name": "page",
                "in": "query",
                "description": "The page to return, counting from 1.",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            }
            parameters["PageSize"] = {
                "name": "page_size",
                "in": "query",
                "description": f"How many items a page holds (at most {PAGE_SIZE_MAX}).",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": PAGE_SIZE_MAX,
                    "default": PAGE_SIZE_DEFAULT,
                },
            }
        parameters.update(self.key_parameters)
        if parameters:
            yield "parameters", parameters
        if "location" in self.used:
            yield (
                "headers",
                {
                    "Location": {
                        "description": "The URL of the created resource.",
                        "schema": {"type": "string", "format": "uri-reference"},
                    }
                },
            )
        if self.secured:
            yield (
                "securitySchemes",
                {
                    SECURITY_SCHEME: {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A bearer token that identifies the current user.",
                    }
                },
            )

    def _schemas(self) -> Pairs:
        """Each entity's schema followed by those its operations named."""
        for plan in self.plans.values():
            yield plan.entity.name, self._entity_schema(plan.entity)
            for name, field_type in plan.enums:
                yield name, self.types.base_schema(field_type)
            derived, plan.derived = plan.derived, []
            for name, make in derived:
                yield name, make()
        for name, make in self.loose_derived:
            yield name, make()
        if any(code in self.used for code in _ERRORS):
            yield self.problem_schema, _problem_schema()

    # -- schemas ------------------------------------------------------------

    def _entity_schema(self, entity: ir.EntitySpec) -> dict[str, Any]:
        # No ``title``: client generators name a class after a schema's
        # title, and titles need not be unique (README, "Names").
        schema: dict[str, Any] = {}
        if entity.title:
            schema["description"] = entity.title
        schema["type"] = "object"
        required = [f.name for f in entity.fields if f.required or f.pk]
        if required:
            schema["required"] = required
        schema["properties"] = {
            f.name: self.types.field_schema(
                f, read_only=f.pk or f.auto_add or f.auto_update, unique=f.unique and not f.pk, owner=entity.name
            )
            for f in entity.fields
        }
        schema["x-dazzle-module"] = entity.module
        if entity.unique_constraints:
            schema["x-dazzle-unique"] = [list(c.fields) for c in entity.unique_constraints]
        if entity.indexes:
            schema["x-dazzle-indexes"] = [list(c.fields) for c in entity.indexes]
        return schema

    def _body_schema(self, surface: ir.SurfaceSpec, entity: ir.EntitySpec | None, creating: bool) -> dict[str, Any]:
        """The body a surface submits: the entity fields it shows (never the
        primary key or automatic fields) and its form-only inputs, which the
        DSL does not type, as strings (integrations read them as ``form.X``).
        A create body requires the required fields that have no default; an
        edit body requires nothing (fields left out stay as they are)."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        owner = entity.name if entity is not None else None
        for element in surface.elements:
            name = element.field_name
            if name in properties:
                continue
            field = entity.get_field(name) if entity is not None else None
            if field is None:
                properties[name] = _FORM_INPUT
                continue
            if field.pk or field.auto_add or field.auto_update:
                continue
            properties[name] = self.types.field_schema(field, with_default=creating, owner=owner)
            if creating and field.required and field.default is None:
                required.append(name)
        schema: dict[str, Any] = {}
        if surface.title:
            schema["description"] = surface.title
        schema["type"] = "object"
        if required:
            schema["required"] = required
        schema["properties"] = properties
        schema["additionalProperties"] = False
        return schema

    def _form_schema(self, surface: ir.SurfaceSpec, plan: _EntityPlan | None) -> str:
        """The name of the ``...Form`` schema of a surface's fields (made once)."""
        name = self.form_names.get(surface.name)
        if name is None:
            name = self.form_names[surface.name] = self.schema_names.claim(
                f"{pascal(surface.name)}Form", surface.location
            )
            entity = plan.entity if plan is not None else None
            derived = plan.derived if plan is not None else self.loose_derived
            derived.append((name, partial(self._body_schema, surface, entity, False)))
        return name

    # -- shared pieces --------------------------------------------------------

    def _errors(self, *codes: str) -> dict[str, Any]:
        try:
            return self._error_cache[codes]
        except KeyError:
            self.used.update(codes)
            errors = self._error_cache[codes] = {code: _ERROR_REFS[code] for code in codes}
            return errors

    def _ref(self, schema_name: str) -> dict[str, Any]:
        """``{$ref: ...}`` to a schema component."""
        return {"$ref": component_ref("schemas", schema_name)}

    def _content(self, schema_name: str) -> dict[str, Any]:
        """``{application/json: {schema: {$ref: ...}}}``, one shared object per schema."""
        content = self._contents.get(schema_name)
        if content is None:
            content = self._contents[schema_name] = SharedDict({JSON: {"schema": self._ref(schema_name)}})
        return content

    def _response(self, description: str, schema_name: str) -> dict[str, Any]:
        return {"description": description, "content": self._content(schema_name)}

    def _body(self, schema_name: str) -> dict[str, Any]:
        return {"required": True, "content": self._content(schema_name)}

    def _key_param(self, plan: _EntityPlan) -> list[dict[str, Any]]:
        """The item path's key parameter. Entities whose keys have the same
        name and type share one component (``IdUuid`` for ``id: uuid pk``)."""
        pk = plan.entity.primary_key
        name = pk.name if pk is not None else "id"
        field_type = pk.type if pk is not None else ir.FieldType(ir.FieldTypeKind.TEXT)
        key = (name, field_type)
        params = self.key_params.get(key)
        if params is None:
            schema = self.types.base_schema(field_type)
            component = self.key_param_names.claim(pascal(name) + _type_word(field_type))
            self.key_parameters[component] = {
                "name": name,
                "in": "path",
                "description": f"The {name} that identifies the resource.",
                "required": True,
                "schema": {k: v for k, v in schema.items() if k != "x-dazzle-ref"},
            }
            params = self.key_params[key] = SharedList([{"$ref": component_ref("parameters", component)}])
        return params

    def _operation_id(self, name: str, surfaces: list[ir.SurfaceSpec]) -> str:
        op_id = self.operation_ids.claim(name, surfaces[0].location)
        for surface in surfaces:
            self.surface_operations[surface.name].append(op_id)
        return op_id

    # -- operations -----------------------------------------------------------

    def _entity_paths(self, plan: _EntityPlan) -> _PathGroup:
        group = _PathGroup()
        lists = [s for s in plan.surfaces if s.mode is ir.SurfaceMode.LIST]
        views = [s for s in plan.surfaces if s.mode is ir.SurfaceMode.VIEW]
        if lists:
            self._list_operation(group, plan, lists)
        if views:
            self._view_operation(group, plan, views)
        firsts: set[ir.SurfaceMode] = set()
        for surface in plan.surfaces:
            if surface.mode in _VERB:
                self._write_operation(group, plan, surface, first=surface.mode not in firsts)
                firsts.add(surface.mode)
        for surface in plan.surfaces:
            on_item = surface.mode in _ITEM_MODES
            base = plan.item if on_item else plan.collection
            params = self._key_param(plan) if on_item else None
            for action in _integration_actions(surface):
                self._action_operation(group, surface, action, plan, base, plan.tags, params)
        return group

    def _list_operation(self, group: _PathGroup, plan: _EntityPlan, surfaces: list[ir.SurfaceSpec]) -> None:
        """Every list surface of an entity reads the same collection: one operation."""
        entity = plan.entity
        page_name = self.schema_names.claim(f"{entity.name}Page", surfaces[0].location)
        plan.derived.append((page_name, partial(self._entity_page_schema, entity.name)))
        self.used.add("page")
        operation = {
            "operationId": self._operation_id(f"list{plural_pascal(entity.name)}", surfaces),
            "summary": surfaces[0].title or f"List {entity.name}",
            "tags": plan.tags,
            "parameters": _PAGE_PARAMETERS,
            "responses": {
                "200": self._response(f"A page of {entity.name}.", page_name),
                **self._errors("400"),
            },
        }
        group.add(group.route("get", [plan.collection]), "get", operation, None)

    def _entity_page_schema(self, entity_name: str) -> dict[str, Any]:
        """A page of one entity. Each is whole, not a shared ``Page``
        refined with ``allOf``: client generators made that one class typed
        with a single entity."""
        return {
            "description": f"A page of {entity_name}.",
            "type": "object",
            "required": _PAGE_REQUIRED,
            "properties": {
                "items": {
                    "type": "array",
                    "items": self._ref(entity_name),
                    "description": "The items on this page, in order.",
                },
                **_PAGE_PROPERTIES,
            },
        }

    def _view_operation(self, group: _PathGroup, plan: _EntityPlan, surfaces: list[ir.SurfaceSpec]) -> None:
        """Every view surface of an entity reads the same item: one operation."""
        entity = plan.entity
        operation = {
            "operationId": self._operation_id(f"get{pascal(entity.name)}", surfaces),
            "summary": surfaces[0].title or f"Get {entity.name}",
            "tags": plan.tags,
            "responses": {
                "200": self._response(f"The {entity.name}.", entity.name),
                **self._errors("400", "404"),
            },
        }
        group.add(group.route("get", [plan.item]), "get", operation, self._key_param(plan))

    def _write_operation(self, group: _PathGroup, plan: _EntityPlan, surface: ir.SurfaceSpec, *, first: bool) -> None:
        """A create or edit surface: its own operation, since its body is its own.
        The entity's first of each mode has the plain path and operationId."""
        entity = plan.entity
        creating = surface.mode is ir.SurfaceMode.CREATE
        verb = _VERB[surface.mode]
        input_name = self.input_names[surface.name] = self.schema_names.claim(
            f"{pascal(surface.name)}Input", surface.location
        )
        plan.derived.append((input_name, partial(self._body_schema, surface, entity, creating)))
        base = plan.collection if creating else plan.item
        own = f"{base}/{kebab(surface.name)}"
        if creating:
            method, params = "post", None
            self.used.add("location")
            success = {
                "201": {
                    "description": f"The {entity.name} was created.",
                    "headers": _LOCATION_HEADER,
                    "content": self._content(entity.name),
                }
            }
            errors = self._errors("400", "422")
        else:
            method, params = "patch", self._key_param(plan)
            success = {"200": self._response(f"The updated {entity.name}.", entity.name)}
            errors = self._errors("400", "404", "422")
        operation = {
            "operationId": self._operation_id(
                f"{verb}{pascal(entity.name)}" if first else camel(surface.name), [surface]
            ),
            "summary": surface.title or f"{verb.capitalize()} {entity.name}",
            "tags": plan.tags,
            "requestBody": self._body(input_name),
            "responses": {**success, **errors},
        }
        path = group.route(method, [base, own] if first else [own], surface.location)
        group.add(path, method, operation, params)

    def _action_operation(
        self,
        group: _PathGroup,
        surface: ir.SurfaceSpec,
        action: ir.SurfaceAction,
        plan: _EntityPlan | None,
        base: str,
        tags: list[str],
        params: list | None = None,
    ) -> None:
        """A surface action that invokes an integration: ``POST`` under the
        surface's collection or item path, taking the surface's fields."""
        outcome = action.outcome
        integration = self.app.get_integration(outcome.target)
        member = integration.get_member(outcome.action or "") if integration is not None else None

        body_name = None
        if surface.elements:
            # A create or edit surface submits its Input; others their Form.
            body_name = self.input_names.get(surface.name) or self._form_schema(surface, plan)

        if isinstance(member, ir.IntegrationSync):
            success: dict[str, Any] = {"202": {"description": f"The sync {member.name} was started."}}
        elif isinstance(member, ir.IntegrationAction) and member.response is not None:
            target = member.response.entity
            if target in self.plans:
                success = {"200": self._response(f"The {target} the response was mapped to.", target)}
            else:
                success = {"204": {"description": "The action was carried out."}}
        else:
            success = {"204": {"description": "The action was carried out."}}
        codes = ["400"]
        if params:
            codes.append("404")
        if body_name is not None:
            codes.append("422")

        operation: dict[str, Any] = {
            "operationId": self._operation_id(camel(surface.name, action.name), [surface]),
            "summary": action.label or action.name,
            "tags": tags,
        }
        if body_name is not None:
            operation["requestBody"] = self._body(body_name)
        operation["responses"] = {**success, **self._errors(*codes)}
        self.action_operations[(surface.name, action.name)] = operation["operationId"]
        segment = kebab(action.name)
        path = group.route("post", [f"{base}/{segment}", f"{base}/{kebab(surface.name)}/{segment}"], action.location)
        group.add(path, "post", operation, params)


_TYPE_WORDS = {ir.FieldTypeKind.DATETIME: "DateTime"}


def _type_word(field_type: ir.FieldType) -> str:
    """``uuid`` -> ``Uuid``, ``str(12)`` -> ``Str12``, ``ref User`` -> ``RefUser``."""
    kind = field_type.kind
    if kind is ir.FieldTypeKind.STR:
        return f"Str{field_type.max_length}"
    if kind is ir.FieldTypeKind.REF:
        return "Ref" + pascal(field_type.ref_entity or "")
    return _TYPE_WORDS.get(kind, kind.value.capitalize())


_PAGE_PARAMETERS = SharedList(
    [{"$ref": component_ref("parameters", "Page")}, {"$ref": component_ref("parameters", "PageSize")}]
)

_LOCATION_HEADER = SharedDict({"Location": {"$ref": component_ref("headers", "Location")}})


# What every ``{Entity}Page`` has beside its items.
_PAGE_REQUIRED = SharedList(["items", "page", "page_size", "total"])
_PAGE_PROPERTIES = {
    "page": SharedDict({"type": "integer", "minimum": 1, "description": "This page's number, counting from 1."}),
    "page_size": SharedDict(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": PAGE_SIZE_MAX,
            "description": "The most items a page holds.",
        }
    ),
    "total": SharedDict({"type": "integer", "minimum": 0, "description": "How many items there are on all pages."}),
}


def _problem_schema() -> dict[str, Any]:
    """RFC 9457 problem details; extension members are allowed."""
    return {
        "description": "Problem details (RFC 9457).",
        "type": "object",
        "properties": {
            "type": {
                "type": "string",
                "format": "uri-reference",
                "default": "about:blank",
                "description": "A URI reference that identifies the problem type.",
            },
            "title": {"type": "string", "description": "A short summary of the problem type."},
            "status": {"type": "integer", "description": "The HTTP status code."},
            "detail": {"type": "string", "description": "An explanation of this occurrence of the problem."},
            "instance": {
                "type": "string",
                "format": "uri-reference",
                "description": "A URI reference that identifies this occurrence of the problem.",
            },
            "errors": {
                "type": "array",
                "description": "With 422: one entry for each value that was not accepted.",
                "items": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {
                        "detail": {"type": "string"},
                        "pointer": {
                            "type": "string",
                            "description": "A JSON Pointer (RFC 6901) to the value in the request body.",
                        },
                    },
                },
            },
        },
    }
