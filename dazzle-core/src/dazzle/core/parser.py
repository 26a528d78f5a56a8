"""Tokens to one module: its header, its declarations as IR records, and the
names they refer to (for the linker to resolve).

Keywords are contextual: the parser compares a NAME token's text with a
keyword only where the grammar allows that keyword, so every keyword is also a
valid name. Checks that need nothing outside one declaration (field types,
defaults, pk count, steps of an experience, ...) are made here, where the exact
token positions are known; checks across declarations are the linker's and the
rules'.

Error recovery: a syntax error abandons the line it is on (and the block under
it); parsing goes on with the next line. A declaration with such an error is
kept, marked ``incomplete``, so that references to it still resolve but checks
that depend on its contents are skipped rather than reported twice.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import re
import uuid as _uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePath
from typing import ClassVar

import attrs

from dazzle.core import diagnostics as diag
from dazzle.core import ir
from dazzle.core.diagnostics import Diagnostic
from dazzle.core.lexer import (
    MAX_DECIMAL_PRECISION,
    NAME,
    NUMBER,
    STRING,
    Cursor,
    Line,
    ParseError,
    Token,
    build_blocks,
)

DECLARATION_KEYWORDS = ("entity", "surface", "experience", "service", "foreign_model", "integration")
TOP_LEVEL_KEYWORDS = ("module", "use", "app", *DECLARATION_KEYWORDS)
SIMPLE_TYPES = {
    "text": ir.FieldTypeKind.TEXT,
    "int": ir.FieldTypeKind.INT,
    "bool": ir.FieldTypeKind.BOOL,
    "date": ir.FieldTypeKind.DATE,
    "datetime": ir.FieldTypeKind.DATETIME,
    "uuid": ir.FieldTypeKind.UUID,
    "email": ir.FieldTypeKind.EMAIL,
}
TYPE_WORDS = ("str", "text", "int", "decimal", "bool", "date", "datetime", "uuid", "email", "enum", "ref")
MODIFIER_WORDS = ("required", "optional", "pk", "unique", "auto_add", "auto_update", "default")


def _words(enum_type) -> tuple[dict, tuple[str, ...]]:
    """An IR enum's members by their DSL word, and the words."""
    members = {member.value: member for member in enum_type}
    return members, tuple(members)


SURFACE_MODES, SURFACE_MODE_WORDS = _words(ir.SurfaceMode)
TRIGGERS, TRIGGER_WORDS = _words(ir.ActionTrigger)
OUTCOME_KINDS, OUTCOME_WORDS = _words(ir.OutcomeKind)
STEP_KINDS, STEP_KIND_WORDS = _words(ir.StepKind)
EVENTS, EVENT_WORDS = _words(ir.TransitionEvent)
SPEC_KINDS, SPEC_KIND_WORDS = _words(ir.ApiSpecKind)
AUTH_KINDS, AUTH_KIND_WORDS = _words(ir.AuthKind)
CONSTRAINT_KINDS, CONSTRAINT_KIND_WORDS = _words(ir.ForeignConstraintKind)
SYNC_MODES, SYNC_MODE_WORDS = _words(ir.SyncMode)
EMPTY_OPTIONS = ir.Options()
# The commonest line shapes, read with one match (for speed: most lines of a
# project are these). A match gives what the cursor would have read (names
# and their columns, or tokens), and the same code takes it on from there:
# every check and every record is written once. A line that does not match is
# read by the cursor.
# A part that, once matched, could only be given back to a part that cannot
# take what it gives (what follows starts with a space, '=', ':' or the end
# of the line) is possessive (`?+`, `*+`) or atomic (`(?>`), with `datetime`
# tried before `date`: the engine then keeps no state to go back to, which
# made parsing the bench's 20x50 project 1.5% cheaper.
# A literal as the lexer reads it, in the forms a one-match line takes: a
# string without escapes, a number short of the lexer's digit limit, a name.
_LITERAL = r"""(?: "[^"\\]*" | -?[0-9]{1,30}(?:\.[0-9]{1,30})?(?![A-Za-z_0-9]) | [A-Za-z_][A-Za-z0-9_]* )"""
_PLAIN_FIELD_RE = re.compile(
    rf"""(?P<name>[A-Za-z_][A-Za-z0-9_]*) \ * : \ *
        (?> (?P<simple>text|int|bool|datetime|date|uuid|email)
          | str\((?P<length>[0-9]{{1,9}})\)
          | decimal\((?P<precision>[0-9]{{1,9}}),(?P<scale>[0-9]{{1,9}})\)
          | enum\[(?P<values>[A-Za-z_][A-Za-z0-9_]*(?:,[A-Za-z_][A-Za-z0-9_]*)*)\]
          | ref \ + (?P<target>[A-Za-z_][A-Za-z0-9_]*) )
        (?P<optional>\ *\?)?+
        (?:\ *=\ *(?P<default>{_LITERAL}))?+
        (?P<modifiers>(?:\ +(?:required|optional|pk|unique\??|auto_add|auto_update|default\ *=\ *{_LITERAL}))*+)
        \ * \Z""",
    re.VERBOSE,
)
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: One ``key=value`` option; keys may be dotted or namespaced with ':'. The
#: one-match lines repeat it; ``_OPTION_RE`` then reads each of their options.
_OPTION = rf"""(?P<key>[A-Za-z_][A-Za-z0-9_]*(?:[:.][A-Za-z_][A-Za-z0-9_]*)*) \ * = \ * (?P<value>{_LITERAL})"""
_OPTION_RE = re.compile(_OPTION, re.VERBOSE)
# A section's `field NAME ["Label"] [key=value ...]` line.
_ELEMENT_RE = re.compile(
    rf"""field \ + (?P<field>[A-Za-z_][A-Za-z0-9_]*) (?: \ + "(?P<label>[^"\\]*)" )?+
        (?P<options>(?: \ + {_OPTION} )*+) \ * \Z""",
    re.VERBOSE,
)
# An entity's `unique a, b` or `index a, b` line.
_CONSTRAINT_LINE_RE = re.compile(
    r"(?P<kind>unique|index) +(?P<names>[A-Za-z_][A-Za-z0-9_]*(?: *, *[A-Za-z_][A-Za-z0-9_]*)*) *\Z"
)
_MODIFIER_RE = re.compile(rf"(?P<word>unique\?|[a-z_]+)(?:\ *=\ *(?P<default>{_LITERAL}))?", re.VERBOSE)
#: The type words, and the names other languages give them, each with the
#: type word it means: what a misspelt type is compared with.
_TYPE_SPELLINGS = {
    **{word: word for word in TYPE_WORDS},
    "string": "str",
    "varchar": "str",
    "integer": "int",
    "bigint": "int",
    "long": "int",
    "boolean": "bool",
    "numeric": "decimal",
    "number": "decimal",
    "float": "decimal",
    "double": "decimal",
    "timestamp": "datetime",
    "reference": "ref",
}
_SIMPLE_TYPES = {word: ir.FieldType(kind) for word, kind in SIMPLE_TYPES.items()}
# A surface's `uses entity E` or `mode: M` line (one match tells which).
_SURFACE_LINE_RE = re.compile(
    rf"""(?: uses \ + entity \ + (?P<target>[A-Za-z_][A-Za-z0-9_]*)
           | mode \ * : \ * (?P<mode>{"|".join(SURFACE_MODE_WORDS)})
           | meta (?P<meta>(?: \ + {_OPTION} )++) ) \ * \Z""",
    re.VERBOSE,
)
_MEMBER_HEADER_RE = re.compile(
    r'(?P<kind>section|action) +(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?: +"(?P<label>[^"\\]*)")?+ *:\Z'
)
_ON_LINE_RE = re.compile(
    rf"""(?P<on>on) \ + (?P<trigger>{"|".join(TRIGGER_WORDS)}) \ * -> \ *
        (?: surface \ + (?P<surface>[A-Za-z_][A-Za-z0-9_]*)
          | experience \ + (?P<experience>[A-Za-z_][A-Za-z0-9_]*) (?: \ + step \ + (?P<step>[A-Za-z_][A-Za-z0-9_]*) )?
          | integration \ + (?P<integration>[A-Za-z_][A-Za-z0-9_]*) \ + action \ + (?P<action>[A-Za-z_][A-Za-z0-9_]*) )
        \ * \Z""",
    re.VERBOSE,
)


def _name_tokens(text: str, start: int, end: int) -> list[Token]:
    """The tokens the cursor's ``name_list()`` would read for the names that
    a one-match expression read between ``start`` and ``end``."""
    return [Token(NAME, v.group(), v.start() + 1, v.end()) for v in _NAME_RE.finditer(text, start, end)]


def _literal(m: re.Match, group: str) -> Token:
    """The token the cursor's ``literal()`` would read for a group that
    ``_LITERAL`` matched."""
    start, end = m.span(group)
    text = m.string[start:end]
    if text[0] == '"':
        return Token(STRING, text[1:-1], start + 1, end)
    return Token(NUMBER if text[0] == "-" or text[0].isdigit() else NAME, text, start + 1, end)


@attrs.frozen
class ModifierAt:
    """A field's modifier in the text of its modifiers (``word`` as
    ``_MODIFIER_RE`` reads it, ``offset`` where it starts in that text)."""

    word: str
    offset: int


