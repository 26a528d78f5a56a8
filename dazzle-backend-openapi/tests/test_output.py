"""The written files: YAML and JSON carry one document, byte-identical on every
run, in readable block YAML, with every character as it was written."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dazzle_backend_openapi import writer
from dazzle_backend_openapi.builder import build_document, document_members
from dazzle_backend_openapi.document import LazyMapping
from dazzle_backend_openapi.options import Settings
from dazzle_backend_openapi.supplementary import RestoringStream, StandIns
from documents import PROJECTS, appspec_at, compile_dsl, generate, load
from ruamel.yaml import YAML

EDGE = PROJECTS / "edge_names.dsl"
MANY = PROJECTS / "many_surfaces.dsl"

UNICODE_APP = """
app unicode_app "Café \\"Spécial\\" — naïve 🚀 日本語 Ω"

entity Thing "Thing 🧪 «quotes» 'single' \\\\ back":
  id: uuid pk
  name: str(20) default="x: y # z"

surface things "Things 📋":
  uses entity Thing
  mode: list
  section main "Section: ✓":
    field name "Name 👤 \\"quoted\\""
"""

# These tests are about bytes; the test projects' renaming warnings are
# checked by ``documents.generate`` and test_operations.
pytestmark = pytest.mark.filterwarnings("ignore::dazzle.backends.BackendWarning")


@pytest.fixture(scope="module")
def edge_appspec():
    return appspec_at(EDGE)


def test_yaml_and_json_carry_the_same_document(edge_appspec, tmp_path) -> None:
    for version in ("3.1.0", "3.0.3"):
        from_yaml = load(generate(edge_appspec, tmp_path / f"y{version}", openapi_version=version))
        from_json = load(generate(edge_appspec, tmp_path / f"j{version}", openapi_version=version, format="json"))
        assert from_yaml == from_json
        assert from_yaml == build_document(edge_appspec, Settings(openapi_version=version))


def test_file_names(edge_appspec, tmp_path) -> None:
    assert generate(edge_appspec, tmp_path / "a").name == "openapi.yaml"
    assert generate(edge_appspec, tmp_path / "b", format="json").name == "openapi.json"


def test_output_is_byte_identical_on_every_run(edge_appspec, tmp_path) -> None:
    for fmt in ("yaml", "json"):
        first = generate(edge_appspec, tmp_path / f"{fmt}1", format=fmt).read_bytes()
        second = generate(appspec_at(EDGE), tmp_path / f"{fmt}2", format=fmt).read_bytes()
        assert first == second


def test_output_does_not_depend_on_hash_seeds(tmp_path) -> None:
    script = (
        "import sys; from pathlib import Path; from dazzle.core.compiler import compile_path;"
        "from dazzle_backend_openapi import OpenAPIBackend;"
        "OpenAPIBackend().generate(compile_path(Path(sys.argv[1])).appspec, Path(sys.argv[2]))"
    )
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(MANY), str(out)], check=True, env=env)
        outputs.append((out / "openapi.yaml").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_top_level_keys_in_customary_order(edge_appspec) -> None:
    keys = list(build_document(edge_appspec, Settings()))
    assert keys[:7] == ["openapi", "info", "servers", "security", "tags", "paths", "components"]
    assert all(k.startswith("x-dazzle-") for k in keys[7:])
    many = build_document(appspec_at(MANY), Settings())
    assert list(many)[7:] == [
        "x-dazzle-app",
        "x-dazzle-surfaces",
        "x-dazzle-experiences",
        "x-dazzle-services",
        "x-dazzle-foreign-models",
        "x-dazzle-integrations",
    ]


def test_unicode_survives_exactly(tmp_path) -> None:
    appspec = compile_dsl(UNICODE_APP)
    yaml_file = generate(appspec, tmp_path / "y")
    json_file = generate(appspec, tmp_path / "j", format="json")
    title = 'Café "Spécial" — naïve 🚀 日本語 Ω'
    label = 'Name 👤 "quoted"'
    for path in (yaml_file, json_file):
        doc = load(path)
        assert doc["info"]["title"] == title
        assert doc["components"]["schemas"]["Thing"]["description"] == "Thing 🧪 «quotes» 'single' \\ back"
        assert doc["components"]["schemas"]["Thing"]["properties"]["name"]["default"] == "x: y # z"
        surface = doc["x-dazzle-surfaces"]["things"]
        assert surface["title"] == "Things 📋"
        assert surface["sections"]["main"] == {"title": "Section: ✓", "fields": {"name": label}}
        # Written as characters, not escapes.
        text = path.read_text(encoding="utf-8")
        for fragment in ("🚀", "日本語", "🧪", "👤", "📋", "«quotes»"):
            assert fragment in text
        assert "\\U0001" not in text and "\\u" not in text
    # ruamel reads it too (YAML 1.2), the same.
    assert YAML(typ="safe", pure=True).load(yaml_file.read_text(encoding="utf-8")) == load(json_file)


def test_yaml_is_block_style_without_anchors(tmp_path) -> None:
    text = generate(appspec_at(MANY), tmp_path / "out").read_text(encoding="utf-8")
    for line in text.splitlines():
        stripped = line.split(": ", 1)[-1] if ": " in line else line.lstrip("- ")
        assert not stripped.startswith(("{", "[")) or stripped in ("{}", "[]"), line
        assert not stripped.startswith(("&", "*")), line


def test_strings_a_yaml_11_reader_would_misread_are_quoted() -> None:
    data = {
        "values": [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "N",
            "null",
            "~",
            "true",
            "1_000",
            "1:20",
            "0o17",
            "2024-01-31",
            "3.1.0",
            "1e3",
            ".inf",
            "",
            "<<",
            "=",
            "plain",
        ]
    }
    text = writer.render(data, "yaml").decode("utf-8")
    assert yaml.safe_load(text) == data  # PyYAML: YAML 1.1
    assert YAML(typ="safe", pure=True).load(text) == data  # ruamel: YAML 1.2
    assert "- plain\n" in text and "- 3.1.0\n" in text


@pytest.mark.parametrize("path", [EDGE, MANY])
def test_yaml_is_what_ruamel_itself_writes(path) -> None:
    """Feeding the C emitter events ourselves changes nothing in the output:
    it is byte for byte what ruamel.yaml's own pure-Python dumper writes."""
    appspec = appspec_at(path)
    ours = writer.render(lambda: document_members(appspec, Settings()), "yaml")
    stream = io.BytesIO()
    writer._yaml_pure(document_members(appspec, Settings()), stream)
    assert ours == stream.getvalue()


