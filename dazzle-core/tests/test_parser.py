"""Every construct of the language reaches the IR with the right values."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from dazzle.core import ir
from dazzle.core.compiler import compile_source

K = ir.FieldTypeKind


def compile_ok(text: str) -> ir.AppSpec:
    result = compile_source(text, "t.dsl")
    assert result.ok, result.render_diagnostics()
    return result.appspec


FIELDS_APP = """app shop "Shop"
entity Thing "A Thing":
  id: uuid pk
  title: str(200) required
  body: text
  count: int default=3
  negative: int=-3
  price: decimal(12,2)=12.50
  active: bool=true
  done: bool default=false
  born: date?
  at: datetime auto_add
  changed: datetime auto_update
  email: email unique?
  code: str(10) unique
  state: enum[open,closed]=open
  kind: enum[a,b] default="b"
  owner: ref Thing?
  other: ref Thing optional
  motto: str(40)="say \\"hi\\" \\\\ # not a comment"
  start_on: date="2024-02-29"
  stamp: datetime="2024-02-29T10:00:00+01:00"
  ident: uuid="12345678-1234-5678-1234-567812345678"

  unique title,code
  index state,count
surface things:
  uses entity Thing
  mode: list
"""


def test_every_type_modifier_and_default():
    thing = compile_ok(FIELDS_APP).get_entity("Thing")
    f = {field.name: field for field in thing.fields}
    assert thing.title == "A Thing"
    assert (f["id"].type.kind, f["id"].pk, f["id"].required, f["id"].unique) == (K.UUID, True, True, True)
    assert (f["title"].type, f["title"].required) == (ir.FieldType(K.STR, max_length=200), True)
    assert (f["body"].type.kind, f["body"].required, f["body"].optional) == (K.TEXT, False, True)
    assert (f["count"].default, type(f["count"].default)) == (3, int)
    assert f["negative"].default == -3
    assert f["price"].type == ir.FieldType(K.DECIMAL, precision=12, scale=2)
    assert f["price"].default == Decimal("12.50") and str(f["price"].default) == "12.50"
    assert f["active"].default is True and f["done"].default is False
    assert (f["born"].type.kind, f["born"].required) == (K.DATE, False)
    assert (f["at"].auto_add, f["at"].auto_update, f["changed"].auto_update) == (True, False, True)
    assert (f["email"].type.kind, f["email"].unique, f["email"].required) == (K.EMAIL, True, False)
    assert (f["code"].unique, f["code"].required) == (True, False)
    assert f["state"].type == ir.FieldType(K.ENUM, enum_values=("open", "closed"))
    assert f["state"].default == "open" and f["kind"].default == "b"
    assert (f["owner"].type, f["owner"].required) == (ir.FieldType(K.REF, ref_entity="Thing"), False)
    assert f["other"].required is False
    assert f["motto"].default == 'say "hi" \\ # not a comment'
    assert f["start_on"].default == "2024-02-29"
    assert [c.fields for c in thing.unique_constraints] == [("title", "code")]
    assert [c.fields for c in thing.indexes] == [("state", "count")]
    assert f["title"].location == ir.SourceLocation("t.dsl", 4, 3)
    assert str(f["price"].type) == "decimal(12,2)" and str(f["owner"].type) == "ref Thing"


def test_keywords_are_valid_names_everywhere():
    app = compile_ok("""app end "End"
entity entity:
  id: uuid pk
  status: enum[open,list,step]=list
  priority: int
  mode: str(10)
  list: bool
  field: text
  step: int
  first: int
  true: bool
  action: str(5)
  index: int
  unique: int

  index status,priority
  unique mode,field
  index index
surface surface:
  uses entity entity
  mode: list
  section list "List":
    field mode "Mode"
    field field
  action action "Act":
    on click -> experience experience step end
experience experience:
  start at step start
  step start:
    kind: surface
    surface surface
    on success -> step end
  step end:
    kind: process
