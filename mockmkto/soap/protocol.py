"""Spyne's SOAP 1.1 protocol as mktows needs it: hardened parsing, and `xsi:nil` for nillable
optional fields (Spyne leaves a None field with minOccurs=0 out, Marketo writes it as nil)."""

from __future__ import annotations

from spyne.model.primitive import DateTime
from spyne.protocol.soap import Soap11


class _Nil:
    """Marks a response field Marketo writes as `<x xsi:nil="true"/>`."""

    def __repr__(self) -> str:
        return "NIL"


NIL = _Nil()


def nil_if_none(value):
    return NIL if value is None else value


class MktowsSoap11(Soap11):
    def __init__(self) -> None:
        # No DTDs, no entities, no network, no huge trees: a hostile body is a 20012, not an attack.
        super().__init__(
            load_dtd=False,
            no_network=True,
            resolve_entities=False,
            huge_tree=False,
            dtd_validation=False,
        )

        # Marketo writes whole seconds with an offset (2013-08-01T00:13:13+00:00).
        self._to_unicode_handlers[DateTime] = lambda cls, value: value.replace(microsecond=0).isoformat()

    def to_parent(self, ctx, cls, inst, parent, ns, *args, **kwargs):
        if inst is NIL:
            return self.null_to_parent(ctx, cls, None, parent, ns, *args, **kwargs)
        return super().to_parent(ctx, cls, inst, parent, ns, *args, **kwargs)
