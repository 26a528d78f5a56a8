"""BackendWarning: the public class backends warn with."""

from __future__ import annotations

import pickle
import warnings

import pytest
from dazzle.backends import BackendWarning
from dazzle.core.ir import SourceLocation


def test_a_backend_warning_is_a_user_warning_with_a_place_and_a_code() -> None:
    place = SourceLocation("app.dsl", 3, 5)
    with pytest.warns(BackendWarning, match="renamed") as record:
        warnings.warn(BackendWarning("renamed page_id", location=place, code="P001"), stacklevel=1)
    (caught,) = record
    assert issubclass(caught.category, UserWarning)
    assert caught.message.location == place
    assert caught.message.code == "P001"


def test_a_backend_warning_survives_pickling_with_its_keywords() -> None:
    original = BackendWarning("odd", location=SourceLocation("a.dsl", 1, 2), code="X1")
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is BackendWarning
    assert (str(copy), copy.location, copy.code) == ("odd", SourceLocation("a.dsl", 1, 2), "X1")
    assert BackendWarning("plain").location is None
