"""A backend whose name, `shared`, dazzle-test-good claims too."""

import os

log = os.environ.get("DAZZLE_TEST_IMPORT_LOG")
if log:
    with open(log, "a", encoding="utf-8") as stream:
        stream.write(__name__ + "\n")


class SharedBackend:
    """The `shared` of dazzle-test-conflict."""

    def generate(self, appspec, output_dir, **options):
        (output_dir / "shared.txt").write_text("from dazzle-test-conflict\n", encoding="utf-8")
