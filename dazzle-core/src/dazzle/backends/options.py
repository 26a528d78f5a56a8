"""Backend options: from ``-O KEY=VALUE`` / ``-O BACKEND.KEY=VALUE`` and the
``[build.options.BACKEND]`` tables of ``dazzle.toml`` to the keyword arguments
each backend receives.

Where an option is set, the more specific place wins: a table in
``dazzle.toml`` < ``-O KEY=VALUE`` < ``-O BACKEND.KEY=VALUE``; between two
settings of the same rank, the later one.

A backend that declares its options (``BackendCapabilities.options``) receives
each of them, converted to its declared type and checked against its choices,
with the declared default for those not set; setting a key it does not declare
is an error that lists the ones it does. A backend that declares none receives
whatever is set for it, every value as a string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from dazzle.backends.api import BackendCapabilities, BackendError, BackendOption, option_type_name
from dazzle.backends.registry import UnknownBackendError

#: Ranks of the places an option is set; a higher rank wins.
CONFIG, COMMAND_LINE, COMMAND_LINE_FOR_BACKEND = 0, 1, 2

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean (true or false)",
    "list[str]": "a list of strings (a TOML array; after -O, comma-separated)",
}


class OptionError(ValueError):
    """An option the user set that cannot be used; the message says why."""


@attrs.frozen
class OptionSetting:
    """One option set in one place."""

    key: str
    value: Any
    #: The backend it is for; None for every selected backend that accepts it.
    backend: str | None
    #: Where it was set, for messages: "-O x=1", "dazzle.toml [build.options.openapi]".
    source: str
    rank: int


def parse_command_line(args: Iterable[str], backend_names: Iterable[str]) -> tuple[OptionSetting, ...]:
    """Read ``-O`` values. ``BACKEND.KEY=VALUE`` is for one backend when
    BACKEND is one of ``backend_names``; any other dotted key is an error."""
    names = sorted(backend_names, key=len, reverse=True)
    settings = []
    for arg in args:
        key, equals, value = arg.partition("=")
        key = key.strip()
        source = f"-O {arg}"
        if not equals or not key:
            raise OptionError(f"invalid option '{arg}': expected KEY=VALUE or BACKEND.KEY=VALUE")
        backend = next((n for n in names if key.startswith(n + ".") and len(key) > len(n) + 1), None)
        if backend is not None:
            key = key[len(backend) + 1 :]
            settings.append(OptionSetting(key, value, backend, source, COMMAND_LINE_FOR_BACKEND))
        elif "." in key:
            prefix, _, rest = key.partition(".")
            if prefix in names and not rest:
                raise OptionError(f"invalid option '{arg}': the option name is missing after '{prefix}.'")
            raise OptionError(f"invalid option '{arg}': {UnknownBackendError(prefix, sorted(backend_names))}")
        else:
            settings.append(OptionSetting(key, value, None, source, COMMAND_LINE))
    return tuple(settings)


def read_config_tables(tables: Any, source: str = "dazzle.toml") -> tuple[OptionSetting, ...]:
    """Read the ``[build.options]`` table of ``dazzle.toml``: one table of
    ``key = value`` per backend."""
    if not isinstance(tables, Mapping):
        raise OptionError(f"{source}: [build.options] must be a table of tables, one per backend")
    settings = []
    for backend, table in tables.items():
        where = f"{source} [build.options.{backend}]"
        if not isinstance(table, Mapping):
            raise OptionError(f"{where} must be a table of key = value options")
        settings.extend(OptionSetting(key, value, backend, where, CONFIG) for key, value in table.items())
    return tuple(settings)


def resolve_options(
    selected: Mapping[str, BackendCapabilities], settings: Sequence[OptionSetting]
) -> dict[str, dict[str, Any]]:
    """The keyword arguments for each selected backend (keyed by name).

    Settings for a backend that is not selected are an error when given on
    the command line and ignored when they come from ``dazzle.toml`` (whose
    tables may configure backends that this build does not run)."""
    given: dict[str, dict[str, OptionSetting]] = {name: {} for name in selected}
    for setting in sorted(settings, key=lambda s: s.rank):
        if setting.backend is None:
            targets = [n for n, caps in selected.items() if _accepts(caps, setting.key)]
            if not targets:
                raise OptionError(_not_accepted_anywhere(setting, selected))
        elif setting.backend in selected:
            targets = [setting.backend]
            caps = selected[setting.backend]
            if not _accepts(caps, setting.key):
                valid = ", ".join(o.name for o in caps.options)
                raise OptionError(
                    f"unknown option '{setting.key}' for backend '{caps.name}' ({setting.source}); "
                    f"valid options: {valid}"
                )
        elif setting.rank == CONFIG:
            continue
        else:
            raise OptionError(
                f"option '{setting.key}' is for backend '{setting.backend}', "
                f"which this build does not run ({setting.source}); "
                f"running: {', '.join(selected)}"
            )
        for name in targets:
            given[name][setting.key] = setting
    return {name: _options_for(selected[name], given[name]) for name in selected}


def _accepts(capabilities: BackendCapabilities, key: str) -> bool:
    return not capabilities.options or capabilities.get_option(key) is not None


def _not_accepted_anywhere(setting: OptionSetting, selected: Mapping[str, BackendCapabilities]) -> str:
    valid = "; ".join(f"{name}: {', '.join(o.name for o in caps.options)}" for name, caps in selected.items())
    return (
        f"unknown option '{setting.key}' ({setting.source}): no backend in this build accepts it; "
        f"valid options: {valid}"
    )


def _options_for(capabilities: BackendCapabilities, given: Mapping[str, OptionSetting]) -> dict[str, Any]:
    if capabilities.requires_config and not given:
        names = ", ".join(o.name for o in capabilities.options)
        raise OptionError(
            f"backend '{capabilities.name}' requires configuration: set its options with "
            f"-O {capabilities.name}.KEY=VALUE or in dazzle.toml [build.options.{capabilities.name}]"
            + (f" (options: {names})" if names else "")
        )
    if not capabilities.options:
        return {key: as_string(setting) for key, setting in given.items()}
    options = {}
    for option in capabilities.options:
        setting = given.get(option.name)
        if setting is None:
            options[option.name] = option.default
        else:
            options[option.name] = convert(option, setting, capabilities.name)
    return options


def as_string(setting: OptionSetting) -> str:
    """An option value as a backend that declares no options receives it."""
    value = setting.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise OptionError(
        f"option '{setting.key}' ({setting.source}) must be a string, a number or a boolean, not {type(value).__name__}"
    )


def convert(option: BackendOption, setting: OptionSetting, backend: str) -> Any:
    """Convert a setting to the option's declared type and check its choices.
    A string (from the command line) is parsed; a TOML value must already be
    of the type (an integer is accepted for a float)."""
    try:
        return _checked(option, setting.value, from_text=setting.rank != CONFIG)
    except _Refused as refused:
        raise OptionError(
            f"option '{option.name}' of backend '{backend}' must be {refused.expected}, "
            f"not {setting.value!r} ({setting.source})"
        ) from None


def apply_options(capabilities: BackendCapabilities, options: Mapping[str, Any]) -> dict[str, Any]:
    """The options a backend declares in ``capabilities``, from the keyword
    arguments it was given: every declared option, converted and checked the
    way ``dazzle build`` does, with its default when not given.

    Call it at the top of ``validate_config`` and ``generate``: ``dazzle build``
    has already done this (so it returns the options unchanged), but a program
    may call ``generate`` directly. Values are typed, as in ``dazzle.toml``
    (an ``int`` is accepted for a ``float``, a list or tuple of strings for a
    ``list[str]``; ``None`` where the default is ``None``). Raises ``BackendError`` for an unknown key, a value of the
    wrong type or outside the choices; the message names the option (not the
    backend: ``dazzle build`` prefixes the backend's name).
    """
    declared = {option.name: option for option in capabilities.options}
    unknown = [key for key in options if key not in declared]
    if unknown:
        valid = ", ".join(declared) or "none"
        raise BackendError(f"unknown option(s) {', '.join(sorted(unknown))}; valid options: {valid}")
    resolved = {}
    for name, option in declared.items():
        if name not in options or (options[name] is None and option.default is None):
            resolved[name] = option.default
            continue
        try:
            resolved[name] = _checked(option, options[name], from_text=False)
        except _Refused as refused:
            raise BackendError(f"option '{name}' must be {refused.expected}, not {options[name]!r}") from None
    return resolved


class _Refused(Exception):
    def __init__(self, expected: str) -> None:
        self.expected = expected


def _checked(option: BackendOption, value: Any, *, from_text: bool) -> Any:
    """``value`` as ``option`` declares it, or ``_Refused`` saying what it must be."""
    kind = option.type
    try:
        if from_text and kind is not str:
            if not isinstance(value, str):
                raise ValueError(value)
            value = _parse(kind, value)
        elif kind == list[str]:
            if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
                raise ValueError(value)
            value = tuple(value)
        elif kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif type(value) is not kind:
            raise ValueError(value)
    except ValueError:
        raise _Refused(_TYPE_NAMES[option_type_name(kind)]) from None
    if option.choices:
        items = value if kind == list[str] else (value,)
        if any(item not in option.choices for item in items):
            choices = ", ".join(str(c) for c in option.choices)
            raise _Refused(("a list of items among " if kind == list[str] else "one of ") + choices)
    return value


def _parse(type_: Any, text: str) -> Any:
    if type_ is bool:
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(text)
    if type_ == list[str]:
        # "-O tags=a,b": comma-separated, blanks around items ignored, "" is no item.
        return tuple(item.strip() for item in text.split(",") if item.strip())
    return type_(text.strip())


def list_as_written(items: Sequence[str]) -> str:
    """A ``list[str]`` value as a user writes it: the comma-separated text
    ``-O`` takes (``-O tags=a,b``; ``''`` is the empty list), quoted as a
    string default is shown; or, for items ``-O`` cannot give (one that is
    empty, holds a comma or has blanks around it), the TOML array
    ``dazzle.toml`` takes."""
    if all(item and item.strip() == item and "," not in item for item in items):
        return repr(",".join(items))
    # A JSON string is a TOML basic string (the same escapes), but for DEL,
    # which JSON leaves as it is and TOML refuses.
    strings = (json.dumps(item, ensure_ascii=False).replace("\x7f", "\\u007f") for item in items)
    return "[" + ", ".join(strings) + "]"
