"""The backend through dazzle-core's test kit, as any third-party backend
would test itself: the conformance check, and the bundled example projects
built through the same path as `dazzle build` and accepted by Prisma."""

from __future__ import annotations

import pytest
from dazzle.backends import BackendError
from dazzle.testing import assert_conforms, run_backend

PROVIDERS = ["postgresql", "mysql", "sqlite", "sqlserver", "cockroachdb"]


def test_conforms_to_the_backend_contract():
    report = assert_conforms("prisma")
    assert len(report.results) == 7
    assert all(result.status == "pass" for result in report.results), report


@pytest.mark.parametrize("provider", PROVIDERS)
def test_bundled_examples_build_into_schemas_prisma_accepts(dazzle_example, dazzle_build, prisma, provider):
    output = dazzle_build("prisma", dazzle_example.path, options={"provider": provider})
    assert list(output.files) == ["prisma/schema.prisma"]
    text = output.files["prisma/schema.prisma"].decode("utf-8")
    verdict = prisma.check_one(text)
    assert verdict.error is None, verdict.error
    assert verdict.formatted == text
    for entity in dazzle_example.appspec.entities:
        assert f'@@map("{entity.name}")' in text or f"model {entity.name} " in text


def test_a_bad_option_value_is_refused_before_anything_is_written(dazzle_example, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(Exception) as caught:
        run_backend("prisma", dazzle_example.path, command_line=["provider=oracle"], out_dir=out)
    assert "oracle" in str(caught.value)
    assert not out.exists() or not any(out.iterdir())


def test_an_unwritable_output_folder_is_a_backend_error(dazzle_examples, tmp_path):
    from dazzle_backend_prisma import PrismaBackend

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(BackendError, match="prisma cannot write"):
        PrismaBackend().generate(dazzle_examples["bookshop"].appspec, blocker)
