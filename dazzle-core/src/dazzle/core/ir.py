"""The AppSpec: the linked, validated application that backends consume.

Everything here is an immutable ``attrs`` record. Collections are tuples in
declaration order; every collection of named things also has an O(1) lookup
method (``AppSpec.get_entity``, ``EntitySpec.get_field``, ...). Every
declaration carries a ``SourceLocation`` pointing at its name in the DSL, so a
backend can report its own errors against the user's source.

References between declarations are by name (``FieldType.ref_entity``,
``SurfaceSpec.entity``, ...); the linker has already checked that every name
resolves, so ``appspec.get_entity(field.type.ref_entity)`` never returns None
for a spec that compiled without errors.

This module is public API: third-party backends program against it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TypeVar

import attrs

__all__ = [
    "NO_LOCATION",
    "ActionTrigger",
    "ApiSpecKind",
    "ApiSpecRef",
    "AppSpec",
    "Assignment",
    "AuthKind",
    "AuthProfile",
    "ConstraintSpec",
    "DomainSpec",
    "EntityReference",
    "EntitySpec",
    "ExperienceSpec",
    "ExperienceStep",
    "Expression",
    "FieldSpec",
    "FieldType",
    "FieldTypeKind",
    "ForeignConstraint",
    "ForeignConstraintKind",
    "ForeignModelSpec",
    "IntegrationAction",
    "IntegrationSpec",
    "IntegrationSync",
    "Literal",
    "MatchRule",
    "ModuleDeclarations",
    "ModuleInfo",
    "Options",
    "Outcome",
    "OutcomeKind",
    "ResponseMapping",
    "ServiceSpec",
    "SourceLocation",
    "StepKind",
    "SurfaceAction",
    "SurfaceElement",
    "SurfaceMode",
    "SurfaceSection",
    "SurfaceSpec",
    "SyncMode",
    "Transition",
    "TransitionEvent",
    "literal_to_dsl",
]

#: A literal value from the DSL: a string (or a bare identifier used as a
#: value, such as an enum default), an integer, a decimal number, a boolean.
Literal = str | int | Decimal | bool


@attrs.frozen
class SourceLocation:
    """Where something was written: a file path, a 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


#: Used for things that have no place in any file (synthesised defaults).
NO_LOCATION = SourceLocation("<none>", 0, 0)


