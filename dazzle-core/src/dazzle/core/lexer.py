"""Lines to a tree of indented blocks, and a cursor that reads tokens off one
line on demand.

A DAZZLE file is a sequence of lines. Each non-blank, non-comment line becomes a
``Line``: its number, its indentation, its text without the comment, and the
lines of the block it opens (its ``children``). Which lines may open a
block is the parser's business.

There is no token list: as in CPython's ``tomllib``, the ``Cursor`` matches a
precompiled regular expression at its position and moves past what it read,
so a token's column is simply where the cursor stood. A token is a ``Token``
record: its ``kind`` (``NAME``, ``STRING``, ``NUMBER``, ``OP`` or ``BAD``, a
character that starts no token), its ``text`` (a string's decoded, a
number's as written), its 1-based ``column``, and its ``end``, the index
after the token and the spaces that follow it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from dazzle.core import diagnostics as diag
from dazzle.core.diagnostics import Diagnostic, excerpt

NAME, STRING, NUMBER, OP, BAD = "NAME", "STRING", "NUMBER", "OP", "BAD"

_TOKEN_RE = re.compile(
    r"""(?:
      (?P<STRING>"[^"\\]*(?:\\.[^"\\]*)*")
    | (?P<NUMBER>-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_0-9]))
    | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<OP><->|<-|->|[:()\[\],=?.])
    )\ *""",
    re.VERBOSE,
)
_NAME_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*) *")
_WORD_RE = re.compile(r"-?[0-9][A-Za-z0-9_.]*")
_PLAIN_STRING_RE = re.compile(r'"([^"\\]*)" *')
# Strings as a run of plain characters between escapes ("unrolled"), not a
# choice per character: the regex engine keeps a frame per repetition of a
# group, so a 20 MB string cost gigabytes.
_STRING_OR_HASH_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|#')
_ESCAPE_RE = re.compile(r"\\(.?)")
#: The widest decimal a field may have: PostgreSQL's numeric takes up to 1000
#: digits, more than any other common database (MySQL 65, SQL Server and
#: Oracle 38), so a model that one of them can hold can be written.
MAX_DECIMAL_PRECISION = 1000
#: The most digits a number literal may have: the default of the widest
#: decimal, written as 0.ddd. Longer numbers are errors, so that no number
#: reaches ``int()`` past Python's int-string limit (4,300 digits).
MAX_NUMBER_DIGITS = MAX_DECIMAL_PRECISION + 1
_IDENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


@attrs.define
class Token:
    """One token of a line. A value, never changed once made, yet
    ``@attrs.define`` rather than ``@attrs.frozen``: parsing the bench's
    20x50 project makes about 26,000 of them, and a frozen record costs
    about three times as much to make (parsing its 2x50 project takes 4%
    more instructions with a frozen Token)."""

    kind: str
    text: str
    column: int
    end: int


class ParseError(Exception):
    """A syntax error on one line; carries its diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class Line:
    """One logical line: where it is, its text (comment removed), and the
    block it opens."""

    __slots__ = ("number", "indent", "text", "children", "lost_children")

    def __init__(self, number: int, indent: int, text: str) -> None:
        self.number = number
        self.indent = indent
        self.text = text
        # Most lines open no block: they share one empty tuple, and
        # build_blocks gives a line a list when its first child comes.
        self.children: Sequence[Line] = ()
        #: Lines meant for its block were dropped (already reported).
        self.lost_children = False

    def __repr__(self) -> str:
        return f"Line({self.number}, {self.text!r}, {len(self.children)} children)"


def describe_char(ch: str) -> str:
    if ch == "\t":
        return "a tab character (U+0009)"
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}' (U+{ord(ch):04X})"
    return f"U+{ord(ch):04X}"


