"""Spyne primitives as the mktows schema names them."""

from __future__ import annotations

from spyne.model.primitive import Boolean, DateTime, Integer32, Unicode

__all__ = ["AnySimpleType", "Boolean", "DateTime", "Integer32", "Unicode", "enum"]
TNS = "http://www.marketo.com/mktows/"


class AnySimpleType(Unicode):
    """xs:anySimpleType: kept as the text that was sent (MObjCriteria.attrValue)."""

    __type_name__ = "anySimpleType"
    __namespace__ = "http://www.w3.org/2001/XMLSchema"


def enum(name: str, values: list[str]) -> type[Unicode]:
    """A named xs:string restriction in Marketo's namespace.

    Values are not enforced on input: domain/ checks them and owns the error codes (20102, 20110).
    """
    return Unicode(values=values, type_name=name, __namespace__=TNS)
