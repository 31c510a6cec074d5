"""Every private name of Spyne's that soap/ uses, each under a public one here, so a Spyne or Python
change that drops one, or changes what it does, fails the one test that names it
(tests/test_spyne_private.py) instead of calls somewhere. Each is looked up when used, not at import.

Spyne's documented API spells some names with an underscore too (@rpc's `_returns`, `_body_style`,
`_in_message_name`, `_out_message_name`, `_in_header`; a ComplexModel's `_type_info` declaration):
those are used where they are.

Importing this module first makes spyne 2.14 (its last release) importable on Python 3.12 and 3.13:
the package imports it before any spyne module. On 3.13 spyne also needs `import cgi`, which the
`legacy-cgi` package provides (a dependency).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any


def bundled_six_importer(six: ModuleType) -> Any:
    """The meta-path importer of the `six` Spyne bundles (`spyne.util.six._importer`), which serves
    `spyne.util.six.moves`. It only has the `find_module` API Python 3.12 removed: `_make_importable`
    gives its class the modern one."""
    return six._importer


def _make_importable() -> None:
    """Load Spyne's `six` by file location, before anything imports spyne, and give its importer
    `find_spec`/`create_module`/`exec_module`."""
    if "spyne.util.six" in sys.modules:
        return
    spec = importlib.util.find_spec("spyne")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("spyne is not installed")
    six_path = f"{spec.submodule_search_locations[0]}/util/six.py"
    six_spec = importlib.util.spec_from_file_location("spyne.util.six", six_path)
    if six_spec is None or six_spec.loader is None:
        raise ImportError(f"spyne's six is not at {six_path}")
    six = importlib.util.module_from_spec(six_spec)
    sys.modules["spyne.util.six"] = six
    six_spec.loader.exec_module(six)
    importer_cls = type(bundled_six_importer(six))

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


_make_importable()

# spyne is importable from here on.
import spyne.protocol.xml  # noqa: E402
from spyne.protocol.soap import Soap11 as SpyneSoap11  # noqa: E402


def tag_name(ns: str | None, name: str) -> str:
    """The tag Spyne's XML writer gives an element named `name` in `ns` (`spyne.protocol.xml.
    _gen_tagname`): `{ns}name`, or `name` without a namespace. The protocol's plans tag members as
    Spyne would."""
    return spyne.protocol.xml._gen_tagname(ns, name)


def alternative_members(cls: Any) -> dict[str, tuple[Any, str]]:
    """A complex type's members by the other name an element may have for them, a member's sub_name
    or sub_ns (`ComplexModelBase._type_info_alt`): name -> (member's class, member's key). The
    protocol's reader reads such elements into the member, as Spyne's does."""
    return cls._type_info_alt


def xml_data_members(attrs: Any) -> list[tuple[str, Any]] | None:
    """The XmlData members of the complex type whose attributes are `attrs` (`Attributes.
    _xml_tag_body_as`: its element's text), None without any. The protocol's reader leaves such
    types to Spyne's."""
    return attrs._xml_tag_body_as


class Soap11(SpyneSoap11):
    """Spyne's SOAP 1.1 protocol with what soap/protocol.py changes of its insides under public names."""

    @property
    def to_unicode_handlers(self) -> dict[Any, Callable[[Any, Any], str]]:
        """Spyne's writer's text of a primitive's value by its class (`_to_unicode_handlers`:
        handler(cls, value)). The protocol writes DateTime as Marketo does, and texts with them."""
        return self._to_unicode_handlers

    @property
    def from_unicode_handlers(self) -> dict[Any, Callable[[Any, str], Any]]:
        """Spyne's reader's value of a primitive's text by its class (`_from_unicode_handlers`:
        handler(cls, text)). The protocol reads xs:int, xs:boolean and xs:dateTime with its own."""
        return self._from_unicode_handlers

    def members_to_parent(self, ctx, cls, inst, parent):
        """Write the members of `inst`, a value of complex type `cls`, into `parent`: what Spyne's
        complex writer calls for every complex value (`XmlDocument._get_members_etree`). The
        protocol overrides it to write a nillable member without a value as nil."""
        return super()._get_members_etree(ctx, cls, inst, parent)

    def _get_members_etree(self, ctx, cls, inst, parent):
        return self.members_to_parent(ctx, cls, inst, parent)
