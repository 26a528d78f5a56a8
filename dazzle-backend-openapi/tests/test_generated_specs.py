"""Valid specs drawn by the test kit's strategies (``dazzle.testing.specs``:
every type, precision, default and construct) build through the pipeline of
`dazzle build` into documents that openapi-spec-validator accepts.

Derandomised, so CI is reproducible; ``DAZZLE_PROPERTY_SCALE=20`` runs
twenty times as many cases."""

from __future__ import annotations

import json
import os

import yaml
from dazzle.testing import compile_dsl, run_backend
from dazzle.testing.specs import dsl_texts
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

SCALE = float(os.environ.get("DAZZLE_PROPERTY_SCALE", "1"))


@settings(
    max_examples=max(1, int(60 * SCALE)),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(dsl_texts())
def test_generated_specs_build_into_valid_openapi_documents(text):
    appspec = compile_dsl(text, dedent=False)
    output = run_backend("openapi", appspec)
    assert output.paths, "the backend wrote nothing"
    for path, data in output.files.items():
        document = json.loads(data) if path.endswith(".json") else yaml.safe_load(data)
        validate(document)
        assert len(document["components"]["schemas"]) >= len(appspec.entities)
