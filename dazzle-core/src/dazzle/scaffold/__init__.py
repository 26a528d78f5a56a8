"""``dazzle new-backend``: writing a new backend distribution from a template.

``distribution.py`` checks the name and writes the files; ``template/`` holds
them. Every file under ``template/`` is copied into the new distribution at
the same relative path, with these changes:

- a ``.tmpl`` suffix is dropped (it keeps the templates from being taken for
  Python modules or project files of dazzle-core itself);
- a leading ``dot-`` becomes ``.`` (``dot-gitignore.tmpl`` -> ``.gitignore``);
- ``{{placeholder}}`` in a path or in the text is replaced by its value (see
  ``distribution.placeholders``); an unknown placeholder is an error.

To change what new backends start from, edit the files under ``template/``;
``tests/test_new_backend.py`` and the ``scaffold`` nox session check the result.
"""
