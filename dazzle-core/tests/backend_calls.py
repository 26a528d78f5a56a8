"""What the test backends were called with. A build runs them in worker
processes (forked), so a list in memory would not see their calls: each
call is one JSON line in a file the ``calls_log`` fixture (conftest.py)
gives each test."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

#: Set by the ``calls_log`` fixture; until then calls go nowhere.
LOG = Path(os.devnull)


def record(*call: Any) -> None:
    """Record one call (what it is is the caller's: method, options, ...)."""
    with LOG.open("a") as stream:
        stream.write(json.dumps(list(call)) + "\n")


def calls() -> list[tuple[Any, ...]]:
    """Every call recorded in this test, in order."""
    return [tuple(json.loads(line)) for line in LOG.read_text().splitlines()]