def literal_to_dsl(value: Literal) -> str:
    """A literal as DSL text that the parser reads back as an equal value of
    the same type: ``True`` -> ``true``, ``3`` -> ``3``, ``Decimal("12.50")``
    -> ``12.50`` (a decimal always has a point: ``Decimal(100)`` -> ``100.0``),
    a string -> a quoted string with ``\\`` and ``\"`` escaped (also a bare
    name such as an enum default: ``"open"`` reads back as ``open`` does).

    Raises ``ValueError`` for what the DSL cannot write: a string with a line
    break, a decimal that is not finite, anything that is not a literal.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"the DSL has no literal for the decimal {value}")
        text = format(value, "f")
        return text if "." in text else text + ".0"
    if isinstance(value, str):
        if "\n" in value or "\r" in value:
            raise ValueError(f"a DSL string is one line; {value!r} holds a line break")
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise ValueError(f"not a DSL literal (str, int, bool or Decimal): {value!r}")


def _index(items: tuple) -> dict:
    return {item.name: item for item in items}


@attrs.frozen
class Options(Mapping):
    """An immutable, ordered ``key=value`` mapping (element options, ``meta``
    hints, auth options, constraint options, app metadata)."""

    pairs: tuple[tuple[str, Literal], ...] = ()
    _map: dict = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_map", dict(self.pairs))

    def __getitem__(self, key: str) -> Literal:
        return self._map[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    @classmethod
    def of(cls, mapping: Mapping[str, Literal] | None = None, /) -> Options:
        return cls(tuple((mapping or {}).items()))


# --- Domain ---------------------------------------------------------------


class FieldTypeKind(enum.StrEnum):
    STR = "str"
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    UUID = "uuid"
    EMAIL = "email"
    ENUM = "enum"
    REF = "ref"


@attrs.frozen
class FieldType:
    """A field's type. Only the attributes of its kind are set:
    ``max_length`` for ``str``, ``precision``/``scale`` for ``decimal``,
    ``enum_values`` for ``enum``, ``ref_entity`` for ``ref``."""

    kind: FieldTypeKind
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum_values: tuple[str, ...] = ()
    ref_entity: str | None = None

    def __str__(self) -> str:
        k = self.kind
        if k is FieldTypeKind.STR:
            return f"str({self.max_length})"
        if k is FieldTypeKind.DECIMAL:
            return f"decimal({self.precision},{self.scale})"
        if k is FieldTypeKind.ENUM:
            return f"enum[{','.join(self.enum_values)}]"
        if k is FieldTypeKind.REF:
            return f"ref {self.ref_entity}"
        return k.value


@attrs.frozen
class FieldSpec:
    """A field of an entity or of a foreign model.

    ``required`` is False for optional fields (they may be null). ``pk``
    implies ``required`` and ``unique``. ``default`` is None when there is no
    default (the DSL has no null literal); an enum default is the value's name.
    """

    name: str
    type: FieldType
    location: SourceLocation
    required: bool = False
    pk: bool = False
    unique: bool = False
    default: Literal | None = None
    auto_add: bool = False
    auto_update: bool = False

    @property
    def optional(self) -> bool:
        return not self.required


@attrs.frozen
class ConstraintSpec:
    """A ``unique a,b`` or ``index a,b`` line of an entity."""

    fields: tuple[str, ...]
    location: SourceLocation


@attrs.frozen
class EntitySpec:
    name: str
    title: str | None
    module: str
    location: SourceLocation
    fields: tuple[FieldSpec, ...] = ()
    unique_constraints: tuple[ConstraintSpec, ...] = ()
    indexes: tuple[ConstraintSpec, ...] = ()
    _fields: dict = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_fields", _index(self.fields))

    def get_field(self, name: str) -> FieldSpec | None:
        return self._fields.get(name)

    @property
    def primary_key(self) -> FieldSpec | None:
        """The ``pk`` field (a spec that compiled without errors has exactly one)."""
        for field in self.fields:
            if field.pk:
                return field
        return None


@attrs.frozen
class DomainSpec:
    entities: tuple[EntitySpec, ...] = ()
    _entities: dict = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_entities", _index(self.entities))

    def get_entity(self, name: str) -> EntitySpec | None:
        return self._entities.get(name)


# --- Surfaces -------------------------------------------------------------


class SurfaceMode(enum.StrEnum):
    VIEW = "view"
    CREATE = "create"
    EDIT = "edit"
    LIST = "list"
    CUSTOM = "custom"


class ActionTrigger(enum.StrEnum):
    SUBMIT = "submit"
    CLICK = "click"
    AUTO = "auto"


class OutcomeKind(enum.StrEnum):
    SURFACE = "surface"
    EXPERIENCE = "experience"
    INTEGRATION = "integration"


@attrs.frozen
class Outcome:
    """Where an action leads. ``target`` names a surface, experience or
    integration (per ``kind``); ``step`` is set for ``experience X step s``;
    ``action`` for ``integration I action a`` (an action or a sync of I)."""

    kind: OutcomeKind
    target: str
    location: SourceLocation
    step: str | None = None
    action: str | None = None


@attrs.frozen
class SurfaceElement:
    """A ``field NAME "Label" key=value ...`` line of a section. ``field_name``
    is a field of the surface's entity, or a form-only input."""

    field_name: str
    label: str | None
    location: SourceLocation
    options: Options = Options()

    @property
    def name(self) -> str:
        return self.field_name


