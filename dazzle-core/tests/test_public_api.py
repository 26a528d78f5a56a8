"""The public surface: typed (py.typed in the installed package), and named
by ``__all__`` in ``dazzle.core.ir`` and ``dazzle.backends``."""

from __future__ import annotations

import inspect
from importlib import resources

import dazzle.backends
import pytest
from dazzle.core import ir


def test_the_installed_package_is_marked_typed():
    # The core nox session installs dazzle-core from a built wheel, so this
    # also checks that py.typed lands in the wheel.
    assert resources.files("dazzle").joinpath("py.typed").is_file()


@pytest.mark.parametrize("module", [ir, dazzle.backends], ids=lambda m: m.__name__)
def test_all_names_exist_once(module):
    assert [name for name in module.__all__ if not hasattr(module, name)] == []
    assert len(set(module.__all__)) == len(module.__all__)


def test_every_public_class_and_function_of_the_ir_is_in_all():
    defined_here = {
        name
        for name, value in vars(ir).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == ir.__name__
    }
    assert defined_here <= set(ir.__all__)


def test_the_public_backend_api():
    assert {
        "apply_options",
        "Backend",
        "BackendCapabilities",
        "BackendError",
        "BackendOption",
        "BackendWarning",
        "API_VERSION",
    } <= set(dazzle.backends.__all__)
