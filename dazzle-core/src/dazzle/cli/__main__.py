"""`python -m dazzle.cli` runs the `dazzle` command."""

from dazzle.cli import main

main()
