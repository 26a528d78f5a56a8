"""Backend options: parsing `-O`, reading `[build.options.NAME]`, routing,
conversion and checking."""

from __future__ import annotations

import pytest
from dazzle.backends import BackendCapabilities, BackendOption
from dazzle.backends.options import (
    COMMAND_LINE,
    COMMAND_LINE_FOR_BACKEND,
    OptionError,
    OptionSetting,
    parse_command_line,
    read_config_tables,
    resolve_options,
)
from hypothesis import given
from hypothesis import strategies as st

OPENAPI = BackendCapabilities(
    name="openapi",
    options=(
        BackendOption("title", str, default=None),
        BackendOption("indent", int, default=2),
        BackendOption("ratio", float, default=1.0),
        BackendOption("strict", bool, default=False),
        BackendOption("format", str, default="yaml", choices=("yaml", "json")),
    ),
)
PRISMA = BackendCapabilities(
    name="prisma",
    options=(
        BackendOption("provider", str, default="postgresql", choices=("postgresql", "sqlite")),
        BackendOption("title", str, default=""),
    ),
)
RAW = BackendCapabilities(name="raw")  # declares no options
NAMES = ("openapi", "prisma", "raw", "my.dotted", "lists")


def resolve(selected, *cli, config=None):
    settings = read_config_tables(config or {}) + parse_command_line(cli, NAMES)
    return resolve_options({caps.name: caps for caps in selected}, settings)


def test_parse_command_line():
    assert parse_command_line(["a=1", "openapi.b=x=y", "my.dotted.c= spaced ", "d="], NAMES) == (
        OptionSetting("a", "1", None, "-O a=1", COMMAND_LINE),
        OptionSetting("b", "x=y", "openapi", "-O openapi.b=x=y", COMMAND_LINE_FOR_BACKEND),
        OptionSetting("c", " spaced ", "my.dotted", "-O my.dotted.c= spaced ", COMMAND_LINE_FOR_BACKEND),
        OptionSetting("d", "", None, "-O d=", COMMAND_LINE),
    )


@pytest.mark.parametrize("arg", ["novalue", "=1", " =1", ""])
def test_bad_syntax_is_an_error(arg):
    with pytest.raises(OptionError, match="expected KEY=VALUE or BACKEND.KEY=VALUE"):
        parse_command_line([arg], NAMES)


def test_a_dotted_key_must_name_a_backend():
    with pytest.raises(OptionError, match=r"unknown backend 'opanapi' \(did you mean 'openapi'\?\)"):
        parse_command_line(["opanapi.title=x"], NAMES)


def test_declared_defaults_are_given_when_nothing_is_set():
    assert resolve([OPENAPI]) == {
        "openapi": {"title": None, "indent": 2, "ratio": 1.0, "strict": False, "format": "yaml"}
    }


def test_values_are_converted_to_the_declared_types():
    options = resolve([OPENAPI], "indent=4", "ratio=0.5", "strict=yes", "format=json", "title=My API")["openapi"]
    assert options == {"title": "My API", "indent": 4, "ratio": 0.5, "strict": True, "format": "json"}
    assert resolve([OPENAPI], "strict=OFF")["openapi"]["strict"] is False


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("indent=four", r"option 'indent' of backend 'openapi' must be an integer, not 'four' \(-O indent=four\)"),
        ("indent=1.5", "must be an integer"),
        ("ratio=lots", "must be a number"),
        ("strict=maybe", r"must be a boolean \(true or false\)"),
        ("format=xml", "option 'format' of backend 'openapi' must be one of yaml, json, not 'xml'"),
    ],
)
def test_wrong_type_or_choice_is_an_error(arg, message):
    with pytest.raises(OptionError, match=message):
        resolve([OPENAPI], arg)


def test_an_unknown_key_for_one_backend_lists_the_valid_ones():
    with pytest.raises(OptionError) as caught:
        resolve([OPENAPI], "openapi.colour=red")
    assert str(caught.value) == (
        "unknown option 'colour' for backend 'openapi' (-O openapi.colour=red); "
        "valid options: title, indent, ratio, strict, format"
    )


def test_an_unknown_key_for_every_backend_lists_the_valid_ones():
    with pytest.raises(OptionError) as caught:
        resolve([OPENAPI, PRISMA], "colour=red")
    message = str(caught.value)
    assert "unknown option 'colour' (-O colour=red): no backend in this build accepts it" in message
    assert "openapi: title, indent, ratio, strict, format; prisma: provider, title" in message


def test_a_plain_key_goes_to_each_backend_that_declares_it():
    options = resolve([OPENAPI, PRISMA], "title=Shop", "format=json")
    assert options["openapi"]["title"] == "Shop" and options["prisma"]["title"] == "Shop"
    assert options["openapi"]["format"] == "json" and "format" not in options["prisma"]