@attrs.frozen
class UseLine:
    module: str
    alias: str | None
    location: ir.SourceLocation


@attrs.frozen
class AppLine:
    name: str
    title: str | None
    location: ir.SourceLocation


@attrs.frozen
class Declaration:
    """A top-level declaration: ``kind`` is one of ``DECLARATION_KEYWORDS`` and
    ``spec`` its IR record."""

    kind: str
    spec: object
    incomplete: bool = False

    @property
    def name(self) -> str:
        return self.spec.name


@attrs.define
class Reference:
    """A declaration's name where a line uses it (``kind`` is the
    declaration's keyword), for the linker to resolve. Its place is a line
    and a column in the module's file, not a ``SourceLocation``: almost every
    name resolves, and the linker makes a location only for one it reports.
    ``@attrs.define``, as ``Token`` is, for what a frozen record costs to make."""

    kind: str
    name: str
    line: int
    column: int


@attrs.define
class MemberReference:
    """A name inside a declaration (an entity's field, an experience's step,
    an integration's action or sync) where a line uses it: ``member`` of
    ``member_kind`` in ``owner`` of ``owner_kind``; placed as ``Reference``."""

    owner_kind: str
    owner: str
    member_kind: str
    member: str
    line: int
    column: int


@attrs.define
class ModuleAST:
    """What the parser knows about one file, with the names it uses
    (``references``, ``member_references``) for the linker to resolve."""

    file: str
    name: str
    location: ir.SourceLocation
    declared_name: bool = False
    uses: list[UseLine] = attrs.Factory(list)
    app: AppLine | None = None
    #: True when the module has an ``app`` line, even one with a syntax error
    #: (then ``app`` is None), so that no "no app line" error follows it.
    has_app_line: bool = False
    declarations: list[Declaration] = attrs.Factory(list)
    #: ``(kind, name)`` of declarations whose first word was misspelt: meant,
    #: but not read (references to them are not reported).
    broken_names: list[tuple[str, str]] = attrs.Factory(list)
    references: list[Reference] = attrs.Factory(list)
    member_references: list[MemberReference] = attrs.Factory(list)
    diagnostics: list[Diagnostic] = attrs.Factory(list)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def literal_value(tok: Token) -> ir.Literal:
    kind, text = tok.kind, tok.text
    if kind == NUMBER:
        return Decimal(text) if "." in text else int(text)
    if kind == NAME and text in ("true", "false"):
        return text == "true"
    return text


def parse_options(cur: Cursor, what: str) -> ir.Options:
    """``key=LITERAL ...`` to the end of the line. Keys may be dotted or
    namespaced with ':' (``ui:layout``); values may be bare names."""
    options: dict[str, ir.Literal] = {}
    while not cur.at_end():
        key_tok = cur.name(lambda: f"an option of the form key=value on this {what}")
        key = key_tok.text
        while cur.at_op(":") or cur.at_op("."):
            sep = cur.skip().text
            key += sep + cur.name(f"the rest of the option name after '{key}{sep}'").text
        check_new_option(options, key, cur.file, cur.line, key_tok.column)
        cur.op("=", lambda: f"'=' and a value after option '{key}'")
        options[key] = literal_value(cur.literal(lambda: f"a value for option '{key}'"))
    return options_record(options)


def matched_options(m: re.Match, group: str, file: str, line: Line) -> ir.Options:
    """The options of a line that a one-match expression read: ``group`` of
    ``m`` spans them, as ``_OPTION_RE`` reads each. Raises ``ParseError``
    for an option given twice (``ModuleParser.options_of`` records it)."""
    options: dict[str, ir.Literal] = {}
    for option in _OPTION_RE.finditer(line.text, m.start(group), m.end(group)):
        key = option.group("key")
        check_new_option(options, key, file, line, option.start() + 1)
        options[key] = literal_value(_literal(option, "value"))
    return options_record(options)


def check_new_option(options: dict[str, ir.Literal], key: str, file: str, line: Line, column: int) -> None:
    """An option given twice (its key at ``column``) abandons the line."""
    if key in options:
        raise ParseError(diag.error("E109", f"option '{key}' is given twice", file, line.number, column))


def options_record(options: dict[str, ir.Literal]) -> ir.Options:
    return ir.Options(tuple(options.items())) if options else EMPTY_OPTIONS


@attrs.define
class LineMatcher:
    """A one-match expression and what it matched in one file, by the text of
    the line. A project repeats many lines (a section's ``field title``,
    ``mode: list``, ``id: uuid pk``), and a line's text holds its
    indentation, so a text read before has the same match, columns included:
    matching each text once made parsing the bench's 20x50 project 3%
    cheaper. State a parser fills in as it goes, hence ``define``."""

    pattern: re.Pattern
    matches: dict[str, re.Match | None] = attrs.Factory(dict)

    def match(self, line: Line) -> re.Match | None:
        """``pattern.match(line.text, line.indent)``."""
        text = line.text
        matches = self.matches
        if text in matches:
            return matches[text]
        m = matches[text] = self.pattern.match(text, line.indent)
        return m


class Recovery:
    """``with parser.recover:`` records a ParseError raised in the block and
    goes on after it, marking the declaration being read incomplete.

    It holds the problem list and the flag itself, not the parser, so that no
    reference cycle keeps a parser (and its module) alive after parsing."""

    __slots__ = ("problems", "incomplete")

    def __init__(self, problems: list[Diagnostic]) -> None:
        self.problems = problems
        self.incomplete = False

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is ParseError:
            self.record(exc)
            return True
        return False

    def record(self, error: ParseError) -> None:
        """A syntax error that abandoned a line: reported, and the
        declaration is incomplete."""
        self.problems.append(error.diagnostic)
        self.incomplete = True


