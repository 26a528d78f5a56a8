"""Characters beyond U+FFFF (emoji, most of them) in YAML from the C emitter.

libyaml, which ruamel.yaml's C emitter is built on, counts no character
beyond U+FFFF as printable, so it writes ``"\\U0001F680"`` where ruamel's own
pure-Python emitter writes the rocket itself. Both read back as the same
string, but a person reading the file should see the title as it was
written. So while the document is written, each such character is handed to
the emitter as a stand-in from the Private Use Area (U+E000..U+F8FF, which
libyaml prints as it is and treats exactly like the character it stands
for when choosing a style), and the stand-in's three UTF-8 bytes are turned
back into the character's four on their way to the file.

A stand-in is never a character that the document itself contains. If a
string containing an already assigned stand-in turns up after it was
assigned, ``StandInConflict`` is raised and the writer starts again without
stand-ins (so that document keeps libyaml's escapes).
"""

from __future__ import annotations

from typing import BinaryIO

_FIRST, _LAST = 0xE000, 0xF8FF


class StandInConflict(Exception):
    """The document contains a character already used as a stand-in."""


class StandIns:
    """Maps the supplementary characters of a document to stand-ins."""

    def __init__(self) -> None:
        self.encoded: dict[bytes, bytes] = {}  # stand-in -> character, as UTF-8
        self._by_char: dict[str, str] = {}
        self._assigned: set[str] = set()
        self._in_document: set[str] = set()
        self._next = _FIRST

    def substitute(self, text: str) -> str:
        """``text`` with stand-ins for its supplementary characters (call only
        for text that is not ASCII)."""
        changed = False
        for ch in text:
            code = ord(ch)
            if code > 0xFFFF:
                changed = True
            elif _FIRST <= code <= _LAST:
                if ch in self._assigned:
                    raise StandInConflict(ch)
                self._in_document.add(ch)
        if not changed:
            return text
        return "".join(self._stand_in(ch) if ord(ch) > 0xFFFF else ch for ch in text)

    def _stand_in(self, ch: str) -> str:
        stand_in = self._by_char.get(ch)
        if stand_in is None:
            while self._next <= _LAST and chr(self._next) in self._in_document:
                self._next += 1
            if self._next > _LAST:
                raise StandInConflict(ch)
            stand_in = self._by_char[ch] = chr(self._next)
            self._next += 1
            self._assigned.add(stand_in)
            self.encoded[stand_in.encode("utf-8")] = ch.encode("utf-8")
        return stand_in


def _complete(data: bytes) -> int:
    """The length of the longest prefix of ``data`` that ends between UTF-8
    characters."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)  # ASCII: nothing is cut
        if byte >= 0xC0:  # the lead byte of the last character
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) if back >= needed else len(data) - back
    return len(data)


class RestoringStream:
    """A binary stream for the emitter that puts the characters back."""

    def __init__(self, stream: BinaryIO, stand_ins: StandIns) -> None:
        self._stream = stream
        self._stand_ins = stand_ins
        self._pending = b""

    def write(self, data: bytes) -> int:
        size = len(data)
        encoded = self._stand_ins.encoded
        if not encoded and not self._pending:
            self._stream.write(data)
            return size
        data = self._pending + data
        cut = _complete(data)
        data, self._pending = data[:cut], data[cut:]
        for stand_in, ch in encoded.items():
            if stand_in in data:
                data = data.replace(stand_in, ch)
        self._stream.write(data)
        return size

    def flush(self) -> None:
        self._stream.flush()

    def finish(self) -> None:
        """Write what is held back (nothing, unless the emitter stopped midway)."""
        if self._pending:
            self._stream.write(self._pending)
            self._pending = b""
