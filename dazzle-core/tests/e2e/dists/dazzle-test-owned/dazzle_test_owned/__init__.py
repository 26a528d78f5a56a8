"""A backend that writes owned/main.txt, one owned/entities/NAME.txt per
entity and, while its `extras` option is on, owned/extras/notes.txt."""

from dazzle.backends import Backend, BackendCapabilities, BackendOption


class OwnedBackend(Backend):
    api_version = 1

    def get_capabilities(self):
        return BackendCapabilities(
            name="owned",
            description="Files that come and go with options and entities",
            output_formats=("txt",),
            options=(BackendOption("extras", bool, default=True, help="Also write owned/extras/notes.txt"),),
        )

    def generate(self, appspec, output_dir, **options):
        base = output_dir / "owned"
        (base / "entities").mkdir(parents=True)
        (base / "main.txt").write_text(f"app {appspec.name}\n", encoding="utf-8")
        for entity in appspec.entities:
            (base / "entities" / f"{entity.name}.txt").write_text(f"entity {entity.name}\n", encoding="utf-8")
        if options["extras"]:
            (base / "extras").mkdir()
            (base / "extras" / "notes.txt").write_text("extra notes\n", encoding="utf-8")