class ModuleParser:
    def __init__(self, text: str, file: str, suggest: diag.Suggester) -> None:
        self.file = file
        self.text = text
        stem = PurePath(file).stem if not file.startswith("<") else "main"
        self.module = ModuleAST(file=file, name=stem, location=ir.SourceLocation(file, 1, 1))
        self.problems = self.module.diagnostics
        self.recover = Recovery(self.problems)
        self.suggest = suggest
        # The one-match expressions of a declaration's lines, each with what it
        # matched in this file.
        self.field_line = LineMatcher(_PLAIN_FIELD_RE)
        self.constraint_line = LineMatcher(_CONSTRAINT_LINE_RE)
        self.surface_line = LineMatcher(_SURFACE_LINE_RE)
        self.member_header = LineMatcher(_MEMBER_HEADER_RE)
        self.element_line = LineMatcher(_ELEMENT_RE)
        self.on_line = LineMatcher(_ON_LINE_RE)
        #: What ``options_of`` has read, by the text of the options.
        self.options_by_text: dict[str, ir.Options] = {}
        #: What ``modifiers_in`` has read, by the text of the modifiers.
        self.modifiers_by_text: dict[str, list[ModifierAt]] = {}
        #: Until the first top-level line that is not ``module``.
        self.module_allowed = True

    @property
    def incomplete(self) -> bool:
        """Whether the declaration being read has had a syntax error."""
        return self.recover.incomplete

    @incomplete.setter
    def incomplete(self, value: bool) -> None:
        self.recover.incomplete = value

    # -- diagnostics -------------------------------------------------------------

    def error(self, code: str, message: str, line: int, column: int, hint: str | None = None) -> None:
        self.problems.append(diag.error(code, message, self.file, line, column, hint))

    def error_at(self, loc: ir.SourceLocation, code: str, message: str, hint: str | None = None) -> None:
        self.error(code, message, loc.line, loc.column, hint)

    def warning_at(self, loc: ir.SourceLocation, code: str, message: str, hint: str | None = None) -> None:
        self.problems.append(diag.warning(code, message, self.file, loc.line, loc.column, hint))

    def loc(self, line: Line, column: int) -> ir.SourceLocation:
        return ir.SourceLocation(self.file, line.number, column)

    def ref(self, kind: str, name: str, line: Line, column: int) -> None:
        self.module.references.append(Reference(kind, name, line.number, column))

    def member_ref(self, owner_kind: str, owner: str, member_kind: str, member: str, line: Line, column: int) -> None:
        self.module.member_references.append(
            MemberReference(owner_kind, owner, member_kind, member, line.number, column)
        )

    def options_of(self, m: re.Match, group: str, line: Line) -> ir.Options | None:
        """``matched_options``, or None when an option is given twice: the
        line is abandoned and the declaration incomplete, as the cursor's
        path does (it reads options inside ``self.recover``).

        The options of a text read before are that text's record again: a
        project repeats a few (``widget=select``, ``readonly=true``), and
        reading them cost 1% of parsing. Only what read without error is
        kept, so a column is never needed for what is kept."""
        text = m.group(group)
        options = self.options_by_text.get(text)
        if options is None:
            try:
                options = matched_options(m, group, self.file, line)
            except ParseError as error:
                self.recover.record(error)
                return None
            self.options_by_text[text] = options
        return options

    def guarded(self, fn, *args):
        with self.recover:
            return fn(*args)
        return None

    def no_block(self, line: Line, keyword: str) -> None:
        """An error if a line that opens no block has one under it."""
        if line.children:
            first = line.children[0]
            self.error(
                "E102",
                f"unexpected indented block under a '{keyword}' line",
                first.number,
                first.indent + 1,
                hint="line it up with the line above; only some lines open a block",
            )
            self.incomplete = True

    def once(
        self,
        seen: dict[str, int],
        key: str,
        line: Line,
        column: int,
        member: str | None = None,
        owner_kind: str = "",
        owner: str = "",
    ) -> bool:
        """Whether ``key`` is seen here for the first time (``seen`` maps keys
        to their lines). If not, an error at ``column`` that says where the
        first one is: E109 "'KEY' is given more than once" for a line of a
        declaration, or, for a ``member`` (a section, an action, a step, ...)
        of the declaration ``owner``, E302 "MEMBER 'KEY' of OWNER_KIND 'OWNER'
        is declared twice". The declaration, having lost this line, is
        incomplete. The message's parts are passed, not the message: it is
        formatted only when it is shown."""
        if key in seen:
            self.incomplete = True
            if member is None:
                code, what = "E109", f"'{key}' is given more than once"
            else:
                code, what = "E302", f"{member} '{key}' of {owner_kind} '{owner}' is declared twice"
            self.error(code, f"{what} (first on line {seen[key]})", line.number, column)
            return False
        seen[key] = line.number
        return True

    # -- the file ----------------------------------------------------------------

    def parse(self) -> ModuleAST:
        dropped: list[int] = []
        top = build_blocks(self.text, self.file, self.problems, dropped)
        recover = self.recover
        for index, line in enumerate(top):
            # A declaration that lost lines to an indentation error is incomplete.
            if dropped:
                end = top[index + 1].number if index + 1 < len(top) else float("inf")
                at = bisect.bisect_left(dropped, line.number)
                recover.incomplete = at < len(dropped) and dropped[at] < end
            else:
                recover.incomplete = False
            try:
                # The commonest declaration line, `KEYWORD NAME ["Title"]:` and
                # its block, is read with one match; any other line by the cursor.
                m = _DECLARATION_HEADER_RE.match(line.text, line.indent)
                if m is not None and line.children:
                    self.module_allowed = False
                    keyword, name, title = m.group("keyword", "name", "title")
                    self.read_declaration(keyword, line, name, m.start("name") + 1, title)
                else:
                    self.read_top_level_line(line)
            except ParseError as exc:
                self.problems.append(exc.diagnostic)
        return self.module

    def read_declaration(self, keyword: str, line: Line, name: str, column: int, title: str | None) -> None:
        """Read the block of a declaration whose header is read (its name is
        at ``column``), and keep its record."""
        self.add_declaration(keyword, self.DECLARATION_PARSERS[keyword](self, line, name, column, title))

    def add_declaration(self, keyword: str, spec: object | None) -> None:
        if spec is not None:
            self.module.declarations.append(Declaration(keyword, spec, self.recover.incomplete))

    def read_top_level_line(self, line: Line) -> None:
        """Read a top-level line with the cursor."""
        cur = Cursor(line, self.file)
        word = cur.peek()  # reading a token can fail (a bad escape, a huge number)
        if word.kind != NAME or word.text not in TOP_LEVEL_KEYWORDS:
            hint = None
            if word.kind == NAME:
                self.note_misspelt_declaration(word.text, cur.peek(1))
                hint = self.suggest(word.text, TOP_LEVEL_KEYWORDS, "top level")
            if self.module.declarations and line.indent == 0:
                # Likely a line of the declaration above that lost its indentation.
                last = self.module.declarations[-1]
                self.module.declarations[-1] = attrs.evolve(last, incomplete=True)
            cur.fail(
                f"expected a declaration ({', '.join(TOP_LEVEL_KEYWORDS)}), found {cur.describe()}",
                hint=hint,
                code="E107",
            )
        keyword = word.text
        cur.advance(word)  # each reader below starts after the keyword
        if keyword == "module":
            if self.module.declared_name:
                cur.fail(f"the module is already named on line {self.module.location.line}", code="E109", tok=word)
            if not self.module_allowed:
                cur.fail("'module' must be the first line of the file (after comments)", code="E108", tok=word)
            self.module_allowed = False
            self.parse_module_line(line, cur)
            return
        self.module_allowed = False
        if keyword == "use":  # a statement: anywhere at the top level, as in the 0.1 grammar
            self.parse_use(line, cur)
        elif keyword == "app":
            self.module.has_app_line = True
            self.parse_app(line, cur, word)
        elif keyword == "foreign_model":  # its header names its service too
            self.add_declaration(keyword, self.parse_foreign_model(line, cur))
        else:
            name, title = self.header(line, cur, keyword)
            self.read_declaration(keyword, line, name.text, name.column, title)

    def note_misspelt_declaration(self, word: str, name: Token | None) -> None:
        """``entty User:``: remember that a declaration of User was meant, so
        that references to it are not reported as well."""
        kind = self.suggest.closest(word, DECLARATION_KEYWORDS, "declaration")
        if kind is not None and name is not None and name.kind == NAME:
            self.module.broken_names.append((kind, name.text))

    def parse_module_line(self, line: Line, cur: Cursor) -> None:
        parts, tokens = cur.dotted("a module name such as 'support.core'")
        first = tokens[0]
        self.module.name = ".".join(parts)
        self.module.location = self.loc(line, first.column)
        self.module.declared_name = True
        cur.end()
        self.no_block(line, "module")

    def parse_use(self, line: Line, cur: Cursor) -> None:
        parts, tokens = cur.dotted("a module name after 'use'")
        first = tokens[0]
        alias = None
        if cur.accept_word("as"):
            alias = cur.name("an alias after 'as'").text
        cur.end()
        self.no_block(line, "use")
        self.module.uses.append(UseLine(".".join(parts), alias, self.loc(line, first.column)))

    def parse_app(self, line: Line, cur: Cursor, keyword: Token) -> None:
        name = cur.name("the application's name after 'app'")
        title = cur.optional_string()
        cur.end()
        self.no_block(line, "app")
        if self.module.app is not None:
            cur.fail(
                f"a module has at most one 'app' line (the first is on line {self.module.app.location.line})",
                code="E109",
                tok=keyword,
            )
        self.module.app = AppLine(name.text, title, self.loc(line, name.column))

    def header(self, line: Line, cur: Cursor, what: str) -> tuple[Token, str | None]:
        """``KEYWORD NAME ["Title"]:``. Once the name is read, a mistake in the
        rest of the line is reported and the block is read all the same, with
        the declaration marked incomplete, so that the one mistake does not
        also make every reference to the declaration fail."""
        name = cur.name(lambda: f"a name for the {what}")
        title = None
        with self.recover:
            title = cur.optional_string()
            cur.block_start()
        return name, title

    # -- fields (entities and foreign models) ------------------------------------------

    def parse_field(self, line: Line, cur: Cursor) -> ir.FieldSpec:
        name_tok = cur.name("a field name")
        cur.op(":", lambda: f"':' and a type after field name '{name_tok.text}'")
        ftype = self.parse_type(cur, line)
        modifiers: dict[str, int] = {}
        default_tok = None
        optional = cur.accept_op("?")
        if cur.accept_op("="):
            default_tok = cur.literal("a default value after '='")
        while not cur.at_end():
            tok = cur.peek_name()
            if tok is None or tok.text not in MODIFIER_WORDS:
                cur.expected(
                    "a modifier (required, optional, pk, unique, unique?, auto_add, auto_update, default=VALUE)",
                    choices=MODIFIER_WORDS,
                )
            cur.advance(tok)
            word = tok.text
            if word == "unique" and cur.accept_op("?"):
                word = "unique?"
            self.add_modifier(modifiers, word, tok.column, line, default_tok)
            if word == "default":
                cur.op("=", "'=' and a value after 'default'")
                default_tok = cur.literal("a default value after 'default='")
        optional_column = None if optional is None else optional.column
        return self.field_spec(line, name_tok.text, name_tok.column, ftype, optional_column, modifiers, default_tok)

    def add_modifier(
        self, modifiers: dict[str, int], word: str, column: int, line: Line, default_tok: Token | None
    ) -> None:
        """Record a field's modifier (``modifiers`` maps each to its column);
        a modifier given twice, or a second default, abandons the line."""
        if word in modifiers:
            raise ParseError(diag.error("E109", f"modifier '{word}' is given twice", self.file, line.number, column))
        if word == "default" and default_tok is not None:
            raise ParseError(
                diag.error(
                    "E109",
                    "the default is given twice ('=VALUE' and 'default=VALUE')",
                    self.file,
                    line.number,
                    column,
                )
            )
        modifiers[word] = column

    def field_spec(
        self,
        line: Line,
        name: str,
        column: int,
        ftype: ir.FieldType,
        optional_column: int | None,
        modifiers: dict[str, int],
        default_tok: Token | None,
    ) -> ir.FieldSpec:
        """The field of a line read either way (one match, or the cursor), with
        every check that needs the whole line: E303, E304, W007. ``column``
        is the name's, ``optional_column`` that of a ``?`` after the type,
        ``modifiers`` the column of each modifier."""
        required = "required" in modifiers
        pk = "pk" in modifiers
        unique = "unique" in modifiers or "unique?" in modifiers
        auto_add = "auto_add" in modifiers
        auto_update = "auto_update" in modifiers
        if optional_column is None:  # the first of 'optional' and 'unique?' on the line
            optional_column = modifiers.get("optional")
            other = modifiers.get("unique?")
            if other is not None and (optional_column is None or other < optional_column):
                optional_column = other
        if required and optional_column is not None:
            self.error(
                "E304",
                f"field '{name}' is both required and optional",
                line.number,
                optional_column,
                hint="keep one of them",
            )
        if pk and optional_column is not None:
            self.error(
                "E304",
                f"primary key '{name}' cannot be optional",
                line.number,
                optional_column,
                hint="a pk is always required",
            )
        default = None
        if default_tok is not None:
            if auto_add or auto_update:
                which = "auto_add" if auto_add else "auto_update"
                self.error(
                    "E303",
                    f"field '{name}' is set automatically ({which}) and cannot have a default",
                    line.number,
                    default_tok.column,
                    hint="keep one of them",
                )
            else:
                default = self.check_default(name, ftype, default_tok, line)
        if (auto_add or auto_update) and ftype.kind is not ir.FieldTypeKind.DATETIME:
            which = "auto_add" if auto_add else "auto_update"
            self.warning_at(
                self.loc(line, column),
                "W007",
                f"'{which}' on field '{name}' of type {ftype}; it applies to datetime fields",
                hint="make the field a datetime, or remove the modifier",
            )
        # Positional, here and for the other records made per line or per
        # declaration: keywords to an attrs class are passed on as a dict, which
        # cost 3% of parsing the bench's 20x50 project.
        return ir.FieldSpec(
            name, ftype, self.loc(line, column), required or pk, pk, unique or pk, default, auto_add, auto_update
        )

    def plain_field(self, m: re.Match, line: Line) -> ir.FieldSpec:
        """The field of a line matched by ``_PLAIN_FIELD_RE``: the same
        records and checks as the cursor's path, read with one match."""
        # One call for the groups: most are None.
        name, simple, length, precision, values, target, optional, default, modifiers_text = m.group(
            "name", "simple", "length", "precision", "values", "target", "optional", "default", "modifiers"
        )
        if simple is not None:
            ftype = _SIMPLE_TYPES[simple]
        elif length is not None:
            ftype = self.str_type(length, m.start("length") + 1, line)
        elif precision is not None:
            ftype = self.decimal_type(precision, m.start("precision") + 1, m.group("scale"), m.start("scale") + 1, line)
        elif values is not None:
            ftype = self.enum_type(_name_tokens(line.text, m.start("values"), m.end("values")), line)
        else:
            self.ref("entity", target, line, m.start("target") + 1)
            ftype = ir.FieldType(ir.FieldTypeKind.REF, ref_entity=target)
        optional_column = None if optional is None else m.end("optional")
        default_tok = None if default is None else _literal(m, "default")
        modifiers: dict[str, int] = {}
        if modifiers_text:
            start = m.start("modifiers")
            for modifier in self.modifiers_in(modifiers_text):
                word = modifier.word
                self.add_modifier(modifiers, word, start + modifier.offset + 1, line, default_tok)
                if word == "default":
                    default_tok = _literal(_MODIFIER_RE.match(line.text, start + modifier.offset), "default")
        return self.field_spec(line, name, m.start() + 1, ftype, optional_column, modifiers, default_tok)

    def modifiers_in(self, text: str) -> list[ModifierAt]:
        """The modifiers of a field's text that ``_PLAIN_FIELD_RE`` matched,
        each at its offset in ``text``. A project repeats a few (``required``,
        ``unique``, ``auto_add``): each text is read once per file, which made
        parsing the bench's 20x50 project 2% cheaper."""
        modifiers = self.modifiers_by_text.get(text)
        if modifiers is None:
            modifiers = [ModifierAt(mod.group("word"), mod.start()) for mod in _MODIFIER_RE.finditer(text)]
            self.modifiers_by_text[text] = modifiers
        return modifiers

    def parse_type(self, cur: Cursor, line: Line) -> ir.FieldType:
        tok = cur.peek_name()
        if tok is None or tok.text not in TYPE_WORDS:
            hint = None
            if tok is not None:  # integer, interger, strng: the type meant
                meant = self.suggest.closest(tok.text, _TYPE_SPELLINGS, "type")
                hint = f"did you mean '{_TYPE_SPELLINGS[meant]}'?" if meant else None
            cur.expected(
                "a type (str(N), text, int, decimal(P,S), bool, date, datetime, uuid, email, enum[a,b], ref Entity)",
                hint=hint,
            )
        cur.advance(tok)
        word = tok.text
        simple = _SIMPLE_TYPES.get(word)
        if simple is not None:
            return simple
        if word == "str":
            cur.op("(", "'(' and a maximum length after 'str', as in str(200)")
            n = cur.integer("a maximum length (a whole number) in str(N)")
            cur.op(")", "')' after the length in str(N)")
            return self.str_type(n.text, n.column, line)
        if word == "decimal":
            cur.op("(", "'(' after 'decimal', as in decimal(12,2)")
            p = cur.integer("the precision (a whole number) in decimal(P,S)")
            cur.op(",", "',' and the scale in decimal(P,S)")
            s = cur.integer("the scale (a whole number) in decimal(P,S)")
            cur.op(")", "')' after decimal(P,S)")
            return self.decimal_type(p.text, p.column, s.text, s.column, line)
        if word == "enum":
            open_tok = cur.op("[", "'[' and the values after 'enum', as in enum[open,closed]")
            if cur.at_op("]"):
                self.error("E306", "an enum needs at least one value", line.number, open_tok.column)
                cur.skip()
                return ir.FieldType(ir.FieldTypeKind.ENUM)
            values = cur.name_list("an enum value (a name)")
            cur.op("]", "',' and another value, or ']' to close the enum")
            return self.enum_type(values, line)
        # ref
        target = cur.name("an entity name after 'ref'")
        self.ref("entity", target.text, line, target.column)
        return ir.FieldType(ir.FieldTypeKind.REF, ref_entity=target.text)

    def decimal_type(
        self, precision_text: str, precision_column: int, scale_text: str, scale_column: int, line: Line
    ) -> ir.FieldType:
        """``decimal(P,S)`` of the precision's and the scale's digits and columns."""
        precision, scale = int(precision_text), int(scale_text)
        if precision < 1:
            self.error(
                "E305", f"decimal({precision},{scale}): the precision must be at least 1", line.number, precision_column
            )
        elif precision > MAX_DECIMAL_PRECISION:
            self.error(
                "E305",
                f"decimal({precision},{scale}): the precision must be at most {MAX_DECIMAL_PRECISION}",
                line.number,
                precision_column,
                hint="no common database stores more digits (PostgreSQL 1000, MySQL 65, SQL Server 38)",
            )
        elif not 0 <= scale <= precision:
            self.error(
                "E305",
                f"decimal({precision},{scale}): the scale must be between 0 and the precision",
                line.number,
                scale_column,
            )
        return ir.FieldType(ir.FieldTypeKind.DECIMAL, precision=precision, scale=scale)

    def enum_type(self, values: list[Token], line: Line) -> ir.FieldType:
        """``enum[a,b]`` of the values' tokens (at least one)."""
        seen: set[str] = set()
        for v in values:
            if v.text in seen:
                self.error("E306", f"enum value '{v.text}' is listed twice", line.number, v.column)
            seen.add(v.text)
        return ir.FieldType(ir.FieldTypeKind.ENUM, enum_values=tuple(dict.fromkeys(v.text for v in values)))

    def str_type(self, digits: str, column: int, line: Line) -> ir.FieldType:
        """``str(N)`` of the length's digits and their column."""
        length = int(digits)
        if length < 1:
            self.error("E305", f"str({length}): the maximum length must be at least 1", line.number, column)
        return ir.FieldType(ir.FieldTypeKind.STR, length)  # positional, as ir.FieldSpec

    def check_default(self, field: str, ftype: ir.FieldType, tok: Token, line: Line) -> ir.Literal | None:
        kind = ftype.kind
        # An enum default is a value's name, even one spelt like a literal (enum[true,false]=false).
        value = tok.text if kind is ir.FieldTypeKind.ENUM and tok.kind != NUMBER else literal_value(tok)
        problem = None
        if kind is ir.FieldTypeKind.ENUM:
            if tok.kind == NUMBER or value not in ftype.enum_values:
                problem = f"is not one of the enum's values ({', '.join(ftype.enum_values)})"
        elif kind is ir.FieldTypeKind.BOOL:
            if not isinstance(value, bool):
                problem = "must be true or false"
        elif kind is ir.FieldTypeKind.INT:
            if tok.kind != NUMBER or not isinstance(value, int):
                problem = "must be a whole number"
            elif not -(2**63) <= value < 2**63:
                problem = "does not fit a 64-bit integer"
        elif kind is ir.FieldTypeKind.DECIMAL:
            if tok.kind != NUMBER:
                problem = "must be a number"
            else:
                if not _fits_decimal(Decimal(value), ftype.precision, ftype.scale):
                    problem = f"does not fit decimal({ftype.precision},{ftype.scale})"
        elif kind is ir.FieldTypeKind.REF:
            problem = "is not allowed: a reference has no literal default"
        elif tok.kind != STRING:
            problem = "must be a string in double quotes"
        elif kind is ir.FieldTypeKind.STR and len(value) > ftype.max_length:
            problem = f"is {len(value)} characters long, more than str({ftype.max_length}) allows"
        elif kind is ir.FieldTypeKind.EMAIL and not _EMAIL_RE.match(value):
            problem = 'is not an e-mail address such as "someone@example.com"'
        elif kind is ir.FieldTypeKind.DATE:
            problem = _format_problem(_DATE_RE, _dt.date.fromisoformat, value, 'a date such as "2024-01-31"')
        elif kind is ir.FieldTypeKind.DATETIME:
            problem = _format_problem(
                _DATETIME_RE,
                _dt.datetime.fromisoformat,
                value,
                'a timestamp with seconds and an offset, such as "2024-01-31T12:00:00Z"',
            )
        elif kind is ir.FieldTypeKind.UUID:
            problem = _format_problem(
                _UUID_RE, _uuid.UUID, value, 'a UUID such as "123e4567-e89b-12d3-a456-426614174000"'
            )
        if problem:
            shown = f'"{tok.text}"' if tok.kind == STRING else tok.text
            self.error("E303", f"default {shown} of field '{field}' {problem}", line.number, tok.column)
            return None
        return value

    # -- entities ----------------------------------------------------------------

    def parse_entity(self, line: Line, name: str, column: int, title: str | None) -> ir.EntitySpec:
        fields: list[ir.FieldSpec] = []
        constraints: dict[str, list[tuple]] = {"unique": [], "index": []}
        for child in line.children:
            m = self.field_line.match(child)
            if m is not None and not child.children:
                try:  # not `with self.recover`: entering it costs more than this line's reading
                    fields.append(self.plain_field(m, child))
                except ParseError as error:
                    self.recover.record(error)
                continue
            m = self.constraint_line.match(child)
            if m is not None and not child.children:
                constraints[m.group("kind")].append((_name_tokens(child.text, m.start("names"), m.end("names")), child))
                continue
            with self.recover:
                c = Cursor(child, self.file)
                first = c.peek()
                second = c.peek(1)
                if first.kind == NAME and first.text in constraints and second is not None and second.kind == NAME:
                    c.skip()
                    names = c.name_list(f"a field name after '{first.text}'")
                    c.end()
                    self.no_block(child, first.text)
                    constraints[first.text].append((names, child))
                else:
                    fields.append(self.parse_field(child, c))
                    c.end()
                    self.no_block(child, "field")
        by_name: dict[str, ir.FieldSpec] = {}
        for f in fields:
            if f.name in by_name:
                first_line = by_name[f.name].location.line
                self.error_at(
                    f.location,
                    "E302",
                    f"field '{f.name}' is declared twice in entity '{name}' (first on line {first_line})",
                )
                self.incomplete = True  # the field was dropped: judge the rest no further
            else:
                by_name[f.name] = f
        specs: dict[str, list[ir.ConstraintSpec]] = {"unique": [], "index": []}
        for kind, entries in constraints.items():
            for names, child in entries:
                for tok in names:
                    if tok.text not in by_name and not self.incomplete:
                        self.error(
                            "E207",
                            f"unknown field '{tok.text}' in entity '{name}'",
                            child.number,
                            tok.column,
                            hint=self.suggest(tok.text, by_name, name),
                        )
                specs[kind].append(ir.ConstraintSpec(tuple(t.text for t in names), self.loc(child, names[0].column)))
        pks = [f for f in by_name.values() if f.pk]
        if len(pks) != 1 and not self.incomplete:
            if not pks:
                self.error_at(
                    self.loc(line, column),
                    "E301",
                    f"entity '{name}' has no primary key",
                    hint="mark one field 'pk', for example: id: uuid pk",
                )
            else:
                self.error_at(
                    pks[1].location,
                    "E301",
                    f"entity '{name}' has more than one primary key ('{pks[0].name}' and '{pks[1].name}')",
                    hint="keep 'pk' on one field; use a 'unique a,b' line for other keys",
                )
        return ir.EntitySpec(  # positional, as ir.FieldSpec above
            name,
            title,
            self.module.name,
            self.loc(line, column),
            tuple(by_name.values()),
            tuple(specs["unique"]),
            tuple(specs["index"]),
        )

    # -- surfaces ----------------------------------------------------------------

    def parse_surface(self, line: Line, name: str, column: int, title: str | None) -> ir.SurfaceSpec:
        entity = None
        mode = None
        meta: dict[str, ir.Literal] = {}
        sections: list[ir.SurfaceSection] = []
        actions: list[ir.SurfaceAction] = []
        seen: dict[str, int] = {}
        names: dict[str, dict[str, int]] = {"section": {}, "action": {}}
        words = ("uses", "mode", "meta", "section", "action")
        for child in line.children:
            # The commonest lines are read with one match, which gives the
            # words and columns the cursor would; the same code takes them on.
            if not child.children:
                m = self.surface_line.match(child)
                if m is not None:
                    target, mode_word = m.group("target", "mode")
                    if target is not None:
                        if self.once(seen, "uses entity", child, m.start() + 1):
                            entity = target
                            self.ref("entity", target, child, m.start("target") + 1)
                    elif mode_word is None:
                        options = self.options_of(m, "meta", child)
                        if options is not None:
                            self.add_meta(meta, options, name, child, m.start() + 1)
                    elif self.once(seen, "mode", child, m.start() + 1):
                        mode = SURFACE_MODES[mode_word]
                    continue
            elif (m := self.member_header.match(child)) is not None:
                kind, member, label = m.group("kind", "name", "label")
                member_column = m.start("name") + 1
                self.once(names[kind], member, child, member_column, kind, "surface", name)
                self.surface_member(kind, child, member, member_column, label, sections, actions)
                continue
            with self.recover:
                c = Cursor(child, self.file)
                word = c.choice("a surface line", words)
                if word.text in ("section", "action"):
                    member = c.name(lambda: f"a name for the {word.text}")
                    label = c.optional_string()
                    c.block_start()
                    self.once(names[word.text], member.text, child, member.column, word.text, "surface", name)
                    self.surface_member(word.text, child, member.text, member.column, label, sections, actions)
                    continue
                self.no_block(child, word.text)
                if word.text == "uses":
                    c.word("entity")
                    target = c.name("an entity name after 'uses entity'")
                    c.end()
                    if self.once(seen, "uses entity", child, word.column):
                        entity = target.text
                        self.ref("entity", target.text, child, target.column)
                elif word.text == "mode":
                    c.op(":", "':' after 'mode'")
                    m = c.choice("a surface mode", SURFACE_MODE_WORDS)
                    c.end()
                    if self.once(seen, "mode", child, word.column):
                        mode = SURFACE_MODES[m.text]
                else:
                    options = parse_options(c, "meta line")
                    if not options:
                        c.expected("key=value hints after 'meta'")
                    self.add_meta(meta, options, name, child, word.column)
        if mode is None:
            if not self.incomplete:
                self.error_at(
                    self.loc(line, column),
                    "E110",
                    f"surface '{name}' has no 'mode' line",
                    hint="add a line such as 'mode: view' (view | create | edit | list | custom)",
                )
            mode = ir.SurfaceMode.CUSTOM
        return ir.SurfaceSpec(  # positional, as ir.FieldSpec
            name,
            title,
            self.module.name,
            self.loc(line, column),
            mode,
            entity,
            tuple(sections),
            tuple(actions),
            options_record(meta),
        )

    def add_meta(self, meta: dict[str, ir.Literal], options: ir.Options, surface: str, line: Line, column: int) -> None:
        """A surface's ``meta`` line (``meta`` at ``column``): a key given on an
        earlier meta line is reported, and the later value kept."""
        for key, value in options.pairs:
            if key in meta:
                self.error("E109", f"meta key '{key}' is given twice in surface '{surface}'", line.number, column)
            meta[key] = value

    def surface_member(
        self, kind: str, line: Line, name: str, column: int, label: str | None, sections: list, actions: list
    ) -> None:
        """Read the block of a surface's ``section`` or ``action`` line
        (``column`` is the name's)."""
        if kind == "section":
            sections.append(self.parse_section(line, name, column, label))
        else:
            action = self.guarded(self.parse_surface_action, line, name, column, label)
            if action is not None:
                actions.append(action)

    def parse_section(self, line: Line, name: str, column: int, title: str | None) -> ir.SurfaceSection:
        elements: list[ir.SurfaceElement] = []
        seen: dict[str, int] = {}
        for child in line.children:
            # Most section lines are a plain `field NAME ["Label"] [key=value
            # ...]`: read with one match; anything else is read by the cursor.
            m = self.element_line.match(child)
            if m is not None and not child.children:
                field, label, options_text = m.group("field", "label", "options")
                options = self.options_of(m, "options", child) if options_text else EMPTY_OPTIONS
                if options is None:
                    continue
                element = ir.SurfaceElement(field, label, self.loc(child, m.start("field") + 1), options)
            else:
                element = self.guarded(self.read_element, child)
                if element is None:
                    continue
            if self.once(seen, element.name, child, element.location.column, "field", "section", name):
                elements.append(element)
        return ir.SurfaceSection(name, title, self.loc(line, column), tuple(elements))

    def read_element(self, line: Line) -> ir.SurfaceElement:
        """``field NAME ["Label"] [key=value ...]``."""
        c = Cursor(line, self.file)
        c.word("field")
        field = c.name("a field name after 'field'")
        label = c.optional_string()
        options = parse_options(c, "field") if not c.at_end() else EMPTY_OPTIONS
        self.no_block(line, "field")
        return ir.SurfaceElement(field.text, label, self.loc(line, field.column), options)

    def parse_surface_action(self, line: Line, name: str, column: int, label: str | None) -> ir.SurfaceAction | None:
        result = None
        for child in line.children:
            m = self.on_line.match(child)
            if m is not None and not child.children:
                on_column = m.start() + 1
                trigger, surface, experience, step, integration, action = m.group(
                    "trigger", "surface", "experience", "step", "integration", "action"
                )
                if surface is not None:
                    kind, target, member, member_column = "surface", surface, None, 0
                elif experience is not None:
                    kind, target = "experience", experience
                    member, member_column = (None, 0) if step is None else (step, m.start("step") + 1)
                else:
                    kind, target, member, member_column = "integration", integration, action, m.start("action") + 1
                target_column = m.start(kind) + 1
                self.ref(kind, target, child, target_column)
                outcome = self.outcome(kind, child, target, target_column, member, member_column)
            else:
                read = self.guarded(self.read_on_line, child)
                if read is None:
                    continue
                on_column, trigger, outcome = read
            if result is not None:  # the line is dropped, as a syntax error's would be
                self.error("E109", f"action '{name}' has more than one 'on' line", child.number, on_column)
                self.incomplete = True
                continue
            result = ir.SurfaceAction(name, label, TRIGGERS[trigger], outcome, self.loc(line, column))
        if result is None and not self.incomplete:
            self.error("E110", f"action '{name}' has no 'on TRIGGER -> OUTCOME' line", line.number, column)
        return result

    def read_on_line(self, line: Line) -> tuple[int, str, ir.Outcome]:
        """``on TRIGGER -> OUTCOME``: the column of ``on``, the trigger, and the outcome."""
        c = Cursor(line, self.file)
        on = c.word("on")
        trigger = c.choice("a trigger", TRIGGER_WORDS)
        c.op("->", "'->' and an outcome after the trigger")
        outcome = self.parse_outcome(c, line)
        c.end()
        self.no_block(line, "on")
        return on.column, trigger.text, outcome

    def parse_outcome(self, c: Cursor, line: Line) -> ir.Outcome:
        kind = c.choice("an outcome", OUTCOME_WORDS)
        target = c.name(lambda: f"the name of the {kind.text}")
        # The reference is recorded before the rest is read, so that it
        # counts even when the rest of the line is wrong.
        self.ref(kind.text, target.text, line, target.column)
        member = None
        if kind.text == "experience":
            if c.accept_word("step"):
                member = c.name("a step name after 'step'")
        elif kind.text == "integration":
            c.word("action")
            member = c.name("an action or sync name after 'action'")
        if member is None:
            return self.outcome(kind.text, line, target.text, target.column, None, 0)
        return self.outcome(kind.text, line, target.text, target.column, member.text, member.column)

    def outcome(
        self, kind: str, line: Line, target: str, column: int, member: str | None, member_column: int
    ) -> ir.Outcome:
        """``-> surface S``, ``-> experience E [step s]`` or ``-> integration I
        action a``, read either way (``target``, at ``column``, is already
        referenced): ``member`` is the step's or the action's name."""
        loc = self.loc(line, column)
        if kind == "surface":
            return ir.Outcome(ir.OutcomeKind.SURFACE, target, loc)
        if kind == "experience":
            if member is None:
                return ir.Outcome(ir.OutcomeKind.EXPERIENCE, target, loc, step=None)
            self.member_ref("experience", target, "step", member, line, member_column)
            return ir.Outcome(ir.OutcomeKind.EXPERIENCE, target, loc, step=member)
        self.member_ref("integration", target, "action", member, line, member_column)
        return ir.Outcome(ir.OutcomeKind.INTEGRATION, target, loc, action=member)

    # -- experiences -------------------------------------------------------------

    def parse_experience(self, line: Line, name: str, column: int, title: str | None) -> ir.ExperienceSpec:
        start = None
        steps: list[ir.ExperienceStep] = []
        step_lines: dict[str, int] = {}
        for child in line.children:
            with self.recover:
                c = Cursor(child, self.file)
                word = c.choice("an experience line", ("start", "step"))
                if word.text == "start":
                    c.word("at")
                    c.word("step")
                    target = c.name("a step name after 'start at step'")
                    c.end()
                    self.no_block(child, "start")
                    if start is not None:
                        c.fail("the experience has more than one 'start' line", code="E109", tok=word)
                    start = (target, child)
                else:
                    step_name = c.name("a step name")
                    c.block_start()
                    if not self.once(step_lines, step_name.text, child, step_name.column, "step", "experience", name):
                        continue
                    step = self.guarded(self.parse_step, child, step_name)
                    if step is not None:
                        steps.append(step)
        if not self.incomplete:
            for step in steps:
                for t in step.transitions:
                    if t.target_step not in step_lines:
                        self.error_at(
                            t.location,
                            "E208",
                            f"unknown step '{t.target_step}' in experience '{name}'",
                            hint=self.suggest(t.target_step, step_lines, name),
                        )
                        self.incomplete = True  # its reachability is not known: no W001 on top
        start_step = ""
        if start is None:
            if not self.incomplete:
                self.error_at(
                    self.loc(line, column),
                    "E110",
                    f"experience '{name}' has no 'start at step' line",
                    hint=f"add 'start at step {steps[0].name}'" if steps else None,
                )
        else:
            start_step = start[0].text
            if start_step not in step_lines and not self.incomplete:
                self.error(
                    "E208",
                    f"unknown step '{start_step}' in experience '{name}'",
                    start[1].number,
                    start[0].column,
                    hint=self.suggest(start_step, step_lines, name),
                )
        return ir.ExperienceSpec(name, title, self.module.name, self.loc(line, column), start_step, tuple(steps))

    def parse_step(self, line: Line, name: Token) -> ir.ExperienceStep:
        kind = None
        surface = integration = action = None
        target_at = None  # where the surface or integration line names its target
        transitions: list[ir.Transition] = []
        seen: dict[str, int] = {}
        for child in line.children:
            with self.recover:
                c = Cursor(child, self.file)
                word = c.choice("a step line", ("kind", "surface", "integration", "on"))
                self.no_block(child, word.text)
                if word.text == "kind":
                    c.op(":", "':' after 'kind'")
                    k = c.choice("a step kind", STEP_KIND_WORDS)
                    if self.once(seen, "kind", child, word.column):
                        kind = (STEP_KINDS[k.text], k)
                elif word.text == "surface":
                    target = c.name("a surface name")
                    if self.once(seen, "surface", child, word.column):
                        surface, target_at = target.text, self.loc(child, word.column)
                        self.ref("surface", target.text, child, target.column)
                elif word.text == "integration":
                    target = c.name("an integration name")
                    c.word("action")
                    member = c.name("an action or sync name after 'action'")
                    if self.once(seen, "integration", child, word.column):
                        integration, action = target.text, member.text
                        target_at = self.loc(child, word.column)
                        self.ref("integration", target.text, child, target.column)
                        self.member_ref("integration", target.text, "action", member.text, child, member.column)
                else:
                    event = c.choice("an event", EVENT_WORDS)
                    c.op("->", "'->' after the event")
                    c.word("step")
                    target = c.name("a step name after 'step'")
                    if self.once(seen, f"on {event.text}", child, word.column):
                        transitions.append(
                            ir.Transition(EVENTS[event.text], target.text, self.loc(child, target.column))
                        )
                c.end()
        step_loc = self.loc(line, name.column)
        if kind is None:
            if not self.incomplete:
                self.error_at(
                    step_loc,
                    "E110",
                    f"step '{name.text}' has no 'kind' line",
                    hint="add 'kind: surface', 'kind: process' or 'kind: integration'",
                )
            kind = (ir.StepKind.PROCESS, None)
        elif not self.incomplete:
            k = kind[0]
            if k is ir.StepKind.SURFACE and surface is None:
                self.error_at(
                    step_loc, "E110", f"surface step '{name.text}' names no surface", hint="add a line 'surface NAME'"
                )
            if k is ir.StepKind.INTEGRATION and integration is None:
                self.error_at(
                    step_loc,
                    "E110",
                    f"integration step '{name.text}' names no integration",
                    hint="add a line 'integration NAME action ACTION'",
                )
            if (surface is not None and k is not ir.StepKind.SURFACE) or (
                integration is not None and k is not ir.StepKind.INTEGRATION
            ):
                self.error_at(
                    target_at,
                    "E111",
                    f"{k.value} step '{name.text}' cannot name a{'n integration' if integration else ' surface'}",
                    hint="change the step's kind, or remove that line",
                )
        return ir.ExperienceStep(
            name.text,
            kind[0],
            step_loc,
            surface=surface,
            integration=integration,
            action=action,
            transitions=tuple(transitions),
        )

    # -- services and foreign models ---------------------------------------------

    def parse_service(self, line: Line, name: str, column: int, title: str | None) -> ir.ServiceSpec:
        spec = auth = owner = None
        seen: dict[str, int] = {}
        for child in line.children:
            with self.recover:
                c = Cursor(child, self.file)
                word = c.choice("a service line", ("spec", "auth_profile", "owner"))
                c.op(":", lambda: f"':' after '{word.text}'")
                self.no_block(child, word.text)
                if word.text == "spec":
                    kind = c.choice("a spec kind", SPEC_KIND_WORDS)
                    value = c.string(f"the spec's {'URL' if kind.text == 'url' else 'name'} in double quotes")
                    c.end()
                    if self.once(seen, "spec", child, word.column):
                        spec = ir.ApiSpecRef(SPEC_KINDS[kind.text], value.text, self.loc(child, value.column))
                elif word.text == "auth_profile":
                    kind = c.choice("an auth kind", AUTH_KIND_WORDS)
                    options = parse_options(c, "auth profile")
                    if self.once(seen, "auth_profile", child, word.column):
                        auth = ir.AuthProfile(AUTH_KINDS[kind.text], self.loc(child, kind.column), options)
                else:
                    value = c.string("the owner in double quotes")
                    c.end()
                    if self.once(seen, "owner", child, word.column):
                        owner = value.text
        if spec is None:
            if not self.incomplete:
                self.error_at(
                    self.loc(line, column),
                    "E110",
                    f"service '{name}' has no 'spec' line",
                    hint="add 'spec: url \"https://...\"' or 'spec: inline \"name\"'",
                )
            spec = ir.ApiSpecRef(ir.ApiSpecKind.INLINE, "", self.loc(line, column))
        return ir.ServiceSpec(name, title, self.module.name, self.loc(line, column), spec, auth, owner)

    def parse_foreign_model(self, line: Line, cur: Cursor) -> ir.ForeignModelSpec:
        name = cur.name("a name for the foreign model")
        service, title = Token(NAME, "", 0, 0), None
        with self.recover:
            cur.word("from")
            service = cur.name("the service the foreign model comes from")
            self.ref("service", service.text, line, service.column)
            title = cur.optional_string()
            cur.block_start()
        keys: list[Token] | None = None
        key_line: Line | None = None
        constraints: list[ir.ForeignConstraint] = []
        fields: dict[str, ir.FieldSpec] = {}
        for child in line.children:
            with self.recover:
                c = Cursor(child, self.file)
                word = c.choice("a foreign model line", ("key", "constraint", "field"))
                self.no_block(child, word.text)
                if word.text == "key":
                    c.op(":", "':' after 'key'")
                    names = c.name_list("a field name")
                    c.end()
                    if keys is not None:
                        c.fail("the foreign model has more than one 'key' line", code="E109", tok=word)
                    keys, key_line = names, child
                elif word.text == "constraint":
                    kind = c.choice("a constraint kind", CONSTRAINT_KIND_WORDS)
                    options = parse_options(c, "constraint")
                    constraints.append(
                        ir.ForeignConstraint(CONSTRAINT_KINDS[kind.text], self.loc(child, kind.column), options)
                    )
                else:
                    field = self.parse_field(child, c)
                    c.end()
                    if field.name in fields:
                        self.error_at(
                            field.location,
                            "E302",
                            f"field '{field.name}' is declared twice in foreign model "
                            f"'{name.text}' (first on line {fields[field.name].location.line})",
                        )
                        self.incomplete = True  # the field was dropped: judge the rest no further
                        continue
                    fields[field.name] = field
        if keys is None:
            if not self.incomplete:
                self.error_at(
                    self.loc(line, name.column),
                    "E110",
                    f"foreign model '{name.text}' has no 'key' line",
                    hint="add 'key: FIELD' naming the field(s) that identify a record",
                )
            keys = []
        elif not self.incomplete:
            for tok in keys:
                if tok.text not in fields:
                    self.error(
                        "E207",
                        f"unknown field '{tok.text}' in foreign model '{name.text}'",
                        key_line.number,
                        tok.column,
                        hint=self.suggest(tok.text, fields, name.text),
                    )
        return ir.ForeignModelSpec(
            name=name.text,
            title=title,
            module=self.module.name,
            location=self.loc(line, name.column),
            service=service.text,
            key_fields=tuple(t.text for t in keys),
            constraints=tuple(constraints),
            fields=tuple(fields.values()),
        )

    # -- integrations ------------------------------------------------------------

    def parse_integration(self, line: Line, name: str, column: int, title: str | None) -> ir.IntegrationSpec:
        uses: dict = {"service": {}, "foreign_model": {}, "reported": set()}
        members: list[tuple[str, Line, Token]] = []
        member_lines: dict[str, int] = {}
        for child in line.children:
            with self.recover:
                c = Cursor(child, self.file)
                word = c.choice("an integration line", ("uses", "action", "sync"))
                if word.text == "uses":
                    kind = c.choice("what the integration uses", ("service", "foreign_model"))
                    for tok in c.name_list(f"a {kind.text.replace('_', ' ')} name"):
                        uses[kind.text].setdefault(tok.text, tok)
                        self.ref(kind.text, tok.text, child, tok.column)
                    c.end()
                    self.no_block(child, "uses")
                else:
                    member = c.name(lambda: f"a name for the {word.text}")
                    c.block_start()
                    if not self.once(
                        member_lines, member.text, child, member.column, "action or sync", "integration", name
                    ):
                        continue
                    members.append((word.text, child, member))
        actions: list[ir.IntegrationAction] = []
        syncs: list[ir.IntegrationSync] = []
        for kind, child, member in members:
            if kind == "action":
                action = self.guarded(self.parse_integration_action, child, member, uses)
                if action is not None:
                    actions.append(action)
            else:
                sync = self.guarded(self.parse_sync, child, member, uses)
                if sync is not None:
                    syncs.append(sync)
        return ir.IntegrationSpec(
            name=name,
            title=title,
            module=self.module.name,
            location=self.loc(line, column),
            services=tuple(uses["service"]),
            foreign_models=tuple(uses["foreign_model"]),
            actions=tuple(actions),
            syncs=tuple(syncs),
        )

    def check_used(self, uses: dict, kind: str, tok: Token, line: Line) -> None:
        if tok.text not in uses[kind] and not self.incomplete:
            if (kind, tok.text) in uses["reported"]:  # once per name and integration
                return
            uses["reported"].add((kind, tok.text))
            spelled = kind.replace("_", " ")
            self.error(
                "E307",
                f"{spelled} '{tok.text}' is not listed in this integration's 'uses {kind}' lines",
                line.number,
                tok.column,
                hint=self.suggest(tok.text, uses[kind], kind) or f"add 'uses {kind} {tok.text}' to the integration",
            )

    def parse_call_target(self, c: Cursor, line: Line, uses: dict) -> tuple[Token, str]:
        service = c.name("a service name, as in SERVICE.OPERATION")
        c.op(".", "'.' and an operation name, as in SERVICE.OPERATION")
        operation = c.name("an operation name after '.'")
        self.check_used(uses, "service", service, line)
        return service, operation.text

    def parse_assignments(self, line: Line, arrow: str, target_what: str) -> list[tuple]:
        out = []
        seen: dict[str, int] = {}
        for child in line.children:
            with self.recover:
                c = Cursor(child, self.file)
                target = c.name(target_what)
                c.op(arrow, lambda: f"'{arrow}' after '{target.text}'")
                if arrow == "<->":
                    value = c.name("a field name after '<->'")
                    expr = ir.Expression(path=(value.text,))
                    extra = value
                elif c.peek() is not None and c.peek().kind == NAME and c.peek().text not in ("true", "false"):
                    parts, extra = c.dotted("an expression (a dotted path such as form.vrn, or a value)")
                    expr = ir.Expression(path=tuple(parts))
                else:
                    extra = c.literal("an expression (a dotted path such as form.vrn, or a value)")
                    expr = ir.Expression(value=literal_value(extra))
                c.end()
                self.no_block(child, "<-")
                if target.text in seen:
                    self.error(
                        "E109",
                        f"'{target.text}' is assigned twice (first on line {seen[target.text]})",
                        child.number,
                        target.column,
                    )
                    continue
                seen[target.text] = child.number
                out.append((target, expr, child, extra))
        return out

    def parse_integration_action(self, line: Line, name: Token, uses: dict) -> ir.IntegrationAction | None:
        surface = None
        call = None
        response = None
        seen: dict[str, int] = {}
        for child in line.children:
            with self.recover:
                c = Cursor(child, self.file)
                word = c.choice("an action line", ("when", "call", "map"))
                if word.text == "when":
                    c.word("surface")
                    target = c.name("a surface name after 'when surface'")
                    c.word("submitted")
                    c.end()
                    self.no_block(child, "when")
                    if self.once(seen, "when", child, word.column):
                        surface = target.text
                        self.ref("surface", target.text, child, target.column)
                elif word.text == "call":
                    service, operation = self.parse_call_target(c, child, uses)
                    c.word("with")
                    if c.at_op(":"):
                        c.block_start()
                        args = self.parse_assignments(child, "<-", "an argument name")
                    else:
                        c.end()
                        if child.children:
                            c.fail(
                                "expected ':' after 'with' to open the block of arguments",
                                hint="end the line with 'with:'",
                            )
                        args = []
                    if self.once(seen, "call", child, word.column):
                        call = (
                            service.text,
                            operation,
                            tuple(ir.Assignment(t.text, e, self.loc(ln, t.column)) for t, e, ln, _ in args),
                        )
                else:
                    c.word("response")
                    foreign = c.name("a foreign model name after 'map response'")
                    c.op("->", "'->' after the foreign model")
                    c.word("entity")
                    entity = c.name("an entity name after 'entity'")
                    c.block_start()
                    self.check_used(uses, "foreign_model", foreign, child)
                    self.ref("entity", entity.text, child, entity.column)
                    assignments = self.parse_assignments(child, "<-", "an entity field name")
                    for target, expr, ln, tokens in assignments:
                        self.member_ref("entity", entity.text, "field", target.text, ln, target.column)
                        if expr.path[:1] == ("foreign",):
                            if len(expr.path) != 2:
                                self.error(
                                    "E100",
                                    "a foreign.NAME path names one field of the foreign model",
                                    ln.number,
                                    tokens[-1].column if len(expr.path) > 2 else tokens[0].column,
                                )
                            else:
                                self.member_ref(
                                    "foreign_model", foreign.text, "field", tokens[1].text, ln, tokens[1].column
                                )
                    if self.once(seen, "map", child, word.column):
                        response = ir.ResponseMapping(
                            foreign.text,
                            entity.text,
                            self.loc(child, foreign.column),
                            tuple(ir.Assignment(t.text, e, self.loc(ln, t.column)) for t, e, ln, _ in assignments),
                        )
        if call is None:
            if not self.incomplete:
                self.error_at(
                    self.loc(line, name.column),
                    "E110",
                    f"action '{name.text}' has no 'call SERVICE.OPERATION with:' line",
                )
            return None
        return ir.IntegrationAction(
            name.text,
            self.loc(line, name.column),
            call[0],
            call[1],
            surface=surface,
            arguments=call[2],
            response=response,
        )

    def parse_sync(self, line: Line, name: Token, uses: dict) -> ir.IntegrationSync | None:
        mode = schedule = source = entity = None
        rules: list[ir.MatchRule] = []
        seen: dict[str, int] = {}
        for child in line.children:
            with self.recover:
                c = Cursor(child, self.file)
                word = c.choice("a sync line", ("mode", "schedule", "from", "into", "match"))
                if word.text == "match":
                    c.word("on")
                    c.block_start()
                    pairs = self.parse_assignments(child, "<->", "a field of the foreign model")
                    if self.once(seen, "match", child, word.column):
                        rules = [(t, e, ln, extra) for t, e, ln, extra in pairs]
                    continue
                self.no_block(child, word.text)
                if word.text == "mode":
                    c.op(":", "':' after 'mode'")
                    m = c.choice("a sync mode", SYNC_MODE_WORDS)
                    if self.once(seen, "mode", child, word.column):
                        mode = (SYNC_MODES[m.text], child, word)
                elif word.text == "schedule":
                    c.op(":", "':' after 'schedule'")
                    value = c.string('a cron schedule in double quotes, such as "0 2 * * *"')
                    if self.once(seen, "schedule", child, word.column):
                        schedule = (value, child)
                elif word.text == "from":
                    service, operation = self.parse_call_target(c, child, uses)
                    c.word("as")
                    foreign = c.name("a foreign model name after 'as'")
                    self.check_used(uses, "foreign_model", foreign, child)
                    if self.once(seen, "from", child, word.column):
                        source = (service.text, operation, foreign)
                else:
                    c.word("entity")
                    target = c.name("an entity name after 'into entity'")
                    if self.once(seen, "into", child, word.column):
                        entity = target
                        self.ref("entity", target.text, child, target.column)
                c.end()
        loc = self.loc(line, name.column)
        missing = [w for w, v in (("mode", mode), ("from", source), ("into", entity)) if v is None]
        if missing:
            if not self.incomplete:
                self.error_at(
                    loc,
                    "E110",
                    f"sync '{name.text}' has no '{missing[0]}' line",
                    hint={
                        "mode": "add 'mode: scheduled' or 'mode: event_driven'",
                        "from": "add 'from SERVICE.OPERATION as FOREIGN_MODEL'",
                        "into": "add 'into entity ENTITY'",
                    }[missing[0]],
                )
            return None
        if mode[0] is ir.SyncMode.SCHEDULED:
            if schedule is None and not self.incomplete:
                self.error_at(
                    loc,
                    "E308",
                    f"scheduled sync '{name.text}' has no 'schedule' line",
                    hint='add a cron schedule, such as: schedule: "0 2 * * *"',
                )
            elif schedule is not None:
                problem = cron_problem(schedule[0].text)
                if problem:
                    self.error(
                        "E309",
                        f'invalid cron schedule "{schedule[0].text}": {problem}',
                        schedule[1].number,
                        schedule[0].column,
                        hint='five fields: minute hour day-of-month month day-of-week, such as "0 2 * * *"',
                    )
        elif schedule is not None:
            self.warning_at(
                self.loc(schedule[1], schedule[0].column),
                "W009",
                f"sync '{name.text}' is event_driven; its schedule is ignored",
                hint="remove the schedule, or make the sync 'mode: scheduled'",
            )
        for target, _expr, ln, extra in rules:
            self.member_ref("foreign_model", source[2].text, "field", target.text, ln, target.column)
            self.member_ref("entity", entity.text, "field", extra.text, ln, extra.column)
        return ir.IntegrationSync(
            name=name.text,
            location=loc,
            mode=mode[0],
            service=source[0],
            operation=source[1],
            foreign_model=source[2].text,
            entity=entity.text,
            schedule=schedule[0].text if schedule else None,
            match_rules=tuple(ir.MatchRule(t.text, e.path[0], self.loc(ln, t.column)) for t, e, ln, _ in rules),
        )

    #: The reader of each declaration's block, given its header's name, the
    #: name's column and the title.
    DECLARATION_PARSERS: ClassVar[dict[str, Callable[..., object]]] = {
        "entity": parse_entity,
        "surface": parse_surface,
        "experience": parse_experience,
        "service": parse_service,
        "integration": parse_integration,
    }


