"""A backend that writes a file and then fails in the way its `how` option says."""

import os
import sys

from dazzle.backends import Backend, BackendCapabilities, BackendError, BackendOption

log = os.environ.get("DAZZLE_TEST_IMPORT_LOG")
if log:
    with open(log, "a", encoding="utf-8") as stream:
        stream.write(__name__ + "\n")

HOW = ("crash", "backend-error", "invalid-config", "escape", "symlink", "exit", "succeed")


class FailingBackend(Backend):
    """Fails on purpose."""

    def get_capabilities(self):
        return BackendCapabilities(
            name="failing",
            description="Fails on purpose",
            options=(BackendOption("how", str, default="crash", choices=HOW),),
        )

    def validate_config(self, **options):
        if options["how"] == "invalid-config":
            raise BackendError("how=invalid-config is not a configuration that can work")

    def generate(self, appspec, output_dir, **options):
        (output_dir / "failing.txt").write_text("half of the output\n", encoding="utf-8")
        how = options["how"]
        if how == "crash":
            raise RuntimeError("the failing backend crashed")
        if how == "backend-error":
            raise BackendError("the failing backend cannot build this app")
        if how == "escape":
            (output_dir.parent / "escaped.txt").write_text("outside\n", encoding="utf-8")
        if how == "symlink":
            (output_dir / "link.txt").symlink_to("/etc/hostname")
        if how == "exit":
            sys.exit(4)
