"""What the schema says for each DSL construct (issue 4's mapping), line by
line. Whether Prisma accepts the results is test_prisma_accepts.py's job;
the schemas written here go through the validator too, when the module ends."""

from __future__ import annotations

import re

import pytest
from dazzle.backends import BackendWarning
from dazzle_backend_prisma import generate_schema
from dazzle_backend_prisma.naming import prisma_name
from dazzle_backend_prisma.providers import PROVIDERS

SCHEMAS_SEEN: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def every_schema_written_here_passes_prisma(prisma):
    """When the module's tests have run (all or some), every schema they
    wrote goes through Prisma's validator and formatter, in one Node process."""
    SCHEMAS_SEEN.clear()
    yield
    verdicts = prisma.check(SCHEMAS_SEEN) if SCHEMAS_SEEN else {}
    assert set(verdicts) == set(SCHEMAS_SEEN)
    for name, verdict in verdicts.items():
        assert verdict.error is None, f"{name}:\n{verdict.error}\n{SCHEMAS_SEEN[name]}"
        assert verdict.formatted == SCHEMAS_SEEN[name], name


def schema(appspec, **options) -> str:
    text = generate_schema(appspec, **options)
    SCHEMAS_SEEN[f"{appspec.name}:{sorted(options.items())}"] = text
    return text


def model_block(text: str, name: str) -> str:
    match = re.search(rf"^model {name} {{\n.*?^}}$", text, re.M | re.S)
    assert match, f"no model {name} in:\n{text}"
    return match.group()


def field_line(text: str, model: str, field: str) -> str:
    """A field's line with the alignment spaces squeezed out."""
    for line in model_block(text, model).splitlines():
        parts = line.split()
        if parts and parts[0] == field:
            return " ".join(parts)
    raise AssertionError(f"no field {field} in model {model}:\n{model_block(text, model)}")


TYPES_DSL = """
app types
entity T:
  id: uuid pk
  s: str(80) required
  big: str(5000)
  t: text
  i: int
  d: decimal(12,2)
  b: bool
  day: date
  ts: datetime
  u: uuid
  e: email
  c: enum[red,green]=green
"""

# (provider, field, expected line), each line as ``name Type attributes``
TYPE_LINES = [
    ("postgresql", "s", "s String @db.VarChar(80)"),
    ("postgresql", "big", "big String? @db.VarChar(5000)"),
    ("postgresql", "t", "t String?"),
    ("postgresql", "i", "i BigInt?"),
    ("postgresql", "d", "d Decimal? @db.Decimal(12, 2)"),
    ("postgresql", "b", "b Boolean?"),
    ("postgresql", "day", "day DateTime? @db.Date"),
    ("postgresql", "ts", "ts DateTime?"),
    ("postgresql", "u", "u String? @db.Uuid"),
    ("postgresql", "e", "e String?"),
    ("postgresql", "c", "c TC? @default(green)"),
    ("postgresql", "id", "id String @id @default(uuid()) @db.Uuid"),
    ("mysql", "s", "s String @db.VarChar(80)"),
    ("mysql", "t", "t String? @db.Text"),
    ("mysql", "d", "d Decimal? @db.Decimal(12, 2)"),
    ("mysql", "day", "day DateTime? @db.Date"),
    ("mysql", "u", "u String? @db.Char(36)"),
    ("mysql", "c", "c TC? @default(green)"),
    ("sqlite", "s", "s String"),
    ("sqlite", "t", "t String?"),
    ("sqlite", "d", "d Decimal?"),
    ("sqlite", "day", "day DateTime?"),
    ("sqlite", "u", "u String?"),
    ("sqlite", "c", "c TC? @default(green)"),
    ("sqlserver", "s", "s String @db.NVarChar(80)"),
    ("sqlserver", "big", "big String? @db.NVarChar(Max)"),
    ("sqlserver", "t", "t String? @db.NVarChar(Max)"),
    ("sqlserver", "d", "d Decimal? @db.Decimal(12, 2)"),
    ("sqlserver", "day", "day DateTime? @db.Date"),
    ("sqlserver", "u", "u String? @db.UniqueIdentifier"),
    ("sqlserver", "c", 'c String? @default("green")'),
    ("cockroachdb", "s", "s String @db.String(80)"),
    ("cockroachdb", "t", "t String?"),
    ("cockroachdb", "u", "u String? @db.Uuid"),
    ("cockroachdb", "d", "d Decimal? @db.Decimal(12, 2)"),
    ("cockroachdb", "c", "c TC? @default(green)"),
]


@pytest.mark.parametrize(("provider", "field", "line"), TYPE_LINES)
def test_types_per_provider(dsl, provider, field, line):
    text = schema(dsl(TYPES_DSL), provider=provider)
    assert field_line(text, "T", field) == line


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if p != "sqlserver"])
def test_enums_are_prisma_enums_named_after_entity_and_field(dsl, provider):
    text = schema(dsl(TYPES_DSL), provider=provider)
    assert "enum TC {\n  red\n  green\n}" in text