# A declaration's `KEYWORD NAME ["Title"]:`, for each declaration whose header
# is only that (a foreign model's header also names its service), read with
# one match (see the one-match lines above).
_DECLARATION_HEADER_RE = re.compile(
    rf"(?P<keyword>{'|'.join(ModuleParser.DECLARATION_PARSERS)}) +(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r'(?: +"(?P<title>[^"\\]*)")?+ *:\Z'
)


def _fits_decimal(number: Decimal, precision: int, scale: int) -> bool:
    """Whether ``number`` fits decimal(precision, scale) exactly. Counted on
    its digits, with no arithmetic: a context's precision or exponent limit
    cannot fail on a wide type."""
    _sign, digits, exponent = number.as_tuple()
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:  # 1.50 is 1.5
        digits, exponent = digits[:-1], exponent + 1
    if digits == (0,):
        return True
    fraction = max(0, -exponent)
    whole = max(0, len(digits) + exponent)
    return fraction <= scale and whole <= precision - scale


_CRON_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}),
    ("day-of-week", 0, 7, {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split())}),
)


def _cron_value(text: str, names: dict[str, int]) -> int | None:
    if text.isascii() and text.isdigit():
        # Past 9 digits it is out of every field's range; int() of a very
        # long string would fail.
        return int(text) if len(text.lstrip("0")) <= 9 else 10**9
    return names.get(text.upper())


