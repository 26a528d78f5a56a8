"""What the backend refuses, and how it says so: a ``BackendError`` whose
message points at the DSL line (file:line:column) and says what to do."""

from __future__ import annotations

import attrs
import pytest
from dazzle.backends import BackendError, BackendWarning
from dazzle_backend_prisma import generate_schema


def refusal(appspec, **options) -> str:
    with pytest.raises(BackendError) as caught:
        generate_schema(appspec, **options)
    return str(caught.value)


def test_reserved_model_name(dsl):
    message = refusal(dsl("app r\nentity String:\n  id: int pk\n", file="r.dsl"))
    assert message.startswith("r.dsl:2:8: entity 'String' cannot be a Prisma model 'String'")
    assert "Prisma reserves this name" in message


def test_name_reserved_only_after_conversion(dsl):
    # `decimal` is fine in the DSL and as-is, but becomes the scalar type Decimal
    appspec = dsl("app r\nentity decimal:\n  id: int pk\n", file="r.dsl")
    assert "r.dsl:2:8: entity 'decimal' cannot be a Prisma model 'Decimal'" in refusal(appspec)
    assert "model decimal {" in generate_schema(appspec, naming="preserve")


def test_javascript_keyword_as_model_name_when_preserving(dsl):
    appspec = dsl("app r\nentity class:\n  id: int pk\n", file="r.dsl")
    assert "r.dsl:2:8: entity 'class'" in refusal(appspec, naming="preserve")
    assert "model Class {" in generate_schema(appspec)


def test_fields_that_meet_after_case_conversion(dsl):
    appspec = dsl("app c\nentity E:\n  id: int pk\n  created_at: datetime\n  createdAt: datetime\n", file="c.dsl")
    message = refusal(appspec)
    assert message.startswith(
        "c.dsl:5:3: field 'createdAt' becomes 'createdAt' in Prisma, like field 'created_at' (c.dsl:4:3)"
    )
    assert "naming=preserve" in message
    generate_schema(appspec, naming="preserve")  # no collision there


def test_entities_that_meet_after_case_conversion(dsl):
    appspec = dsl("app c\nentity line_item:\n  id: int pk\nentity LineItem:\n  id: int pk\n", file="c.dsl")
    assert refusal(appspec).startswith(
        "c.dsl:4:8: entity 'LineItem' becomes 'LineItem' in Prisma, like entity 'line_item' (c.dsl:2:8)"
    )


def test_trailing_underscore_meets_its_plain_name(dsl):
    appspec = dsl("app c\nentity E:\n  id: int pk\n  id_: int\n", file="c.dsl")
    assert refusal(appspec).startswith("c.dsl:4:3: field 'id_' becomes 'id' in Prisma")


def test_leading_underscore(dsl):
    appspec = dsl("app u\nentity E:\n  id: int pk\n  _secret: str(10)\n", file="u.dsl")
    # converted names lose it (the column keeps it)...
    assert '  secret String? @map("_secret") @db.VarChar(10)\n' in generate_schema(appspec)
    # ...names kept as they are cannot start with it
    message = refusal(appspec, naming="preserve")
    assert message.startswith("u.dsl:4:3: field '_secret' cannot be a Prisma field '_secret'")
    assert "must start with a letter" in message


def test_enum_value_prisma_cannot_name(dsl):
    appspec = dsl("app e\nentity E:\n  id: int pk\n  kind: enum[ok,_hidden]\n", file="e.dsl")
    message = refusal(appspec)
    assert message.startswith("e.dsl:4:3: enum value '_hidden' of field 'kind' cannot be a Prisma enum value")
    # where enums are strings, any value will do
    generate_schema(appspec, provider="sqlserver")


@pytest.mark.parametrize(
    ("provider", "declaration", "line"),
    [
        ("mysql", "body: text unique", 4),
        ("mysql", "body: text\n  index body", 4),
        ("mysql", "body: str(70000)\n  unique body,id", 4),
        ("sqlserver", "body: text pk", 3),
        ("sqlserver", "body: str(4001) unique?", 4),
    ],
)
def test_long_text_cannot_be_a_key_or_indexed(dsl, provider, declaration, line):
    text = f"app t\nentity E:\n  id: int{'' if 'pk' in declaration else ' pk'}\n  {declaration}\n"
    if "pk" in declaration:
        text = f"app t\nentity E:\n  {declaration}\n"
    message = refusal(dsl(text, file="t.dsl"), provider=provider)
    assert message.startswith(f"t.dsl:{line}:3: field 'body'")
    assert f"cannot be a key or indexed on {provider}" in message


@pytest.mark.parametrize(
    ("provider", "decimal"),
    [("mysql", "decimal(66,2)"), ("mysql", "decimal(40,31)"), ("sqlserver", "decimal(39,2)")],
)
def test_decimal_beyond_the_provider(dsl, provider, decimal):
    appspec = dsl(f"app d\nentity E:\n  id: int pk\n  amount: {decimal}\n", file="d.dsl")
    message = refusal(appspec, provider=provider)
    assert message.startswith(f"d.dsl:4:3: field 'amount': {decimal} is beyond what {provider} stores")
    generate_schema(appspec, provider="postgresql")