""")
    entity = app.get_entity("entity")
    assert [f.name for f in entity.fields] == [
        "id",
        "status",
        "priority",
        "mode",
        "list",
        "field",
        "step",
        "first",
        "true",
        "action",
        "index",
        "unique",
    ]
    assert [c.fields for c in entity.indexes] == [("status", "priority"), ("index",)]
    assert [c.fields for c in entity.unique_constraints] == [("mode", "field")]
    surface = app.get_surface("surface")
    assert surface.sections[0].name == "list"
    assert [e.field_name for e in surface.elements] == ["mode", "field"]
    assert surface.actions[0].outcome == ir.Outcome(
        ir.OutcomeKind.EXPERIENCE, "experience", ir.SourceLocation("t.dsl", 26, 28), step="end"
    )
    assert [s.name for s in app.get_experience("experience").steps] == ["start", "end"]


def test_surfaces_sections_options_meta_and_outcomes():
    app = compile_ok("""app a
entity T:
  id: uuid pk
  title: str(20)
surface s "Sürface ✨":
  uses entity T
  mode: edit
  meta ui:layout="two-column" ui.theme=dark columns=2 ratio=1.5 dense=true
  meta extra="more"

  section main "Main":
    field title "Title" widget=select rows=3 required=true hint="a \\"quote\\""
    field title2
  action save "Save":
    on submit -> surface s
  action go:
    on auto -> integration i action pull
service svc:
  spec: inline "v1"
foreign_model F from svc:
  key: id
  field id: int
integration i:
  uses service svc
  uses foreign_model F
  action read:
    when surface s submitted
    call svc.read with:
      x <- form.title2
  sync pull:
    mode: event_driven
    from svc.list as F
    into entity T
""")
    s = app.get_surface("s")
    assert (s.title, s.mode, s.entity) == ("Sürface ✨", ir.SurfaceMode.EDIT, "T")
    assert dict(s.metadata) == {
        "ui:layout": "two-column",
        "ui.theme": "dark",
        "columns": 2,
        "ratio": Decimal("1.5"),
        "dense": True,
        "extra": "more",
    }
    title = s.sections[0].elements[0]
    assert (title.field_name, title.label) == ("title", "Title")
    assert dict(title.options) == {"widget": "select", "rows": 3, "required": True, "hint": 'a "quote"'}
    assert s.sections[0].elements[1] == ir.SurfaceElement("title2", None, ir.SourceLocation("t.dsl", 13, 11))
    assert s.get_action("save").trigger is ir.ActionTrigger.SUBMIT
    assert s.get_action("save").outcome.target == "s"
    go = s.get_action("go")
    assert (go.label, go.trigger, go.outcome.kind, go.outcome.target, go.outcome.action) == (
        None,
        ir.ActionTrigger.AUTO,
        ir.OutcomeKind.INTEGRATION,
        "i",
        "pull",
    )


def test_experiences_steps_and_transitions():
    app = compile_ok("""app a
entity T:
  id: uuid pk
surface s:
  uses entity T
  mode: view
service svc:
  spec: inline "v1"
integration i:
  uses service svc
  action ping:
    call svc.ping with:
      n <- 1
experience x "Flow":
  start at step one
  step one:
    kind: surface
    surface s
    on success -> step two
    on failure -> step one
  step two:
    kind: integration
    integration i action ping
    on failure -> step three
  step three:
    kind: process
""")
    x = app.get_experience("x")
    assert (x.title, x.start_step) == ("Flow", "one")
    one, two, three = x.steps
    assert (one.kind, one.surface) == (ir.StepKind.SURFACE, "s")
    assert one.next_step(ir.TransitionEvent.SUCCESS) == "two"
    assert one.next_step(ir.TransitionEvent.FAILURE) == "one"
    assert (two.kind, two.integration, two.action) == (ir.StepKind.INTEGRATION, "i", "ping")
    assert two.next_step(ir.TransitionEvent.SUCCESS) is None
    assert (three.kind, three.is_terminal) == (ir.StepKind.PROCESS, True)
    assert x.get_step("three") is three


def test_services_foreign_models_and_integrations():
    app = compile_ok("""app a
