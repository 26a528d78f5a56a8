"""A plugin module whose import fails: it needs a distribution that is not installed."""

from dazzle_test_broken import record_import

record_import(__name__)

import dazzle_test_no_such_dependency  # noqa: E402,F401


class Backend:
    def generate(self, appspec, output_dir, **options):
        pass
