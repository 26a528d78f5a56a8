"""A backend whose name, `shared`, dazzle-test-conflict claims too."""

from dazzle_test_good import record_import

record_import(__name__)


class SharedBackend:
    """The `shared` of dazzle-test-good."""

    def generate(self, appspec, output_dir, **options):
        (output_dir / "shared.txt").write_text("from dazzle-test-good\n", encoding="utf-8")