def test_sqlserver_has_no_enums(dsl):
    assert "enum " not in schema(dsl(TYPES_DSL), provider="sqlserver")


def test_key_defaults(dsl):
    appspec = dsl("app k\nentity U:\n  id: uuid pk\nentity I:\n  id: int pk\nentity S:\n  code: str(9) pk\n")
    text = schema(appspec)
    assert field_line(text, "U", "id") == "id String @id @default(uuid()) @db.Uuid"
    assert field_line(text, "I", "id") == "id BigInt @id @default(autoincrement())"
    assert field_line(text, "S", "code") == "code String @id @db.VarChar(9)"
    # int is 64-bit on every provider, and so is its counter
    for provider in PROVIDERS:
        line = field_line(schema(appspec, provider=provider), "I", "id")
        assert line == "id BigInt @id @default(autoincrement())", provider


def test_modifiers_and_defaults(dsl):
    text = schema(
        dsl(r"""
app m
entity M:
  id: int pk
  a: str(10) required
  b: str(10) optional
  c: str(10)
  d: str(10) unique
  e: str(10) unique?
  f: datetime auto_add
  g: datetime auto_update
  h: date auto_add required
  i: int=5
  j: decimal(4,2) default=-1.5
  k: bool=false
  l: str(40)="tab\"quote\\"
  n: datetime="2024-01-31T12:00:00Z"
  o: date="2024-01-31"
  p: enum[x,y] default=y required
  q: datetime auto_add auto_update required
""")
    )
    expected = {
        "a": "a String @db.VarChar(10)",
        "b": "b String? @db.VarChar(10)",
        "c": "c String? @db.VarChar(10)",
        "d": "d String? @unique @db.VarChar(10)",
        "e": "e String? @unique @db.VarChar(10)",
        "f": "f DateTime? @default(now())",
        "g": "g DateTime? @updatedAt",
        "h": "h DateTime @default(now()) @db.Date",
        "i": "i BigInt? @default(5)",
        "j": "j Decimal? @default(-1.5) @db.Decimal(4, 2)",
        "k": "k Boolean? @default(false)",
        "l": r'l String? @default("tab\"quote\\") @db.VarChar(40)',
        "n": 'n DateTime? @default("2024-01-31T12:00:00Z")',
        "o": 'o DateTime? @default("2024-01-31T00:00:00Z") @db.Date',
        "p": "p MP @default(y)",
        "q": "q DateTime @default(now()) @updatedAt",
    }
    for name, line in expected.items():
        assert field_line(text, "M", name) == line


def test_auto_add_and_auto_update_only_stamp_dates(dsl):
    # the compiler warns about these; Prisma has no "now" for them, so they are left out
    text = schema(dsl("app a\nentity A:\n  id: int pk\n  n: int auto_add\n  s: str(9) auto_update\n"))
    assert field_line(text, "A", "n") == "n BigInt?"
    assert field_line(text, "A", "s") == "s String? @db.VarChar(9)"


def test_unique_and_index_lines(dsl):
    text = schema(
        dsl("""
app c
entity C:
  id: int pk
  a: int
  b: int
  r: ref C
  unique a,b
  unique a
  index b,a
  index r
  index b,a
""")
    )
    block = model_block(text, "C")
    assert field_line(text, "C", "a") == "a BigInt? @unique"  # a one-field unique line
    assert "  @@unique([a, b])\n  @@index([b, a])\n  @@index([rId])\n}" in block
    assert block.count("@@index([b, a])") == 1


def test_reference_fields(dsl):
    text = schema(
        dsl("""
app r
entity Author:
  id: int pk
entity Post:
  id: uuid pk
  author: ref Author required
  editor_of_record: ref Author
  topic: ref Topic
entity Topic:
  key: str(12) pk
""")
    )
    post = "Post"
    assert field_line(text, post, "author") == (
        'author Author @relation("Post_author", fields: [authorId], references: [id])'
    )
    assert field_line(text, post, "authorId") == 'authorId BigInt @map("author_id")'
    assert field_line(text, post, "editorOfRecord") == (
        'editorOfRecord Author? @relation("Post_editor_of_record", fields: [editorOfRecordId], references: [id])'
    )
    assert field_line(text, post, "editorOfRecordId") == 'editorOfRecordId BigInt? @map("editor_of_record_id")'
    # a ref to an entity whose key is a str(12): typed like it, native type included
    assert field_line(text, post, "topic") == "topic Topic? @relation(fields: [topicId], references: [key])"
    assert field_line(text, post, "topicId") == 'topicId String? @map("topic_id") @db.VarChar(12)'
    # back-relations: one per ref, the referring entity in the plural; with
    # two refs from one entity, the ref's name added
    assert field_line(text, "Author", "postsAsAuthor") == 'postsAsAuthor Post[] @relation("Post_author")'
    assert field_line(text, "Author", "postsAsEditorOfRecord") == (
        'postsAsEditorOfRecord Post[] @relation("Post_editor_of_record")'
    )
    assert field_line(text, "Topic", "posts") == "posts Post[]"


