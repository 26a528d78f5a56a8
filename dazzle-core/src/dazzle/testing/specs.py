"""Hypothesis strategies for valid DAZZLE specs, to test a backend (or the
compiler) on every construct of the language rather than on a few examples.

    from hypothesis import given
    from dazzle.testing import run_backend
    from dazzle.testing.specs import dsl_texts

    @given(dsl_texts())
    def test_builds(text):
        run_backend("mybackend", text)

``dsl_texts()`` draws the text of a one-module application that compiles with
no error: entities with every field type (``str(N)`` up to long lengths,
``decimal(P,S)`` up to the widest precision, 1000, enums, references to
any entity including itself), every modifier, defaults of every type
(strings with escapes and non-ASCII text, dates, timestamps with offsets,
UUIDs, 64-bit integer bounds, decimals with as many digits as their type
holds), ``unique`` and ``index`` lines; surfaces of every mode with meta
options, sections and actions of every outcome; experiences with every step
kind and transitions; services with every spec and auth kind; foreign models
with every constraint; integrations with actions (arguments, response
mappings) and syncs (scheduled with cron schedules, event driven, match
rules). Names include the language's own keywords, which are valid names.
Warnings are possible (an unused entity, say); errors are not.

Hypothesis is an optional dependency of the kit: install ``dazzle-core[testing]``
(or hypothesis itself). It is imported when this module is.
"""

from __future__ import annotations

import datetime as _dt
import functools

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "dazzle.testing.specs needs hypothesis: pip install 'dazzle-core[testing]' (or hypothesis)"
    ) from exc

from dazzle.core.lexer import MAX_DECIMAL_PRECISION

__all__ = ["dsl_texts", "field_lines", "string_literals"]

#: Words of the language, valid as names anywhere.
KEYWORD_NAMES = (
    "status",
    "list",
    "field",
    "step",
    "mode",
    "index",
    "entity",
    "true",
    "false",
    "kind",
    "section",
    "action",
    "uses",
    "on",
    "key",
    "from",
    "into",
    "match",
    "map",
    "call",
    "with",
)
_SIMPLE_TYPES = ("text", "int", "bool", "date", "datetime", "uuid", "email")
_AUTH_KINDS = ("oauth2_legacy", "oauth2_pkce", "jwt_static", "api_key_header", "api_key_query", "none")
_CONSTRAINTS = ("read_only", "event_driven", "batch_import")
_MODES = ("view", "create", "edit", "list", "custom")
_CRON = ("0 2 * * *", "*/15 * * * *", "30 1 * * 1-5", "0 0 1 JAN,JUL *", "5,35 8-18/2 * * MON-FRI", "0 0 * * 7")


# Strategies are built once per argument (functools.cache): building one is
# what hypothesis spends most of its time on otherwise.


@functools.cache
def names(prefix: str, count: int) -> st.SearchStrategy[list[str]]:
    """``count`` distinct names: ``PREFIXn`` names, and keywords, which are valid names too."""
    plain = st.integers(0, 10_000).map(lambda i: f"{prefix}{i}")
    return st.lists(plain | st.sampled_from(KEYWORD_NAMES), min_size=count, max_size=count, unique=True)