def test_yaml_without_special_strings_equals_a_plain_ruamel_dump() -> None:
    data = build_document(appspec_at(MANY), Settings())
    plain = YAML(typ="safe", pure=True)
    plain.default_flow_style = False
    plain.width = 1 << 30
    plain.allow_unicode = True
    plain.sort_base_mapping_type_on_output = False
    plain.Representer.ignore_aliases = lambda self, data: True
    stream = io.StringIO()
    plain.dump(data, stream)
    assert writer.render(data, "yaml").decode("utf-8") == stream.getvalue()


def test_the_pure_python_fallback_writes_the_same(monkeypatch, edge_appspec) -> None:
    expected = writer.render(lambda: document_members(edge_appspec, Settings()), "yaml")
    monkeypatch.setattr(writer, "CEmitter", None)
    assert writer.render(lambda: document_members(edge_appspec, Settings()), "yaml") == expected


def test_a_private_use_character_in_the_document_is_never_a_stand_in() -> None:
    stand_ins = StandIns()
    assert stand_ins.substitute("\ue000 first") == "\ue000 first"
    assert stand_ins.substitute("🚀") == "\ue001"
    data = {"a": "\ue000 \ue002", "b": "🚀 and 🧪", "c": "\ue001?"}
    # "\ue001" turns up after it stood in for the rocket: written again without stand-ins.
    text = writer.render(data, "yaml").decode("utf-8")
    assert yaml.safe_load(text) == data


def test_stand_ins_survive_any_chunking() -> None:
    data = {f"k{i}": "🚀" * (i % 7) + "é" * (i % 5) + "x" * (i % 3) for i in range(3000)}
    text = writer.render(data, "yaml").decode("utf-8")
    assert yaml.safe_load(text) == data
    assert "🚀🚀🚀" in text


def test_json_is_indented_utf8_with_a_final_newline(tmp_path) -> None:
    path = generate(compile_dsl(UNICODE_APP), tmp_path / "j", format="json")
    raw = path.read_bytes()
    assert raw.endswith(b"}\n")
    assert raw.startswith(b'{\n  "openapi": "3.1.0",\n')
    assert "🚀".encode() in raw
    json.loads(raw)


def test_lazy_parts_are_made_once() -> None:
    lazy = LazyMapping(lambda: iter([("a", 1)]))
    assert dict(lazy.items()) == {"a": 1}
    with pytest.raises(RuntimeError):
        lazy.items()


def test_a_large_document_is_written_without_holding_it_whole(tmp_path: Path) -> None:
    """Paths are made entity by entity while written: the builder's paths are
    gone once the writer has moved on to the components."""
    appspec = appspec_at(MANY)
    seen = []

    def members():
        for key, value in document_members(appspec, Settings()):
            seen.append((key, type(value).__name__))
            yield key, value

    writer.render(members, "yaml")
    assert ("paths", "LazyMapping") in seen and ("components", "LazyMapping") in seen


def test_restoring_stream_puts_characters_back_across_any_split() -> None:
    stand_ins = StandIns()
    text = "a 🚀 b é 🧪"
    substituted = stand_ins.substitute(text).encode("utf-8")
    for size in (1, 2, 3, 5):
        sink = io.BytesIO()
        stream = RestoringStream(sink, stand_ins)
        for at in range(0, len(substituted), size):
            stream.write(substituted[at : at + size])
        stream.finish()
        assert sink.getvalue().decode("utf-8") == text