def test_self_reference_and_one_to_one(dsl):
    text = schema(
        dsl("""
app s
entity Node:
  id: int pk
  parent: ref Node
  twin: ref Node unique?
entity Extra:
  node: ref Node pk
""")
    )
    assert field_line(text, "Node", "parent") == (
        'parent Node? @relation("Node_parent", fields: [parentId], references: [id])'
    )
    # a self reference names its ref; a one-to-one back-relation is singular
    assert field_line(text, "Node", "nodesAsParent") == 'nodesAsParent Node[] @relation("Node_parent")'
    assert field_line(text, "Node", "twinId") == 'twinId BigInt? @unique @map("twin_id")'
    assert field_line(text, "Node", "nodeAsTwin") == 'nodeAsTwin Node? @relation("Node_twin")'
    assert field_line(text, "Extra", "nodeId") == 'nodeId BigInt @id @map("node_id")'
    assert field_line(text, "Node", "extra") == "extra Extra?"


def test_generated_names_give_way_to_dsl_names_and_say_so(dsl):
    appspec = dsl("""
app g
entity Order:
  id: int pk
  status: enum[new,done]
  buyer: ref Buyer
  buyer_id: str(10)
entity Buyer:
  id: int pk
  orders: int
entity OrderStatus:
  id: int pk
""")
    with pytest.warns(BackendWarning) as record:
        text = schema(appspec)
    assert field_line(text, "Order", "buyerId2") == 'buyerId2 BigInt? @map("buyer_id_2")'
    assert field_line(text, "Order", "buyerId") == 'buyerId String? @map("buyer_id") @db.VarChar(10)'
    assert field_line(text, "Order", "status") == "status OrderStatus2?"
    assert "enum OrderStatus2 {" in text
    assert field_line(text, "Buyer", "orders2") == "orders2 Order[]"
    said = sorted((w.message.code, str(w.message.location), w.message.message) for w in record)
    assert said == [
        (
            "P001",
            "test.dsl:6:3",
            "the foreign key of reference 'buyer' is the column 'buyer_id_2' (field 'buyerId2'): "
            "entity 'Order' already has 'buyer_id'",
        ),
        (
            "P002",
            "test.dsl:6:3",
            "the opposite field of reference 'buyer' on model 'Buyer' is 'orders2': 'orders' is taken there",
        ),
        (
            "P003",
            "test.dsl:5:3",
            "the enum of field 'status' is named 'OrderStatus2': 'OrderStatus' is a model or another enum",
        ),
    ]


def test_enums_postgresql_would_cut_into_one_give_way(dsl):
    # PostgreSQL keeps 63 bytes of a type name: these two enums would be one
    entity = "e" * 40
    appspec = dsl(f"app e\nentity {entity}:\n  id: int pk\n  {'f' * 30}_a: enum[x]\n  {'f' * 30}_b: enum[y]\n")
    first = prisma_name(f"{entity}_{'f' * 30}_a", "type", "prisma")
    assert len(first) > 63
    with pytest.warns(BackendWarning, match="the enum of field") as record:
        text = schema(appspec)
    second = first[:62] + "2"
    assert f"enum {first} {{" in text and f"enum {second} {{" in text
    assert [w.message.code for w in record] == ["P003"]
    # where names are kept whole, nothing gives way
    whole = prisma_name(entity + "_" + "f" * 30 + "_b", "type", "prisma")
    assert f"enum {whole} {{" in schema(appspec, provider="sqlite")


def test_constraint_names_that_give_way_say_so(dsl):
    appspec = dsl("""
app c
entity pair:
  id: int pk
  a: int
  b_c: int
  a_b: int
  c: int
  unique a,b_c
  unique a_b,c
""")
    with pytest.warns(BackendWarning) as record:
        text = schema(appspec, naming="preserve")
    assert '@@unique([a_b, c], name: "a_b_c_2", map: "pair_a_b_c_2_key")' in text
    said = [(w.message.code, str(w.message.location), w.message.message) for w in record]
    assert said == [
        (
            "P005",
            "test.dsl:10:10",
            "Prisma's client names the unique constraint on a_b, c 'a_b_c_2': another one is 'a_b_c'",
        ),
        (
            "P004",
            "test.dsl:10:10",
            "the unique constraint of table 'pair' on a_b, c is named 'pair_a_b_c_2_key' in the database: "
            "Prisma's default name for it is another constraint's",
        ),
    ]


