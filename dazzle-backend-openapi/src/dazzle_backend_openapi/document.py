"""What the document is made of: YAML events, made once.

The builder (``builder``, ``schemas``, ``extensions``) makes the document as
the events of ruamel.yaml's emitter (a mapping starts, a string, ...,
the mapping ends), not as a tree of dicts that would be walked again to
make them. A value is either such a list of events (``Events``) or plain
data (dicts, lists, str, int, bool, None), which ``append_events`` turns
into events; the two nest. Builder functions that run once per entity,
field, operation or surface return lists of events, assembled from
constant runs (``MAP_START``, a key's event, a shared schema's events) by
list concatenation, which runs in C; small one-off parts are plain data.
Everything else is derived from the events: the writers hand them to the
YAML emitter or write their JSON text (``writer``), and ``compose`` turns
them back into plain data (for ``builder.build_document`` and the
pure-Python YAML fallback).

``Scalars`` makes the event of a string or an integer, one per distinct
value until it is told to ``forget`` them (the builder keeps its events for
the whole document, since its members share many strings). A scalar event's
``value`` is its text in UTF-8 (``utf8``; ``text_of`` reads it back), which
the C emitter takes as it is, where it would encode a ``str`` again each time
the event is written. An event is never changed once made, except that the
YAML writer gives a string beyond U+FFFF a stand-in character
(``supplementary``) before the emitter sees it; so the events of one build
serve one writer.

``LazyMapping``: a mapping made while it is written. A 4,000-entity document
is about 80 MB of dicts; built whole, it would take more memory than
compiling the project did. So the biggest parts of the document (``paths``,
``components`` and ``x-dazzle-surfaces``) are lazy: iterating one builds its
items one by one, and the writers write each item's events before asking
for the next, so only one entity's share of the
document exists at a time. A lazy mapping is iterated once; the builder
decides every name and what is shared before it makes any item, so the
parts may be made in any order.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ruamel.yaml import events
from ruamel.yaml.resolver import BaseResolver, implicit_resolvers

Pairs = Iterator[tuple[str, Any]]

# The classes an event is, for whoever checks (``event.__class__ is
# Scalar``): ruamel's own, the only ones its C emitter takes.
Scalar = events.ScalarEvent
MapStart, SeqStart = events.MappingStartEvent, events.SequenceStartEvent

# Scalars carry no tag: the ``implicit`` flags say whether the text reads
# back as the right type plain or quoted, which is all the emitter needs.
_NOT_A_STRING = (True, False)  # true, false, null, integers: plain, never quoted
_PLAIN_STRING = (True, True)
_QUOTED_STRING = (False, True)  # a string that plain would read as another type


# ruamel's events compute ``tag`` in a Python property on every read, and the
# C emitter reads it once per event: 12% of the emitter's instructions on the
# bench's 20x50 document. No event here has a tag, an anchor, a style or a
# mark, so these classes hold them as class attributes (None), which also
# spares setting them on each of the thousands of scalars made. The emitter
# checks an event's class through ``__class__``, which these answer with
# ruamel's class, as ``unittest.mock``'s objects made with a spec do;
# ``_emitter_takes`` makes sure the installed emitter accepts them and writes
# them as ruamel's own, else ruamel's own classes are used.
class _UntaggedScalar(events.ScalarEvent):
    __slots__ = ()
    __class__ = events.ScalarEvent  # type: ignore[assignment]
    tag = ctag = anchor = style = start_mark = end_mark = comment = None  # type: ignore[assignment]

    def __init__(self, anchor: None, tag: None, implicit: tuple[bool, bool], value: bytes) -> None:
        self.implicit = implicit
        self.value = value


class _UntaggedMapStart(events.MappingStartEvent):
    __slots__ = ()
    __class__ = events.MappingStartEvent  # type: ignore[assignment]
    tag = None  # type: ignore[assignment]


class _UntaggedSeqStart(events.SequenceStartEvent):
    __slots__ = ()
    __class__ = events.SequenceStartEvent  # type: ignore[assignment]
    tag = None  # type: ignore[assignment]


def _emitter_takes(emitter_class: Any) -> bool:
    """Does ``emitter_class`` (ruamel's C emitter) write the untagged events
    as it writes ruamel's own?"""
    if emitter_class is None:
        return False
    stream = io.BytesIO()
    emitter = emitter_class(stream, encoding="utf-8")
    stream_events = [
        events.StreamStartEvent(encoding="utf-8"),
        events.DocumentStartEvent(explicit=False),
        _UntaggedMapStart(None, None, True, flow_style=False),
        _UntaggedScalar(None, None, _PLAIN_STRING, b"a"),
        _UntaggedSeqStart(None, None, True, flow_style=False),
        _UntaggedScalar(None, None, _PLAIN_STRING, b"b"),
        events.SequenceEndEvent(),
        events.MappingEndEvent(),
        events.DocumentEndEvent(explicit=False),
        events.StreamEndEvent(),
    ]
    try:
        for event in stream_events:
            emitter.emit(event)
    except TypeError:  # "invalid event": it checks the class some other way
        return False
    return stream.getvalue() == b"a:\n- b\n"


try:
    from ruamel.yaml.cyaml import CEmitter
except ImportError:  # pragma: no cover - ruamel.yaml without its C extension
    CEmitter = None


def _event_classes(emitter_class: Any) -> tuple[Any, type[events.MappingStartEvent], type[events.SequenceStartEvent]]:
    """The classes of scalars, mapping starts and sequence starts for
    ``emitter_class``: the untagged ones where it takes them, else ruamel's."""
    if _emitter_takes(emitter_class):
        return _UntaggedScalar, _UntaggedMapStart, _UntaggedSeqStart
    return Scalar, MapStart, SeqStart


_new_scalar, _map_start, _seq_start = _event_classes(CEmitter)
MAP_START = _map_start(None, None, True, flow_style=False)
SEQ_START = _seq_start(None, None, True, flow_style=False)
MAP_END = events.MappingEndEvent()
SEQ_END = events.SequenceEndEvent()

TRUE, FALSE, NULL = (_new_scalar(None, None, _NOT_A_STRING, text) for text in (b"true", b"false", b"null"))
_NOT_STRINGS: dict[bytes, Any] = {b"true": True, b"false": False, b"null": None}


class PlainScalarResolver(BaseResolver):
    """Knows the implicit types of YAML 1.1 *and* 1.2, so a string is written
    plain only when readers of either version take it for a string."""

    def __init__(self, version: Any = None, loader: Any = None, loadumper: Any = None) -> None:
        # The signature ruamel's ``YAML`` calls resolvers with.
        super().__init__(loadumper=loader if loader is not None else loadumper)


for _versions, _tag, _regexp, _first in implicit_resolvers:
    PlainScalarResolver.add_implicit_resolver_base(_tag, _regexp, _first)

# For each first character, the ``match`` of each implicit type's pattern
# that may claim a text starting with it. (ruamel compiles a pattern on first
# use behind a proxy; its bound ``match`` is the compiled pattern's own.)
_CLAIMS: dict[str, tuple[Callable[[str], Any], ...]] = {
    first: tuple(regexp.match for _tag, regexp in resolvers)
    for first, resolvers in PlainScalarResolver.yaml_implicit_resolvers.items()
}


def plain_ok(text: str) -> bool:
    """May ``text`` be written as a plain scalar? Only if no implicit type of
    YAML 1.1 or 1.2 (bool, int, float, null, timestamp, ...) claims it; this
    is ``BaseResolver.resolve`` for plain scalars, without building tags."""
    if not text:
        return False
    for match in _CLAIMS.get(text[0], ()):
        if match(text):
            return False
    return True


def utf8(text: str) -> bytes:
    """A scalar event's ``value`` for ``text`` (any ``str``, as ``json``
    takes any: a lone surrogate is kept)."""
    return text.encode("utf-8", "surrogatepass")


def text_of(event: Any) -> str:
    """The text of a scalar event."""
    return event.value.decode("utf-8", "surrogatepass")


class _StringEvents(dict):
    """The event of each string met, made on the first lookup."""

    __slots__ = ("non_ascii",)

    def __init__(self) -> None:
        super().__init__()
        self.non_ascii: list[Any] = []

    def __missing__(self, value: str) -> Any:
        implicit = _PLAIN_STRING if plain_ok(value) else _QUOTED_STRING
        event = self[value] = _new_scalar(None, None, implicit, utf8(value))
        if not value.isascii():
            self.non_ascii.append(event)
        return event


class _NumberEvents(dict):
    """The event of each integer met, made on the first lookup."""

    __slots__ = ()

    def __missing__(self, value: int) -> Any:
        event = self[value] = _new_scalar(None, None, _NOT_A_STRING, b"%d" % value)
        return event


class Scalars:
    """The events of strings (``strings[text]``) and integers
    (``numbers[n]``): one per distinct value, made on the first lookup,
    until ``forget``. (A lookup, not a call: an event made already costs no
    Python call.) Keeps the string events that are not ASCII until the YAML
    writer ``take_non_ascii``s them, to give them stand-ins."""

    __slots__ = ("strings", "numbers")

    def __init__(self) -> None:
        self.strings = _StringEvents()
        self.numbers = _NumberEvents()

    def forget(self) -> None:
        """Drop the made events from the lookups (those in use stay valid)."""
        self.strings.clear()
        self.numbers.clear()

    def take_non_ascii(self) -> list[Any]:
        """The string events made since the last call whose text is not ASCII."""
        taken = self.strings.non_ascii[:]
        self.strings.non_ascii.clear()
        return taken

    def events(self, data: Any) -> Events:
        """Plain data as events (``append_events``)."""
        out = Events(self)
        append_events(out, data, self)
        return out

    def sequence(self, texts: Iterable[str]) -> list[Any]:
        """A sequence of strings, as events."""
        strings = self.strings
        return [SEQ_START, *[strings[text] for text in texts], SEQ_END]


class Events(list):
    """The events of one value, made already by ``scalars``: where plain data
    holds one, it stands for the value these events make."""

    __slots__ = ("scalars",)

    def __init__(self, scalars: Scalars, items: Iterable[Any] = ()) -> None:
        # Not ``super()``: the builder makes one per schema, path and
        # surface, and making the super object cost 1% of building the events.
        list.__init__(self, items)
        self.scalars = scalars


#: Events of constant text (keys, fixed values), shared by every document.
CONSTANTS = Scalars()
constant = CONSTANTS.strings.__getitem__


class LazyMapping:
    """Key/value pairs made by ``make()`` when the mapping is iterated."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], Pairs]) -> None:
        self._make: Callable[[], Pairs] | None = make

    def items(self) -> Pairs:
        make, self._make = self._make, None
        if make is None:
            raise RuntimeError("a LazyMapping can be iterated only once")
        return make()


def append_events(out: list[Any], data: Any, scalars: Scalars, sources: dict[int, Scalars] | None = None) -> None:
    """Append the events of ``data`` (plain data, ``Events``, lazy mappings)
    to ``out``. Events are spliced as they are; the ``Scalars`` that made
    them goes into ``sources`` (by id), where the YAML writer finds the
    strings it must give stand-ins, wherever in the data they are."""
    kind = type(data)
    if kind is Events:
        if sources is not None:
            sources.setdefault(id(data.scalars), data.scalars)
        out += data
    elif kind is dict or kind is LazyMapping:
        out.append(MAP_START)
        for key, value in data.items():
            out.append(scalars.strings[key])
            append_events(out, value, scalars, sources)
        out.append(MAP_END)
    elif kind is str:
        out.append(scalars.strings[data])
    elif kind is list:
        out.append(SEQ_START)
        for item in data:
            append_events(out, item, scalars, sources)
        out.append(SEQ_END)
    elif kind is bool:
        out.append(TRUE if data else FALSE)
    elif kind is int:
        out.append(scalars.numbers[data])
    elif data is None:
        out.append(NULL)
    else:
        raise TypeError(f"cannot write {kind.__name__} into an OpenAPI document")


class _Open:
    """A mapping or sequence that ``compose`` is filling."""

    __slots__ = ("container", "key")

    def __init__(self, container: dict[str, Any] | list[Any]) -> None:
        self.container = container
        self.key: Any = _NO_KEY


_NO_KEY = object()


def compose(stream: Iterable[Any]) -> Any:
    """The plain data that the events of one value stand for."""
    open_: list[_Open] = []
    result: Any = None
    for event in stream:
        cls = event.__class__
        if cls is Scalar:
            if event.implicit[1]:
                value: Any = text_of(event)
            else:
                text = event.value
                value = _NOT_STRINGS[text] if text in _NOT_STRINGS else int(text)
        elif cls is MapStart:
            open_.append(_Open({}))
            continue
        elif cls is SeqStart:
            open_.append(_Open([]))
            continue
        else:  # the end of a mapping or a sequence
            value = open_.pop().container
        if not open_:
            result = value
            continue
        top = open_[-1]
        container = top.container
        if type(container) is list:
            container.append(value)
        elif top.key is _NO_KEY:
            top.key = value
        else:
            container[top.key] = value
            top.key = _NO_KEY
    return result


def compose_document(members: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A whole document (its top-level members) as one plain dict."""
    scalars = Scalars()
    document = {}
    for key, value in members:
        document[key] = compose(scalars.events(value))
        scalars.forget()
    return document
