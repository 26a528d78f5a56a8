"""A backend written only against the public API, using each part of it:
the scaffold session checks it with mypy --strict against the installed
dazzle-core (tests/e2e_scaffold/test_scaffold.py). Never imported by a test."""

from pathlib import Path
from typing import Any

from dazzle.backends import (
    Backend,
    BackendCapabilities,
    BackendError,
    BackendOption,
    BackendWarning,
    apply_options,
    plural,
)
from dazzle.core import ir
from dazzle.core.serialize import appspec_json_schema, appspec_to_data

CAPS = BackendCapabilities(name="tour", options=(BackendOption("include", list[str], default=()),))


class TourBackend(Backend):
    api_version = 1

    def get_capabilities(self) -> BackendCapabilities:
        return CAPS

    def generate(self, appspec: ir.AppSpec, output_dir: Path, **options: Any) -> None:
        settings = apply_options(CAPS, options)
        include: tuple[str, ...] = settings["include"]
        lines: list[str] = []
        for entity in appspec.entities:
            if include and entity.name not in include:
                continue
            refs: tuple[ir.EntityReference, ...] = appspec.references_to(entity.name)
            collection: str = plural(entity.name)
            lines.append(collection)
            lines += [f"{r.entity.name}.{r.field.name}" for r in refs]
            lines += [e.name for e in appspec.referring_entities(entity.name)]
            for field in entity.fields:
                if field.default is not None:
                    lines.append(ir.literal_to_dsl(field.default))
        for module in appspec.modules:
            decls: ir.ModuleDeclarations = appspec.declarations_in(module.name)
            lines += [s.name for s in decls.surfaces]
        if not lines:
            raise BackendError("nothing")
        data: dict[str, Any] = appspec_to_data(appspec)
        schema: dict[str, Any] = appspec_json_schema()
        (output_dir / "tour.txt").write_text("\n".join(lines) + str(len(data)) + str(len(schema)))
        _ = BackendWarning("x", location=appspec.location)
