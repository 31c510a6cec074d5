"""The base of every generated mktows complex type (soap/types.py)."""

from __future__ import annotations

from spyne.model.complex import ComplexModel

from mockmkto.soap.primitives import TNS

_BLANK: dict[type, dict[str, None]] = {}


class MktowsModel(ComplexModel):
    """Base of every mktows complex type: Marketo's namespace, unqualified children."""

    __namespace__ = TNS

    def __init__(self, **members):
        # Spyne's own __init__ looks every member's attributes up again for each instance (12
        # objects a lead record); mktows types have no defaults, properties or XmlData, so
        # every member starts as None.
        cls = type(self)
        blank = _BLANK.get(cls)
        if blank is None:
            blank = _BLANK[cls] = dict.fromkeys(cls.get_flat_type_info(cls), None)
        self.__dict__.update(blank)
        self.__dict__.update(members)