@attrs.frozen
class SurfaceSection:
    name: str
    title: str | None
    location: SourceLocation
    elements: tuple[SurfaceElement, ...] = ()


@attrs.frozen
class SurfaceAction:
    name: str
    label: str | None
    trigger: ActionTrigger
    outcome: Outcome
    location: SourceLocation


@attrs.frozen
class SurfaceSpec:
    name: str
    title: str | None
    module: str
    location: SourceLocation
    mode: SurfaceMode
    entity: str | None = None
    sections: tuple[SurfaceSection, ...] = ()
    actions: tuple[SurfaceAction, ...] = ()
    metadata: Options = Options()
    _actions: dict = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_actions", _index(self.actions))

    def get_action(self, name: str) -> SurfaceAction | None:
        return self._actions.get(name)

    @property
    def elements(self) -> tuple[SurfaceElement, ...]:
        """Every element of every section, in order."""
        return tuple(e for section in self.sections for e in section.elements)


# --- Experiences ----------------------------------------------------------


class StepKind(enum.StrEnum):
    SURFACE = "surface"
    PROCESS = "process"
    INTEGRATION = "integration"


class TransitionEvent(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


@attrs.frozen
class Transition:
    event: TransitionEvent
    target_step: str
    location: SourceLocation


@attrs.frozen
class ExperienceStep:
    """A step. ``surface`` is set for surface steps; ``integration`` and
    ``action`` (an action or sync of it) for integration steps."""

    name: str
    kind: StepKind
    location: SourceLocation
    surface: str | None = None
    integration: str | None = None
    action: str | None = None
    transitions: tuple[Transition, ...] = ()

    def next_step(self, event: TransitionEvent) -> str | None:
        for t in self.transitions:
            if t.event is event:
                return t.target_step
        return None

    @property
    def is_terminal(self) -> bool:
        return not self.transitions


@attrs.frozen
class ExperienceSpec:
    name: str
    title: str | None
    module: str
    location: SourceLocation
    start_step: str
    steps: tuple[ExperienceStep, ...] = ()
    _steps: dict = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_steps", _index(self.steps))

    def get_step(self, name: str) -> ExperienceStep | None:
        return self._steps.get(name)


# --- Services and foreign models ------------------------------------------


class ApiSpecKind(enum.StrEnum):
    URL = "url"
    INLINE = "inline"


@attrs.frozen
class ApiSpecRef:
    """``spec: url "..."`` or ``spec: inline "..."``."""

    kind: ApiSpecKind
    value: str
    location: SourceLocation


class AuthKind(enum.StrEnum):
    OAUTH2_LEGACY = "oauth2_legacy"
    OAUTH2_PKCE = "oauth2_pkce"
    JWT_STATIC = "jwt_static"
    API_KEY_HEADER = "api_key_header"
    API_KEY_QUERY = "api_key_query"
    NONE = "none"


@attrs.frozen
class AuthProfile:
    kind: AuthKind
    location: SourceLocation
    options: Options = Options()


@attrs.frozen
class ServiceSpec:
    name: str
    title: str | None
    module: str
    location: SourceLocation
    spec: ApiSpecRef
    auth: AuthProfile | None = None
    owner: str | None = None


class ForeignConstraintKind(enum.StrEnum):
    READ_ONLY = "read_only"
    EVENT_DRIVEN = "event_driven"
    BATCH_IMPORT = "batch_import"


@attrs.frozen
class ForeignConstraint:
    kind: ForeignConstraintKind
    location: SourceLocation
    options: Options = Options()


@attrs.frozen
class ForeignModelSpec:
    name: str
    title: str | None
    module: str
    location: SourceLocation
    service: str
    key_fields: tuple[str, ...] = ()
    constraints: tuple[ForeignConstraint, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    _fields: dict = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_fields", _index(self.fields))

    def get_field(self, name: str) -> FieldSpec | None:
        return self._fields.get(name)


# --- Integrations ---------------------------------------------------------


@attrs.frozen
class Expression:
    """A dotted path (``form.vrn`` is ``path=("form", "vrn")``) or a literal
    (``path=()`` and ``value`` set)."""

    path: tuple[str, ...] = ()
    value: Literal | None = None

    @property
    def is_path(self) -> bool:
        return bool(self.path)

    def __str__(self) -> str:
        if self.path:
            return ".".join(self.path)
        return repr(self.value)


@attrs.frozen
class Assignment:
    """``target <- expression``."""

    target: str
    expression: Expression
    location: SourceLocation


@attrs.frozen
class ResponseMapping:
    """``map response FOREIGN -> entity ENTITY:`` and its assignments."""

    foreign_model: str
    entity: str
    location: SourceLocation
    assignments: tuple[Assignment, ...] = ()


@attrs.frozen
class IntegrationAction:
    """``when surface S submitted`` (``surface``, optional), ``call
    SERVICE.OPERATION with:`` and its arguments, optional response mapping."""

    name: str
    location: SourceLocation
    service: str
    operation: str
    surface: str | None = None
    arguments: tuple[Assignment, ...] = ()
    response: ResponseMapping | None = None


class SyncMode(enum.StrEnum):
    SCHEDULED = "scheduled"
    EVENT_DRIVEN = "event_driven"


@attrs.frozen
class MatchRule:
    """``foreign_field <-> entity_field``."""

    foreign_field: str
    entity_field: str
    location: SourceLocation


@attrs.frozen
class IntegrationSync:
    name: str
    location: SourceLocation
    mode: SyncMode
    service: str
    operation: str
    foreign_model: str
    entity: str
    schedule: str | None = None
    match_rules: tuple[MatchRule, ...] = ()


@attrs.frozen
class IntegrationSpec:
    name: str
    title: str | None
    module: str
    location: SourceLocation
    services: tuple[str, ...] = ()
    foreign_models: tuple[str, ...] = ()
    actions: tuple[IntegrationAction, ...] = ()
    syncs: tuple[IntegrationSync, ...] = ()
    _members: dict = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_members", {**_index(self.syncs), **_index(self.actions)})

    def get_action(self, name: str) -> IntegrationAction | None:
        member = self._members.get(name)
        return member if isinstance(member, IntegrationAction) else None

    def get_sync(self, name: str) -> IntegrationSync | None:
        member = self._members.get(name)
        return member if isinstance(member, IntegrationSync) else None

    def get_member(self, name: str) -> IntegrationAction | IntegrationSync | None:
        """An action or a sync: what ``integration I action a`` may name."""
        return self._members.get(name)


# --- The application ------------------------------------------------------


@attrs.frozen
class ModuleInfo:
    """A module of the application: its name, file, the modules it uses, and
    the aliases its ``use ... as`` lines give them (alias to module name)."""

    name: str
    file: str
    uses: tuple[str, ...] = ()
    aliases: Options = Options()


_Declaration = TypeVar(
    "_Declaration", EntitySpec, SurfaceSpec, ExperienceSpec, ServiceSpec, ForeignModelSpec, IntegrationSpec
)


@attrs.frozen
class EntityReference:
    """A ``ref`` field: ``field`` of ``entity`` refers to another entity."""

    entity: EntitySpec
    field: FieldSpec


@attrs.frozen
class ModuleDeclarations:
    """The declarations written in one module, each kind in declaration order."""

    module: ModuleInfo
    entities: tuple[EntitySpec, ...] = ()
    surfaces: tuple[SurfaceSpec, ...] = ()
    experiences: tuple[ExperienceSpec, ...] = ()
    services: tuple[ServiceSpec, ...] = ()
    foreign_models: tuple[ForeignModelSpec, ...] = ()
    integrations: tuple[IntegrationSpec, ...] = ()


@attrs.frozen
class AppSpec:
    """The whole linked application.

    ``metadata`` holds project facts that are not declarations:
    ``dsl_version``, ``root_module`` and, for projects with a ``dazzle.toml``,
    ``project_name``.
    """

    name: str
    title: str | None
    version: str
    location: SourceLocation
    domain: DomainSpec = DomainSpec()
    surfaces: tuple[SurfaceSpec, ...] = ()
    experiences: tuple[ExperienceSpec, ...] = ()
    services: tuple[ServiceSpec, ...] = ()
    foreign_models: tuple[ForeignModelSpec, ...] = ()
    integrations: tuple[IntegrationSpec, ...] = ()
    modules: tuple[ModuleInfo, ...] = ()
    metadata: Options = Options()
    _lookup: dict = attrs.field(init=False, repr=False, eq=False, hash=False)
    # Built on first use of references_to: most backends never ask.
    _references: dict = attrs.field(init=False, repr=False, eq=False, hash=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self,
            "_lookup",
            {
                "surface": _index(self.surfaces),
                "experience": _index(self.experiences),
                "service": _index(self.services),
                "foreign_model": _index(self.foreign_models),
                "integration": _index(self.integrations),
            },
        )

    @property
    def entities(self) -> tuple[EntitySpec, ...]:
        """Shorthand for ``domain.entities``."""
        return self.domain.entities

    def get_entity(self, name: str) -> EntitySpec | None:
        return self.domain.get_entity(name)

    def get_surface(self, name: str) -> SurfaceSpec | None:
        return self._lookup["surface"].get(name)

    def get_experience(self, name: str) -> ExperienceSpec | None:
        return self._lookup["experience"].get(name)

    def get_service(self, name: str) -> ServiceSpec | None:
        return self._lookup["service"].get(name)

    def get_foreign_model(self, name: str) -> ForeignModelSpec | None:
        return self._lookup["foreign_model"].get(name)

    def get_integration(self, name: str) -> IntegrationSpec | None:
        return self._lookup["integration"].get(name)

    def get_module(self, name: str) -> ModuleInfo | None:
        for module in self.modules:
            if module.name == name:
                return module
        return None

    def references_to(self, entity: str) -> tuple[EntityReference, ...]:
        """Every ``ref`` field that refers to the entity named ``entity``
        (self-references included), in declaration order: entities as
        declared, each one's fields as written. Empty for an unknown name."""
        if not self._references and self.entities:
            index: dict[str, list[EntityReference]] = {}
            for spec in self.entities:
                for field in spec.fields:
                    if field.type.kind is FieldTypeKind.REF and field.type.ref_entity is not None:
                        index.setdefault(field.type.ref_entity, []).append(EntityReference(spec, field))
            self._references.update((name, tuple(refs)) for name, refs in index.items())
        refs: tuple[EntityReference, ...] = self._references.get(entity, ())
        return refs

    def referring_entities(self, entity: str) -> tuple[EntitySpec, ...]:
        """The entities with at least one ``ref`` field to ``entity``, each
        once, in declaration order (the entity itself when it refers to itself)."""
        return tuple({id(r.entity): r.entity for r in self.references_to(entity)}.values())

    def declarations_in(self, module: str) -> ModuleDeclarations:
        """What the module named ``module`` declares. Raises ``KeyError``
        (listing the modules) when the application has no such module."""
        info = self.get_module(module)
        if info is None:
            known = ", ".join(m.name for m in self.modules) or "none"
            raise KeyError(f"no module named {module!r}; the modules are: {known}")

        def written_in(items: tuple[_Declaration, ...]) -> tuple[_Declaration, ...]:
            return tuple(item for item in items if item.module == module)

        return ModuleDeclarations(
            info,
            entities=written_in(self.entities),
            surfaces=written_in(self.surfaces),
            experiences=written_in(self.experiences),
            services=written_in(self.services),
            foreign_models=written_in(self.foreign_models),
            integrations=written_in(self.integrations),
        )
