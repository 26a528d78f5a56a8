"""A plugin module that ends the process on import; it must not end dazzle."""

import sys

from dazzle_test_broken import record_import

record_import(__name__)

sys.exit(3)