entity Client:
  id: uuid pk
  vrn: str(12)
  name: str(200)
surface check:
  mode: custom
  section main:
    field vrn "VAT number"
service hmrc "HMRC":
  spec: url "https://api.example.gov/vat/openapi.json"
  auth_profile: oauth2_legacy scopes="read:vat" audience=hmrc retries=3
  owner: "HMRC"
service feed:
  spec: inline "feed-v2"
  auth_profile: api_key_header
foreign_model Reg from hmrc "Registration":
  key: vrn,name
  constraint read_only
  constraint batch_import frequency=daily
  field vrn: str(12) required
  field name: str(200)
integration lookup "Lookup":
  uses service hmrc, feed
  uses service hmrc
  uses foreign_model Reg
  action fetch:
    when surface check submitted
    call hmrc.get_registration with:
      vrn <- form.vrn
      limit <- 10
      strict <- true
      note <- "hello"
      who <- current_user.profile.email
    map response Reg -> entity Client:
      vrn <- foreign.vrn
      name <- foreign.name
  sync nightly:
    mode: scheduled
    schedule: "*/15 2-4 1,15 * MON-FRI"
    from feed.list as Reg
    into entity Client
    match on:
      vrn <-> vrn
""")
    hmrc = app.get_service("hmrc")
    assert (hmrc.title, hmrc.owner) == ("HMRC", "HMRC")
    assert (hmrc.spec.kind, hmrc.spec.value) == (ir.ApiSpecKind.URL, "https://api.example.gov/vat/openapi.json")
    assert hmrc.auth.kind is ir.AuthKind.OAUTH2_LEGACY
    assert dict(hmrc.auth.options) == {"scopes": "read:vat", "audience": "hmrc", "retries": 3}
    feed = app.get_service("feed")
    assert (feed.spec.kind, feed.spec.value, feed.auth.kind, feed.owner) == (
        ir.ApiSpecKind.INLINE,
        "feed-v2",
        ir.AuthKind.API_KEY_HEADER,
        None,
    )
    reg = app.get_foreign_model("Reg")
    assert (reg.service, reg.key_fields, reg.title) == ("hmrc", ("vrn", "name"), "Registration")
    assert [(c.kind, dict(c.options)) for c in reg.constraints] == [
        (ir.ForeignConstraintKind.READ_ONLY, {}),
        (ir.ForeignConstraintKind.BATCH_IMPORT, {"frequency": "daily"}),
    ]
    assert reg.get_field("vrn").required is True
    lookup = app.get_integration("lookup")
    assert (lookup.services, lookup.foreign_models) == (("hmrc", "feed"), ("Reg",))
    fetch = lookup.get_action("fetch")
    assert (fetch.surface, fetch.service, fetch.operation) == ("check", "hmrc", "get_registration")
    assert [(a.target, a.expression) for a in fetch.arguments] == [
        ("vrn", ir.Expression(path=("form", "vrn"))),
        ("limit", ir.Expression(value=10)),
        ("strict", ir.Expression(value=True)),
        ("note", ir.Expression(value="hello")),
        ("who", ir.Expression(path=("current_user", "profile", "email"))),
    ]
    assert (fetch.response.foreign_model, fetch.response.entity) == ("Reg", "Client")
    assert [(a.target, str(a.expression)) for a in fetch.response.assignments] == [
        ("vrn", "foreign.vrn"),
        ("name", "foreign.name"),
    ]
    nightly = lookup.get_sync("nightly")
    assert (nightly.mode, nightly.schedule, nightly.service, nightly.operation) == (
        ir.SyncMode.SCHEDULED,
        "*/15 2-4 1,15 * MON-FRI",
        "feed",
        "list",
    )
    assert nightly.match_rules == (ir.MatchRule("vrn", "vrn", ir.SourceLocation("t.dsl", 44, 7)),)
    assert lookup.get_member("nightly") is nightly and lookup.get_action("nightly") is None


def test_module_use_and_app_lines():
    result = compile_source(
        """# leading comment
