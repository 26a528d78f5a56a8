"""The shop project the command-line tests build, and how a test writes a
project folder of its own."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

#: One module, shop.core: a product and its list surface.
SHOP_DSL = """\
module shop.core

app shop "Shop"

entity Product "Product":
  id: uuid pk
  name: str(100) required

surface product_list "Products":
  uses entity Product
  mode: list
"""

SHOP_TOML = """\
[project]
name = "shop"
root = "shop.core"

[modules]
paths = ["./dsl"]
"""


def write_project(root: Path, modules: Mapping[str, str], toml: str) -> Path:
    """A project folder at ``root``: ``toml`` as its dazzle.toml, and each of
    ``modules`` (file name: text) in its dsl/ folder."""
    (root / "dsl").mkdir(parents=True, exist_ok=True)
    for name, text in modules.items():
        (root / "dsl" / name).write_text(text)
    (root / "dazzle.toml").write_text(toml)
    return root


def write_shop(root: Path) -> Path:
    """The shop project (dsl/core.dsl and dazzle.toml) at ``root``."""
    return write_project(root, {"core.dsl": SHOP_DSL}, SHOP_TOML)