def test_a_backend_that_declares_no_options_receives_everything_as_strings():
    options = resolve(
        [OPENAPI, RAW],
        "indent=4",
        "raw.depth=3",
        "anything=goes",
        config={"raw": {"flag": True, "n": 7, "x": 1.5, "s": "t"}},
    )
    assert options["raw"] == {
        "flag": "true",
        "n": "7",
        "x": "1.5",
        "s": "t",
        "indent": "4",
        "anything": "goes",
        "depth": "3",
    }
    assert options["openapi"]["indent"] == 4


def test_config_tables_give_defaults_that_the_command_line_overrides():
    config = {"openapi": {"indent": 8, "ratio": 3, "format": "json"}, "prisma": {"provider": "sqlite"}}
    options = resolve([OPENAPI, PRISMA], "indent=6", config=config)
    assert options["openapi"]["indent"] == 6
    assert options["openapi"]["ratio"] == 3.0 and isinstance(options["openapi"]["ratio"], float)
    assert options["openapi"]["format"] == "json"
    assert options["prisma"]["provider"] == "sqlite"


def test_backend_specific_beats_plain_whatever_the_order():
    assert resolve([OPENAPI], "openapi.indent=1", "indent=9")["openapi"]["indent"] == 1
    assert resolve([OPENAPI], "indent=9", "openapi.indent=1")["openapi"]["indent"] == 1
    assert resolve([OPENAPI], "indent=9", "indent=3")["openapi"]["indent"] == 3


def test_config_values_must_have_the_declared_type():
    with pytest.raises(OptionError, match=r"must be an integer, not '4' \(dazzle.toml \[build.options.openapi\]\)"):
        resolve([OPENAPI], config={"openapi": {"indent": "4"}})
    with pytest.raises(OptionError, match="must be a boolean"):
        resolve([OPENAPI], config={"openapi": {"strict": 1}})
    with pytest.raises(OptionError, match="must be an integer"):
        resolve([OPENAPI], config={"openapi": {"indent": True}})


def test_config_unknown_key_is_an_error_naming_the_table():
    with pytest.raises(
        OptionError,
        match=r"unknown option 'colour' for backend 'prisma' "
        r"\(dazzle.toml \[build.options.prisma\]\)",
    ):
        resolve([PRISMA], config={"prisma": {"colour": "red"}})


def test_config_for_a_backend_not_in_this_build_is_ignored():
    assert resolve([PRISMA], config={"openapi": {"anything": 1}}) == {"prisma": {"provider": "postgresql", "title": ""}}


def test_command_line_option_for_a_backend_not_in_this_build_is_an_error():
    with pytest.raises(OptionError, match="option 'indent' is for backend 'openapi', which this build does not run"):
        resolve([PRISMA], "openapi.indent=3")


@pytest.mark.parametrize("tables", [["openapi"], {"openapi": "indent=3"}])
def test_config_tables_must_be_tables(tables):
    with pytest.raises(OptionError, match="must be a table"):
        read_config_tables(tables)


def test_a_list_is_no_option_value_for_a_backend_without_declared_options():
    with pytest.raises(OptionError, match="must be a string, a number or a boolean, not list"):
        resolve([RAW], config={"raw": {"paths": ["a", "b"]}})


def test_requires_config():
    needy = BackendCapabilities(name="needy", requires_config=True, options=(BackendOption("url"),))
    with pytest.raises(
        OptionError,
        match=r"backend 'needy' requires configuration: .*-O needy.KEY=VALUE"
        r".*\[build.options.needy\] \(options: url\)",
    ):
        resolve([needy])
    assert resolve([needy], config={"needy": {"url": "x"}}) == {"needy": {"url": "x"}}


def test_a_backend_prefix_without_an_option_name_says_so():
    from dazzle.backends.options import OptionError, parse_command_line

    with pytest.raises(OptionError, match=r"the option name is missing after 'openapi\.'"):
        parse_command_line(["openapi.=1"], ["openapi", "prisma"])


# --- list[str] ------------------------------------------------------------------------------------------

LISTS = BackendCapabilities(
    name="lists",
    options=(
        BackendOption("tags", list[str], default=["a", "b"]),
        BackendOption("kinds", list[str], default=(), choices=("x", "y", "z")),
    ),
)


def test_a_list_default_is_kept_as_a_tuple():
    assert LISTS.get_option("tags").default == ("a", "b")


def test_a_list_option_from_the_command_line_is_comma_separated():
    options = resolve([LISTS], "tags= one, two ,,three", "kinds=z,x")["lists"]
    assert options == {"tags": ("one", "two", "three"), "kinds": ("z", "x")}
    assert resolve([LISTS], "tags=")["lists"]["tags"] == ()
    assert resolve([LISTS])["lists"] == {"tags": ("a", "b"), "kinds": ()}


def test_a_list_option_from_dazzle_toml_is_an_array_of_strings():
    options = resolve([LISTS], config={"lists": {"tags": ["p", "q"]}})["lists"]
    assert options["tags"] == ("p", "q")
    # The command line wins, as for any option.
    assert resolve([LISTS], "lists.tags=r", config={"lists": {"tags": ["p"]}})["lists"]["tags"] == ("r",)


