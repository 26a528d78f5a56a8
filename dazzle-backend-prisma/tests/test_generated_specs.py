"""Valid specs drawn by the test kit's strategies (``dazzle.testing.specs``:
every type, precision, default and construct) build through the pipeline of
`dazzle build` into schemas that Prisma's own validator accepts, for every
provider. Each case is a batch of specs, checked by one Node process.

Derandomised, so CI is reproducible; ``DAZZLE_PROPERTY_SCALE=20`` runs
twenty times as many cases."""

from __future__ import annotations

import os

from dazzle.backends import BackendError
from dazzle.testing import compile_dsl, run_backend
from dazzle.testing.specs import dsl_texts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCALE = float(os.environ.get("DAZZLE_PROPERTY_SCALE", "1"))
PROVIDERS = ["postgresql", "mysql", "sqlite", "sqlserver", "cockroachdb"]


@settings(
    max_examples=max(1, int(6 * SCALE)),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.tuples(dsl_texts(), st.sampled_from(PROVIDERS)), min_size=10, max_size=10))
def test_generated_specs_build_into_schemas_prisma_accepts(prisma, batch):
    schemas = {}
    for i, (text, provider) in enumerate(batch):
        appspec = compile_dsl(text, dedent=False)
        try:
            output = run_backend("prisma", appspec, options={"provider": provider})
        except BackendError as exc:  # what a provider cannot hold (decimal(200,2) on mysql) is refused, saying where
            assert "app.dsl:" in str(exc), (str(exc), text)
            continue
        schemas[f"{i}-{provider}.prisma"] = output.text("prisma/schema.prisma")
    assert schemas, "every spec of the batch was refused"
    for name, verdict in prisma.check(schemas).items():
        assert verdict.error is None, (name, verdict.error, schemas[name])