module shop.core   # the name
use shop.types as types

app shop "Shop — ünïcode"
""",
        "x.dsl",
    )
    assert [d.code for d in result.errors] == ["E202"]


def test_crlf_line_endings_and_bom_are_accepted():
    text = '\ufeffapp crlf "CRLF"\r\nentity A:\r\n  id: uuid pk\r\nsurface s:\r\n  uses entity A\r\n  mode: view\r\n'
    app = compile_ok(text)
    assert app.get_entity("A").get_field("id").location == ir.SourceLocation("t.dsl", 3, 3)


def test_blank_and_comment_lines_do_not_close_blocks():
    app = compile_ok("""app a
entity A:
  id: uuid pk

# a comment at column 1 inside the block
      # an indented comment

  name: text   # trailing comment
surface s:
  uses entity A
  mode: view
""")
    assert [f.name for f in app.get_entity("A").fields] == ["id", "name"]


def test_ir_is_immutable_and_hashable():
    app = compile_ok(FIELDS_APP)
    thing = app.get_entity("Thing")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        thing.name = "Other"
    assert isinstance(thing.fields, tuple)
    assert hash(thing.fields[0]) == hash(thing.fields[0])
    assert app == compile_ok(FIELDS_APP)


@pytest.mark.parametrize("kind", ["entity", "surface", "experience", "service", "foreign_model", "integration"])
def test_lookups_by_name(kind):
    app = compile_ok("""app a
entity E:
  id: uuid pk
surface S:
  uses entity E
  mode: view
experience X:
  start at step s
  step s:
    kind: process
service V:
  spec: inline "v"
foreign_model F from V:
  key: k
  field k: int
integration I:
  uses service V
  action a:
    call V.x with:
      y <- 1
