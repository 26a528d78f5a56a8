"""Projects and modules: dazzle.toml, discovery, use resolution, cycles,
reachability, one namespace per kind, and the visibility rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from dazzle.core.compiler import compile_path

TOML = """
[project]
name = "shop"
version = "2.0.0"
root = "shop.core"

[modules]
paths = ["./dsl"]
"""
ENTITY = "entity {name}:\n  id: uuid pk\n"


def diagnostics(result):
    return [(d.code, Path(d.file).name, d.line, d.column) for d in result.diagnostics]


def test_project_with_modules_links_across_files(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": 'module shop.core\nuse shop.catalog\napp shop "Shop"\n'
            "entity Order:\n  id: uuid pk\n  product: ref Product\n"
            "surface orders:\n  uses entity Order\n  mode: create\n",
            "dsl/nested/catalog.dsl": "module shop.catalog\nentity Product:\n  id: uuid pk\n"
            "surface products:\n  uses entity Product\n  mode: list\n",
        }
    )
    assert result.diagnostics == (), result.render_diagnostics()
    app = result.appspec
    assert (app.name, app.title, app.version) == ("shop", "Shop", "2.0.0")
    assert {m.name: m.uses for m in app.modules} == {"shop.core": ("shop.catalog",), "shop.catalog": ()}
    assert app.get_entity("Product").module == "shop.catalog"
    assert app.get_entity("Order").get_field("product").type.ref_entity == "Product"


def test_module_name_defaults_to_the_file_stem(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML.replace('root = "shop.core"', 'root = "main"'),
            "dsl/main.dsl": "use helpers\napp shop\nentity A:\n  id: uuid pk\n  b: ref B\n",
            "dsl/helpers.dsl": "entity B:\n  id: uuid pk\n",
        }
    )
    assert result.ok, result.render_diagnostics()
    assert [m.name for m in result.appspec.modules] == ["helpers", "main"]


def test_use_alias_is_accepted(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\nuse shop.types as types\napp shop\n"
            + ENTITY.format(name="A")
            + "  t: ref T\n",
            "dsl/types.dsl": "module shop.types\n" + ENTITY.format(name="T"),
        }
    )
    assert result.ok, result.render_diagnostics()


def test_two_files_declaring_one_module_name_both(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/a.dsl": "module shop.core\napp shop\n",
            "dsl/b.dsl": "module shop.core\n",
        }
    )
    d = next(d for d in result.diagnostics if d.code == "E201")
    assert "a.dsl" in d.message and "b.dsl" in d.message
    assert (Path(d.file).name, d.line, d.column) == ("b.dsl", 1, 8)


def test_unknown_module_in_use_suggests_the_nearest(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\nuse shop.catalgo\napp shop\n",
            "dsl/catalog.dsl": "module shop.catalog\n",
        }
    )
    d = next(d for d in result.diagnostics if d.code == "E202")
    assert (Path(d.file).name, d.line, d.column) == ("core.dsl", 2, 5)
    assert d.message == "unknown module 'shop.catalgo'"
    assert d.hint == "did you mean 'shop.catalog'?"


def test_use_cycle_is_printed(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\nuse shop.a\napp shop\n",
            "dsl/a.dsl": "module shop.a\nuse shop.b\n",
            "dsl/b.dsl": "module shop.b\nuse shop.a\n",
        }
    )
    cycles = [d for d in result.diagnostics if d.code == "E203"]
    assert len(cycles) == 1
    assert cycles[0].message == "use cycle: shop.a -> shop.b -> shop.a"
    assert (Path(cycles[0].file).name, cycles[0].line, cycles[0].column) == ("b.dsl", 2, 5)


def test_module_using_itself_is_a_cycle(make_project):
    result = make_project({"dazzle.toml": TOML, "dsl/core.dsl": "module shop.core\nuse shop.core\napp shop\n"})
    assert [d.message for d in result.diagnostics if d.code == "E203"] == ["use cycle: shop.core -> shop.core"]


def test_unreached_module_is_a_warning_and_left_out(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\napp shop\nentity A:\n  id: uuid pk\nsurface s:\n  uses entity A\n"
            "  mode: list\n",
            "dsl/old.dsl": "module shop.old\nentity Legacy:\n  id: uuid pk\n",
        }
    )
    assert diagnostics(result) == [("W003", "old.dsl", 1, 8)]
    assert "shop.old" in result.diagnostics[0].message
    assert result.appspec.get_entity("Legacy") is None
    assert [m.name for m in result.appspec.modules] == ["shop.core"]


def test_duplicate_declarations_across_modules_point_at_both(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\nuse shop.other\napp shop\n" + ENTITY.format(name="Thing"),
            "dsl/other.dsl": "module shop.other\n" + ENTITY.format(name="Thing"),
        }
    )
    d = next(d for d in result.diagnostics if d.code == "E204")
    assert d.message.startswith("duplicate entity 'Thing': first declared at ")
    assert {Path(d.file).name, Path(d.message.rsplit(" ", 1)[1].split(":")[0]).name} == {"core.dsl", "other.dsl"}


def test_names_of_different_kinds_do_not_clash(compile_dsl):
    result = compile_dsl("""
        app shop
        entity orders:
          id: uuid pk
        surface orders:
          uses entity orders
          mode: list
        experience orders:
          start at step orders
          step orders:
            kind: surface
            surface orders
    """)
    assert result.diagnostics == ()


def test_reference_into_a_module_not_used_says_which_use_is_missing(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\nuse shop.a\nuse shop.b\napp shop\n",
            "dsl/a.dsl": "module shop.a\n" + ENTITY.format(name="A") + "  b: ref B\n",
            "dsl/b.dsl": "module shop.b\n" + ENTITY.format(name="B") + "  a: ref A\n",
        }
    )
    found = sorted(
        (Path(d.file).name, d.line, d.column, d.message, d.hint) for d in result.diagnostics if d.code == "E206"
    )
    assert found == [
        (
            "a.dsl",
            4,
            10,
            "entity 'B' is declared in module 'shop.b', which module 'shop.a' does not use",
            f"add 'use shop.b' to {result.project.root_dir / 'dsl' / 'a.dsl'}",
        ),
        (
            "b.dsl",
            4,
            10,
            "entity 'A' is declared in module 'shop.a', which module 'shop.b' does not use",
            f"add 'use shop.a' to {result.project.root_dir / 'dsl' / 'b.dsl'}",
        ),
    ]


def test_transitive_use_makes_declarations_visible(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\nuse shop.a\napp shop\n" + ENTITY.format(name="Top") + "  c: ref C\n",
            "dsl/a.dsl": "module shop.a\nuse shop.c\n",
            "dsl/c.dsl": "module shop.c\n" + ENTITY.format(name="C"),
        }
    )
    assert result.ok, result.render_diagnostics()


def test_reference_into_an_unreached_module(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\napp shop\n" + ENTITY.format(name="Top") + "  x: ref Extra\n",
            "dsl/extra.dsl": "module shop.extra\n" + ENTITY.format(name="Extra"),
        }
    )
    d = next(d for d in result.diagnostics if d.code == "E206")
    assert "which is not part of the application" in d.message
    assert d.hint.startswith("add 'use shop.extra' to ")


def test_root_module_that_does_not_exist(make_project):
    result = make_project(
        {"dazzle.toml": TOML.replace("shop.core", "shop.cor"), "dsl/core.dsl": "module shop.core\napp shop\n"}
    )
    assert diagnostics(result) == [("E011", "dazzle.toml", 4, 1)]
    assert result.diagnostics[0].message == "root module 'shop.cor' not found"
    assert result.diagnostics[0].hint == "did you mean 'shop.core'?"


def test_root_module_without_app_line(make_project):
    result = make_project({"dazzle.toml": TOML, "dsl/core.dsl": "module shop.core\n"})
    assert diagnostics(result) == [("E012", "core.dsl", 1, 8)]


def test_folder_without_toml_uses_the_module_with_the_app_line(make_project):
    result = make_project(
        {
            "a.dsl": "use b\napp folder_app\n" + ENTITY.format(name="A") + "  b: ref B\n",
            "sub/b.dsl": ENTITY.format(name="B"),
        }
    )
    assert result.ok, result.render_diagnostics()
    assert result.appspec.name == "folder_app"
    assert result.appspec.metadata["root_module"] == "a"
    assert "project_name" not in result.appspec.metadata


def test_folder_with_two_app_lines(make_project):
    result = make_project({"a.dsl": "app one\n", "b.dsl": "app two\n"})
    assert [d.code for d in result.diagnostics] == ["E012"]
    assert "several modules have an 'app' line" in result.diagnostics[0].message


def test_folder_with_no_app_line(make_project):
    result = make_project({"a.dsl": ENTITY.format(name="A"), "b.dsl": ENTITY.format(name="B")})
    assert [d.code for d in result.diagnostics] == ["E012"]


def test_single_file_without_app_line(make_project):
    result = make_project({"one.dsl": ENTITY.format(name="A")}, compile_at="one.dsl")
    assert [(d.code, d.line, d.column) for d in result.errors] == [("E012", 1, 1)]


def test_hidden_folders_are_not_searched(make_project):
    result = make_project(
        {
            "main.dsl": "app x\n",
            ".venv/lib/junk.dsl": "this is not DAZZLE\n",
        }
    )
    assert result.ok, result.render_diagnostics()


def test_syntax_errors_in_unreached_modules_are_still_errors(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML,
            "dsl/core.dsl": "module shop.core\napp shop\n",
            "dsl/broken.dsl": "module shop.broken\nentity X\n",
        }
    )
    assert [d.code for d in result.diagnostics] == ["W003", "E100"] or sorted(d.code for d in result.diagnostics) == [
        "E100",
        "W003",
    ]
    assert not result.ok


def test_project_version_and_name_reach_the_appspec(make_project):
    result = make_project({"dazzle.toml": TOML, "dsl/core.dsl": 'module shop.core\napp shop "Shop"\n'})
    app = result.appspec
    assert app.version == "2.0.0"
    assert dict(app.metadata) == {"dsl_version": "0.1", "root_module": "shop.core", "project_name": "shop"}


def test_unknown_tables_and_keys_in_dazzle_toml_are_warnings_with_suggestions(make_project):
    result = make_project(
        {
            "dazzle.toml": TOML.replace('version = "2.0.0"', 'versoin = "2.0.0"') + '\n[biuld]\nout = "x"\n',
            "dsl/core.dsl": "module shop.core\napp shop\n",
        }
    )
    assert result.ok
    assert [(d.code, d.line, d.message, d.hint) for d in result.diagnostics] == [
        ("W010", 3, "unknown key 'versoin' in [project]", "did you mean 'version'?"),
        ("W010", 9, "unknown table [biuld]", "did you mean 'build'?"),
    ]


def test_a_misspelt_project_table_is_suggested(make_project):
    result = make_project({"dazzle.toml": '[projetc]\nroot = "a"\n', "a.dsl": "app a\n"})
    assert [(d.code, d.hint) for d in result.errors] == [("E010", "rename [projetc] to [project]")]


def test_dazzle_toml_may_start_with_a_byte_order_mark(make_project):
    result = make_project({"dazzle.toml": "\ufeff" + TOML, "dsl/core.dsl": "module shop.core\napp shop\n"})
    assert result.ok and result.diagnostics == ()


def test_a_modules_path_that_is_a_file_says_so(make_project):
    result = make_project(
        {"dazzle.toml": TOML.replace('["./dsl"]', '["./dsl/core.dsl"]'), "dsl/core.dsl": "module shop.core\napp shop\n"}
    )
    assert [d.message for d in result.errors] == ["[modules] paths: './dsl/core.dsl' is a file, not a folder"]


def test_the_build_table_is_checked_by_validate_too(make_project):
    result = make_project(
        {"dazzle.toml": TOML + '\n[build]\nbackends = "openapi"\n', "dsl/core.dsl": "module shop.core\napp shop\n"}
    )
    assert [(d.code, d.line) for d in result.errors] == [("E010", 10)]


def test_a_path_inside_a_project_means_the_whole_project(make_project, tmp_path, monkeypatch):
    files = {
        "dazzle.toml": TOML,
        "dsl/core.dsl": "module shop.core\nuse shop.catalog\napp shop\nentity O:\n  id: uuid pk\n  p: ref P\n",
        "dsl/catalog/catalog.dsl": "module shop.catalog\nentity P:\n  id: uuid pk\n",
        "notes/scratch.dsl": "app scratch\n",
    }
    make_project(files)
    for inside in ("dsl", "dsl/catalog", "dsl/core.dsl", "dsl/catalog/catalog.dsl"):
        result = compile_path(tmp_path / inside)
        assert result.ok, (inside, result.render_diagnostics())
        assert (result.appspec.name, result.appspec.version) == ("shop", "2.0.0"), inside
    monkeypatch.chdir(tmp_path / "dsl" / "catalog")
    result = compile_path(".")
    assert result.ok and result.project.config_file.resolve() == (tmp_path / "dazzle.toml").resolve()
    assert all(Path(m.file).is_file() for m in result.appspec.modules)  # file names work from here
    # A file outside the project's module paths is compiled on its own.
    assert compile_path(tmp_path / "notes" / "scratch.dsl").appspec.name == "scratch"


def test_a_broken_dazzle_toml_above_does_not_block_a_file_outside_it(make_project, tmp_path):
    make_project({"dazzle.toml": "[project\n", "scratch/x.dsl": "app x\n"})
    result = compile_path(tmp_path / "scratch" / "x.dsl")
    assert result.ok and result.appspec.name == "x"
    assert [d.code for d in result.diagnostics] == ["W011"]


def test_a_nested_project_is_not_part_of_the_outer_one(make_project, tmp_path):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "main"\n',
            "main.dsl": "module main\napp outer\n",
            "inner/dazzle.toml": '[project]\nroot = "main"\n',
            "inner/main.dsl": "module main\napp inner\n",
        }
    )
    assert result.ok and result.diagnostics == ()
    assert compile_path(tmp_path / "inner").appspec.name == "inner"


def test_overlapping_module_paths_name_each_file_once(make_project):
    result = make_project(
        {
            "dazzle.toml": '[project]\nroot = "main"\n[modules]\npaths = ["dsl", "dsl/../dsl"]\n',
            "dsl/main.dsl": "module main\napp a\n",
        }
    )
    assert result.ok and result.diagnostics == ()


def test_a_linked_module_file_inside_a_project_means_the_project(make_project, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "ext.dsl").write_text("module ext\nentity X:\n  id: uuid pk\n", encoding="utf-8")
    make_project(
        {
            "proj/dazzle.toml": '[project]\nroot = "main"\n',
            "proj/main.dsl": "module main\nuse ext\napp a\nentity T:\n  id: uuid pk\n  x: ref X\n",
        }
    )
    (tmp_path / "proj" / "ext.dsl").symlink_to(tmp_path / "elsewhere" / "ext.dsl")
    result = compile_path(tmp_path / "proj" / "ext.dsl")
    assert result.ok and result.appspec.name == "a"


@pytest.mark.parametrize(
    ("toml", "message", "line"),
    [
        ('project = "x"\n', "project must be a table: [project]", 1),
        ('[project]\nroot = "main"\n[modules]\npaths = ["' + "a" * 300 + '"]\n', "[modules] paths: '", 4),
        ('[project]\nroot = "main"\n[build]\nout = "a\\u0000b"\n', "[build] out must be a folder path", 4),
    ],
)
def test_odd_dazzle_toml_values_are_errors_not_tracebacks(make_project, toml, message, line):
    result = make_project({"dazzle.toml": toml, "main.dsl": "module main\napp a\n"})
    errors = [(d.code, d.line) for d in result.errors if message in d.message]
    assert errors == [("E010", line)], result.render_diagnostics()


def test_locations_in_dazzle_toml_with_a_bom_and_deeper_tables(make_project):
    result = make_project(
        {
            "dazzle.toml": '\ufeff[project]\nroot = "main"\nversoin = "1"\n[build.option.openapi]\nx = 1\n',
            "main.dsl": "module main\napp a\n",
        }
    )
    assert [(d.code, d.line, d.message) for d in result.diagnostics] == [
        ("W010", 3, "unknown key 'versoin' in [project]"),
        ("W010", 4, "unknown key 'option' in [build]"),
    ]


def test_a_top_level_key_that_belongs_in_a_table_says_where(make_project):
    result = make_project({"dazzle.toml": 'name = "p"\n[project]\nroot = "main"\n', "main.dsl": "module main\napp a\n"})
    assert [(d.message, d.hint) for d in result.diagnostics] == [
        ("unknown key 'name' at the top level", "move it under [project]")
    ]
