"""Write the document's events (``document``) as YAML or JSON.

The builder makes the document as YAML events (``document``); one feed
(``_EventFeed``) hands them on in batches, a lazy mapping's item before
the next one is made, to one of two writers:

- YAML: ruamel.yaml's C emitter (``ruamel.yaml.clib``), which does all of
  YAML's quoting, escaping and layout. ruamel's representer and serializer
  are skipped: on a 4,000-entity document they took about 13 of 15
  seconds, building a node graph and tag objects that this document does
  not need (README, "Writing YAML, and speed"). The output is byte for byte
  what ruamel's pure-Python ``YAML(typ="safe")`` writes for the same data
  with these settings and resolver (a test checks that); the resolver
  quotes strings that a YAML 1.1 reader would take for something else
  (``yes``, ``on``, ``1_000``) as well as those YAML 1.2 would. Without the
  C emitter (PyPy), that pure-Python ``YAML`` writes the document, composed
  back into plain data (``document.compose``).
- JSON: ``_JsonText`` writes the text that ``json.dump(..., indent=2)``
  writes (a test checks that), with ``json`` for the strings.

A document may also be given as plain data (dicts, lists, str, int, bool,
None); an object may sit in many places and is written in full at each,
never as a YAML alias.
"""

from __future__ import annotations

import io
import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from ruamel.yaml import events

from dazzle_backend_openapi.document import (
    MAP_END,
    MAP_START,
    CEmitter,
    LazyMapping,
    MapStart,
    PlainScalarResolver,
    Scalar,
    Scalars,
    SeqStart,
    append_events,
    compose_document,
    text_of,
    utf8,
)
from dazzle_backend_openapi.supplementary import RestoringStream, StandInConflict, StandIns

MapEnd, SeqEnd = events.MappingEndEvent, events.SequenceEndEvent

# No line folding: a long description stays on its line.
_WIDTH = 1 << 30
# Events are handed to the emitter once this many are waiting (checked
# between the items of a lazy mapping).
_BATCH = 20_000

#: A document: a mapping, or its top-level (key, value) pairs in order (as
#: ``builder.document_members`` gives them). Values may be ``LazyMapping``s.
Document = Mapping[str, Any] | LazyMapping | Iterable[tuple[str, Any]]


def _pairs(document: Document) -> Iterable[tuple[str, Any]]:
    return document.items() if isinstance(document, Mapping | LazyMapping) else document


class _EventFeed:
    """Hands a document's events to ``write`` (the YAML emitter's or the
    JSON text's), in batches."""

    def __init__(self, write: Callable[[list[Any]], None], stand_ins: StandIns | None) -> None:
        self._write = write
        self._stand_ins = stand_ins
        self._out: list[Any] = []
        self._scalars = Scalars()  # for plain data and keys
        # Every ``Scalars`` whose events were met, for their stand-ins.
        self._sources: dict[int, Scalars] = {id(self._scalars): self._scalars}

    def document(self, document: Document) -> None:
        out = self._out
        out.append(events.StreamStartEvent(encoding="utf-8"))
        out.append(events.DocumentStartEvent(explicit=False))
        # Each member (made on demand by ``builder.document_members``) is
        # dropped once it is written.
        out.append(MAP_START)
        for key, value in _pairs(document):
            out.append(self._scalars.strings[key])
            self._value(value)
            del value
            self._flush()
            self._scalars.forget()
        out.append(MAP_END)
        out.append(events.DocumentEndEvent(explicit=False))
        out.append(events.StreamEndEvent())
        self._flush()

    def _value(self, value: Any) -> None:
        kind = type(value)
        if kind is LazyMapping:
            out = self._out
            out.append(MAP_START)
            for key, item in value.items():
                out.append(self._scalars.strings[key])
                self._value(item)
                if len(out) > _BATCH:
                    self._flush()
            out.append(MAP_END)
        else:
            append_events(self._out, value, self._scalars, self._sources)

    def _flush(self) -> None:
        if self._stand_ins is not None:
            substitute = self._stand_ins.substitute
            for scalars in self._sources.values():
                for event in scalars.take_non_ascii():
                    event.value = utf8(substitute(text_of(event)))
        self._write(self._out)
        self._out.clear()


def _emitting(emit: Callable[[Any], None]) -> Callable[[list[Any]], None]:
    """A batch writer that hands each event to the YAML emitter's ``emit``."""
    return lambda batch: deque(map(emit, batch), maxlen=0)


class _JsonText:
    """Writes events as the text that ``json.dump(data, indent=2,
    ensure_ascii=False)`` writes for the data they stand for: strings as
    ``json`` writes them, integers, ``true``, ``false`` and ``null`` as their
    events' text."""

    def __init__(self, write: Callable[[str], Any]) -> None:
        self._write = write
        # For each open mapping or sequence: [is a mapping, items so far,
        # a key was written and its value is next].
        self._open: list[list[Any]] = []
        self._texts: dict[Any, str] = {}  # a string event -> its JSON text
        self._indents = ["\n"]

    def __call__(self, batch: list[Any]) -> None:
        out: list[str] = []
        put = out.append
        open_ = self._open
        texts = self._texts
        indents = self._indents
        for event in batch:
            cls = event.__class__
            if cls is MapEnd or cls is SeqEnd:
                mapping, items, _ = open_.pop()
                if items:
                    put(indents[len(open_)])
                    put("}" if mapping else "]")
                else:
                    put("{}" if mapping else "[]")
                continue
            if cls is not Scalar and cls is not MapStart and cls is not SeqStart:
                continue  # the stream's and the document's start and end
            is_key = False
            if open_:
                top = open_[-1]
                if top[2]:
                    top[2] = False  # the value of the key just written
                else:
                    put(("{" if top[0] else "[") if not top[1] else ",")
                    top[1] += 1
                    depth = len(open_)
                    while len(indents) <= depth:
                        indents.append(indents[-1] + "  ")
                    put(indents[depth])
                    is_key = top[0]
            if cls is Scalar:
                if event.implicit[1]:
                    text = texts.get(event)
                    if text is None:
                        text = texts[event] = json.dumps(text_of(event), ensure_ascii=False)
                else:
                    text = text_of(event)
                    if is_key:  # json writes a key that is not a string as one
                        text = f'"{text}"'
                put(text)
                if is_key:
                    put(": ")
                    open_[-1][2] = True
            else:
                open_.append([cls is MapStart, 0, False])
        self._write("".join(out))
        texts.clear()


def _yaml_pure(document: Document, stream: BinaryIO) -> None:
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import SafeRepresenter

    class Representer(SafeRepresenter):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = Representer
    yaml.Resolver = PlainScalarResolver
    yaml.default_flow_style = False
    yaml.width = _WIDTH
    yaml.allow_unicode = True
    yaml.encoding = "utf-8"
    yaml.sort_base_mapping_type_on_output = False
    yaml.dump(compose_document(_pairs(document)), stream)


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
        _EventFeed(_emitting(emitter.emit), None).document(document)
        return
    table = StandIns()
    restoring = RestoringStream(stream, table)
    emitter = CEmitter(restoring, width=_WIDTH, allow_unicode=True, encoding="utf-8")
    _EventFeed(_emitting(emitter.emit), table).document(document)
    restoring.finish()


def write_json(document: Document, stream: BinaryIO) -> None:
    """Write the document as indented UTF-8 JSON (non-ASCII kept as is)."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
    try:
        _EventFeed(_JsonText(text.write), None).document(document)
        text.write("\n")
        text.flush()
    finally:
        text.detach()


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
