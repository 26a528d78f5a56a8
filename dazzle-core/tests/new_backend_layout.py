"""What `dazzle new-backend demo` writes, checked in process
(test_new_backend.py) and through pip (e2e_scaffold)."""

#: Every file of the generated distribution, sorted.
GENERATED_FILES = [
    ".gitignore",
    "LICENSE",
    "README.md",
    "pyproject.toml",
    "src/dazzle_backend_demo/__init__.py",
    "src/dazzle_backend_demo/backend.py",
    "tests/conftest.py",
    "tests/test_backend.py",
]
