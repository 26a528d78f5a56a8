"""From the AppSpec to the ``Schema`` data structure, in passes:

1. name the models;
2. per entity, name the fields the DSL declares, then its foreign-key fields
   and enums (naming problems stop the build here);
3. resolve each entity's key (what a reference to it points at and is typed as);
4. name relations and back-relations;
5. lay out every model: its fields, attributes and constraints, then its enums.

Every name a DSL author wrote keeps its place; a name this backend makes up
gives way, with a numeric suffix, to any name already there, and says so with
a ``BackendWarning`` (codes in ``WarningCode``). Problems the user must fix
are collected with their DSL locations and raised together as one
``BackendError``.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

import attrs
from dazzle.backends import BackendError, BackendWarning, plural
from dazzle.core.ir import AppSpec, ConstraintSpec, EntitySpec, FieldSpec, FieldTypeKind, SourceLocation

from dazzle_backend_prisma import constraint_names as cn
from dazzle_backend_prisma.constraint_names import ConstraintNames
from dazzle_backend_prisma.escaping import line_comment
from dazzle_backend_prisma.naming import (
    NameKind,
    NamingStyle,
    is_identifier,
    name_problem,
    numbered,
    prisma_name,
)
from dazzle_backend_prisma.options import PrismaOptions
from dazzle_backend_prisma.providers import ColumnType, Provider, UnsupportedType, get_provider
from dazzle_backend_prisma.schema import (
    Attribute,
    ConfigBlock,
    Enum,
    Expr,
    Field,
    FieldList,
    Model,
    Schema,
    Value,
)

REF = FieldTypeKind.REF


class WarningCode(StrEnum):
    """The ``code`` of each ``BackendWarning`` this backend gives: a name it
    made up had to give way to one already there."""

    FOREIGN_KEY_RENAMED = "P001"
    BACK_RELATION_RENAMED = "P002"
    ENUM_RENAMED = "P003"
    CONSTRAINT_RENAMED = "P004"
    COMPOUND_UNIQUE_RENAMED = "P005"


def build_schema(appspec: AppSpec, options: PrismaOptions) -> Schema:
    """The Prisma schema for ``appspec``. Raises ``BackendError``."""
    return _Builder(appspec, options).build()


@attrs.frozen
class _Key:
    """What a reference to an entity points at: the Prisma name of its key
    field and that field's type and native type."""

    field: str
    type: str
    native: Attribute | None


@attrs.frozen
class _BackRelation:
    name: str
    source: str  # the Prisma model holding the reference
    single: bool  # one-to-one: the reference is unique
    relation: str | None


@attrs.define
class _Plan:
    """What is decided about one entity before its model is laid out."""

    entity: EntitySpec
    model: str
    fields: dict[str, str] = attrs.field(factory=dict)  # DSL field -> Prisma field
    taken: set[str] = attrs.field(factory=set)  # Prisma field names in use
    columns: set[str] = attrs.field(factory=set)  # column names in use
    foreign_keys: dict[str, tuple[str, str]] = attrs.field(factory=dict)  # ref -> (field, column)
    enums: dict[str, str] = attrs.field(factory=dict)  # enum field -> Prisma enum
    unique: set[str] = attrs.field(factory=set)  # DSL fields unique by themselves (not the key)
    back_relations: list[_BackRelation] = attrs.field(factory=list)


