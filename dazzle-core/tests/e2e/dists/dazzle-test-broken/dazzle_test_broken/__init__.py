"""Test-only backends that cannot be loaded."""

import os


def record_import(module: str) -> None:
    """Append a module's name to $DAZZLE_TEST_IMPORT_LOG, so that a test can
    see which plugin modules a dazzle command imported."""
    log = os.environ.get("DAZZLE_TEST_IMPORT_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as stream:
            stream.write(module + "\n")
