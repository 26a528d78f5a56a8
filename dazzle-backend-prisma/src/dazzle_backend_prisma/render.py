"""Writing a ``Schema`` as text, already in the layout ``prisma format``
produces: two-space indentation, one blank line between blocks, aligned
columns of names, types and attributes, attributes in Prisma's order."""

from __future__ import annotations

from dazzle_backend_prisma.escaping import doc_comment, string_literal
from dazzle_backend_prisma.schema import Attribute, ConfigBlock, Enum, Expr, Model, Schema, Value

#: The order ``prisma format`` puts field attributes in; native types last.
_FIELD_ATTRIBUTE_ORDER = {"id": 0, "unique": 1, "default": 2, "updatedAt": 3, "map": 4, "relation": 5}
_NATIVE_TYPE_RANK = 6
#: The order of block attributes.
_BLOCK_ATTRIBUTE_ORDER = {"id": 0, "unique": 1, "index": 2, "map": 3}


def render_schema(schema: Schema) -> str:
    parts = []
    if schema.comments:
        parts.append("\n".join(schema.comments))
    # Fields repeat the same attributes (@id, @db.VarChar(200), @map("created_at")):
    # each distinct tuple of them is written once.
    attributes: dict[tuple[Attribute, ...], str] = {}
    for block in schema.blocks:
        if isinstance(block, Model):
            parts.append(render_model(block, attributes))
        elif isinstance(block, Enum):
            parts.append(render_enum(block))
        else:
            parts.append(render_config_block(block))
    return "\n\n".join(parts) + "\n"


def render_config_block(block: ConfigBlock) -> str:
    width = max((len(key) for key, _ in block.entries), default=0)
    lines = [f"{block.kind} {block.name} {{"]
    lines.extend(f"  {key.ljust(width)} = {render_value(value)}" for key, value in block.entries)
    lines.append("}")
    return "\n".join(lines)


def render_model(model: Model, attributes: dict[tuple[Attribute, ...], str] | None = None) -> str:
    """A model block; ``attributes`` caches the text of attribute tuples."""
    known = {} if attributes is None else attributes
    lines = list(doc_comment(model.doc)) if model.doc is not None else []
    lines.append(f"model {model.name} {{")
    fields = model.fields
    name_width = max(len(f.name) for f in fields)
    column = name_width + max(len(f.type) + len(f.modifier) for f in fields) + 4
    for f in fields:
        head = f"  {f.name.ljust(name_width)} {f.type}{f.modifier}"
        field_attributes = f.attributes
        if field_attributes:
            text = known.get(field_attributes)
            if text is None:
                text = known[field_attributes] = render_field_attributes(field_attributes)
            head = head.ljust(column) + text
        lines.append(head)
    if model.block_attributes:
        lines.append("")
        ordered = sorted(model.block_attributes, key=lambda a: _BLOCK_ATTRIBUTE_ORDER[a.name])
        lines.extend("  " + render_attribute(a, "@@") for a in ordered)
    lines.append("}")
    return "\n".join(lines)


def render_field_attributes(attributes: tuple[Attribute, ...]) -> str:
    """A field's attributes in Prisma's order, separated by spaces."""
    ordered = sorted(attributes, key=lambda a: _FIELD_ATTRIBUTE_ORDER.get(a.name, _NATIVE_TYPE_RANK))
    return " ".join(render_attribute(a, "@") for a in ordered)


def render_enum(enum: Enum) -> str:
    lines = list(doc_comment(enum.doc)) if enum.doc is not None else []
    lines.append(f"enum {enum.name} {{")
    lines.extend(f"  {value}" for value in enum.values)
    lines.append("}")
    return "\n".join(lines)


def render_attribute(attribute: Attribute, prefix: str) -> str:
    args = [render_value(v) for v in attribute.args]
    args.extend(f"{key}: {render_value(v)}" for key, v in attribute.named)
    text = prefix + attribute.name
    return f"{text}({', '.join(args)})" if args else text


def render_value(value: Value) -> str:
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, Expr):
        return value.text
    return "[" + ", ".join(value.names) + "]"
