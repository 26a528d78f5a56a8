"""Entry points that import fine but do not give a usable backend."""

from dazzle_test_broken import record_import

record_import(__name__)

#: Not a class at all.
NOT_A_BACKEND = {"generate": "nope"}


class FutureBackend:
    """Written for a backend API this dazzle-core does not speak."""

    api_version = 2

    def generate(self, appspec, output_dir, **options):
        pass