class Cursor:
    """Reads the tokens of one line, left to right."""

    __slots__ = ("text", "pos", "line", "file")

    def __init__(self, line: Line, file: str) -> None:
        self.text = line.text
        self.pos = line.indent
        self.line = line
        self.file = file

    # -- looking ---------------------------------------------------------------

    def token_at(self, pos: int) -> Token | None:
        text = self.text
        if pos >= len(text):
            return None
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            word = _WORD_RE.match(text, pos)  # such as 3abc: neither a number nor a name
            if word is not None:
                return Token(BAD, word.group(), pos + 1, word.end())
            return Token(BAD, text[pos], pos + 1, pos + 1)
        kind = m.lastgroup
        value = m.group(kind)
        if kind == STRING:
            value = self._decode(value, pos)
        elif kind == NUMBER and len(value) > MAX_NUMBER_DIGITS:
            digits = sum(ch.isdigit() for ch in value)
            if digits > MAX_NUMBER_DIGITS:
                raise ParseError(
                    diag.error(
                        "E112",
                        f"a number with {digits} digits; a number has at most {MAX_NUMBER_DIGITS}",
                        self.file,
                        self.line.number,
                        pos + 1,
                        hint=f"the widest decimal is decimal({MAX_DECIMAL_PRECISION},S)",
                    )
                )
        return Token(kind, value, pos + 1, m.end())

    def peek(self, offset: int = 0) -> Token | None:
        tok = self.token_at(self.pos)
        while offset and tok is not None:
            tok = self.token_at(tok.end)
            offset -= 1
        return tok

    def peek_name(self) -> Token | None:
        """The next token if it is a name, else None."""
        m = _NAME_RE.match(self.text, self.pos)
        return None if m is None else Token(NAME, m.group(1), self.pos + 1, m.end())

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def at_op(self, op: str) -> bool:
        text, pos = self.text, self.pos
        if not text.startswith(op, pos):
            return False
        return op != "<-" or not text.startswith("<->", pos)

    def at_word(self, word: str) -> bool:
        text, pos = self.text, self.pos
        if not text.startswith(word, pos):
            return False
        after = pos + len(word)
        return after >= len(text) or text[after] not in _IDENT_CHARS

    def column(self) -> int:
        return self.pos + 1

    # -- moving ----------------------------------------------------------------

    def advance(self, tok: Token) -> None:
        self.pos = tok.end

    def skip(self) -> Token:
        """Take whatever token comes next (one the caller already looked at)."""
        tok = self.peek()
        self.pos = tok.end
        return tok

    # -- failing ---------------------------------------------------------------

    def describe(self) -> str:
        tok = self.peek()
        if tok is None:
            return "the end of the line"
        if tok.kind == STRING:
            return f'"{excerpt(tok.text)}"'
        if tok.kind == BAD:
            return describe_char(tok.text) if len(tok.text) == 1 else f"'{excerpt(tok.text)}'"
        return f"'{excerpt(tok.text)}'"

    def fail(self, message: str, hint: str | None = None, code: str = "E100", tok: Token | None = None):
        column = tok.column if tok is not None else self.column()
        raise ParseError(diag.error(code, message, self.file, self.line.number, column, hint))

    def expected(self, what, hint: str | None = None, choices: tuple[str, ...] = ()) -> None:
        """Fail: ``what`` was expected here. ``what`` may be a function that
        returns the text, so that hot paths format messages only on failure."""
        if callable(what):
            what = what()
        tok = self.peek()
        if tok is not None and tok.kind == BAD:
            if tok.text == '"':
                self.fail(
                    "unterminated string", code="E105", hint='strings are one line, between double quotes: "like this"'
                )
            if tok.text == "\t":
                self.fail("tab character; DAZZLE uses spaces only", code="E101", hint="replace the tab with spaces")
            if len(tok.text) > 1:
                self.fail(
                    f"'{excerpt(tok.text)}' is neither a number nor a name; expected {what}",
                    hint="a name starts with a letter or '_'",
                )
            if tok.text.isalpha():
                self.fail(
                    f"unexpected character {describe_char(tok.text)}; expected {what}",
                    code="E106",
                    hint="names are made of ASCII letters, digits and '_'",
                )
            self.fail(f"unexpected character {describe_char(tok.text)}; expected {what}", code="E106")
        if hint is None and choices and tok is not None and tok.kind == NAME:
            hint = diag.did_you_mean(tok.text, choices)
        self.fail(f"expected {what}, found {self.describe()}", hint)

    def _decode(self, raw: str, pos: int) -> str:
        if "\\" not in raw:
            return raw[1:-1]

        def unescape(m: re.Match) -> str:
            if m.group(1) not in ('"', "\\"):
                raise ParseError(
                    diag.error(
                        "E105",
                        f"unknown escape '{m.group()}' in a string",
                        self.file,
                        self.line.number,
                        pos + 1 + m.start() + 1,
                        hint='only \\" and \\\\ are escapes; write a backslash as \\\\',
                    )
                )
            return m.group(1)

        return _ESCAPE_RE.sub(unescape, raw[1:-1])

    # -- taking ----------------------------------------------------------------

    def name(self, what: str = "a name") -> Token:
        m = _NAME_RE.match(self.text, self.pos)
        if m is None:
            self.expected(what)
        tok = Token(NAME, m.group(1), self.pos + 1, m.end())
        self.pos = m.end()
        return tok

    def word(self, word: str) -> Token:
        if not self.at_word(word):
            self.expected(f"'{word}'", choices=(word,))
        return self.name()

    def choice(self, what: str, words: tuple[str, ...]) -> Token:
        m = _NAME_RE.match(self.text, self.pos)
        if m is None or m.group(1) not in words:
            self.expected(f"{what} ({' | '.join(words)})", choices=words)
        tok = Token(NAME, m.group(1), self.pos + 1, m.end())
        self.pos = m.end()
        return tok

    def _take_op(self, op: str) -> Token:
        text = self.text
        start = self.pos
        end = start + len(op)
        while end < len(text) and text[end] == " ":
            end += 1
        self.pos = end
        return Token(OP, op, start + 1, end)

    def op(self, op: str, what=None) -> Token:
        if not self.at_op(op):
            self.expected(what or f"'{op}'")
        return self._take_op(op)

    def accept_op(self, op: str) -> Token | None:
        return self._take_op(op) if self.at_op(op) else None

    def accept_word(self, word: str) -> Token | None:
        return self.name() if self.at_word(word) else None

    def _take(self, kinds: tuple[str, ...], what: str) -> Token:
        tok = self.peek()
        if tok is None or tok.kind not in kinds:
            self.expected(what)
        self.pos = tok.end
        return tok

    def string(self, what: str = "a string in double quotes") -> Token:
        return self._take((STRING,), what)

    def optional_string(self) -> str | None:
        text, pos = self.text, self.pos
        if pos < len(text) and text[pos] == '"':
            m = _PLAIN_STRING_RE.match(text, pos)
            if m is not None:  # the common case: no escapes
                self.pos = m.end()
                return m.group(1)
            return self.string().text
        return None

    def integer(self, what: str) -> Token:
        tok = self.peek()
        if tok is None or tok.kind != NUMBER or "." in tok.text:
            self.expected(what)
        self.pos = tok.end
        return tok

    def literal(self, what: str = "a value (a string, number, true or false)") -> Token:
        """A string, number or bare name; the caller decides whether a name is
        acceptable there."""
        return self._take((STRING, NUMBER, NAME), what)

    def dotted(self, what: str) -> tuple[list[str], list[Token]]:
        """A dotted name: its parts, and the token of each part."""
        tokens = [self.name(what)]
        while self.at_op("."):
            self._take_op(".")
            tokens.append(self.name(f"a name after '{'.'.join(t.text for t in tokens)}.'"))
        return [t.text for t in tokens], tokens

    def name_list(self, what: str) -> list[Token]:
        names = [self.name(what)]
        while self.accept_op(","):
            names.append(self.name(what))
        return names

    def block_start(self) -> None:
        """The ':' that ends a line opening a block, and the block under it."""
        if not self.at_op(":"):
            self.expected("':' to open a block")
        colon = self._take_op(":")
        self.end()
        if not self.line.children and not self.line.lost_children:
            self.fail(
                "expected an indented block under this line",
                code="E103",
                tok=colon,
                hint=f"indent the lines of the block under line {self.line.number}",
            )

    def end(self) -> None:
        if not self.at_end():
            tok = self.peek()
            if tok.kind == BAD:
                self.expected("the end of the line")
            self.fail(f"unexpected {self.describe()}; expected the end of the line")


