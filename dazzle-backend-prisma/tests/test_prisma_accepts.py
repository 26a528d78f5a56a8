"""Every schema this backend writes passes Prisma's own validator and is
already in Prisma's own format: the edge cases in ``dsl/``, synthetic
projects and (in ``nox -s shared``) the reference examples beside the
repository, for every provider and both naming styles.

All schemas go through one Node process (a module-scoped fixture); each case
is then its own test, so a failure names the case.
"""

from __future__ import annotations

import difflib
import os
import random
from pathlib import Path

import pytest
from dazzle.backends import BackendError
from dazzle_backend_prisma import generate_schema
from dazzle_backend_prisma.naming import NAMING_STYLES
from dazzle_backend_prisma.providers import PROVIDERS

TESTS = Path(__file__).resolve().parent
DSL_DIR = TESTS / "dsl"
#: The reference examples live beside the repository, not in it: only the
#: test marked `shared` reads them, run by `nox -s shared`, which sets this.
SHARED_ENV = "DAZZLE_SHARED_EXAMPLES"
SHARED = ("support_tickets", "vat_tools")
OWN = tuple(sorted(p.stem for p in DSL_DIR.glob("*.dsl")))
SYNTHETIC_SEEDS = (1, 2, 3, 4)


def synthetic_dsl(seed: int, entities: int = 40) -> str:
    """A project of ``entities`` entities drawn at random (but the same for the
    same seed): every type and modifier, int, uuid, str and email keys, refs
    to any entity (itself included), several refs to one entity, unique and
    index lines."""
    rng = random.Random(seed)
    names = [
        rng.choice(("Thing{}", "thing_{}", "Record{}Item", "record_{}_item", "X{}")).format(i)
        for i in range(entities)
    ]
    keys = {}
    lines = [f'app synthetic_{seed} "Synthetic {seed}"', ""]
    for name in names:
        keys[name] = rng.choice(("uuid", "uuid", "int", "int", "str(36)", "email"))
    for index, name in enumerate(names):
        lines.append(f'entity {name} "Entity {index} — n° {seed}":')
        lines.append(f"  id: {keys[name]} pk")
        scalars = []
        for number in range(rng.randint(1, 9)):
            field = rng.choice(("field_{}", "Field{}", "value_{}_x", "f{}"))
            field = field.format(number)
            kind = rng.choice(
                (
                    "str(40)",
                    "str(255)",
                    "text",
                    "int",
                    "decimal(10,2)",
                    "decimal(18,6)",
                    "bool",
                    "date",
                    "datetime",
                    "uuid",
                    "email",
                    "enum[alpha,beta,gamma]",
                    "enum[on,off]",
                )
            )
            modifier = rng.choice(("", "", " required", " optional", " unique", " unique?"))
            if kind == "text" and "unique" in modifier:
                modifier = " required"
            default = ""
            if not modifier.strip().startswith("unique") and rng.random() < 0.3:
                default = {
                    "int": "=7",
                    "decimal(10,2)": "=1.25",
                    "decimal(18,6)": " default=0",
                    "bool": "=true",
                    "date": '="2024-02-29"',
                    "datetime": '="2024-02-29T10:00:00Z"',
                    "str(40)": '="x"',
                    "str(255)": '=""',
                    "text": '="long"',
                    "email": '="a@example.com"',
                    "uuid": '="00000000-0000-0000-0000-000000000000"',
                    "enum[alpha,beta,gamma]": "=beta",
                    "enum[on,off]": " default=off",
                }[kind]
            if kind == "datetime" and not default and rng.random() < 0.3:
                modifier += rng.choice((" auto_add", " auto_update"))
            lines.append(f"  {field}: {kind}{default}{modifier}")
            if kind != "text":
                scalars.append(field)
        refs = []
        for number in range(rng.randint(0, 4)):
            target = rng.choice(names)
            modifier = rng.choice(("", " required", " optional", " unique?"))
            lines.append(f"  link_{number}: ref {target}{modifier}")
            refs.append(f"link_{number}")
        indexable = scalars + refs
        for _ in range(rng.randint(0, 3)):
            if indexable:
                chosen = rng.sample(indexable, rng.randint(1, min(3, len(indexable))))
                lines.append(f"  {rng.choice(('unique', 'index'))} {','.join(chosen)}")
        lines.append("")
    return "\n".join(lines)


def _cases(sources):
    for source in sources:
        for provider in PROVIDERS:
            for naming in NAMING_STYLES:
                yield f"{source}:{provider}:{naming}"


CASES = tuple(_cases((*(f"dsl:{s}" for s in OWN), *(f"synthetic:{s}" for s in SYNTHETIC_SEEDS))))


def load_source(source: str, dsl, project):
    kind, _, name = source.partition(":")
    if kind == "shared":
        folder = Path(os.environ.get(SHARED_ENV, "")).resolve() / name
        if SHARED_ENV not in os.environ or not folder.is_dir():
            pytest.fail(f"{SHARED_ENV} must name the reference examples' folder: run `nox -s shared`",
                        pytrace=False)
        return project(folder)
    if kind == "dsl":
        return project(DSL_DIR / f"{name}.dsl")
    return dsl(synthetic_dsl(int(name)), file=f"synthetic_{name}.dsl")


