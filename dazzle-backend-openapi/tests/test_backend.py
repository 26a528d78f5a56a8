"""The backend as DAZZLE meets it: entry point, declared options, checking of
the user's option values, and errors the user can act on."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
from dazzle.backends import BackendCapabilities, BackendError
from dazzle.testing import assert_conforms
from dazzle_backend_openapi import OpenAPIBackend
from dazzle_backend_openapi.options import Settings, parse_options
from documents import compile_dsl, load

APP = 'app a "A"\nentity E:\n  id: uuid pk\nsurface s:\n  uses entity E\n  mode: list\n'


def test_registered_under_dazzle_backends() -> None:
    (ep,) = [ep for ep in entry_points(group="dazzle.backends") if ep.name == "openapi"]
    assert ep.value == "dazzle_backend_openapi:OpenAPIBackend"
    assert ep.load() is OpenAPIBackend
    # Stated on the class itself, as the literal it was written for.
    assert vars(OpenAPIBackend)["api_version"] == 1


def test_capabilities_declare_the_options() -> None:
    caps = OpenAPIBackend().get_capabilities()
    assert isinstance(caps, BackendCapabilities)
    assert caps.name == "openapi"
    assert caps.output_formats == ("yaml", "json")
    options = {o.name: o for o in caps.options}
    assert list(options) == ["format", "openapi_version", "server_url", "security"]
    assert (options["format"].default, options["format"].choices) == ("yaml", ("yaml", "json"))
    assert (options["openapi_version"].default, options["openapi_version"].choices) == (
        "3.1.0",
        ("3.1.0", "3.0.3"),
    )
    assert options["server_url"].default == "/"
    assert (options["security"].default, options["security"].choices) == ("bearer", ("bearer", "none"))
    assert all(o.help for o in caps.options)


def test_defaults() -> None:
    assert parse_options({}) == Settings(format="yaml", openapi_version="3.1.0", servers=("/",), security="bearer")
    # What DAZZLE passes for a backend that declares options: every one, defaults filled in.
    declared = {o.name: o.default for o in OpenAPIBackend().get_capabilities().options}
    assert parse_options(declared) == parse_options({})


def test_server_urls(tmp_path: Path) -> None:
    settings = parse_options({"server_url": " https://api.example.org/v1/ , /local,https://api.example.org/v1"})
    assert settings.servers == ("https://api.example.org/v1", "/local")
    OpenAPIBackend().generate(compile_dsl(APP), tmp_path, server_url="https://a.example.org,/")
    assert load(tmp_path / "openapi.yaml")["servers"] == [{"url": "https://a.example.org"}, {"url": "/"}]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"format": "xml"}, r"option 'format' must be one of yaml, json; got 'xml'"),
        ({"openapi_version": "2.0"}, r"option 'openapi_version' must be one of 3\.1\.0, 3\.0\.3; got '2\.0'"),
        ({"security": "oauth"}, r"option 'security' must be one of bearer, none"),
        ({"server_url": ""}, r"empty URL"),
        ({"server_url": "https://a.example.org,,/"}, r"empty URL"),
        ({"server_url": "https://{tenant}.example.org"}, r"contains '\{' '\}'"),
        ({"server_url": "api/v1"}, r"neither an absolute URL"),
        ({"server_url": "https://a b"}, r"contains ' '"),
        ({"colour": "blue"}, r"unknown option\(s\) colour; the options are format, openapi_version"),
        ({"format": True}, r"option 'format' must be text"),
    ],
)
def test_bad_options_are_backend_errors(options, message, tmp_path: Path) -> None:
    backend = OpenAPIBackend()
    with pytest.raises(BackendError, match=message):
        backend.validate_config(**options)
    with pytest.raises(BackendError, match=message):
        backend.generate(compile_dsl(APP), tmp_path, **options)
    assert not list(tmp_path.iterdir())


def test_option_values_ignore_case_and_spaces() -> None:
    assert parse_options({"format": " JSON ", "security": "None"}) == Settings(format="json", security="none")


def test_an_unwritable_output_folder_is_a_backend_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(BackendError, match="cannot create the output folder"):
        OpenAPIBackend().generate(compile_dsl(APP), blocker / "out")


def test_conforms_to_what_dazzle_asks_of_every_backend() -> None:
    assert_conforms("openapi")