def cron_problem(schedule: str) -> str | None:
    """Why ``schedule`` is not a five-field cron expression (``*``, numbers,
    month and day names, ranges ``a-b``, steps ``/n``, lists ``a,b``), or None."""
    fields = schedule.split()
    if len(fields) != 5:
        return f"it has {len(fields)} field{'s' * (len(fields) != 1)}, not 5"
    for text, (what, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.split(","):
            base, slash, step = item.partition("/")
            if slash and not (step.isascii() and step.isdigit() and step.strip("0")):
                return f"the {what} field '{text}' has a step that is not a whole number above 0"
            if base == "*":
                continue
            first, dash, last = base.partition("-")
            start = _cron_value(first, names)
            end = _cron_value(last, names) if dash else start
            if start is None or end is None:
                return f"the {what} field '{text}' is not valid"
            if not (low <= start <= high and low <= end <= high):
                return f"the {what} field '{text}' is outside {low}-{high}"
            if start > end:
                return f"the {what} field '{text}' has a range that runs backwards"
    return None


_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# RFC 3339, what OpenAPI's date-time and databases take: seconds and an offset are required.
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})\Z"
)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def _format_problem(shape: re.Pattern, parse, value: str, what: str) -> str | None:
    """Why ``value`` is not ``what`` (written as ``shape`` and accepted by
    ``parse``), or None."""
    try:
        if shape.match(value):
            parse(value)
            return None
    except ValueError:
        pass
    return f"is not {what}"


def parse_module(text: str, file: str, suggest: diag.Suggester | None = None) -> ModuleAST:
    """Parse one module's text. Never raises for bad input: problems are in
    ``ModuleAST.diagnostics``. ``suggest`` is the "did you mean" budget of
    the whole compile, shared by its modules."""
    return ModuleParser(text, file, suggest or diag.Suggester()).parse()
