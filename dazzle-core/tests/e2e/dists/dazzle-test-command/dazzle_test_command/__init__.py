"""A command backend published through the entry point: no generate() of
its own, a program shipped in the package."""

from pathlib import Path

from dazzle.backends import BackendOption, CommandBackend

HERE = Path(__file__).parent


class ShippedBackend(CommandBackend):
    """Notes where it ran, from a script shipped in the wheel"""

    command = (str(HERE / "bin" / "shipped"),)
    description = "Notes where it ran (a script shipped in the wheel)"
    options = (
        BackendOption("prefix", str, default="shipped", help="the first word of its note"),
        BackendOption("warn", bool, default=False, help="report a warning on the app line"),
    )
