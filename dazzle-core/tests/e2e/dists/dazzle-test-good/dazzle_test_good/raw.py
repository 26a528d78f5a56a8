"""A backend that does not subclass Backend and declares no options: it gets
every option given to it, as strings."""

import json

from dazzle.backends import BackendCapabilities

from dazzle_test_good import record_import

record_import(__name__)


class RawBackend:
    """Writes the options it received, with their types."""

    def get_capabilities(self):
        return BackendCapabilities(name="raw", description="Echoes its options", output_formats=("json",))

    def generate(self, appspec, output_dir, **options):
        received = {key: [type(value).__name__, value] for key, value in options.items()}
        (output_dir / "raw.json").write_text(json.dumps(received, sort_keys=True) + "\n", encoding="utf-8")