def test_back_relations_read_like_prisma(dsl):
    appspec = dsl("""
app b
entity User:
  id: int pk
entity Company:
  id: int pk
entity Address:
  id: int pk
  owner: ref User
entity Ticket:
  id: int pk
  reporter: ref User required
  assignee: ref User
  company: ref Company
  address: ref Address unique?
""")
    for naming, names in {
        "prisma": ("addresses", "ticketsAsReporter", "ticketsAsAssignee", "tickets", "ticket"),
        "preserve": ("Addresses", "Tickets_as_reporter", "Tickets_as_assignee", "Tickets", "Ticket"),
    }.items():
        text = schema(appspec, naming=naming)
        addresses, as_reporter, as_assignee, tickets, ticket = names
        assert field_line(text, "User", addresses) == f"{addresses} Address[]"
        assert field_line(text, "User", as_reporter) == f'{as_reporter} Ticket[] @relation("Ticket_reporter")'
        assert field_line(text, "User", as_assignee) == f'{as_assignee} Ticket[] @relation("Ticket_assignee")'
        assert field_line(text, "Company", tickets) == f"{tickets} Ticket[]"
        assert field_line(text, "Address", ticket) == f"{ticket} Ticket?"


def test_back_relations_use_the_plural_every_backend_uses(dsl):
    """The plural is dazzle.backends.plural, the one the OpenAPI backend's
    paths use too (its cases are tested in dazzle-core)."""
    text = schema(
        dsl("""
app p
entity Company:
  id: int pk
entity Analysis:
  id: int pk
  company: ref Company
entity Quiz:
  id: int pk
  company: ref Company
entity Settings:
  id: int pk
  company: ref Company
""")
    )
    assert field_line(text, "Company", "analyses") == "analyses Analysis[]"
    assert field_line(text, "Company", "quizzes") == "quizzes Quiz[]"
    assert field_line(text, "Company", "settings") == "settings Settings[]"


def test_naming_styles(dsl):
    appspec = dsl('app n\nentity line_item "Line item":\n  item_id: int pk\n  unit_price: decimal(8,2)\n')
    prisma = schema(appspec)
    assert field_line(prisma, "LineItem", "itemId") == 'itemId BigInt @id @default(autoincrement()) @map("item_id")'
    assert field_line(prisma, "LineItem", "unitPrice") == 'unitPrice Decimal? @map("unit_price") @db.Decimal(8, 2)'
    assert '@@map("line_item")' in model_block(prisma, "LineItem")
    preserve = schema(appspec, naming="preserve")
    assert field_line(preserve, "line_item", "item_id") == "item_id BigInt @id @default(autoincrement())"
    assert "@map" not in preserve


def test_titles_are_doc_comments_exactly(dsl):
    title = 'Tïtle — «ünïcödé» 🎫 中文 "quoted" trailing  '
    escaped = title.replace('"', '\\"')
    text = schema(dsl(f'app t\nentity T "{escaped}":\n  id: int pk\n'))
    assert f"/// {title}\nmodel T {{" in text


def test_header_names_the_app_and_the_foreign_models_left_out(dsl):
    text = schema(
        dsl("""
app shop "Shop"
entity Client:
  id: uuid pk
  vrn: str(12)
service hmrc:
  spec: url "https://example.com/openapi.json"
foreign_model Registration from hmrc:
  key: vrn
  field vrn: str(12)
integration check:
  uses service hmrc
  uses foreign_model Registration
  sync pull:
    mode: scheduled
    schedule: "0 2 * * *"
    from hmrc.list as Registration
    into entity Client
    match on:
      vrn <-> vrn
""")
    )
    assert text.startswith("// Generated by DAZZLE from the application 'shop'.")
    assert "//   Registration (service hmrc)\n" in text
    assert "model Registration" not in text


def test_datasource_and_generator_blocks(dsl):
    appspec = dsl("app d\nentity E:\n  id: int pk\n")
    text = schema(appspec, provider="sqlite")
    assert 'datasource db {\n  provider = "sqlite"\n}\n' in text
    assert 'generator client {\n  provider = "prisma-client"\n  output   = "../generated/prisma"\n}\n' in text
    text = schema(appspec, generator="prisma-client-js", generator_output="")
    assert 'generator client {\n  provider = "prisma-client-js"\n}\n' in text


def test_sqlserver_relations_take_no_cascading_action(dsl):
    text = schema(dsl("app q\nentity A:\n  id: int pk\n  up: ref A\n"), provider="sqlserver")
    assert field_line(text, "A", "up") == (
        'up A? @relation("A_up", fields: [upId], references: [id], onDelete: NoAction, onUpdate: NoAction)'
    )