@functools.cache
def string_literals(max_length: int | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """``(written, value)``: a string literal as written in DSL (quoted, with
    ``\\"`` and ``\\\\`` escapes) and the value it stands for."""
    alphabet = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029") | st.sampled_from(
        ['"', "\\", "#", " ", "é", "→", "日"]
    )
    values = st.text(alphabet, max_size=max_length if max_length is not None else 40)
    return values.map(lambda v: ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"', v))


@functools.lru_cache(maxsize=4096)
def _decimal_default(precision: int, scale: int) -> st.SearchStrategy[str]:
    @st.composite
    def draw_default(draw) -> str:
        whole_digits = draw(st.integers(0, precision - scale))
        fraction_digits = draw(st.integers(0, scale))
        # Digits as one drawn integer each (cheaper to draw than a text of 1000 digits).
        whole = str(draw(st.integers(0, 10**whole_digits - 1))) if whole_digits else "0"
        fraction = str(draw(st.integers(0, 10**fraction_digits - 1))).zfill(fraction_digits) if fraction_digits else ""
        sign = draw(st.sampled_from(["", "-"]))
        return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"

    return draw_default()


@st.composite
def _field_type(draw, entities: list[str]) -> tuple[str, st.SearchStrategy[str] | None, str]:
    """(the type as written, a strategy for its default or None, its kind)."""
    kind = draw(_TYPE_KINDS)
    if kind == "str":
        n = draw(_STR_LENGTHS)
        return f"str({n})", _string_written(min(n, 40)), kind
    if kind == "decimal":
        precision = draw(_PRECISIONS)
        scale = draw(st.integers(0, precision))
        return f"decimal({precision},{scale})", _decimal_default(precision, scale), kind
    if kind == "enum":
        values = draw(names("v", draw(st.integers(1, 5))))
        default = st.sampled_from(values) | st.sampled_from(values).map(lambda v: f'"{v}"')
        return f"enum[{','.join(values)}]", default, kind
    if kind == "ref":
        return f"ref {draw(st.sampled_from(entities))}", None, kind
    return kind, _DEFAULTS[kind], kind


@functools.cache
def _string_written(max_length: int) -> st.SearchStrategy[str]:
    return string_literals(max_length).map(lambda sv: sv[0])


_TYPE_KINDS = st.sampled_from(("str", "decimal", "enum", "ref", *_SIMPLE_TYPES))
_STR_LENGTHS = st.integers(1, 10) | st.integers(1, 1_000_000)
_PRECISIONS = st.integers(1, 38) | st.sampled_from([65, 200, MAX_DECIMAL_PRECISION])
_DEFAULTS = {
    "text": string_literals(200).map(lambda sv: sv[0]),
    "int": st.integers(-(2**63), 2**63 - 1).map(str),
    "bool": st.sampled_from(["true", "false"]),
    "date": st.dates(_dt.date(1, 1, 1)).map(lambda d: f'"{d.year:04d}-{d.month:02d}-{d.day:02d}"'),
    "datetime": st.builds(
        lambda d, offset: f'"{d.year:04d}-{d.strftime("%m-%dT%H:%M:%S")}{offset}"',
        st.datetimes(_dt.datetime(1, 1, 1)),
        st.sampled_from(["Z", "+00:00", "-05:30", "+14:00"]),
    ),
    "uuid": st.uuids().map(lambda u: f'"{u}"'),
    "email": st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{1,10}\.[a-z]{2,4}", fullmatch=True).map(lambda e: f'"{e}"'),
}


@st.composite
def field_lines(draw, names_: list[str], entities: list[str]) -> list[str]:
    """Field lines (``name: TYPE ...``) with the given names; none is a pk."""
    lines = []
    for name in names_:
        written, default, kind = draw(_field_type(entities))
        parts = [f"{name}: {written}"]
        optionality = draw(st.sampled_from(["", "required", "optional", "?", "unique?"]))
        if optionality == "?":
            parts[0] += "?"
        automatic = []  # a field set automatically has no default
        if kind == "datetime":
            automatic = draw(st.lists(st.sampled_from(["auto_add", "auto_update"]), unique=True, max_size=2))
        if default is not None and not automatic and draw(st.booleans()):
            value = draw(default)
            parts.append(f"={value}" if draw(st.booleans()) else f"default={value}")
            if parts[-1].startswith("="):  # `=VALUE` goes right after the type (or its `?`)
                parts[0] += parts.pop()
        modifiers = [optionality] if optionality not in ("", "?") else []
        if optionality != "unique?" and draw(st.booleans()):
            modifiers.append("unique")
        parts += draw(st.permutations(modifiers + automatic))
        lines.append(" ".join(parts))
    return lines


@st.composite
def _entity(draw, name: str, entities: list[str]) -> tuple[str, list[str]]:
    pk_name = draw(st.sampled_from(["id", "key", "code", "index"]))
    pk_type = draw(st.sampled_from(["uuid", "int", "str(36)"]))
    others = [n for n in draw(names("f", draw(st.integers(0, 8)))) if n != pk_name]
    title = draw(st.one_of(st.just(""), string_literals(30).map(lambda sv: " " + sv[0])))
    body = [f"{pk_name}: {pk_type} pk", *draw(field_lines(others, entities))]
    fields = [pk_name, *others]
    for word in ("unique", "index"):
        if len(fields) > 1 and draw(st.booleans()):
            body.append(f"{word} {','.join(draw(st.lists(st.sampled_from(fields), min_size=1, unique=True)))}")
    return f"entity {name}{title}:\n" + "".join(f"  {line}\n" for line in body), fields


_option_values = st.one_of(
    string_literals(20).map(lambda sv: sv[0]),
    st.integers(-1000, 1000).map(str),
    st.sampled_from(["true", "false"]),
    st.sampled_from(["select", "kanban", "compact"]),
    st.decimals(-100, 100, places=2).map(str),
)


_OPTION_KEYS = ("ui:layout", "ui.theme", "widget", "rows", "group_by", "help", "x")


@st.composite
def _options(draw, keys: list[str] | None = None) -> str:
    """``key=VALUE`` pairs: for ``keys``, or for a few keys drawn."""
    if keys is None:
        keys = draw(st.lists(st.sampled_from(_OPTION_KEYS), max_size=3, unique=True))
    return " ".join(f"{k}={draw(_option_values)}" for k in keys)


@st.composite
def dsl_texts(draw) -> str:
    """The text of a one-module application that compiles with no error."""
    entities = draw(names("E", draw(st.integers(1, 4))))
    entity_texts, entity_fields = [], {}
    for name in entities:
        text, fields = draw(_entity(name, entities))
        entity_texts.append(text)
        entity_fields[name] = fields

    services = draw(names("svc", draw(st.integers(0, 2))))
    service_texts = []
    for svc in services:
        spec = draw(st.sampled_from(['url "https://api.example.com/v1/openapi.json"', 'inline "spec-v1"']))
        auth = draw(st.sampled_from(_AUTH_KINDS))
        scopes = ' scopes="read write"' if auth.startswith("oauth2") else ""
        lines = [f"spec: {spec}", f"auth_profile: {auth}{scopes} {draw(_options())}".rstrip()]
        if draw(st.booleans()):
            lines.append(f"owner: {draw(string_literals(20))[0]}")
        service_texts.append(f"service {svc}:\n" + "".join(f"  {line}\n" for line in draw(st.permutations(lines))))

    foreign, foreign_texts = {}, []
    if services:
        for model in draw(names("F", draw(st.integers(0, 2)))):
            fields = draw(names("ff", draw(st.integers(1, 4))))
            keys = draw(st.lists(st.sampled_from(fields), min_size=1, unique=True))
            lines = [f"key: {','.join(keys)}"]
            for kind in draw(st.lists(st.sampled_from(_CONSTRAINTS), unique=True, max_size=3)):
                lines.append(f"constraint {kind} {draw(_options())}".rstrip())
            lines += [f"field {line}" for line in draw(field_lines(fields, entities))]
            foreign[model] = (draw(st.sampled_from(services)), fields)
            foreign_texts.append(
                f"foreign_model {model} from {foreign[model][0]}:\n" + "".join(f"  {line}\n" for line in lines)
            )

    surfaces = draw(names("s", draw(st.integers(0, 4))))
    integrations = draw(names("i", draw(st.integers(0, 2)))) if services else []
    experiences = draw(names("x", draw(st.integers(0, 2))))
    members: dict[str, list[str]] = {i: draw(names("a", draw(st.integers(1, 3)))) for i in integrations}
    steps: dict[str, list[str]] = {x: draw(names("st", draw(st.integers(1, 4)))) for x in experiences}

    outcomes = [f"surface {s}" for s in surfaces]
    outcomes += [f"experience {x}" for x in experiences]
    outcomes += [f"experience {x} step {s}" for x, ss in steps.items() for s in ss]
    outcomes += [f"integration {i} action {a}" for i, aa in members.items() for a in aa]

    surface_texts = []
    for surface in surfaces:
        entity = draw(st.sampled_from([None, *entities]))
        lines = [f"mode: {draw(st.sampled_from(_MODES))}"]
        if entity is not None:
            lines.insert(0, f"uses entity {entity}")
        meta_keys = draw(st.lists(st.sampled_from(_OPTION_KEYS), max_size=4, unique=True))  # once per surface
        while meta_keys:
            take = draw(st.integers(1, len(meta_keys)))
            lines.append(f"meta {draw(_options(meta_keys[:take]))}")
            meta_keys = meta_keys[take:]
        body = "".join(f"  {line}\n" for line in lines)
        for section in draw(names("sec", draw(st.integers(0, 2)))):
            pool = entity_fields[entity] if entity is not None else ["name", "email", "note"]
            fields = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
            body += f"  section {section}:\n"
            body += "".join(f"    field {f} {draw(_options())}".rstrip() + "\n" for f in fields)
        if outcomes:
            for action in draw(names("act", draw(st.integers(0, 2)))):
                trigger = draw(st.sampled_from(["submit", "click", "auto"]))
                body += f"  action {action}:\n    on {trigger} -> {draw(st.sampled_from(outcomes))}\n"
        surface_texts.append(f"surface {surface}:\n{body}")

    experience_texts = []
    for x, names_ in steps.items():
        body = f"  start at step {names_[0]}\n"
        for step in names_:
            kinds = ["process", *(["surface"] if surfaces else []), *(["integration"] if integrations else [])]
            kind = draw(st.sampled_from(kinds))
            body += f"  step {step}:\n    kind: {kind}\n"
            if kind == "surface":
                body += f"    surface {draw(st.sampled_from(surfaces))}\n"
            elif kind == "integration":
                i = draw(st.sampled_from(integrations))
                body += f"    integration {i} action {draw(st.sampled_from(members[i]))}\n"
            for event in draw(st.lists(st.sampled_from(["success", "failure"]), unique=True, max_size=2)):
                body += f"    on {event} -> step {draw(st.sampled_from(names_))}\n"
        experience_texts.append(f"experience {x}:\n{body}")

    integration_texts = []
    for i in integrations:
        used_services: set[str] = set()
        used_models: set[str] = set()
        body = ""
        for member in members[i]:
            if foreign and draw(st.booleans()):  # a sync
                model = draw(st.sampled_from(sorted(foreign)))
                svc, ffields = foreign[model]
                entity = draw(st.sampled_from(entities))
                used_services.add(svc)
                used_models.add(model)
                scheduled = draw(st.booleans())
                body += f"  sync {member}:\n    mode: {'scheduled' if scheduled else 'event_driven'}\n"
                if scheduled:
                    body += f'    schedule: "{draw(st.sampled_from(_CRON))}"\n'
                body += f"    from {svc}.list_things as {model}\n    into entity {entity}\n"
                pairs = draw(
                    st.lists(
                        st.tuples(st.sampled_from(ffields), st.sampled_from(entity_fields[entity])),
                        max_size=3,
                        unique_by=lambda p: p[0],
                    )
                )
                if pairs:
                    body += "    match on:\n" + "".join(f"      {f} <-> {e}\n" for f, e in pairs)
                continue
            svc = draw(st.sampled_from(services))
            used_services.add(svc)
            body += f"  action {member}:\n"
            if surfaces and draw(st.booleans()):
                body += f"    when surface {draw(st.sampled_from(surfaces))} submitted\n"
            body += f"    call {svc}.do_{member} with:\n"
            for arg in draw(names("arg", draw(st.integers(1, 3)))):
                expr = draw(st.sampled_from(["form.vrn", "entity.id", "current_user.email", '"fixed"', "42", "true"]))
                body += f"      {arg} <- {expr}\n"
            if foreign and draw(st.booleans()):
                model = draw(st.sampled_from(sorted(foreign)))
                used_models.add(model)
                entity = draw(st.sampled_from(entities))
                targets = draw(st.lists(st.sampled_from(entity_fields[entity]), min_size=1, max_size=3, unique=True))
                body += f"    map response {model} -> entity {entity}:\n"
                body += "".join(f"      {t} <- foreign.{draw(st.sampled_from(foreign[model][1]))}\n" for t in targets)
        uses = f"  uses service {', '.join(sorted(used_services))}\n"
        if used_models:
            uses += f"  uses foreign_model {', '.join(sorted(used_models))}\n"
        integration_texts.append(f"integration {i}:\n{uses}{body}")

    title = draw(string_literals(30))[0]
    declarations = draw(
        st.permutations(
            entity_texts + service_texts + foreign_texts + surface_texts + experience_texts + integration_texts
        )
    )
    return f"app generated {title}\n\n" + "\n".join(declarations)
