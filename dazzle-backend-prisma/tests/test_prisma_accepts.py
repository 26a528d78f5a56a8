"""Every schema this backend writes passes Prisma's own validator and is
already in Prisma's own format: every case of conftest.py (the
repository's examples, the edge cases in ``dsl/``, synthetic projects, the
benchmark's generator) and, in ``nox -s shared``, the reference examples
beside the repository, for every provider and both naming styles; and the
warnings given on the way are located ``BackendWarning``s.

All schemas go through one Node process (a module-scoped fixture); each case
is then its own test, so a failure names the case.
"""

from __future__ import annotations

import difflib
import random
import warnings
from pathlib import Path

import pytest
from dazzle.backends import BackendError, BackendWarning
from dazzle_backend_prisma import generate_schema
from dazzle_backend_prisma.naming import NAMING_STYLES
from dazzle_backend_prisma.providers import PROVIDERS

TESTS = Path(__file__).resolve().parent
DSL_DIR = TESTS / "dsl"


@pytest.fixture(scope="module")
def verdicts(prisma, every_schema):
    """Every case's schema and Prisma's verdict on it, in one Node run."""
    results = prisma.check({case: g.schema for case, g in every_schema.items() if g.schema is not None})
    return {case: (g.schema or g.refusal, results.get(case)) for case, g in every_schema.items()}


def _get(verdicts, case):
    text, verdict = verdicts[case]
    if isinstance(text, BackendError):
        pytest.fail(f"the backend refused the project: {text}")
    return text, verdict


def numbered(text: str) -> str:
    return "\n".join(f"{n:4} {line}" for n, line in enumerate(text.splitlines(), 1))


def test_prisma_validates(verdicts, case):
    text, verdict = _get(verdicts, case)
    assert verdict.error is None, f"Prisma refuses the schema:\n{verdict.error}\n\n{numbered(text)}"


def test_output_is_already_in_prisma_format(verdicts, case):
    assert_prisma_format_keeps(*_get(verdicts, case))


@pytest.mark.shared
def test_reference_examples_are_valid_and_formatted(prisma, shared_schemas):
    """The reference examples beside the repository, for every provider and
    naming style: accepted by Prisma, in its format, warned about only with
    located ``BackendWarning``s."""
    results = prisma.check({case: g.schema for case, g in shared_schemas.items() if g.schema is not None})
    for case, generated in shared_schemas.items():
        assert generated.schema is not None, f"{case}: the backend refused the project: {generated.refusal}"
        verdict = results[case]
        assert verdict.error is None, (
            f"{case}: Prisma refuses the schema:\n{verdict.error}\n\n{numbered(generated.schema)}"
        )
        assert_prisma_format_keeps(generated.schema, verdict)
        assert_located_backend_warnings(generated.warnings)


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


def test_synthetic_projects_cover_what_they_claim(synthetic_projects):
    text = "\n".join(synthetic_projects.values())
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


def test_warnings_are_located_backend_warnings(every_schema, case):
    assert_located_backend_warnings(every_schema[case].warnings)


def assert_located_backend_warnings(given):
    for warning in given:
        assert isinstance(warning, BackendWarning), repr(warning)
        assert warning.location is not None and warning.code, warning.message


def test_examples_build_without_warnings(every_schema):
    for case, generated in every_schema.items():
        if case.startswith(("example:", "bench:")):
            assert generated.warnings == (), (case, [str(w) for w in generated.warnings])


def test_names_that_give_way_are_warned_about(every_schema):
    """collisions.dsl and constraints.dsl are made of names that meet: each
    kind of renamed name is reported."""
    codes = {
        w.code
        for case, g in every_schema.items()
        if case.startswith(("dsl:collisions:", "dsl:constraints:"))
        for w in g.warnings
        if isinstance(w, BackendWarning)
    }
    assert codes == {"P001", "P002", "P003", "P004", "P005"}, codes


def test_every_project_is_a_case(every_schema, synthetic_projects):
    sources = {case.rsplit(":", 2)[0] for case in every_schema}
    own = {f"dsl:{p.stem}" for p in DSL_DIR.glob("*.dsl")}
    assert own >= {"dsl:relations", "dsl:types", "dsl:names", "dsl:constraints", "dsl:collisions"}
    examples = {f"example:{p.name}" for p in (TESTS.parents[1] / "examples").iterdir() if p.is_dir()}
    assert examples >= {"example:helpdesk", "example:bookshop"}
    synthetic = {f"synthetic:{seed}" for seed in synthetic_projects}
    assert sources >= own | examples | synthetic | {"bench:2x12"}


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
            kind = rng.choice(("int", "text", "enum[on,off,a_b]", f"ref {rng.choice(entities)}", "str(5) unique"))
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
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        schemas[f"{seed}:{provider}:{naming}"] = generate_schema(
                            appspec, provider=provider, naming=naming
                        )
                    for warning in caught:
                        assert isinstance(warning.message, BackendWarning), warning
                        assert str(warning.message.location).startswith(f"fuzz{seed}.dsl:"), warning
                except BackendError as exc:
                    refusals += 1
                    for line in str(exc).splitlines():
                        if not line.endswith("problems for Prisma:"):
                            assert line.startswith(f"fuzz{seed}.dsl:"), line
    assert schemas and refusals, "the draw should give both outcomes"
    for case, verdict in prisma.check(schemas).items():
        assert verdict.error is None, f"{case}: {verdict.error}\n{numbered(schemas[case])}"
        assert verdict.formatted == schemas[case], case
