"""A backend that subclasses Backend and declares its options."""

import json

from dazzle.backends import Backend, BackendCapabilities, BackendError, BackendOption

from dazzle_test_good import record_import

record_import(__name__)


class GoodBackend(Backend):
    """Writes a summary of the app, one file per entity, and the options it got."""

    def get_capabilities(self):
        return BackendCapabilities(
            name="good",
            description="Summaries of the app for tests",
            output_formats=("txt", "json"),
            options=(
                BackendOption("greeting", str, default="hello", help="The first line of app.txt"),
                BackendOption("count", int, default=1, help="How often to repeat the greeting"),
                BackendOption("style", str, default="plain", choices=("plain", "fancy")),
                BackendOption("verbose", bool, default=False),
            ),
        )

    def validate_config(self, **options):
        if options["count"] < 0:
            raise BackendError(f"count must be 0 or more, not {options['count']}")

    def generate(self, appspec, output_dir, **options):
        base = output_dir / "good"
        (base / "entities").mkdir(parents=True)
        lines = [options["greeting"]] * options["count"]
        lines += [f"app {appspec.name} {appspec.title!r} {appspec.version}"]
        lines += [f"entity {e.name}" for e in appspec.entities]
        (base / "app.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for entity in appspec.entities:
            fields = "".join(f"{f.name}: {f.type}\n" for f in entity.fields)
            (base / "entities" / f"{entity.name}.txt").write_text(fields, encoding="utf-8")
        (base / "options.json").write_text(json.dumps(options, sort_keys=True) + "\n", encoding="utf-8")
