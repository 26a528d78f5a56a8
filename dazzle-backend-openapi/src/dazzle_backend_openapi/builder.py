"""Build the OpenAPI document from an ``AppSpec``, as YAML events.

``document_members`` gives the document's top-level members in order;
``build_document`` gives the same document as one plain dict (composed from
those events). The builder works in two steps:

1. **Plan** (``_DocumentBuilder.__init__``): every name the document
   invents (paths, operationIds, schema and parameter components), which
   operation goes where, and which shared components (error responses,
   paging parameters, the ``Location`` header) anything refers to. Nothing
   of the document is made yet.
2. **Make**, on demand: ``paths``, ``components`` and ``x-dazzle-surfaces``
   are ``LazyMapping``s that make their items entity by entity while they
   are written. Since everything they share was decided in step 1, they
   may be made in any order.

What is made once per entity, field, operation or surface is made directly
as the emitter's events (``document``): lists assembled from constant runs
(the events of keys, of shared schemas and responses) by concatenation, so
no second pass walks a tree to make them. Small, one-off parts (``info``,
component parameters, the problem schema) are plain data, which the writer
turns into events. Iteration follows declaration order everywhere, so equal
input gives an equal document. The README ("Design") explains the choices.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from dazzle.core import ir

from dazzle_backend_openapi import extensions
from dazzle_backend_openapi.document import (
    CONSTANTS,
    FALSE,
    MAP_END,
    MAP_START,
    TRUE,
    Events,
    LazyMapping,
    Pairs,
    Scalars,
    compose_document,
    constant,
)
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

_METHOD_ORDER = {"get": 1, "put": 2, "post": 3, "delete": 4, "patch": 5}

#: Error responses: status -> (component name, description).
_ERRORS = {
    "400": ("BadRequest", "The request is malformed: a parameter or the body cannot be read."),
    "404": ("NotFound", "No such resource."),
    "422": ("UnprocessableContent", "The body is well formed but its values are not acceptable."),
}

_VERB = {ir.SurfaceMode.CREATE: "create", ir.SurfaceMode.EDIT: "update"}
_OPERATION_MODES = frozenset((ir.SurfaceMode.LIST, ir.SurfaceMode.VIEW, ir.SurfaceMode.CREATE, ir.SurfaceMode.EDIT))
_ITEM_MODES = frozenset((ir.SurfaceMode.VIEW, ir.SurfaceMode.EDIT))

# The events of keys and fixed values.
_ADDITIONAL_PROPERTIES = constant("additionalProperties")
_CONTENT = constant("content")
_DESCRIPTION = constant("description")
_HEADERS = constant("headers")
_ITEMS = constant("items")
_OPERATION_ID = constant("operationId")
_PARAMETERS = constant("parameters")
_PROPERTIES = constant("properties")
_REF = constant("$ref")
_REQUEST_BODY = constant("requestBody")
_REQUIRED = constant("required")
_RESPONSES = constant("responses")
_SUMMARY = constant("summary")
_TAGS = constant("tags")
_TYPE_OBJECT = [constant("type"), constant("object")]
_METHODS = {method: constant(method) for method in _METHOD_ORDER}
_STATUS = {code: constant(code) for code in ("200", "201", "202", "204", "400", "404", "422")}


def _pairs_of(data: dict[str, Any]) -> list[Any]:
    """The events of a constant mapping's members, without its start and end."""
    return CONSTANTS.events(data)[1:-1]


# ``{code: {$ref: ...}}`` for each error response.
_ERROR_PAIRS = {
    code: _pairs_of({code: {"$ref": component_ref("responses", name)}}) for code, (name, _) in _ERRORS.items()
}

_FORM_INPUT = CONSTANTS.events({"type": "string"})


def document_members(appspec: ir.AppSpec, settings: Settings) -> Iterator[tuple[str, Any]]:
    """The document's top-level members, in order."""
    return _DocumentBuilder(appspec, settings).members()


def build_document(appspec: ir.AppSpec, settings: Settings) -> dict[str, Any]:
    """The whole document as one plain dict."""
    return compose_document(document_members(appspec, settings))


def _integration_actions(surface: ir.SurfaceSpec) -> list[ir.SurfaceAction]:
    return [a for a in surface.actions if a.outcome.kind is ir.OutcomeKind.INTEGRATION]


