"""Render the document, built as plain data, once: JSON with the standard
library, YAML with ruamel.yaml.

The document holds dicts, lists, str, int, bool and None (and the lazy and
shared kinds of ``document``). An object may sit in many places; both
writers print it in full at each, never as a YAML alias.

YAML goes straight from the data to the events of ruamel.yaml's C emitter
(``ruamel.yaml.clib``), which does all of YAML's quoting, escaping and layout.
We skip ruamel's representer and serializer: on a 4,000-entity document they
took about 13 of 15 seconds, building a node graph and tag objects that this
document does not need (README, "Writing YAML, and speed"). The output is
byte for byte what ruamel's pure-Python ``YAML(typ="safe")`` writes for the
same data with these settings and resolver (a test checks that); the resolver
quotes strings that a YAML 1.1 reader would take for something else (``yes``,
``on``, ``1_000``) as well as those YAML 1.2 would. Without the C emitter
(PyPy), that pure-Python ``YAML`` writes the document instead.
"""

from __future__ import annotations

import io
import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from ruamel.yaml import events
from ruamel.yaml.resolver import BaseResolver, implicit_resolvers

from dazzle_backend_openapi.document import LazyMapping, SharedDict, SharedList, materialize
from dazzle_backend_openapi.supplementary import RestoringStream, StandInConflict, StandIns

try:
    from ruamel.yaml.cyaml import CEmitter
except ImportError:  # pragma: no cover - ruamel.yaml without its C extension
    CEmitter = None

# No line folding: a long description stays on its line.
_WIDTH = 1 << 30
# Events are handed to the emitter once this many are waiting (checked
# between the items of a lazy mapping).
_BATCH = 20_000

#: A document: a mapping, or its top-level (key, value) pairs in order (as
#: ``builder.document_members`` gives them). Values may be ``LazyMapping``s.
Document = Mapping[str, Any] | LazyMapping | Iterable[tuple[str, Any]]


class _PlainScalarResolver(BaseResolver):
    """Knows the implicit types of YAML 1.1 *and* 1.2, so a string is written
    plain only when readers of either version take it for a string."""

    def __init__(self, version: Any = None, loader: Any = None, loadumper: Any = None) -> None:
        # The signature ruamel's ``YAML`` calls resolvers with.
        super().__init__(loadumper=loader if loader is not None else loadumper)


for _versions, _tag, _regexp, _first in implicit_resolvers:
    _PlainScalarResolver.add_implicit_resolver_base(_tag, _regexp, _first)

_IMPLICIT = _PlainScalarResolver.yaml_implicit_resolvers


def plain_ok(text: str) -> bool:
    """May ``text`` be written as a plain scalar? Only if no implicit type of
    YAML 1.1 or 1.2 (bool, int, float, null, timestamp, ...) claims it; this
    is ``BaseResolver.resolve`` for plain scalars, without building tags."""
    if not text:
        return False
    for _tag, regexp in _IMPLICIT.get(text[0], ()):
        if regexp.match(text):
            return False
    return True


def _pairs(document: Document) -> Iterable[tuple[str, Any]]:
    return document.items() if isinstance(document, Mapping | LazyMapping) else document