class _Builder:
    def __init__(self, appspec: AppSpec, options: PrismaOptions) -> None:
        self.appspec = appspec
        self.options = options
        self.style: NamingStyle = options.naming
        self.provider: Provider = get_provider(options.provider)
        self.errors: list[str] = []
        self.plans: dict[str, _Plan] = {}
        self.keys: dict[str, _Key | None] = {}
        self.relation_names: dict[tuple[str, str], str] = {}
        self.refs: list[tuple[_Plan, FieldSpec]] = []  # every reference, in order
        self.constraint_names = ConstraintNames(self.provider.constraint_name_limit)
        self.column_types: dict[tuple, ColumnType] = {}
        self.map_attributes: dict[str, Attribute] = {}

    def error(self, location: SourceLocation, message: str) -> None:
        self.errors.append(f"{location}: {message}")

    def warn(self, location: SourceLocation, code: WarningCode, message: str) -> None:
        warnings.warn(BackendWarning(message, location=location, code=code.value), stacklevel=2)

    def claim(self, location: SourceLocation, table: str, columns: Sequence[str], suffix: str) -> str | None:
        """``ConstraintNames.claim``, warning when the default name is taken."""
        explicit = self.constraint_names.claim(table, columns, suffix)
        if explicit is not None:
            what = {
                cn.PRIMARY_KEY: "primary key",
                cn.UNIQUE: "unique constraint",
                cn.INDEX: "index",
                cn.FOREIGN_KEY: "foreign key",
                cn.DEFAULT: "default",
            }[suffix]
            on = f" on {', '.join(columns)}" if columns else ""
            self.warn(
                location,
                WarningCode.CONSTRAINT_RENAMED,
                f"the {what} of table '{table}'{on} is named '{explicit}' in the database: "
                "Prisma's default name for it is another constraint's",
            )
        return explicit

    def raise_errors(self) -> None:
        if self.errors:
            count = len(self.errors)
            head = "" if count == 1 else f"{count} problems for Prisma:\n"
            raise BackendError(head + "\n".join(self.errors))

    # -- passes --------------------------------------------------------------

    def build(self) -> Schema:
        self.name_models()
        enum_names = {self.type_key(n) for p in self.plans.values() for n in (p.model, p.entity.name)}
        for plan in self.plans.values():
            self.plan_fields(plan, enum_names)
        self.raise_errors()
        self.resolve_keys()
        self.raise_errors()
        self.name_relations()
        self.name_back_relations()
        blocks: list[ConfigBlock | Model | Enum] = [self.datasource(), self.generator()]
        for plan in self.plans.values():
            blocks.extend(self.model(plan))
        self.raise_errors()
        return Schema(self.header(), tuple(blocks))

    def name_models(self) -> None:
        owners: dict[str, EntitySpec] = {}
        tables: dict[bytes, EntitySpec | FieldSpec] = {}
        for entity in self.appspec.entities:
            self.check_name_length(entity, "table", tables)
            name = prisma_name(entity.name, "type", self.style)
            problem = name_problem(name, "type")
            if problem:
                self.error(entity.location, f"entity '{entity.name}' cannot be a Prisma model '{name}': {problem}")
            elif name in owners:
                self.error(entity.location, _collision("entity", entity.name, name, owners[name]))
            owners.setdefault(name, entity)
            self.plans[entity.name] = _Plan(entity, name)

    def check_name_length(
        self, owner: EntitySpec | FieldSpec, what: str, seen: dict[bytes, EntitySpec | FieldSpec]
    ) -> None:
        """Refuse a table or column name the database would refuse, or cut into
        one it already has (``seen``: the names so far, as the database keeps them)."""
        limit = self.provider.name_limit
        name = owner.name.encode("utf-8")
        if limit is None or len(name) <= limit:
            return
        if not self.provider.cuts_long_names:
            self.error(
                owner.location,
                f"{what} '{owner.name}' is longer than the {limit} bytes {self.provider.name} takes; shorten it",
            )
            return
        first = seen.setdefault(name[:limit], owner)
        if first is not owner:
            self.error(
                owner.location,
                f"{what} '{owner.name}' and {what} '{first.name}' ({first.location}) are one {what} on "
                f"{self.provider.name}, which keeps the first {limit} bytes of a name; shorten one of them",
            )

    def plan_fields(self, plan: _Plan, enum_names: set[str]) -> None:
        """Name the fields of one entity: the DSL's own (a clash is an error),
        then the ones this backend adds (which give way); note its enums,
        references and fields unique by themselves."""
        owners: dict[str, FieldSpec] = {}
        columns: dict[bytes, EntitySpec | FieldSpec] = {}
        fields = plan.entity.fields
        for f in fields:
            if f.type.kind is not REF:
                self.check_name_length(f, "column", columns)
            name = prisma_name(f.name, "field", self.style)
            problem = name_problem(name, "field")
            if problem:
                self.error(f.location, f"field '{f.name}' cannot be a Prisma field '{name}': {problem}")
            elif name in owners:
                self.error(f.location, _collision("field", f.name, name, owners[name]))
            owners.setdefault(name, f)
            plan.fields[f.name] = name
            plan.taken.add(name)
            if f.type.kind is not REF:
                plan.columns.add(f.name)
        single = {c.fields[0] for c in plan.entity.unique_constraints if len(set(c.fields)) == 1}
        for f in fields:
            kind = f.type.kind
            if not f.pk and (f.unique or f.name in single):
                plan.unique.add(f.name)
            if kind is REF:
                self.refs.append((plan, f))
                plan.foreign_keys[f.name] = self.name_foreign_key(plan, f)
            elif kind is FieldTypeKind.ENUM and self.provider.enums:
                wanted = f"{plan.entity.name}_{f.name}"
                name = self.free_enum_name(wanted, enum_names)
                if name != prisma_name(wanted, "type", self.style):
                    self.warn(
                        f.location,
                        WarningCode.ENUM_RENAMED,
                        f"the enum of field '{f.name}' is named '{name}': "
                        f"'{prisma_name(wanted, 'type', self.style)}' is a model or another enum",
                    )
                enum_names.add(self.type_key(name))
                plan.enums[f.name] = name

    def type_key(self, name: str) -> str:
        """A model, table or enum name as the database keeps it: PostgreSQL
        cuts it to 63 bytes, and an enum there is a type, like each table."""
        limit = self.provider.name_limit
        return name[:limit] if limit is not None and self.provider.cuts_long_names else name

    def free_enum_name(self, wanted: str, taken: set[str]) -> str:
        """``{Entity}{Field}`` (``Entity_field`` when preserving names); when a
        model, table or earlier enum has it, ``..._2``, ``..._3``, ... shortened
        to keep the number where the database cuts names. ``taken`` holds
        ``type_key``s."""
        base = prisma_name(wanted, "type", self.style)
        limit = self.provider.name_limit if self.provider.cuts_long_names else None
        number = 1
        while True:
            name = prisma_name(numbered(wanted, number), "type", self.style)
            if not is_identifier(name):
                return name  # from a DSL name already reported as no name
            if number > 1 and limit is not None and len(name) > limit and name.startswith(base):
                tail = name[len(base) :]
                name = base[: limit - len(tail)] + tail
            if self.type_key(name) not in taken and name_problem(name, "type") is None:
                return name
            number += 1

    def name_foreign_key(self, plan: _Plan, f: FieldSpec) -> tuple[str, str]:
        """The scalar field of ``author: ref User`` is the column ``author_id``
        (Prisma field ``authorId``); when the entity already has that name,
        ``author_id_2``, ``author_id_3``, ..."""
        number = 1
        while True:
            column = numbered(f"{f.name}_id", number)
            name = prisma_name(column, "field", self.style)
            if column not in plan.columns and name not in plan.taken:
                plan.columns.add(column)
                plan.taken.add(name)
                if number > 1:
                    self.warn(
                        f.location,
                        WarningCode.FOREIGN_KEY_RENAMED,
                        f"the foreign key of reference '{f.name}' is the column '{column}' "
                        f"(field '{name}'): entity '{plan.entity.name}' already has "
                        f"'{f.name}_id'",
                    )
                return name, column
            number += 1

    def resolve_keys(self) -> None:
        for name in self.plans:
            self.key_of(name, ())

    def key_of(self, entity_name: str, visiting: tuple[str, ...]) -> _Key | None:
        """The key of an entity, following keys that are references; None
        (once reported) when there is none."""
        if entity_name in self.keys:
            return self.keys[entity_name]
        plan = self.plans[entity_name]
        pk = plan.entity.primary_key
        key = None
        if pk is None:
            self.error(plan.entity.location, f"entity '{entity_name}' has no primary key")
        elif pk.type.kind is REF:
            target = pk.type.ref_entity or ""
            if target in visiting or target == entity_name:
                start = (*visiting, entity_name).index(target)
                cycle = " -> ".join((*visiting, entity_name, target)[start:])
                first_key = self.plans[target].entity.primary_key
                self.error(
                    first_key.location if first_key else pk.location,
                    f"primary keys that are references go round in a circle: {cycle}",
                )
            else:
                target_key = self.key_of(target, (*visiting, entity_name))
                if target_key is not None:
                    key = _Key(plan.foreign_keys[pk.name][0], target_key.type, target_key.native)
        else:
            column = self.column_type(plan, pk)
            if column is not None:
                key = _Key(plan.fields[pk.name], column.scalar, column.native)
        self.keys[entity_name] = key
        return key

    def name_relations(self) -> None:
        """Prisma needs a name on relations it could confuse: two or more
        between the same two models, and a model's references to itself.
        The name is ``Entity_field`` of the reference."""
        pairs = Counter(frozenset((plan.entity.name, f.type.ref_entity)) for plan, f in self.refs)
        for plan, f in self.refs:
            source, target = plan.entity.name, f.type.ref_entity or ""
            if source == target or pairs[frozenset((source, target))] > 1:
                self.relation_names[source, f.name] = f"{source}_{f.name}"

    def name_back_relations(self) -> None:
        """Each reference ``field`` of ``Entity`` gets its opposite field on the
        target, named after the referring entity, in the plural for a list
        (``tickets Ticket[]``), in the singular for a one-to-one relation
        (``profile Profile?``). When ``Entity`` refers to the target more than
        once, or to itself, the field is added: ``ticketsAsReporter``,
        ``ticketsAsAssignee``. A name the target already has (a field of its
        own, a foreign key, an earlier back-relation) pushes it to ``..._2``."""
        refs_between = Counter((plan.entity.name, f.type.ref_entity) for plan, f in self.refs)
        for plan, f in self.refs:
            source, target_name = plan.entity.name, f.type.ref_entity or ""
            target = self.plans[target_name]
            single = f.pk or f.name in plan.unique
            wanted = source if single else plural(source)
            if source == target_name or refs_between[source, target_name] > 1:
                wanted = f"{wanted}_as_{f.name}"
            name = _first_free(wanted, "field", self.style, target.taken)
            if name != prisma_name(wanted, "field", self.style):
                self.warn(
                    f.location,
                    WarningCode.BACK_RELATION_RENAMED,
                    f"the opposite field of reference '{f.name}' on model '{target.model}' is "
                    f"'{name}': '{prisma_name(wanted, 'field', self.style)}' is taken there",
                )
            target.taken.add(name)
            relation = self.relation_names.get((plan.entity.name, f.name))
            target.back_relations.append(_BackRelation(name, plan.model, single, relation))

    # -- blocks --------------------------------------------------------------

    def header(self) -> tuple[str, ...]:
        text = (
            f"Generated by DAZZLE from the application '{self.appspec.name}'. "
            "Do not edit: change the DSL and build again."
        )
        foreign = self.appspec.foreign_models
        if foreign:
            text += (
                "\nForeign models are external data, owned by the services they come from, "
                "and are not part of this schema:"
            )
            text += "".join(f"\n  {fm.name} (service {fm.service})" for fm in foreign)
        return line_comment(text)

    def datasource(self) -> ConfigBlock:
        return ConfigBlock("datasource", "db", (("provider", self.provider.name),))

    def generator(self) -> ConfigBlock:
        entries: list[tuple[str, str]] = [("provider", self.options.generator)]
        if self.options.generator_output:
            entries.append(("output", self.options.generator_output))
        return ConfigBlock("generator", "client", tuple(entries))

    def model(self, plan: _Plan) -> list[Model | Enum]:
        """The model of an entity, followed by its enums."""
        entity = plan.entity
        table = entity.name
        fields: list[Field] = []
        constraints = (*entity.unique_constraints, *entity.indexes)
        indexed = {name for c in constraints for name in c.fields} if constraints else _NOTHING
        for f in entity.fields:
            if f.type.kind is REF:
                fields.extend(self.reference_fields(plan, f))
            else:
                column = self.column_type(plan, f)
                if column is not None:
                    fields.append(self.scalar_field(plan, f, column, f.name in indexed))
        fields.extend(
            Field(
                b.name,
                b.source,
                "?" if b.single else "[]",
                (Attribute("relation", (b.relation,)),) if b.relation else (),
            )
            for b in plan.back_relations
        )
        block: list[Attribute] = []
        compound_names: set[str] = set()
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for kind, constraints, suffix in (
            ("unique", entity.unique_constraints, cn.UNIQUE),
            ("index", entity.indexes, cn.INDEX),
        ):
            for constraint in constraints:
                members = tuple(dict.fromkeys(constraint.fields))
                if (kind, members) in seen or (kind == "unique" and len(members) == 1):
                    continue
                seen.add((kind, members))
                prisma_fields = tuple(self.scalar_name(plan, m) for m in members)
                attribute = Attribute(kind, (FieldList(prisma_fields),))
                if kind == "unique":
                    attribute = self.name_compound_unique(plan, constraint, prisma_fields, compound_names)
                columns = tuple(self.column_name(plan, m) for m in members)
                explicit = self.claim(constraint.location, table, columns, suffix)
                if explicit is not None:
                    attribute = attribute.with_named("map", explicit)
                block.append(attribute)
        if plan.model != table:
            block.append(Attribute("map", (table,)))
        return [Model(plan.model, tuple(fields), tuple(block), entity.title), *self.enums(plan)]

    def name_compound_unique(
        self, plan: _Plan, constraint: ConstraintSpec, fields: tuple[str, ...], taken: set[str]
    ) -> Attribute:
        """Prisma's client names a ``@@unique`` after its fields, joined by
        ``_``. Another ``@@unique`` of that name gets ``name: "..._2"``; a
        field of that name is refused: Prisma rejects the pair even with a
        custom name (it cannot happen with camelCase field names)."""
        attribute = Attribute("unique", (FieldList(fields),))
        client_name = "_".join(fields)
        if client_name in plan.taken:
            self.error(
                constraint.location,
                f"Prisma names the unique constraint on {', '.join(fields)} '{client_name}', "
                f"like the field '{client_name}', and refuses the two; rename the field, "
                "or build with -O prisma.naming=prisma",
            )
        elif client_name in taken:
            number = 2
            while f"{client_name}_{number}" in taken or f"{client_name}_{number}" in plan.taken:
                number += 1
            self.warn(
                constraint.location,
                WarningCode.COMPOUND_UNIQUE_RENAMED,
                f"Prisma's client names the unique constraint on {', '.join(fields)} "
                f"'{client_name}_{number}': another one is '{client_name}'",
            )
            client_name = f"{client_name}_{number}"
            attribute = attribute.with_named("name", client_name)
        taken.add(client_name)
        return attribute

    def enums(self, plan: _Plan) -> list[Enum]:
        result = []
        for field_name, enum_name in plan.enums.items():
            f = plan.entity.get_field(field_name)
            for value in f.type.enum_values:
                problem = name_problem(value, "field")
                if problem:
                    self.error(
                        f.location,
                        f"enum value '{value}' of field '{f.name}' cannot be a Prisma enum value: {problem}",
                    )
            result.append(Enum(enum_name, f.type.enum_values))
        return result

    # -- fields --------------------------------------------------------------

    def column_type(self, plan: _Plan, f: FieldSpec) -> ColumnType | None:
        if f.name in plan.enums:
            return ColumnType(plan.enums[f.name])
        t = f.type
        key = (t.kind, t.max_length, t.precision, t.scale)
        column = self.column_types.get(key)
        if column is None:
            try:
                column = self.column_types[key] = self.provider.column_type(t)
            except UnsupportedType as exc:
                self.error(f.location, f"field '{f.name}': {exc}")
        return column

    def key_attribute(self, location: SourceLocation, table: str) -> Attribute:
        if not self.provider.named_primary_keys:
            return _ID
        return _with_map(_ID, self.claim(location, table, (), cn.PRIMARY_KEY))

    def map_attribute(self, column: str) -> Attribute:
        attribute = self.map_attributes.get(column)
        if attribute is None:
            attribute = self.map_attributes[column] = Attribute("map", (column,))
        return attribute

    def scalar_name(self, plan: _Plan, dsl_field: str) -> str:
        """The Prisma name of the scalar field holding ``dsl_field``: the field
        itself, or the foreign-key field of a reference."""
        fk = plan.foreign_keys.get(dsl_field)
        return fk[0] if fk else plan.fields[dsl_field]

    def column_name(self, plan: _Plan, dsl_field: str) -> str:
        fk = plan.foreign_keys.get(dsl_field)
        return fk[1] if fk else dsl_field

    def scalar_field(self, plan: _Plan, f: FieldSpec, column: ColumnType, indexed: bool) -> Field:
        table = plan.entity.name
        attributes: list[Attribute] = []
        if (f.pk or f.name in plan.unique or indexed) and not column.indexable:
            self.error(
                f.location,
                f"field '{f.name}' ({f.type}) cannot be a key or indexed on {self.provider.name}; "
                "use str(N) with a smaller N",
            )
        if f.pk:
            attributes.append(self.key_attribute(f.location, table))
        elif f.name in plan.unique:
            attributes.append(_with_map(_UNIQUE, self.claim(f.location, table, (f.name,), cn.UNIQUE)))
        default = self.default_value(plan, f) if f.default is not None or f.auto_add or f.pk else None
        if default is not None:
            attribute = _DEFAULTS.get(default) or Attribute("default", (default,))
            if self.provider.named_defaults and default not in _CLIENT_DEFAULTS:
                attribute = _with_map(attribute, self.claim(f.location, table, (f.name,), cn.DEFAULT))
            attributes.append(attribute)
        if f.auto_update and f.type.kind in _DATE_KINDS:
            attributes.append(_UPDATED_AT)
        name = plan.fields[f.name]
        if name != f.name:
            attributes.append(self.map_attribute(f.name))
        if column.native is not None:
            attributes.append(column.native)
        return Field(name, column.scalar, "" if f.required else "?", tuple(attributes))

    def reference_fields(self, plan: _Plan, f: FieldSpec) -> tuple[Field, Field]:
        """The relation field and its foreign-key field, in that order."""
        table = plan.entity.name
        target = self.plans[f.type.ref_entity or ""]
        key = self.keys[target.entity.name]
        fk_name, fk_column = plan.foreign_keys[f.name]
        optional = "" if f.required else "?"

        fk_attributes: list[Attribute] = []
        if f.pk:
            fk_attributes.append(self.key_attribute(f.location, table))
        elif f.name in plan.unique:
            fk_attributes.append(_with_map(_UNIQUE, self.claim(f.location, table, (fk_column,), cn.UNIQUE)))
        if fk_name != fk_column:
            fk_attributes.append(self.map_attribute(fk_column))
        if key.native is not None:
            fk_attributes.append(key.native)

        relation_name = self.relation_names.get((table, f.name))
        relation = Attribute(
            "relation",
            (relation_name,) if relation_name else (),
            (
                ("fields", FieldList((fk_name,))),
                ("references", FieldList((key.field,))),
                *self.provider.referential_actions,
            ),
        )
        if self.provider.named_foreign_keys:
            relation = _with_map(relation, self.claim(f.location, table, (fk_column,), cn.FOREIGN_KEY))
        return (
            Field(plan.fields[f.name], target.model, optional, (relation,)),
            Field(fk_name, key.type, optional, tuple(fk_attributes)),
        )

    def default_value(self, plan: _Plan, f: FieldSpec) -> Value | None:
        """The ``@default`` of a field: its literal, else what ``pk`` (uuid(),
        autoincrement()) or ``auto_add`` (now()) implies."""
        kind = f.type.kind
        stamped = f.auto_add and kind in _DATE_KINDS
        if f.default is not None:
            if stamped:
                self.error(f.location, f"field '{f.name}' has both a default and auto_add; keep one")
            return self.literal(plan, f, f.default)
        if stamped:
            return _NOW
        if f.pk and kind is FieldTypeKind.UUID:
            return _UUID
        if f.pk and kind is FieldTypeKind.INT:
            # a BigInt: on CockroachDB that is unique_rowid(), unique but not consecutive
            return _AUTOINCREMENT
        return None

    def literal(self, plan: _Plan, f: FieldSpec, value: object) -> Value | None:
        """A DSL literal as a Prisma default (a ``str`` is a string literal)."""
        kind = f.type.kind
        if kind is FieldTypeKind.BOOL and isinstance(value, bool):
            return Expr("true" if value else "false")
        if isinstance(value, bool):
            pass
        elif kind is FieldTypeKind.INT and isinstance(value, int):
            return Expr(str(value))
        elif kind is FieldTypeKind.DECIMAL and isinstance(value, int | Decimal):
            return Expr(format(Decimal(value), "f"))
        elif kind is FieldTypeKind.ENUM and isinstance(value, str) and value in f.type.enum_values:
            # an enum value, or a string where the provider has no enums
            return Expr(value) if f.name in plan.enums else value
        elif kind in _DATE_KINDS and isinstance(value, str):
            stamp = _timestamp(value, kind)
            if stamp is not None:
                return stamp
        elif kind in _STRING_KINDS and isinstance(value, str):
            return value
        self.error(f.location, f"default {value!r} of field '{f.name}' does not fit its type {f.type}")
        return None


