"""Spyne's SOAP 1.1 protocol as mktows needs it: hardened parsing, whole-second dateTimes, and
`xsi:nil` for every nillable field that has no value (Spyne leaves a None field with
minOccurs=0 out; Marketo writes it as `<error xsi:nil="true"/>`)."""

from __future__ import annotations

from spyne.model.primitive import DateTime
from spyne.protocol.soap import Soap11


class _Nil:
    """A value Spyne serializes as `<x xsi:nil="true"/>` whatever the field's minOccurs."""

    def __repr__(self) -> str:
        return "NIL"


NIL = _Nil()


class _NilWhereNillable:
    """A response object seen through the schema: a nillable field without a value reads NIL."""

    __slots__ = ("_inst", "_nillable")

    def __init__(self, inst, nillable: frozenset[str]):
        self._inst = inst
        self._nillable = nillable

    def __getattr__(self, name: str):
        value = getattr(self._inst, name, None)
        return NIL if value is None and name in self._nillable else value


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
        self._nillable: dict[type, frozenset[str]] = {}

    def _get_members_etree(self, ctx, cls, inst, parent):
        nillable = self._nillable.get(cls)
        if nillable is None:
            fields = cls.get_flat_type_info(cls).items()
            nillable = self._nillable[cls] = frozenset(k for k, v in fields if v.Attributes.nillable)
        if nillable and not isinstance(inst, _NilWhereNillable):
            inst = _NilWhereNillable(inst, nillable)
        return super()._get_members_etree(ctx, cls, inst, parent)

    def to_parent(self, ctx, cls, inst, parent, ns, *args, **kwargs):
        if inst is NIL:
            return self.null_to_parent(ctx, cls, None, parent, ns, *args, **kwargs)
        return super().to_parent(ctx, cls, inst, parent, ns, *args, **kwargs)