#: Makes the events of one operation.
MakeOperation = Callable[[], list[Any]]


class _EntityPlan:
    """What the document knows about one entity before making any of it."""

    __slots__ = ("entity", "pascal", "collection", "item", "key_param", "surfaces", "tags", "enums", "derived")

    def __init__(self, entity: ir.EntitySpec, collection: str, tags: list[Any]) -> None:
        self.entity = entity
        # The start of the names invented for it (``TicketStatus``, ``getTicket``).
        self.pascal = pascal(entity.name)
        self.collection = collection
        pk = entity.primary_key
        self.item = f"{collection}/{{{pk.name if pk is not None else 'id'}}}"
        self.key_param: list[Any] | None = None  # the events of the item path's parameters, once used
        self.surfaces: list[ir.SurfaceSpec] = []
        self.tags = tags  # the events of its operations' ``tags``
        self.enums: list[tuple[str, ir.FieldType]] = []  # its enum components
        # Schemas that this entity's operations named (page, inputs, forms),
        # each with what makes it.
        self.derived: list[tuple[str, Callable[[], Events]]] = []


class _PathItem:
    """One path: its shared parameters (events) and its operations by method."""

    __slots__ = ("parameters", "operations")

    def __init__(self) -> None:
        self.parameters: list[Any] | None = None
        self.operations: dict[str, MakeOperation] = {}


class _PathGroup:
    """The paths of one entity (or one entity-less surface)."""

    def __init__(self) -> None:
        self.items: dict[str, _PathItem] = {}
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

    def add(self, path: str, method: str, make: MakeOperation, parameters: list[Any] | None) -> None:
        item = self.items.get(path)
        if item is None:
            item = self.items[path] = _PathItem()
        if parameters and item.parameters is None:
            item.parameters = parameters
        item.operations[method] = make


