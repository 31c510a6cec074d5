"""Make spyne 2.14 (its last release) importable on Python 3.12 and 3.13.

Spyne bundles an old `six` whose meta-path importer only has the `find_module` API that 3.12
removed, so `spyne.util.six.moves` cannot be imported. We load that `six` by file location before
anything imports spyne and give its importer the modern `find_spec`/`create_module`/`exec_module`.
On 3.13 spyne also needs `import cgi`, which the `legacy-cgi` package provides (a dependency).
Import this module before any other spyne module.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys


def _patch_spyne_six() -> None:
    if "spyne.util.six" in sys.modules:
        return
    spec = importlib.util.find_spec("spyne")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("spyne is not installed")
    six_path = f"{spec.submodule_search_locations[0]}/util/six.py"
    six_spec = importlib.util.spec_from_file_location("spyne.util.six", six_path)
    six = importlib.util.module_from_spec(six_spec)
    sys.modules["spyne.util.six"] = six
    six_spec.loader.exec_module(six)
    importer_cls = type(six._importer)

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.known_modules:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return self.load_module(spec.name)

    def exec_module(self, module):
        """The module was fully built by create_module."""

    importer_cls.find_spec = find_spec
    importer_cls.create_module = create_module
    importer_cls.exec_module = exec_module


_patch_spyne_six()
