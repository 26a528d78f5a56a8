"""``BuildArguments``: one `dazzle build` command line, as a record. A
module of its own so that attrs is imported when a build runs, not by every
`dazzle --help`."""

from __future__ import annotations

from pathlib import Path

import attrs


@attrs.frozen
class BuildArguments:
    """What one `dazzle build` command line asks for (every option but
    ``--watch``), as given: made once by the command and read by each build
    it runs (one, or one per change with ``--watch``). Defaults from
    dazzle.toml are filled in by the build, not here, as dazzle.toml may
    change between two builds of ``--watch``."""

    path: Path
    backends: tuple[str, ...]
    out: Path | None
    options: tuple[str, ...]
    timeout: float | None
    strict: bool
    check: bool
    debug: bool