def judge(cases, prisma, dsl, project):
    """Every case's schema and Prisma's verdict on it, in one Node run."""
    appspecs = {}
    schemas = {}
    for case in cases:
        source, provider, naming = case.rsplit(":", 2)
        if source not in appspecs:
            appspecs[source] = load_source(source, dsl, project)
        try:
            schemas[case] = generate_schema(appspecs[source], provider=provider, naming=naming)
        except BackendError as exc:
            schemas[case] = exc
    results = prisma.check({case: text for case, text in schemas.items() if isinstance(text, str)})
    return {case: (text, results.get(case)) for case, text in schemas.items()}


@pytest.fixture(scope="module")
def verdicts(prisma, dsl, project):
    return judge(CASES, prisma, dsl, project)


def _get(verdicts, case):
    text, verdict = verdicts[case]
    if isinstance(text, BackendError):
        pytest.fail(f"the backend refused the project: {text}")
    return text, verdict


def numbered(text: str) -> str:
    return "\n".join(f"{n:4} {line}" for n, line in enumerate(text.splitlines(), 1))


@pytest.mark.parametrize("case", CASES)
def test_prisma_validates(verdicts, case):
    text, verdict = _get(verdicts, case)
    assert verdict.error is None, f"Prisma refuses the schema:\n{verdict.error}\n\n{numbered(text)}"


@pytest.mark.parametrize("case", CASES)
def test_output_is_already_in_prisma_format(verdicts, case):
    assert_prisma_format_keeps(*_get(verdicts, case))


@pytest.mark.shared
def test_reference_examples_are_valid_and_formatted(prisma, dsl, project):
    for case, (text, verdict) in judge(tuple(_cases(f"shared:{s}" for s in SHARED)), prisma, dsl, project).items():
        if isinstance(text, BackendError):
            pytest.fail(f"{case}: the backend refused the project: {text}")
        assert verdict.error is None, f"{case}: Prisma refuses the schema:\n{verdict.error}\n\n{numbered(text)}"
        assert_prisma_format_keeps(text, verdict)


def assert_prisma_format_keeps(text, verdict):
    if verdict.formatted != text:
        diff = "\n".join(
            difflib.unified_diff(
                text.splitlines(),
                (verdict.formatted or "").splitlines(),
                "ours",
                "prisma format",
                lineterm="",
            )
        )
        pytest.fail(f"prisma format changes the schema:\n{diff}")


def test_synthetic_projects_cover_what_they_claim():
    text = "\n".join(synthetic_dsl(seed) for seed in SYNTHETIC_SEEDS)
    for needle in (
        "int pk",
        "uuid pk",
        "str(36) pk",
        "email pk",
        "unique?",
        "auto_add",
        "auto_update",
        "default=",
        "enum[",
        "decimal(",
        "date",
        "ref ",
        "\n  unique ",
        "\n  index ",
    ):
        assert needle in text, needle


def test_every_own_example_is_listed():
    assert set(OWN) >= {"relations", "types", "names", "constraints", "collisions"}
    assert all(Path(DSL_DIR / f"{name}.dsl").is_file() for name in OWN)


def random_names_dsl(seed: int) -> str:
    """Entities and fields with names drawn from pieces that collide once
    cases are converted, that Prisma or JavaScript reserve, that start or end
    with underscores: whatever the backend makes of them must be refused with
    a location, or be accepted by Prisma."""
    rng = random.Random(seed)
    pieces = ("a", "b", "A", "B", "id", "ID", "x1", "Type", "map", "item", "Item", "model", "relation")
    reserved = ("class", "String", "enum", "DateTime")

    def name() -> str:
        parts = [rng.choice(pieces) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.03:
            parts = [rng.choice(reserved)]
        text = "".join(p + rng.choice(("", "_", "_", "__")) for p in parts).rstrip("_")
        return text if rng.random() < 0.97 else "_" + text

    entities = list(dict.fromkeys(name() for _ in range(8)))
    lines = [f"app fuzz_{seed}"]
    for entity in entities:
        lines.append(f"entity {entity}:")
        fields = list(dict.fromkeys(name() for _ in range(6)))
        lines.append(f"  {fields[0]}: {rng.choice(('int', 'uuid', 'str(20)'))} pk")
        for field in fields[1:]:
            kind = rng.choice(
                ("int", "text", "enum[on,off,a_b]", f"ref {rng.choice(entities)}", "str(5) unique")
            )
            lines.append(f"  {field}: {kind}")
        if len(fields) > 2:
            lines.append(f"  {rng.choice(('index', 'unique'))} {fields[1]},{fields[2]}")
    return "\n".join(lines) + "\n"


def test_names_drawn_at_random_are_refused_or_accepted(prisma, dsl):
    schemas, refusals = {}, 0
    for seed in range(40):
        appspec = dsl(random_names_dsl(seed), file=f"fuzz{seed}.dsl")
        for provider in PROVIDERS:
            for naming in NAMING_STYLES:
                try:
                    schemas[f"{seed}:{provider}:{naming}"] = generate_schema(
                        appspec, provider=provider, naming=naming
                    )
                except BackendError as exc:
                    refusals += 1
                    for line in str(exc).splitlines():
                        if not line.endswith("problems for Prisma:"):
                            assert line.startswith(f"fuzz{seed}.dsl:"), line
    assert schemas and refusals, "the draw should give both outcomes"
    for case, verdict in prisma.check(schemas).items():
        assert verdict.error is None, f"{case}: {verdict.error}\n{numbered(schemas[case])}"
        assert verdict.formatted == schemas[case], case