@pytest.mark.parametrize(
    ("config", "cli", "message"),
    [
        (
            {"tags": "p,q"},
            (),
            r"option 'tags' of backend 'lists' must be a list of strings \(a TOML array; "
            r"after -O, comma-separated\), not 'p,q' \(dazzle.toml \[build.options.lists\]\)",
        ),
        ({"tags": ["p", 1]}, (), "must be a list of strings"),
        ({}, ("kinds=x,w",), r"must be a list of items among x, y, z, not 'x,w' \(-O kinds=x,w\)"),
    ],
)
def test_a_bad_list_is_refused(config, cli, message):
    with pytest.raises(OptionError, match=message):
        resolve([LISTS], *cli, config={"lists": config})


# --- apply_options: the public function a backend calls itself ------------------------------------------


def test_apply_options_fills_defaults_converts_and_checks():
    from dazzle.backends import BackendError, apply_options

    assert apply_options(OPENAPI, {"indent": 4, "ratio": 2}) == {
        "title": None,
        "indent": 4,
        "ratio": 2.0,
        "strict": False,
        "format": "yaml",
    }
    assert apply_options(LISTS, {"kinds": ["y"]}) == {"tags": ("a", "b"), "kinds": ("y",)}
    # What dazzle build resolved passes through unchanged.
    resolved = resolve([OPENAPI, LISTS], "format=json", "tags=q")
    assert apply_options(OPENAPI, resolved["openapi"]) == resolved["openapi"]
    assert apply_options(LISTS, resolved["lists"]) == resolved["lists"]
    for options, message in [
        (
            {"colour": "red", "size": 1},
            "unknown option(s) colour, size; valid options: title, indent, ratio, strict, format",
        ),
        ({"indent": "4"}, "option 'indent' must be an integer, not '4'"),
        ({"strict": 1}, "option 'strict' must be a boolean (true or false), not 1"),
        ({"format": "xml"}, "option 'format' must be one of yaml, json, not 'xml'"),
    ]:
        with pytest.raises(BackendError) as caught:
            apply_options(OPENAPI, options)
        assert str(caught.value) == message


def test_a_list_option_is_shown_as_list_of_str():
    from dazzle.backends.api import option_type_name

    assert [option_type_name(o.type) for o in LISTS.options] == ["list[str]", "list[str]"]
    with pytest.raises(TypeError, match=r"one of str, int, float, bool, list\[str\], not list\[int\]"):
        BackendOption("n", list[int])


def test_dazzle_backends_shows_a_list_option():
    from dazzle.backends.registry import BackendInfo
    from dazzle.cli.build import backend_to_json, describe_backend

    info = BackendInfo("lists", "available", LISTS)
    lines = describe_backend(info)
    # As it is written after -O, quoted as a string default is.
    assert "      tags (list[str], default 'a,b')" in lines
    assert "      kinds (list[str], one of x|y|z, default '')" in lines
    options = backend_to_json(info)["options"]
    assert [(o["type"], o["default"]) for o in options] == [("list[str]", ["a", "b"]), ("list[str]", [])]


def test_a_list_default_that_dash_o_cannot_give_is_shown_as_a_toml_array():
    from dazzle.backends.options import list_as_written

    assert list_as_written(("a, b", " c", "")) == '["a, b", " c", ""]'
    assert list_as_written(('say "hi"', "ü")) == "'say \"hi\",ü'"
    assert list_as_written(('say "hi",', "ü")) == '["say \\"hi\\",", "ü"]'


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=4))
def test_a_list_default_shown_as_a_toml_array_reads_back_from_dazzle_toml(items):
    import tomllib

    from dazzle.backends.options import list_as_written

    shown = list_as_written(items)
    if shown.startswith("["):
        assert tomllib.loads("tags = " + shown)["tags"] == items


ITEM = st.text(st.characters(blacklist_characters=",", blacklist_categories=("Cs",)), min_size=1).filter(
    lambda text: text.strip() == text and text.isprintable()
)


@given(st.lists(ITEM, max_size=6))
def test_a_list_given_after_dash_o_reads_back_as_written(items):
    # Comma-separated on the command line; the same list as a TOML array.
    from_cli = resolve([LISTS], "lists.tags=" + ",".join(items))["lists"]["tags"]
    from_toml = resolve([LISTS], config={"lists": {"tags": items}})["lists"]["tags"]
    assert from_cli == from_toml == tuple(items)


@given(st.lists(ITEM, max_size=6))
def test_a_list_default_as_shown_reads_back_after_dash_o(items):
    import ast

    from dazzle.backends.options import list_as_written

    shown = list_as_written(items)
    assert resolve([LISTS], "lists.tags=" + ast.literal_eval(shown))["lists"]["tags"] == tuple(items)
