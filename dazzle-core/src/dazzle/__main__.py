"""`python -m dazzle` runs the `dazzle` command (without the console script on PATH)."""

from dazzle.cli import main

main()