_NOW = Expr("now()")
_UUID = Expr("uuid()")
_AUTOINCREMENT = Expr("autoincrement()")
#: Defaults Prisma computes itself, with no database default constraint.
_CLIENT_DEFAULTS = frozenset({_UUID, _AUTOINCREMENT})
_ID = Attribute("id")
_UNIQUE = Attribute("unique")
_UPDATED_AT = Attribute("updatedAt")
_DEFAULTS = {e: Attribute("default", (e,)) for e in (_NOW, *_CLIENT_DEFAULTS)}
_NOTHING: frozenset[str] = frozenset()
_DATE_KINDS = frozenset({FieldTypeKind.DATE, FieldTypeKind.DATETIME})
_STRING_KINDS = frozenset({FieldTypeKind.STR, FieldTypeKind.TEXT, FieldTypeKind.EMAIL, FieldTypeKind.UUID})


def _with_map(attribute: Attribute, name: str | None) -> Attribute:
    return attribute if name is None else attribute.with_named("map", name)


def _first_free(dsl_name: str, kind: NameKind, style: NamingStyle, taken: set[str]) -> str:
    """The first of ``dsl_name``, ``dsl_name_2``, ... whose Prisma name is
    free and not reserved. (A name that is no identifier at all comes from a
    DSL name already reported as one; numbering would not mend it.)"""
    number = 1
    while True:
        name = prisma_name(numbered(dsl_name, number), kind, style)
        if not is_identifier(name):
            return name
        if name not in taken and name_problem(name, kind) is None:
            return name
        number += 1


def _collision(what: str, dsl_name: str, name: str, first: EntitySpec | FieldSpec) -> str:
    return (
        f"{what} '{dsl_name}' becomes '{name}' in Prisma, like {what} '{first.name}' ({first.location}); "
        "rename one of them, or build with -O prisma.naming=preserve"
    )


def _timestamp(text: str, kind: FieldTypeKind) -> str | None:
    """A DSL date or timestamp default as the RFC 3339 timestamp Prisma wants
    (a date is its midnight UTC; a timestamp without offset is taken as UTC)."""
    try:
        if kind is FieldTypeKind.DATE:
            return dt.date.fromisoformat(text).isoformat() + "T00:00:00Z"
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    rendered = stamp.isoformat()
    return rendered[:-6] + "Z" if rendered.endswith("+00:00") else rendered