def _emit_document(document: Document, emit: Callable[[Any], None], stand_ins: StandIns | None) -> None:
    """Feed the document to ``emit`` as YAML events.

    Events are collected in a list and handed to the emitter in batches. The
    emitter only reads them, so one event object serves every occurrence of
    a string or integer within a top-level member (keys, types, references;
    the caches are dropped with the member), and the events of a
    ``SharedDict`` or ``SharedList`` are made once and replayed. Scalars
    carry no tag: the ``implicit`` flags say whether plain or quoted text
    reads back as the right type, which is all the emitter needs. With
    ``stand_ins``, characters beyond U+FFFF are written as stand-ins (see
    ``supplementary``)."""
    Scalar = events.ScalarEvent
    map_start = events.MappingStartEvent(None, None, True, flow_style=False)
    map_end = events.MappingEndEvent()
    seq_start = events.SequenceStartEvent(None, None, True, flow_style=False)
    seq_end = events.SequenceEndEvent()
    true, false, null = (Scalar(None, None, (True, False), text) for text in ("true", "false", "null"))
    strings: dict[str, Any] = {}  # the event of each string met in this member
    numbers: dict[int, Any] = {}
    # id -> (the shared object, kept so its id stays its own; its events)
    replays: dict[int, tuple[Any, list[Any]]] = {}
    out: list[Any] = []
    put = out.append
    extend = out.extend

    def flush() -> None:
        deque(map(emit, out), maxlen=0)
        out.clear()

    plain, quoted = (True, True), (False, True)  # the implicit flags of a string

    def string(text: str) -> Any:
        value = text if stand_ins is None or text.isascii() else stand_ins.substitute(text)
        event = strings[text] = Scalar(None, None, plain if plain_ok(text) else quoted, value)
        return event

    def node(data: Any) -> None:
        kind = type(data)
        if kind is dict:
            # The commonest values are handled here rather than by a call.
            put(map_start)
            for key, value in data.items():
                put(strings.get(key) or string(key))
                kind = type(value)
                if kind is str:
                    put(strings.get(value) or string(value))
                elif kind is SharedDict or kind is SharedList:
                    replay = replays.get(id(value))
                    if replay is not None:
                        extend(replay[1])
                    else:
                        node(value)
                else:
                    node(value)
            put(map_end)
        elif kind is SharedDict or kind is SharedList:
            replay = replays.get(id(data))
            if replay is not None:
                extend(replay[1])
                return
            start = len(out)
            node(dict(data) if kind is SharedDict else list(data))
            replays[id(data)] = (data, out[start:])
        elif kind is list:
            put(seq_start)
            for item in data:
                node(item)
            put(seq_end)
        elif kind is str:
            put(strings.get(data) or string(data))
        elif kind is LazyMapping:
            put(map_start)
            for key, value in data.items():
                put(strings.get(key) or string(key))
                node(value)
                if len(out) > _BATCH:
                    flush()
            put(map_end)
        elif kind is bool:
            put(true if data else false)
        elif kind is int:
            event = numbers.get(data)
            if event is None:
                event = numbers[data] = Scalar(None, None, (True, False), str(data))
            put(event)
        elif data is None:
            put(null)
        else:
            raise TypeError(f"cannot write {kind.__name__} into an OpenAPI document")

    put(events.StreamStartEvent(encoding="utf-8"))
    put(events.DocumentStartEvent(explicit=False))
    # The top level by hand, so that each member (built on demand by
    # ``builder.document_members``) is dropped once it is written, and the
    # caches with it.
    put(map_start)
    for key, value in _pairs(document):
        put(string(key))
        node(value)
        del value
        flush()
        strings.clear()
        numbers.clear()
        replays.clear()
    put(map_end)
    put(events.DocumentEndEvent(explicit=False))
    put(events.StreamEndEvent())
    flush()


def _yaml_pure(document: Document, stream: BinaryIO) -> None:
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import SafeRepresenter

    class Representer(SafeRepresenter):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = Representer
    yaml.Resolver = _PlainScalarResolver
    yaml.default_flow_style = False
    yaml.width = _WIDTH
    yaml.allow_unicode = True
    yaml.encoding = "utf-8"
    yaml.sort_base_mapping_type_on_output = False
    yaml.dump({key: materialize(value) for key, value in _pairs(document)}, stream)


def write_yaml(document: Document, stream: BinaryIO, *, stand_ins: bool = True) -> None:
    """Write the document as block-style UTF-8 YAML to a binary stream.

    Raises ``StandInConflict`` (having written part of the document) when
    the document holds a character it had used as a stand-in; write it again
    with ``stand_ins=False``."""
    if CEmitter is None:  # pragma: no cover - exercised by forcing it in a test
        _yaml_pure(document, stream)
        return
    if not stand_ins:
        emitter = CEmitter(stream, width=_WIDTH, allow_unicode=True, encoding="utf-8")
        _emit_document(document, emitter.emit, None)
        return
    table = StandIns()
    restoring = RestoringStream(stream, table)
    emitter = CEmitter(restoring, width=_WIDTH, allow_unicode=True, encoding="utf-8")
    _emit_document(document, emitter.emit, table)
    restoring.finish()


def write_json(document: Document, stream: BinaryIO) -> None:
    """Write the document as indented UTF-8 JSON (non-ASCII kept as is)."""
    data = dict(_pairs(document))  # the members; lazy ones are made while written
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
    try:
        json.dump(data, text, ensure_ascii=False, indent=2, allow_nan=False, default=_lazy_to_dict)
        text.write("\n")
        text.flush()
    finally:
        text.detach()


def _lazy_to_dict(value: Any) -> dict[str, Any]:
    if type(value) is LazyMapping:
        return dict(value.items())
    raise TypeError(f"cannot write {type(value).__name__} into an OpenAPI document")


def _write(source: Mapping[str, Any] | Callable[[], Document], stream: BinaryIO, fmt: str) -> None:
    make = source if callable(source) else lambda: source
    if fmt == "json":
        write_json(make(), stream)
        return
    try:
        write_yaml(make(), stream)
    except StandInConflict:
        stream.seek(0)
        stream.truncate()
        write_yaml(make(), stream, stand_ins=False)


def write_document(source: Mapping[str, Any] | Callable[[], Document], path: Path, fmt: str) -> None:
    """Write a document to ``path`` as ``fmt`` (``yaml`` or ``json``).
    ``source`` is the document as a mapping, or a function that makes it
    (such as ``lambda: builder.document_members(appspec, settings)``)."""
    with path.open("wb") as stream:
        _write(source, stream, fmt)


def render(source: Mapping[str, Any] | Callable[[], Document], fmt: str) -> bytes:
    """A document's bytes as ``fmt``; ``source`` as for ``write_document``."""
    stream = io.BytesIO()
    _write(source, stream, fmt)
    return stream.getvalue()
