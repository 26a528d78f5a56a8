"""One mistake, one diagnostic: recovery after errors does not produce
follow-on reports, and nothing valid is lost or misjudged because of a
mistake elsewhere. Also the fixes of a review of the compiler against the
spec, each pinned by the input that showed it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from dazzle.core.compiler import compile_source

ENTITY_T = "entity T:\n  id: uuid pk\n  u: ref User\nsurface ts:\n  uses entity T\n  mode: list\n"


def run(text: str):
    return compile_source(textwrap.dedent(text).lstrip("\n"), "app.dsl")


def found(result) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in result.diagnostics]


@pytest.mark.parametrize("url", ["https://[x/openapi.json", "https://a]b/x", "https://exa\u2100mple.com/x"])
def test_a_url_that_is_not_a_url_is_a_warning_not_a_crash(url):
    result = run(f'app a\nservice s:\n  spec: url "{url}"\n')
    assert found(result) == [("W006", 3, 13)]


def test_a_file_url_is_absolute():
    assert run('app a\nservice s:\n  spec: url "file:///srv/api/openapi.json"\n').diagnostics == ()


@pytest.mark.parametrize("header", ['entity User "U" x:', "entity User", 'entity User "U":\t'])
def test_a_broken_header_keeps_the_declaration_for_references(header):
    result = run(f"app a\n{header}\n  id: uuid pk\n" + ENTITY_T)
    assert [d.code for d in result.diagnostics] in (["E100"], ["E101"])
    assert result.diagnostics[0].line == 2


def test_a_broken_foreign_model_header_keeps_the_declaration():
    result = run(
        'app a\nforeign_model F "T":\n  key: k\n  field k: int\n'
        'service s:\n  spec: inline "x"\nintegration i:\n  uses service s\n  uses foreign_model F\n'
        "  action a:\n    call s.op with:\n      x <- 1\n"
    )
    assert found(result) == [("E100", 2, 17)]


def test_a_tab_at_the_start_of_a_line_drops_that_line_only():
    result = run(
        "app a\nentity U:\n\tid: uuid pk\n  name: str(5)\n  index name\n"
        "surface s:\n  uses entity U\n  mode: view\n  section m:\n    field name\n"
    )
    assert found(result) == [("E101", 3, 1)]


def test_a_dedent_to_nowhere_is_one_error_with_a_useful_hint():
    result = run(
        "app a\nentity U:\n    name: str(5)\n  title: str(5)\n      id: uuid pk\n      index name\n"
        "surface s:\n  uses entity U\n  mode: view\n  section m:\n    field id\n"
    )
    assert found(result) == [("E104", 4, 3)]
    assert (
        result.diagnostics[0].hint == "indent it by 4 spaces to stay in the block above it, or by 0 to end that block"
    )


def test_a_misspelt_service_in_a_call_suggests_the_listed_one():
    result = run(
        'app a\nservice hmrc_vat:\n  spec: inline "x"\nintegration i:\n  uses service hmrc_vat\n'
        "  action a:\n    call hmrc_vatt.get with:\n      x <- 1\n"
    )
    assert found(result) == [("E307", 7, 10)]
    assert result.diagnostics[0].hint == "did you mean 'hmrc_vat'?"


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ("foo bar baz qux quux", "the minute field 'foo' is not valid"),
        ("1a * * * *", "the minute field '1a' is not valid"),
        ("0 0 * FOO *", "the month field 'FOO' is not valid"),
        ("0 0 * * MONDAY", "the day-of-week field 'MONDAY' is not valid"),
        ("0 0 L * *", "the day-of-month field 'L' is not valid"),
        ("*/0 * * * *", "has a step that is not a whole number above 0"),
        ("5-1 * * * *", "has a range that runs backwards"),
        ("0 0 1,,2 * *", "the day-of-month field '1,,2' is not valid"),
    ],
)
def test_cron_schedules_are_checked_field_by_field(schedule, reason):
    result = run(
        'app a\nentity E:\n  id: uuid pk\n  k: str(5)\nservice s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: k\n  field k: str(5)\nintegration i:\n  uses service s\n"
        f'  uses foreign_model F\n  sync pull:\n    mode: scheduled\n    schedule: "{schedule}"\n'
        "    from s.list as F\n    into entity E\n"
    )
    assert [d.code for d in result.diagnostics] == ["E309"]
    assert reason in result.diagnostics[0].message


@pytest.mark.parametrize("schedule", ["*/15 2-4 1,15 * MON-FRI", "0 0 1 jan sun", "59 23 31 12 7", "0 */2 * * *"])
def test_valid_cron_schedules_pass(schedule):
    result = run(
        'app a\nentity E:\n  id: uuid pk\n  k: str(5)\nservice s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: k\n  field k: str(5)\nintegration i:\n  uses service s\n"
        f'  uses foreign_model F\n  sync pull:\n    mode: scheduled\n    schedule: "{schedule}"\n'
        "    from s.list as F\n    into entity E\n"
    )
    assert result.diagnostics == ()


def test_unreached_modules_are_judged_on_syntax_only(make_project):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "a"\n',
            "a.dsl": "module a\napp a\n",
            "scratch.dsl": "module scratch\nuse nothere\nentity Draft:\n  name: str(0)\n  s: enum[a,a]=b\n",
            "x.dsl": "module x\nuse y\n",
            "y.dsl": "module y\nuse x\n",
        }
    )
    assert sorted(d.code for d in result.diagnostics) == ["W003", "W003", "W003"]


def test_enum_values_spelt_like_literals_can_be_defaults():
    result = run(
        "app a\nentity E:\n  id: uuid pk\n  b: enum[true,false]=false\n  c: enum[1a,b] default=b\n"
        "surface s:\n  uses entity E\n  mode: view\n"
    )
    assert [d.code for d in result.errors] == ["E100"]  # `1a` is not a name
    result = run(
        "app a\nentity E:\n  id: uuid pk\n  b: enum[true,false]=false\nsurface s:\n  uses entity E\n  mode: view\n"
    )
    assert result.ok and result.appspec.get_entity("E").get_field("b").default == "false"


@pytest.mark.parametrize(
    ("type_", "default", "fits"),
    [
        ("decimal(2,2)", "0", True),
        ("decimal(3,0)", "5.0", True),
        ("decimal(4,1)", "1.50", True),
        ("decimal(4,1)", "1.25", False),
        ("decimal(3,1)", "99.9", True),
        ("decimal(3,1)", "100", False),
        ("decimal(5,2)", "-999.99", True),
    ],
)
def test_decimal_defaults_fit_by_value(type_, default, fits):
    result = run(
        f"app a\nentity E:\n  id: uuid pk\n  d: {type_}={default}\nsurface s:\n  uses entity E\n  mode: view\n"
    )
    assert result.ok is fits, result.render_diagnostics()


@pytest.mark.parametrize(
    ("type_", "default"),
    [
        ("date", "20240131"),
        ("date", "2024-W01-1"),
        ("uuid", "{12345678-1234-5678-1234-567812345678}"),
        ("uuid", "urn:uuid:12345678-1234-5678-1234-567812345678"),
        ("datetime", "2024"),
    ],
)
def test_date_and_uuid_defaults_must_be_in_their_plain_form(type_, default):
    result = run(f'app a\nentity E:\n  id: uuid pk\n  d: {type_}="{default}"\n')
    assert "E303" in [d.code for d in result.diagnostics]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("app a\nentity User:\n", "E103", 2),
        ("app a\nentity E:\n  id: uuid pk\nsurface s:\n  uses entity E\n  mode: view\n  action go:\n", "E103", 7),
        ("app a\nexperience x:\n  start at step a\n  step a:\n", "E103", 4),
        ("app a\nentity E:\n  id: uuid pk\nsurface s:\n  uses entity E\n  mode:\n", "E100", 6),
        ("app a\nentity E:\n  id: uuid pk\n  name:\nsurface s:\n  uses entity E\n  mode: view\n", "E100", 4),
        ('app "A"\n', "E100", 1),
        ("app a:\n", "E100", 1),
        ('app a "\\q"\n', "E105", 1),
        ("app a\nentity U:\n  id: uuid pk\n  u: ref User xx\nentity User:\n  id: uuid pk\n", "E100", 4),
        (
            "app a\nentity E:\n  id: uuid pk\nsurface s:\n  uses entity E\n  mode: view\nexperience x:\n"
            "  start at step a\n  step a:\n    kind: surface\n    surface s\n    on success -> step a\n"
            "    on success -> step b\n  step b:\n    kind: process\n",
            "E109",
            13,
        ),
    ],
)
def test_one_mistake_gives_one_diagnostic(text, code, line):
    result = run(text)
    assert [(d.code, d.line) for d in result.diagnostics] == [(code, line)], result.render_diagnostics()


def test_a_name_declared_twice_is_visible_through_either_home(make_project):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "top"\n',
            "top.dsl": "module top\nuse a\nuse b\napp t\n",
            "a.dsl": "module a\nentity X:\n  id: uuid pk\n",
            "c.dsl": "module c\nentity X:\n  id: uuid pk\n",
            "b.dsl": "module b\nuse c\nentity Y:\n  id: uuid pk\n  x: ref X\n",
        }
    )
    assert [d.code for d in result.errors] == ["E204"]


def test_a_use_hint_that_would_close_a_cycle_says_so(make_project):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "top"\n',
            "top.dsl": "module top\nuse base\napp t\nentity T:\n  id: uuid pk\n",
            "base.dsl": "module base\nuse mid\nentity B:\n  id: uuid pk\n  t: ref T\n",
            "mid.dsl": "module mid\n",
        }
    )
    d = next(d for d in result.errors if d.code == "E206")
    assert "would close a cycle" in d.hint


def test_suggestions_stop_after_a_hundred_unknown_names():
    text = "app a\n" + "".join(f"entity Entity{i}:\n  id: uuid pk\n  r: ref Entiy{i}\n" for i in range(150))
    hints = [d.hint for d in run(text).errors if d.code == "E205"]
    assert len(hints) == 150
    assert all(h and h.startswith("did you mean") for h in hints[:100])
    assert all(h is None for h in hints[100:])


def test_foreign_paths_name_one_field_and_point_at_it():
    base = (
        'app a\nentity C:\n  id: uuid pk\n  v: str(5)\nservice s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: vrn\n  field vrn: str(5)\nintegration i:\n  uses service s\n"
        "  uses foreign_model F\n  action a:\n    call s.get with:\n      x <- 1\n"
        "    map response F -> entity C:\n"
    )
    assert found(run(base + "      v <- foreign . nn\n")) == [("E207", 17, 22)]
    assert found(run(base + "      v <- foreign.vrn.x\n")) == [("E100", 17, 24)]


def test_a_meta_key_given_twice_across_lines_is_an_error():
    result = run("app a\nentity E:\n  id: uuid pk\nsurface s:\n  uses entity E\n  mode: view\n  meta a=1\n  meta a=2\n")
    assert found(result) == [("E109", 8, 3)]


def test_use_aliases_are_recorded_in_the_appspec(make_project):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "top"\n',
            "top.dsl": "module top\nuse shop.types as types\napp t\nentity T:\n  id: uuid pk\n  x: ref X\n",
            "types.dsl": "module shop.types\nentity X:\n  id: uuid pk\n",
        }
    )
    top = next(m for m in result.appspec.modules if m.name == "top")
    assert dict(top.aliases) == {"types": "shop.types"}


def test_a_word_that_is_neither_number_nor_name():
    result = run("app a\nentity E:\n  id: uuid pk\n  n: int=3abc\n")
    assert found(result) == [("E100", 4, 10)]
    assert result.diagnostics[0].message.startswith("'3abc' is neither a number nor a name")


def test_a_second_module_line_says_so():
    result = run("module one\nmodule two\napp a\n")
    assert found(result) == [("E109", 2, 1)]
    assert result.diagnostics[0].message == "the module is already named on line 1"


def test_dazzle_toml_diagnostics_show_the_line(make_project):
    result = make_project({"dazzle.toml": '[project]\nroot = "nowhere"\n', "a.dsl": "module a\napp a\n"})
    assert '   2 | root = "nowhere"' in result.render_diagnostics()[0]


def test_lines_after_a_misindented_one_are_still_read():
    result = run(
        "app a\nentity X:\n  id: int pk\n name: str(10)\n  age: innt\n  zz: ref Nope\n"
        "surface s:\n  uses entity X\n  mode: view\n  section m:\n    field age\n"
    )
    assert found(result) == [("E104", 4, 2), ("E100", 5, 8), ("E205", 6, 11)]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('m: datetime default="2024-01-01"', "is not a timestamp with seconds and an offset"),
        ('m: datetime default="2024-01-01T10:00"', "is not a timestamp with seconds and an offset"),
        ('m: datetime default="2024-01-01 10:00:00+02:00"', "is not a timestamp with seconds and an offset"),
        ('m: email default="not an email"', "is not an e-mail address"),
        ("m: int default=99999999999999999999", "does not fit a 64-bit integer"),
        (
            'm: datetime auto_add default="2024-01-01T10:00:00Z"',
            "is set automatically (auto_add) and cannot have a default",
        ),
    ],
)
def test_defaults_that_no_backend_could_write_are_errors(field, message):
    result = run(f"app a\nentity E:\n  id: uuid pk\n  {field}\n")
    assert [d.code for d in result.errors] == ["E303"]
    assert message in result.errors[0].message


def test_a_timestamp_default_in_rfc3339_is_fine():
    result = run(
        'app a\nentity E:\n  id: uuid pk\n  m: datetime="2024-01-01T10:00:00.5+02:00"\n'
        "surface s:\n  uses entity E\n  mode: view\n"
    )
    assert result.diagnostics == ()


def test_a_foreign_model_missing_from_uses_is_reported_once():
    result = run(
        'app a\nentity E:\n  id: uuid pk\n  k: str(5)\nservice s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: k\n  field k: str(5)\nintegration i:\n  uses service s\n"
        "  action a:\n    call s.get with:\n      x <- 1\n    map response F -> entity E:\n      k <- foreign.k\n"
        "  sync b:\n    mode: event_driven\n    from s.list as F\n    into entity E\n"
    )
    assert [d.code for d in result.errors] == ["E307"]


def test_an_unknown_transition_target_is_not_also_an_unreachable_step():
    result = run(
        "app a\nentity E:\n  id: uuid pk\nsurface s:\n  uses entity E\n  mode: view\nexperience x:\n"
        "  start at step a\n  step a:\n    kind: surface\n    surface s\n    on success -> step dne\n"
        "  step done:\n    kind: process\n"
    )
    assert [d.code for d in result.diagnostics] == ["E208"]
    assert result.diagnostics[0].hint == "did you mean 'done'?"


def test_a_module_using_itself_gets_its_own_hint(make_project):
    result = make_project({"dazzle.toml": '[project]\nroot = "m"\n', "m.dsl": "module m\nuse m\napp a\n"})
    assert [d.hint for d in result.errors] == [
        "a module sees its own declarations without a 'use' line; remove this one"
    ]


def test_several_app_lines_name_both_files(make_project):
    result = make_project({"a.dsl": "app one\n", "b.dsl": "app two\n"})
    message = result.errors[0].message
    assert "a.dsl" in message and "b.dsl" in message


def test_a_non_ascii_letter_in_a_name_says_names_are_ascii():
    result = run("app a\nentity E:\n  id: uuid pk\n  notés: text\n")
    assert found(result) == [("E106", 4, 6)]
    assert result.diagnostics[0].hint == "names are made of ASCII letters, digits and '_'"


def test_an_unreadable_file_is_one_error_not_a_cascade(make_project, tmp_path):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "top"\n',
            "top.dsl": "module top\nuse people\napp t\nentity T:\n  id: uuid pk\n  p: ref Person\n"
            "surface s:\n  uses entity T\n  mode: view\n",
            "people.dsl": b"module people\nentity Person:\n  name: \xff\n",
        }
    )
    assert [(d.code, Path(d.file).name) for d in result.diagnostics] == [("E002", "people.dsl")]


def test_an_unreadable_root_file_is_one_error(make_project):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "top"\n',
            "top.dsl": b"module top\x00\napp t\n",
            "other.dsl": "module other\n",
        }
    )
    assert [d.code for d in result.diagnostics] == ["E003"]


def test_a_file_with_carriage_returns_alone_says_so(make_project):
    result = make_project({"a.dsl": "app a\rentity E:\r  id: uuid pk\r"}, compile_at="a.dsl")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("E004", 1, 6)]


def test_a_long_line_is_shown_around_the_column():
    result = run(
        "app a\nentity E:\n  id: uuid pk\nsurface s:\n  uses entity E\n  mode: view\n  meta "
        + " ".join(f"k{i}=1" for i in range(300))
        + " @\n"
    )
    assert [d.code for d in result.diagnostics] == ["E106"]
    text = result.render_diagnostics()[0]
    source, caret = text.splitlines()[1:3]
    assert len(source) < 140 and source.rstrip().endswith("@")
    assert caret.index("^") == source.index("@")


# --- a second review, after the fixes above -------------------------------------

VAT = (
    "app a\nentity C:\n  id: uuid pk\nsurface s:\n  mode: custom\n  section m:\n    field vrn\n"
    'service hmrc:\n  spec: inline "x"\nintegration i:\n  uses service hmrc\n  action look:\n'
    "    when surface s submitted\n"
)


def test_a_call_without_its_colon_does_not_drop_the_arguments_silently():
    result = run(VAT + "    call hmrc.get with\n      vrn <- form.vrn\n")
    assert [(d.code, d.line) for d in result.errors] == [("E100", 14)]
    assert "expected ':' after 'with'" in result.errors[0].message


def test_a_call_with_no_arguments_needs_no_colon():
    result = run(VAT + "    call hmrc.ping with\n")
    assert result.ok, result.render_diagnostics()


@pytest.mark.parametrize(("line", "code"), [("  uses service hmrc,", "E100"), ("  uses servce hmrc", "E100")])
def test_a_broken_uses_line_is_not_also_a_missing_use(line, code):
    result = run(VAT.replace("  uses service hmrc", line) + "    call hmrc.get with:\n      vrn <- form.vrn\n")
    assert [d.code for d in result.errors] == [code]


def test_a_malformed_schedule_is_not_also_a_missing_one():
    result = run(
        'app a\nentity E:\n  id: uuid pk\n  k: str(5)\nservice s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: k\n  field k: str(5)\nintegration i:\n  uses service s\n"
        "  uses foreign_model F\n  sync pull:\n    mode: scheduled\n    schedule: 0 2 * * *\n"
        "    from s.list as F\n    into entity E\n"
    )
    assert [d.code for d in result.diagnostics] == ["E100"]


def test_a_misspelt_declaration_keyword_is_not_also_every_reference():
    result = run('app a\nentty User "U":\n  id: uuid pk\n' + ENTITY_T)
    assert [(d.code, d.hint) for d in result.diagnostics] == [("E107", "did you mean 'entity'?")]


def test_a_block_indented_with_tabs_is_not_also_a_missing_block():
    result = run('app a\nentity E "E":\n\tid: uuid pk\n\tname: text\n')
    assert [d.code for d in result.diagnostics] == ["E101", "E101"]


def test_a_bad_module_line_keeps_the_module_name(make_project):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "main"\n',
            "main.dsl": "module main\nuse lib\napp a\nentity T:\n  id: uuid pk\n  u: ref User\n",
            "people.dsl": "module lib x\nentity User:\n  id: uuid pk\n",
        }
    )
    assert [(d.code, Path(d.file).name) for d in result.errors] == [("E100", "people.dsl")]


def test_a_cron_digit_must_be_ascii_and_timestamps_use_capital_t_and_z():
    assert "E309" in [
        d.code
        for d in run(
            'app a\nentity E:\n  id: uuid pk\n  k: str(5)\nservice s:\n  spec: inline "x"\n'
            "foreign_model F from s:\n  key: k\n  field k: str(5)\nintegration i:\n  uses service s\n"
            '  uses foreign_model F\n  sync pull:\n    mode: scheduled\n    schedule: "\u0661 * * * *"\n'
            "    from s.list as F\n    into entity E\n"
        ).diagnostics
    ]
    result = run(
        'app a\nentity E:\n  id: uuid pk\n  at: datetime="2024-01-01t10:00:00z"\n'
        "surface s:\n  uses entity E\n  mode: view\n"
    )
    assert [d.code for d in result.diagnostics] == ["E303"]


def test_control_characters_never_reach_the_terminal():
    result = run('app a\nentity E "a\x1b[31mred":\n  name: text\n')
    text = "\n".join(result.render_diagnostics())
    assert "\x1b" not in text and "\ufffd[31mred" in text


def test_a_file_of_cr_line_endings_with_one_final_lf_is_e004(make_project):
    result = make_project({"a.dsl": "app a\rentity E:\r  id: uuid pk\r\n"}, compile_at="a.dsl")
    assert [d.code for d in result.diagnostics] == ["E004"]


def test_repeated_misspellings_keep_their_hint_beyond_the_budget():
    text = "app a\nentity Customer:\n  id: uuid pk\n" + "".join(
        f"entity E{i}:\n  id: uuid pk\n  c: ref Custmer\n  d: ref Zq{i}xy\n" for i in range(150)
    )
    hints = [d.hint for d in run(text).errors if "Custmer" in d.message]
    assert len(hints) == 150 and set(hints) == {"did you mean 'Customer'?"}


def test_many_unknown_surface_fields_against_a_big_entity_stay_fast_and_hinted_first():
    n = 400
    text = (
        "app a\nentity Big:\n  id: uuid pk\n"
        + "".join(f"  field_number_{i}: int\n" for i in range(n))
        + "surface s:\n  uses entity Big\n  mode: view\n  section m:\n"
        + "".join(f"    field fielt_number_{i}\n" for i in range(n))
    )
    warnings = [d for d in run(text).diagnostics if d.code == "W004"]
    assert len(warnings) == n
    assert warnings[0].hint == "did you mean 'field_number_0'?"
    assert sum(d.hint is not None for d in warnings) == 100
