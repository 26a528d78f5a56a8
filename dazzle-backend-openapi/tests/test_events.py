"""The document's one representation, YAML events (``document``): plain data
becomes events and composes back unchanged, JSON and YAML are both written
from them, and the parts of a document may be made in any order."""

from __future__ import annotations

import io
import json

import pytest
from dazzle_backend_openapi import document, writer
from dazzle_backend_openapi.builder import build_document, document_members
from dazzle_backend_openapi.document import CEmitter, Scalars, compose
from dazzle_backend_openapi.options import Settings
from documents import PROJECTS, appspec_at
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml import events as ruamel_events

pytestmark = pytest.mark.filterwarnings("ignore::dazzle.backends.BackendWarning")

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=12)
    | st.sampled_from(["yes", "on", "null", "1_000", "2024-01-31", "3.1.0", "", "~", "- x", "🚀 é"])
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(data=_DATA)
def test_data_composes_back_from_its_events(data) -> None:
    composed = compose(Scalars().events(data))
    assert composed == data
    # Types survive too: 1 stays an int, True a bool, "1" a string.
    assert json.dumps(composed) == json.dumps(data)


@given(data=st.dictionaries(st.text(max_size=8), _DATA, max_size=4))
def test_json_is_what_the_standard_library_writes(data) -> None:
    expected = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert writer.render(data, "json") == expected.encode("utf-8")


def test_spliced_events_stand_for_their_value() -> None:
    scalars = Scalars()
    shared = scalars.events({"type": "string", "enum": ["a", None]})
    data = {"one": shared, "list": [shared, 7], "again": shared}
    plain = {"type": "string", "enum": ["a", None]}
    assert compose(scalars.events(data)) == {"one": plain, "list": [plain, 7], "again": plain}
    text = writer.render(data, "yaml").decode("utf-8")
    assert YAML(typ="safe", pure=True).load(text) == {"one": plain, "list": [plain, 7], "again": plain}


def test_the_parts_of_the_document_can_be_made_in_any_order() -> None:
    """Every name and every shared component is decided before anything is
    made, so components (and the extensions) made before the paths are the
    same as made after them."""
    appspec = appspec_at(PROJECTS / "many_surfaces.dsl")
    expected = build_document(appspec, Settings())
    members = list(document_members(appspec, Settings()))
    assert [key for key, _ in members] == list(expected)
    scalars = Scalars()
    made = {key: compose(scalars.events(value)) for key, value in reversed(members)}
    assert made == expected
    assert made["components"]["responses"] and made["components"]["parameters"]


def test_a_string_beyond_u_ffff_nested_in_plain_data_is_written_as_itself() -> None:
    # Events made by another Scalars, met only inside plain data: their
    # strings still get the writer's stand-ins (libyaml would escape them).
    events = Scalars().events({"summary": "Launch 🚀"})
    text = writer.render({"x-first": {"nested": [events]}}, "yaml").decode("utf-8")
    assert text == "x-first:\n  nested:\n  - summary: Launch 🚀\n"


class _EmitterCheckingTypes:
    """A C emitter that checks an event's class with ``type()``, as a later
    ruamel.yaml.clib might, instead of reading ``__class__``."""

    def __init__(self, stream, **options) -> None:
        self._emitter = CEmitter(stream, **options)

    def emit(self, event) -> None:
        if type(event) not in vars(ruamel_events).values():
            raise TypeError(f"invalid event {event}")
        self._emitter.emit(event)


def test_events_are_untagged_classes_where_the_emitter_takes_them() -> None:
    assert document._emitter_takes(CEmitter)
    assert type(document.MAP_START) is not ruamel_events.MappingStartEvent
    assert document.MAP_START.__class__ is ruamel_events.MappingStartEvent
    event = Scalars().strings["text"]
    assert type(event) is not ruamel_events.ScalarEvent and event.__class__ is ruamel_events.ScalarEvent
    assert event.tag is None and event.ctag is None
    assert event.value == b"text" and document.text_of(event) == "text"  # UTF-8, as the emitter takes it


def test_an_emitter_that_checks_classes_otherwise_is_given_ruamels_own_events() -> None:
    ruamels = (ruamel_events.ScalarEvent, ruamel_events.MappingStartEvent, ruamel_events.SequenceStartEvent)
    assert document._event_classes(_EmitterCheckingTypes) == ruamels
    assert document._event_classes(None) == ruamels
    # ... which it writes with UTF-8 values as the untagged ones are written.
    scalar, map_start, seq_start = ruamels
    stream = io.BytesIO()
    emitter = _EmitterCheckingTypes(stream, encoding="utf-8", allow_unicode=True)
    for event in [
        ruamel_events.StreamStartEvent(encoding="utf-8"),
        ruamel_events.DocumentStartEvent(explicit=False),
        map_start(None, None, True, flow_style=False),
        scalar(None, None, (True, True), document.utf8("title")),
        seq_start(None, None, True, flow_style=False),
        scalar(None, None, (True, True), document.utf8("Café")),
        scalar(None, None, (True, False), b"true"),
        ruamel_events.SequenceEndEvent(),
        ruamel_events.MappingEndEvent(),
        ruamel_events.DocumentEndEvent(explicit=False),
        ruamel_events.StreamEndEvent(),
    ]:
        emitter.emit(event)
    assert stream.getvalue().decode("utf-8") == writer.render({"title": ["Café", True]}, "yaml").decode("utf-8")