class _DocumentBuilder:
    def __init__(self, appspec: ir.AppSpec, settings: Settings) -> None:
        self.app = appspec
        self.settings = settings
        self.secured = settings.security != "none"
        self.scalars = scalars = Scalars()

        # Entities own their names (schemas, tags, first path segments):
        # claim them before any invented name; then each enum field's
        # component (``TicketStatus``), so that those names do not depend
        # on the surfaces.
        self.schema_names = NameAllocator(tuple(e.name for e in appspec.entities), what="schema")
        tag_names = NameAllocator(tuple(e.name for e in appspec.entities), what="tag")
        segments = NameAllocator(sep="-", what="path segment")
        self.plans: dict[str, _EntityPlan] = {
            e.name: _EntityPlan(e, "/" + segments.claim(plural_kebab(e.name), e.location), scalars.sequence([e.name]))
            for e in appspec.entities
        }
        enum_refs: dict[tuple[str, str], str] = {}
        for entity in appspec.entities:
            plan = self.plans[entity.name]
            for field in entity.fields:
                if field.type.kind is ir.FieldTypeKind.ENUM:
                    name = self.schema_names.claim(plan.pascal + pascal(field.name), field.location)
                    enum_refs[(entity.name, field.name)] = component_ref("schemas", name)
                    plan.enums.append((name, field.type))
        self.types = SchemaMapper(appspec, settings.is_31, enum_refs, scalars)
        self.problem_schema = self.schema_names.claim("Problem")

        # Surfaces by entity; those without one (or with an unknown one) that
        # trigger an integration get a path segment and a tag of their own.
        self.loose: list[tuple[ir.SurfaceSpec, str, str]] = []
        for surface in appspec.surfaces:
            plan = self.plans.get(surface.entity) if surface.entity else None
            if plan is not None:
                plan.surfaces.append(surface)
            elif _integration_actions(surface):
                self.loose.append(
                    (
                        surface,
                        "/" + segments.claim(kebab(surface.name), surface.location),
                        tag_names.claim(surface.name, surface.location),
                    )
                )
        self.tags: list[dict[str, Any]] = []
        for plan in self.plans.values():
            if any(s.mode in _OPERATION_MODES or _integration_actions(s) for s in plan.surfaces):
                entity = plan.entity
                self.tags.append({"name": entity.name, "description": entity.title or entity.name})
        for surface, _base, tag in self.loose:
            self.tags.append({"name": tag, "description": surface.title or surface.name})

        self.operation_ids = NameAllocator(what="operationId")
        self.surface_operations: dict[str, list[str]] = {s.name: [] for s in appspec.surfaces}
        self.action_operations: dict[tuple[str, str], str] = {}
        self.input_names: dict[str, str] = {}  # write surface -> its ...Input schema
        self.form_names: dict[str, str] = {}  # surface -> its ...Form schema
        self.loose_derived: list[tuple[str, Callable[[], Events]]] = []
        self.used: set[str] = set()  # shared components something refers to
        self.key_params: dict[tuple[str, ir.FieldType], list[Any]] = {}
        self.key_parameters: dict[str, Any] = {}
        self.key_param_names = NameAllocator()
        self._contents: dict[str, list[Any]] = {}
        self._error_lists: dict[tuple[str, ...], list[Any]] = {}

        # Every operation, in document order, so that every name and every
        # shared component is known before anything is made.
        self.path_groups: list[_PathGroup] = [
            self._plan_entity_operations(plan) for plan in self.plans.values() if plan.surfaces
        ]
        for surface, base, tag in self.loose:
            group = _PathGroup()
            for action in _integration_actions(surface):
                self._plan_action(group, surface, action, None, base, scalars.sequence([tag]))
            self.path_groups.append(group)

    # -- the document -------------------------------------------------------

    def members(self) -> Iterator[tuple[str, Any]]:
        yield "openapi", self.settings.openapi_version
        yield "info", self._info()
        yield "servers", [{"url": url} for url in self.settings.servers]
        yield "security", [{SECURITY_SCHEME: []}] if self.secured else []
        if self.tags:
            yield "tags", self.tags
        # The members share many strings (operationIds, entity, field and
        # module names): their events are made once for the whole document,
        # not once per member (which took 5% more instructions, for 5% less
        # traced peak memory on 40 x 100).
        yield "paths", LazyMapping(self._paths)
        yield "components", LazyMapping(self._components)
        yield from extensions.members(
            self.app, self.types, self.surface_operations, self.action_operations, self.scalars
        )

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
        # Each group is dropped once made: what is written is not kept.
        groups, self.path_groups = deque(self.path_groups), []
        while groups:
            for path, item in groups.popleft().items.items():
                yield path, self._path_item(item)

    def _path_item(self, item: _PathItem) -> Events:
        out = Events(self.scalars, (MAP_START,))
        if item.parameters:
            out.append(_PARAMETERS)
            out += item.parameters
        for method in sorted(item.operations, key=_METHOD_ORDER.__getitem__):
            out.append(_METHODS[method])
            out += item.operations[method]()
        out.append(MAP_END)
        return out

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
        loose_derived, self.loose_derived = self.loose_derived, []
        for name, make in loose_derived:
            yield name, make()
        if any(code in self.used for code in _ERRORS):
            yield self.problem_schema, _problem_schema()

    # -- schemas ------------------------------------------------------------

    def _entity_schema(self, entity: ir.EntitySpec) -> Events:
        # No ``title``: client generators name a class after a schema's
        # title, and titles need not be unique (README, "Names").
        scalars = self.scalars
        strings = scalars.strings
        field_schema = self.types.field_schema
        out = Events(scalars, (MAP_START,))
        if entity.title:
            out += (_DESCRIPTION, strings[entity.title])
        out += _TYPE_OBJECT
        required = [f.name for f in entity.fields if f.required or f.pk]
        if required:
            out.append(_REQUIRED)
            out += scalars.sequence(required)
        out += (_PROPERTIES, MAP_START)
        for f in entity.fields:
            out.append(strings[f.name])
            out += field_schema(
                f, read_only=f.pk or f.auto_add or f.auto_update, unique=f.unique and not f.pk, owner=entity.name
            )
        out += (MAP_END, _X_DAZZLE_MODULE, strings[entity.module])
        if entity.unique_constraints:
            out.append(_X_DAZZLE_UNIQUE)
            out += scalars.events([list(c.fields) for c in entity.unique_constraints])
        if entity.indexes:
            out.append(_X_DAZZLE_INDEXES)
            out += scalars.events([list(c.fields) for c in entity.indexes])
        out.append(MAP_END)
        return out

    def _body_schema(self, surface: ir.SurfaceSpec, entity: ir.EntitySpec | None, creating: bool) -> Events:
        """The body a surface submits: the entity fields it shows (never the
        primary key or automatic fields) and its form-only inputs, which the
        DSL does not type, as strings (integrations read them as ``form.X``).
        A create body requires the required fields that have no default; an
        edit body requires nothing (fields left out stay as they are)."""
        scalars = self.scalars
        strings = scalars.strings
        properties: list[Any] = []
        seen: set[str] = set()
        required: list[str] = []
        owner = entity.name if entity is not None else None
        for element in surface.elements:
            name = element.field_name
            if name in seen:
                continue
            field = entity.get_field(name) if entity is not None else None
            if field is None:
                seen.add(name)
                properties.append(strings[name])
                properties += _FORM_INPUT
                continue
            if field.pk or field.auto_add or field.auto_update:
                continue
            seen.add(name)
            properties.append(strings[name])
            properties += self.types.field_schema(field, with_default=creating, owner=owner)
            if creating and field.required and field.default is None:
                required.append(name)
        out = Events(scalars, (MAP_START,))
        if surface.title:
            out += (_DESCRIPTION, strings[surface.title])
        out += _TYPE_OBJECT
        if required:
            out.append(_REQUIRED)
            out += scalars.sequence(required)
        out += (_PROPERTIES, MAP_START, *properties, MAP_END, _ADDITIONAL_PROPERTIES, FALSE, MAP_END)
        return out

    def _form_schema(self, surface: ir.SurfaceSpec, plan: _EntityPlan | None) -> str:
        """The name of the ``...Form`` schema of a surface's fields (named once)."""
        name = self.form_names.get(surface.name)
        if name is None:
            name = self.form_names[surface.name] = self.schema_names.claim(
                f"{pascal(surface.name)}Form", surface.location
            )
            entity = plan.entity if plan is not None else None
            derived = plan.derived if plan is not None else self.loose_derived
            derived.append((name, partial(self._body_schema, surface, entity, False)))
        return name

    def _entity_page_schema(self, entity_name: str) -> Events:
        """A page of one entity. Each is whole, not a shared ``Page``
        refined with ``allOf``: client generators made that one class typed
        with a single entity."""
        strings = self.scalars.strings
        return Events(
            self.scalars,
            (
                MAP_START,
                _DESCRIPTION,
                strings[f"A page of {entity_name}."],
                *_PAGE_START,
                *self._ref(entity_name),
                *_PAGE_END,
            ),
        )

    # -- shared pieces --------------------------------------------------------

    def _errors(self, *codes: str) -> list[Any]:
        """The responses' members for these error codes (each a ``$ref``),
        one list for each combination."""
        errors = self._error_lists.get(codes)
        if errors is None:
            self.used.update(codes)
            errors = self._error_lists[codes] = [event for code in codes for event in _ERROR_PAIRS[code]]
        return errors

    def _ref(self, schema_name: str) -> list[Any]:
        """``{$ref: ...}`` to a schema component."""
        return [MAP_START, _REF, self.scalars.strings[component_ref("schemas", schema_name)], MAP_END]

    def _content(self, schema_name: str) -> list[Any]:
        """``{application/json: {schema: {$ref: ...}}}``, made once per schema."""
        content = self._contents.get(schema_name)
        if content is None:
            content = self._contents[schema_name] = [
                MAP_START,
                _JSON,
                MAP_START,
                _SCHEMA,
                *self._ref(schema_name),
                MAP_END,
                MAP_END,
            ]
        return content

    def _response(self, description: str, schema_name: str) -> list[Any]:
        return [
            MAP_START,
            _DESCRIPTION,
            self.scalars.strings[description],
            _CONTENT,
            *self._content(schema_name),
            MAP_END,
        ]

    def _body(self, schema_name: str) -> list[Any]:
        return [MAP_START, _REQUIRED, TRUE, _CONTENT, *self._content(schema_name), MAP_END]

    def _key_param(self, plan: _EntityPlan) -> list[Any]:
        """The item path's key parameter. Entities whose keys have the same
        name and type share one component (``IdUuid`` for ``id: uuid pk``)."""
        if plan.key_param is not None:
            return plan.key_param
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
            params = self.key_params[key] = self.scalars.events([{"$ref": component_ref("parameters", component)}])
        plan.key_param = params
        return params

    def _operation_id(self, name: str, surfaces: list[ir.SurfaceSpec]) -> str:
        op_id = self.operation_ids.claim(name, surfaces[0].location)
        for surface in surfaces:
            self.surface_operations[surface.name].append(op_id)
        return op_id

    def _operation_start(self, operation_id: str, summary: str, tags: list[Any]) -> list[Any]:
        strings = self.scalars.strings
        return [MAP_START, _OPERATION_ID, strings[operation_id], _SUMMARY, strings[summary], _TAGS, *tags]

    # -- operations: planned, then made ----------------------------------------

    def _plan_entity_operations(self, plan: _EntityPlan) -> _PathGroup:
        group = _PathGroup()
        lists = [s for s in plan.surfaces if s.mode is ir.SurfaceMode.LIST]
        views = [s for s in plan.surfaces if s.mode is ir.SurfaceMode.VIEW]
        if lists:
            self._plan_list(group, plan, lists)
        if views:
            self._plan_view(group, plan, views)
        firsts: set[ir.SurfaceMode] = set()
        for surface in plan.surfaces:
            if surface.mode in _VERB:
                self._plan_write(group, plan, surface, first=surface.mode not in firsts)
                firsts.add(surface.mode)
        for surface in plan.surfaces:
            on_item = surface.mode in _ITEM_MODES
            base = plan.item if on_item else plan.collection
            params = self._key_param(plan) if on_item else None
            for action in _integration_actions(surface):
                self._plan_action(group, surface, action, plan, base, plan.tags, params)
        return group

    def _plan_list(self, group: _PathGroup, plan: _EntityPlan, surfaces: list[ir.SurfaceSpec]) -> None:
        """Every list surface of an entity reads the same collection: one operation."""
        entity = plan.entity
        page_name = self.schema_names.claim(f"{entity.name}Page", surfaces[0].location)
        plan.derived.append((page_name, partial(self._entity_page_schema, entity.name)))
        self.used.add("page")
        operation_id = self._operation_id(f"list{plural_pascal(entity.name)}", surfaces)
        errors = self._errors("400")

        def make() -> list[Any]:
            return [
                *self._operation_start(operation_id, surfaces[0].title or f"List {entity.name}", plan.tags),
                _PARAMETERS,
                *_PAGE_PARAMETERS,
                _RESPONSES,
                MAP_START,
                _STATUS["200"],
                *self._response(f"A page of {entity.name}.", page_name),
                *errors,
                MAP_END,
                MAP_END,
            ]

        group.add(group.route("get", [plan.collection]), "get", make, None)

    def _plan_view(self, group: _PathGroup, plan: _EntityPlan, surfaces: list[ir.SurfaceSpec]) -> None:
        """Every view surface of an entity reads the same item: one operation."""
        entity = plan.entity
        operation_id = self._operation_id(f"get{plan.pascal}", surfaces)
        errors = self._errors("400", "404")

        def make() -> list[Any]:
            return [
                *self._operation_start(operation_id, surfaces[0].title or f"Get {entity.name}", plan.tags),
                _RESPONSES,
                MAP_START,
                _STATUS["200"],
                *self._response(f"The {entity.name}.", entity.name),
                *errors,
                MAP_END,
                MAP_END,
            ]

        group.add(group.route("get", [plan.item]), "get", make, self._key_param(plan))

    def _plan_write(self, group: _PathGroup, plan: _EntityPlan, surface: ir.SurfaceSpec, *, first: bool) -> None:
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
            errors = self._errors("400", "422")
        else:
            method, params = "patch", self._key_param(plan)
            errors = self._errors("400", "404", "422")
        operation_id = self._operation_id(f"{verb}{plan.pascal}" if first else camel(surface.name), [surface])

        def make() -> list[Any]:
            if creating:
                success = [
                    _STATUS["201"],
                    MAP_START,
                    _DESCRIPTION,
                    self.scalars.strings[f"The {entity.name} was created."],
                    *_LOCATION_HEADER,
                    _CONTENT,
                    *self._content(entity.name),
                    MAP_END,
                ]
            else:
                success = [_STATUS["200"], *self._response(f"The updated {entity.name}.", entity.name)]
            return [
                *self._operation_start(operation_id, surface.title or f"{verb.capitalize()} {entity.name}", plan.tags),
                _REQUEST_BODY,
                *self._body(input_name),
                _RESPONSES,
                MAP_START,
                *success,
                *errors,
                MAP_END,
                MAP_END,
            ]

        path = group.route(method, [base, own] if first else [own], surface.location)
        group.add(path, method, make, params)

    def _plan_action(
        self,
        group: _PathGroup,
        surface: ir.SurfaceSpec,
        action: ir.SurfaceAction,
        plan: _EntityPlan | None,
        base: str,
        tags: list[Any],
        params: list[Any] | None = None,
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
        codes = ["400"]
        if params:
            codes.append("404")
        if body_name is not None:
            codes.append("422")
        errors = self._errors(*codes)
        operation_id = self._operation_id(camel(surface.name, action.name), [surface])
        self.action_operations[(surface.name, action.name)] = operation_id

        def make() -> list[Any]:
            strings = self.scalars.strings
            if isinstance(member, ir.IntegrationSync):
                success = [
                    _STATUS["202"],
                    MAP_START,
                    _DESCRIPTION,
                    strings[f"The sync {member.name} was started."],
                    MAP_END,
                ]
            elif (
                isinstance(member, ir.IntegrationAction)
                and member.response is not None
                and member.response.entity in self.plans
            ):
                target = member.response.entity
                success = [_STATUS["200"], *self._response(f"The {target} the response was mapped to.", target)]
            else:
                success = _ACTION_DONE
            out = self._operation_start(operation_id, action.label or action.name, tags)
            if body_name is not None:
                out.append(_REQUEST_BODY)
                out += self._body(body_name)
            out += (_RESPONSES, MAP_START, *success, *errors, MAP_END, MAP_END)
            return out

        segment = kebab(action.name)
        path = group.route("post", [f"{base}/{segment}", f"{base}/{kebab(surface.name)}/{segment}"], action.location)
        group.add(path, "post", make, params)


_TYPE_WORDS = {ir.FieldTypeKind.DATETIME: "DateTime"}


def _type_word(field_type: ir.FieldType) -> str:
    """``uuid`` -> ``Uuid``, ``str(12)`` -> ``Str12``, ``ref User`` -> ``RefUser``."""
    kind = field_type.kind
    if kind is ir.FieldTypeKind.STR:
        return f"Str{field_type.max_length}"
    if kind is ir.FieldTypeKind.REF:
        return "Ref" + pascal(field_type.ref_entity or "")
    return _TYPE_WORDS.get(kind, kind.value.capitalize())


_PAGE_PARAMETERS = CONSTANTS.events(
    [{"$ref": component_ref("parameters", "Page")}, {"$ref": component_ref("parameters", "PageSize")}]
)

# ``headers: {Location: {$ref: ...}}``
_LOCATION_HEADER = _pairs_of({"headers": {"Location": {"$ref": component_ref("headers", "Location")}}})

_ACTION_DONE = _pairs_of({"204": {"description": "The action was carried out."}})

_JSON = constant(JSON)
_SCHEMA = constant("schema")
_X_DAZZLE_MODULE = constant("x-dazzle-module")
_X_DAZZLE_UNIQUE = constant("x-dazzle-unique")
_X_DAZZLE_INDEXES = constant("x-dazzle-indexes")

# An ``{Entity}Page`` around its description and the ``$ref`` of its items.
_PAGE_START = [
    *_TYPE_OBJECT,
    *_pairs_of({"required": ["items", "page", "page_size", "total"]}),
    _PROPERTIES,
    MAP_START,
    _ITEMS,
    MAP_START,
    *_pairs_of({"type": "array"}),
    _ITEMS,
]
_PAGE_END = [
    *_pairs_of({"description": "The items on this page, in order."}),
    MAP_END,
    *_pairs_of(
        {
            "page": {"type": "integer", "minimum": 1, "description": "This page's number, counting from 1."},
            "page_size": {
                "type": "integer",
                "minimum": 1,
                "maximum": PAGE_SIZE_MAX,
                "description": "The most items a page holds.",
            },
            "total": {"type": "integer", "minimum": 0, "description": "How many items there are on all pages."},
        }
    ),
    MAP_END,
    MAP_END,
]


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