def test_compound_unique_named_like_a_field(dsl):
    appspec = dsl("app c\nentity E:\n  id: int pk\n  a: int\n  b: int\n  a_b: int\n  unique a,b\n", file="c.dsl")
    message = refusal(appspec, naming="preserve")
    assert message.startswith("c.dsl:7:10: Prisma names the unique constraint on a, b 'a_b', like the field 'a_b'")
    generate_schema(appspec)  # camelCase fields never meet such names


def test_names_that_postgresql_cuts_into_one(dsl):
    # PostgreSQL cuts a 64-character name to 63 without a word: both entities
    # would be one table (found by migrating the schema in PGlite), both
    # fields one column
    long = "x" * 63
    appspec = dsl(
        f"app t\nentity {long}_a:\n  id: int pk\nentity {long}_b:\n  id: int pk\n  {long}_1: int\n  {long}_2: int\n",
        file="t.dsl",
    )
    message = refusal(appspec, provider="postgresql", naming="preserve")
    assert message.splitlines()[1:] == [
        f"t.dsl:4:8: table '{long}_b' and table '{long}_a' (t.dsl:2:8) are one table on postgresql, "
        "which keeps the first 63 bytes of a name; shorten one of them",
        f"t.dsl:7:3: column '{long}_2' and column '{long}_1' (t.dsl:6:3) are one column on postgresql, "
        "which keeps the first 63 bytes of a name; shorten one of them",
    ]
    # a long name alone is fine there (PostgreSQL cuts it the same way in every query)
    single = dsl(f"app t\nentity {long}_a:\n  id: int pk\n  {long}_1: int\n")
    assert f"model {long}_a {{" in generate_schema(single, provider="postgresql", naming="preserve")
    # SQLite and CockroachDB keep long names whole (CockroachDB's key names,
    # which Prisma cuts to 63, are told apart with a warning)
    assert f"model {long}_b {{" in generate_schema(appspec, provider="sqlite", naming="preserve")
    with pytest.warns(BackendWarning, match="primary key of table"):
        assert f"model {long}_b {{" in generate_schema(appspec, provider="cockroachdb", naming="preserve")


@pytest.mark.parametrize(("provider", "limit"), [("mysql", 64), ("sqlserver", 128)])
def test_names_too_long_for_the_database(dsl, provider, limit):
    long = "y" * (limit + 1)
    appspec = dsl(f"app t\nentity {long}:\n  id: int pk\n  {long}: int\n", file="t.dsl")
    assert refusal(appspec, provider=provider, naming="preserve").splitlines()[1:] == [
        f"t.dsl:2:8: table '{long}' is longer than the {limit} bytes {provider} takes; shorten it",
        f"t.dsl:4:3: column '{long}' is longer than the {limit} bytes {provider} takes; shorten it",
    ]


def test_default_and_auto_add_together(dsl):
    """The compiler refuses this (E303); an AppSpec made another way is refused here too."""
    appspec = dsl("app a\nentity E:\n  id: int pk\n  at: datetime auto_add\n", file="a.dsl")
    entity = appspec.get_entity("E")
    at = attrs.evolve(entity.get_field("at"), default="2024-01-01T00:00:00Z")
    entity = attrs.evolve(entity, fields=(entity.fields[0], at))
    appspec = attrs.evolve(appspec, domain=attrs.evolve(appspec.domain, entities=(entity,)))
    assert refusal(appspec).startswith("a.dsl:4:3: field 'at' has both a default and auto_add")


def test_keys_that_reference_each_other(dsl):
    appspec = dsl("app k\nentity A:\n  id: ref B pk\nentity B:\n  id: ref A pk\n", file="k.dsl")
    message = refusal(appspec)
    assert message == "k.dsl:3:3: primary keys that are references go round in a circle: A -> B -> A"


def test_every_problem_is_reported_at_once(dsl):
    appspec = dsl("app m\nentity String:\n  id: int pk\nentity Json:\n  id: int pk\n", file="m.dsl")
    message = refusal(appspec)
    assert message.splitlines()[0] == "2 problems for Prisma:"
    assert message.splitlines()[1].startswith("m.dsl:2:8: ")
    assert message.splitlines()[2].startswith("m.dsl:4:8: ")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (
            {"provider": "oracle"},
            "option 'provider' must be one of postgresql, mysql, sqlite, sqlserver, cockroachdb",
        ),
        ({"naming": "snake"}, "option 'naming' must be one of prisma, preserve"),
        ({"generator": " "}, "option 'generator' must name a generator provider"),
        ({"colour": "red"}, "unknown option colour; the prisma backend takes provider, naming, generator"),
        ({"provider": 3}, "option 'provider' must be a string"),
    ],
)
def test_bad_options(dsl, options, words):
    assert words in refusal(dsl("app o\nentity E:\n  id: int pk\n"), **options)


def test_names_made_from_a_refused_name_do_not_hold_things_up(dsl):
    # the enum and back-relation names made from `_B` cannot be mended by numbering
    appspec = dsl("app u\nentity _B:\n  id: int pk\n  kind: enum[a]\n  up: ref _B\n", file="u.dsl")
    assert refusal(appspec, naming="preserve").startswith("u.dsl:2:8: entity '_B' cannot be a Prisma model")