def strip_comment(text: str) -> str:
    """``text`` without a ``#`` comment (a ``#`` inside a string is kept) and
    without trailing spaces."""
    if "#" in text:
        for m in _STRING_OR_HASH_RE.finditer(text):
            if m.group() == "#":
                text = text[: m.start()]
                break
    return text.rstrip(" ")


def build_blocks(text: str, file: str, problems: list[Diagnostic], dropped: list[int] | None = None) -> list[Line]:
    """The top-level ``Line``s of ``text``, each with its block of children.

    A line indented deeper than the line before it goes into that line's
    block, whether or not that line ends with ``:``: the parser knows which
    lines open blocks, so it reports a block where none belongs (E102) and a
    missing one (E103), with the words of the line in its message.

    Lines that cannot be placed at all (a tab or another kind of space in the
    indentation; an indentation that matches no enclosing block; an indented
    first line) are reported here and dropped with the block below them, so
    that one mistake gives one diagnostic. Their numbers go to ``dropped``:
    the parser treats the declaration they were in as incomplete.
    """
    top: list[Line] = []
    # The open blocks: (indent of their lines, the list their lines go into).
    stack: list[tuple[int, list[Line]]] = [(0, top)]
    skip_deeper_than: int | None = None
    if dropped is None:
        dropped = []

    def drop(number: int, indent: int) -> None:
        nonlocal skip_deeper_than
        dropped.append(number)
        skip_deeper_than = indent
        siblings = stack[-1][1]
        if siblings and indent > stack[-1][0]:  # it was meant to be in the last line's block
            siblings[-1].lost_children = True

    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:  # a CR that ends a line is not part of it; any other CR is
        text = text.replace("\r\n", "\n")
        if text.endswith("\r"):
            text = text[:-1]
    # The innermost open block (stack[-1]), kept in two names: most lines go there.
    current_indent, siblings = 0, top
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.lstrip(" ")
        if not stripped:
            continue
        ch = stripped[0]
        if ch == "#":
            continue
        indent = len(raw) - len(stripped)
        if ch.isspace():
            rest = stripped.lstrip()
            if not rest or rest[0] == "#":  # a blank or comment line indented with tabs
                continue
            if ch == "\t":
                problems.append(
                    diag.error(
                        "E101",
                        "tab in indentation; DAZZLE indents with spaces only",
                        file,
                        number,
                        indent + 1,
                        hint="replace the tab with spaces",
                    )
                )
            else:
                problems.append(
                    diag.error(
                        "E106",
                        f"unexpected character {describe_char(ch)} in indentation",
                        file,
                        number,
                        indent + 1,
                        hint="indent with spaces only",
                    )
                )
            # Skip what was meant to be below it: deeper than it looks, with tabs at 8 columns.
            drop(number, len(raw[: len(raw) - len(rest)].expandtabs(8)))
            continue
        body = strip_comment(raw) if "#" in raw else raw.rstrip(" ")
        if skip_deeper_than is not None:
            # Below a dropped line, skip what looks like its block; a line that
            # lines up with an open block belongs to that block again.
            if indent > skip_deeper_than and all(level != indent for level, _ in stack):
                dropped.append(number)
                continue
            skip_deeper_than = None

        line = Line(number, indent, body)
        if indent == current_indent:
            siblings.append(line)
            continue
        if indent > current_indent:
            if not siblings:
                problems.append(
                    diag.error(
                        "E102",
                        "unexpected indentation",
                        file,
                        number,
                        indent + 1,
                        hint="a declaration starts at the beginning of its line"
                        if len(stack) == 1
                        else "line it up with the lines of its block",
                    )
                )
                drop(number, indent - 1)
                continue
            current_indent = indent
            siblings[-1].children = siblings = []
            stack.append((indent, siblings))
            siblings.append(line)
            continue
        depth = len(stack) - 1
        while depth > 0 and stack[depth][0] > indent:
            depth -= 1
        if stack[depth][0] != indent:
            # The lines after it that line up with the block above stay in it.
            inner, outer = stack[depth + 1][0], stack[depth][0]
            problems.append(
                diag.error(
                    "E104",
                    "this line's indentation matches no enclosing block",
                    file,
                    number,
                    indent + 1,
                    hint=f"indent it by {inner} spaces to stay in the block above it, or by {outer} to end that block",
                )
            )
            drop(number, indent)
            continue
        del stack[depth + 1 :]
        current_indent, siblings = stack[-1]
        siblings.append(line)
    return top