""")
    getter = getattr(app, f"get_{kind}")
    collection = app.domain.entities if kind == "entity" else getattr(app, f"{kind}s")
    assert len(collection) == 1
    assert getter(collection[0].name) is collection[0]
    assert getter("missing") is None


THING = "app a\nentity Thing:\n  id: uuid pk\n  t: text\n"
SURFACE = THING + "surface s:\n  uses entity Thing\n  mode: view\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (THING + "  n: str(0)\n", [("E305", 5, 10)]),
        (THING + "  g: decimal(3,4)\n", [("E305", 5, 16)]),
        (THING + "  a: int = 3 default=4\n", [("E109", 5, 14)]),
        (THING + "  c: bool=maybe\n", [("E303", 5, 11)]),
        (THING + "  e: decimal(5,2)=123.456\n", [("E303", 5, 19)]),
        (THING + '  j: str(3) default="abcd"\n', [("E303", 5, 21)]),
        (THING + '  b: datetime auto_add default="2024-01-01T00:00:00Z"\n', [("E303", 5, 32)]),
        (THING + "  b: bool required optional\n", [("E304", 5, 20)]),
        (THING + "  e: email unique? required\n", [("E304", 5, 12)]),
        ("app a\nentity Thing:\n  id: int? pk\n", [("E304", 3, 10)]),
        (THING + "  c: date auto_add\n", [("W007", 5, 3)]),
        (THING + "  c: ref Thing auto_update\n", [("W007", 5, 3)]),
        ("app a\nentity Thing:\n  id: uuid pk pk\n", [("E109", 3, 15)]),
        (THING + "  t: int\n", [("E302", 5, 3)]),
        (SURFACE.replace("  mode", "  uses entity Thing\n  mode"), [("E109", 7, 3)]),
        (SURFACE + "  mode: list\n", [("E109", 8, 3)]),
        (SURFACE + '  section main:\n    field t\n    field t "T"\n', [("E302", 10, 11)]),
        (SURFACE + "  section main:\n    field t\n  section main:\n    field t\n", [("E302", 10, 11)]),
        (SURFACE + "  action go:\n    on click -> surface s\n    on submit -> surface s\n", [("E109", 10, 5)]),
        (SURFACE + '  section main:\n    field t "T" a=1 b="x" a=2\n', [("E109", 9, 27)]),
        (SURFACE + '  section main:\n    field t "T" a="\\"" a=2\n', [("E109", 9, 24)]),
        (SURFACE + "  meta a=1\n  meta b=2 a=3\n", [("E109", 9, 3)]),
        (SURFACE + "  meta a=1 ui:a=2 a=3\n", [("E109", 8, 19)]),
        (THING + "  index t, nope\n", [("E207", 5, 12)]),
        (THING + "  unique t,t2\n", [("E207", 5, 12)]),
        ("app a\nsurface s:\n  uses entity Nope\n  mode: view\n", [("E205", 3, 15)]),
        ("app a\nsurface s:\n", [("E103", 2, 10)]),
        ('app a\nsurface s "a\\x":\n  mode: view\n', [("E105", 2, 13)]),
    ],
)
def test_each_problem_of_a_common_line_is_reported_once_where_it_is(text, expected):
    """The commonest lines (a declaration's header, a plain field, `unique`
    and `index`, `uses entity`, `mode`, `meta`, a section's `field` with its options,
    a section or action header, `on ... -> surface`) are read with one match:
    their problems are reported like any other line's, once, at the token at
    fault."""
    result = compile_source(text, "t.dsl")
    assert [(d.code, d.line, d.column) for d in result.diagnostics if d.code != "W002"] == expected


@pytest.mark.parametrize(
    "header",
    [
        'entity Thing "A thing":',  # one match
        'entity Thing"A thing":',  # the cursor: no space before the title
        'entity   Thing   "A thing"  :',  # one match
    ],
)
def test_a_declaration_header_is_read_alike_either_way(header):
    thing = compile_ok(f"app a\n{header}\n  id: uuid pk\n").get_entity("Thing")
    assert (thing.name, thing.title, thing.location) == (
        "Thing",
        "A thing",
        ir.SourceLocation("t.dsl", 2, 8 + header[7:].index("T")),
    )


@pytest.mark.parametrize(
    "element",
    [
        'field t "T" ui:w=select rows=3 on=true r=-1.5',  # one match
        'field t "T" ui : w=select rows = 3  on=true r=-1.5',  # the cursor: spaces around ':'
        'field t "T"ui:w=select rows=3 on=true r=-1.5',  # the cursor: no space after the label
    ],
)
def test_a_section_field_with_options_is_read_alike_either_way(element):
    surface = compile_ok(SURFACE + f"  section main:\n    {element}\n").get_surface("s")
    assert surface.sections[0].elements == (
        ir.SurfaceElement(
            "t",
            "T",
            ir.SourceLocation("t.dsl", 9, 11),
            ir.Options((("ui:w", "select"), ("rows", 3), ("on", True), ("r", Decimal("-1.5")))),
        ),
    )


@pytest.mark.parametrize("line", ["  meta x=1 x=2\n", "  section main:\n    field t a=1 a=2\n"])
def test_an_option_given_twice_on_a_one_match_line_loses_that_line_alone(line):
    # The surface stays (incomplete), so what refers to it still resolves and
    # its entity is still used: the E109 is the only diagnostic.
    text = SURFACE + line + "experience e:\n  start at step one\n  step one:\n    kind: surface\n    surface s\n"
    result = compile_source(text, "t.dsl")
    assert [d.code for d in result.diagnostics] == ["E109"]
