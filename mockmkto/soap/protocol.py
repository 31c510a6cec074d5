"""Spyne's SOAP 1.1 protocol as mktows needs it: hardened parsing, whole-second dateTimes,
`xsi:nil` for every nillable field that has no value (Spyne leaves a None field with
minOccurs=0 out; Marketo writes it as `<error xsi:nil="true"/>`), answers written as Marketo's
documents show them (its XML declaration, `SOAP-ENV:` and `ns1:`, as faults are), from a plan
made once per type.

Spyne's own writer looks every member's attributes, handlers and namespaces up again for every
value it writes (a 100-lead getMultipleLeads page is 3,000 of them); the plan holds what those
lookups answer, so writing is one getattr and one SubElement per value. Classes the plan does not
cover (Spyne's own Array, XmlAttribute, defaults) go through Spyne's writer unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from enum import Enum
from functools import partial
from typing import Any

from lxml import etree
from spyne.const.xml import DEFAULT_NS, NS_XSI
from spyne.descriptor import BODY_STYLE_BARE, BODY_STYLE_EMPTY_OUT_BARE
from spyne.error import Fault
from spyne.model.complex import ComplexModelBase, XmlAttribute, XmlData
from spyne.model.primitive import DateTime
from spyne.protocol.xml import NIL_ATTR, XmlDocument
from spyne.server.http import HttpTransportContext

from mockmkto.soap.model import MktowsModel
from mockmkto.soap.spyne_private import Soap11, alternative_members, tag_name, xml_data_members
from mockmkto.soap.values import READERS

SubElement = etree.SubElement


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


class _Member:
    """How one member of a complex type is written: its tag, and either `text` (a primitive) or
    `plan` (a complex type with a plan); with neither, Spyne writes it. A value of class `native`
    is its own text."""

    __slots__ = ("attr", "cls", "ns", "name", "tag", "many", "nil_when_none", "text", "native", "plan")
    attr: str
    cls: Any  # a Spyne type
    ns: str | None
    name: str
    tag: str
    many: bool
    nil_when_none: bool
    text: partial[str] | None
    native: type | None
    plan: _Plan | None


class _Plan:
    """How one complex type is written: the class its values are, its tag's overrides, its members,
    and `direct`: (another class its values may be, a function that writes one of those, one that
    gives the markup of a list of them)."""

    __slots__ = ("orig", "sub_name", "sub_ns", "members", "direct")
    orig: type
    sub_name: str | None
    sub_ns: str | None
    members: tuple[_Member, ...]
    direct: DirectWriter | None


# A Spyne type's value class, write(value, parent, tag), markup(values, tag) (MktowsSoap11's direct_writers).
DirectWriter = tuple[type, Callable[..., None], Callable[..., str | None]]
# A member as the reader reads it: its key, its Spyne type, whether repeated, Spyne's reader of its elements.
ReaderMember = tuple[str, Any, bool, Callable[..., Any]]


class _Unplanned(Enum):
    """Not planned yet (None is planned: the type has no plan)."""

    UNPLANNED = 0


_UNPLANNED = _Unplanned.UNPLANNED
# Where spliced markup goes (MktowsSoap11._splice): in XSI's namespace when it holds a nil.
_PLACEHOLDER = "mockmkto-splice"
_XSI_PLACEHOLDER = f"{{{NS_XSI}}}{_PLACEHOLDER}"
# Every byte but the control characters XML forbids: what remains of a text after deleting these.
_XML_BYTES = bytes(byte for byte in range(256) if byte >= 0x20 or byte in b"\t\n\r")
# Marketo's XML declaration; lxml's quotes its values with '.
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


class MktowsSoap11(Soap11):
    def __init__(self, direct_writers: Mapping[Any, DirectWriter] | None = None) -> None:
        """`direct_writers`: Spyne type -> (value class, write(value, parent, tag), markup(values,
        tag)), for answers so hot that even one Spyne object per value costs too much (lead records).
        markup gives a repeated member whose values are all of that class as lxml would write the
        elements `write` makes (or None): it is spliced into the answer's bytes."""
        # No DTDs, no entities, no network, no huge trees: a hostile body is a 20012, not an attack.
        super().__init__(
            load_dtd=False,
            no_network=True,
            resolve_entities=False,
            huge_tree=False,
            dtd_validation=False,
        )
        # Answers are Marketo's bytes: UTF-8 after its declaration, not pretty-printed; markup is
        # spliced into them (`_splice`).
        self._as_marketo = not self.pretty_print and str(self.encoding).replace("-", "").upper() == "UTF8"
        self._answer_nsmap: dict[str, str] | None = None  # made on first use: the app is set later
        # Marketo writes whole seconds with an offset (2013-08-01T00:13:13+00:00).
        self.to_unicode_handlers[DateTime] = lambda cls, value: value.replace(microsecond=0).isoformat()
        # A request's xs:int, xs:boolean and xs:dateTime texts are read by the XSD's rules (20012 else).
        self.from_unicode_handlers.update(READERS)
        self._nillable: dict[type, frozenset[str]] = {}
        self._plans: dict[type, _Plan | None] = {}
        self._direct_writers = dict(direct_writers or {})
        self._readers: dict[type, tuple[dict[str, ReaderMember], Callable[[], Any]] | None] = {}
        self._cls_attrs: dict[type, Any] = {}
        self._thread = threading.local()  # lxml parsers are not to be shared between threads
        self._envelope_tag, self._header_tag, self._body_tag, self._fault_tag = (
            f"{{{self.ns_soap_env}}}{name}" for name in ("Envelope", "Header", "Body", "Fault")
        )

    def get_cls_attrs(self, cls):
        # Spyne's logs a debug line with its weak cache's size on every call, thousands a request;
        # the mktows classes are made once, at import, so a plain map holds them.
        attrs = self._cls_attrs.get(cls)
        if attrs is None:
            attrs = self._cls_attrs[cls] = super().get_cls_attrs(cls)
        return attrs

    def members_to_parent(self, ctx, cls, inst, parent):
        nillable = self._nillable.get(cls)
        if nillable is None:
            fields = cls.get_flat_type_info(cls).items()
            nillable = self._nillable[cls] = frozenset(k for k, v in fields if v.Attributes.nillable)
        if nillable and not isinstance(inst, _NilWhereNillable):
            inst = _NilWhereNillable(inst, nillable)
        return super().members_to_parent(ctx, cls, inst, parent)

    def to_parent(self, ctx, cls, inst, parent, ns, *args, **kwargs):
        if inst is NIL:
            return self.null_to_parent(ctx, cls, None, parent, ns, *args, **kwargs)
        plan = self._plans.get(cls, _UNPLANNED)
        if plan is _UNPLANNED:
            plan = self._plan(cls)
        if plan is not None and isinstance(inst, plan.orig) and isinstance(parent, etree._Element):
            name = args[0] if args else kwargs.get("name")
            self._write(ctx, plan, inst, parent, _complex_tag(plan, ns, name, cls))
            return None
        return super().to_parent(ctx, cls, inst, parent, ns, *args, **kwargs)

    # ------------------------------------------------------------------------------ reading

    def create_in_document(self, ctx, charset=None):
        """Spyne's, with one parser per thread (a parser is costly to make: bench/results.md) and no
        ID table when the message has no `id=` for one; else Spyne's own."""
        chunks = ctx.in_string
        http = isinstance(ctx.transport, HttpTransportContext)  # Spyne reads its content type first
        if http or charset or not all(isinstance(chunk, bytes) for chunk in chunks):
            return super().create_in_document(ctx, charset)
        string = b"".join(chunks)
        if b"id=" in string:
            return super().create_in_document(ctx, charset)
        parser = getattr(self._thread, "parser", None)
        if parser is None:
            parser = self._thread.parser = etree.XMLParser(**self.parser_kwargs)
        try:
            ctx.in_document = (etree.fromstring(string, parser), {})
        except etree.XMLSyntaxError as error:
            raise Fault("Client.XMLSyntaxError", str(error)) from None

    def decompose_incoming_envelope(self, ctx, message=XmlDocument.REQUEST):
        """Spyne's, finding Header and Body by tag, without an XPath or ElementPath expression per
        message; Spyne's own when the message has IDs to resolve."""
        envelope, ids = ctx.in_document
        if ids:
            return super().decompose_incoming_envelope(ctx, message)
        if envelope.tag != self._envelope_tag:
            raise Fault("Client.SoapError", f"No {self._envelope_tag} element was found!")
        header = body = None
        for child in envelope:  # the first of each, as Spyne takes
            if header is None and child.tag == self._header_tag:
                header = child
            elif body is None and child.tag == self._body_tag:
                body = child
        if header is None and body is None:
            raise Fault("Client.SoapError", "Soap envelope is empty!")
        ctx.in_document = envelope
        body_document = body[0] if body is not None and len(body) else None
        if body_document is None:
            raise Fault("Client.SoapError", "Soap body is empty!")
        if body_document.tag == self._fault_tag:
            ctx.in_body_doc = body_document
            return
        ctx.in_header_doc = header.getchildren() if header is not None else None
        ctx.in_body_doc = body_document
        ctx.method_request_string = body_document.tag
        self.validate_body(ctx, message)

    def complex_from_element(self, ctx, cls, elt):
        """Spyne's complex_from_element for the plain mktows types, with the members looked up once."""
        reader = self._readers.get(cls, _UNPLANNED)
        if reader is _UNPLANNED:
            reader = self._readers[cls] = self._reader(cls)
        if reader is None:
            return super().complex_from_element(ctx, cls, elt)
        members, make = reader
        inst = make()
        values = inst.__dict__
        for child in elt:
            # Unqualified, as mktows' children are: the tag is the member's name.
            member = members.get(child.tag)
            if member is None:
                member = self._other_member(cls, members, child.tag)
                if member is None:
                    continue
            key, member_cls, many, read = member
            if child.attrib:
                if any(name in members or name in alternative_members(cls) for name in child.attrib):
                    # Spyne reads a child's attribute named like a member into that member: leave it to Spyne.
                    return super().complex_from_element(ctx, cls, elt)
                # xsi:nil and xsi:type are attributes: Spyne's from_element weighs them.
                value = self.from_element(ctx, member_cls, child)
            else:
                value = read(ctx, member_cls, child)
            if many:
                repeated = values.get(key)
                if repeated is None:
                    repeated = values[key] = []
                repeated.append(value)
            else:
                values[key] = value
        return inst

    def _other_member(self, cls, members: dict[str, ReaderMember], tag) -> ReaderMember | None:
        """The member a qualified tag or an alternative name reads into; None for anything else
        (a comment, a processing instruction, an unknown element), which is skipped."""
        if tag.__class__ is not str:
            return None
        key = local_name(tag)
        member = members.get(key)
        if member is None:
            alternatives = alternative_members(cls)
            member_cls, key = alternatives.get(key) or alternatives.get(tag) or (None, key)
            if member_cls is not None:
                member = self._reader_member(key, member_cls)
        return member

    def _reader(self, cls) -> tuple[dict[str, ReaderMember], Callable[[], Any]] | None:
        """Member name -> (name, class, repeated, Spyne's reader of its elements), and what makes
        an instance, for types whose members are plain, writable elements."""
        if self.validator is self.SOFT_VALIDATION or not isinstance(cls, type) or not issubclass(cls, MktowsModel):
            return None
        if xml_data_members(self.get_cls_attrs(cls)) is not None:
            return None
        members = {}
        for key, member_cls in cls.get_flat_type_info(cls).items():
            if isinstance(member_cls, type) and issubclass(member_cls, (XmlAttribute, XmlData)):
                return None
            if self.get_cls_attrs(member_cls).read_only:
                return None
            members[key] = self._reader_member(key, member_cls)
        return members, cls.get_orig()  # as Spyne's get_deserialization_instance

    def _reader_member(self, key: str, member_cls) -> ReaderMember:
        attrs = self.get_cls_attrs(member_cls)
        read = self.deserialization_handlers[member_cls]
        if read == self.unicode_from_element and self.from_unicode_handlers[member_cls] == self.unicode_from_bytes:
            read = _text_reader(attrs.empty_is_none)
        return key, member_cls, attrs.max_occurs > 1, read

    # ------------------------------------------------------------------------------ writing

    def _write(self, ctx, plan: _Plan, inst, parent, tag: str) -> None:
        elt = SubElement(parent, tag)
        for member in plan.members:
            value = getattr(inst, member.attr, None)
            if value is None:
                if member.nil_when_none:
                    SubElement(elt, member.tag, NIL_ATTR)
            elif member.many:
                direct = member.plan.direct if member.plan is not None else None
                if direct and value and all(item.__class__ is direct[0] for item in value):
                    if not self._splice(ctx, elt, direct[2](value, member.tag)):
                        for item in value:
                            direct[1](item, elt, member.tag)
                    continue
                for item in value:
                    self._write_member(ctx, member, item, elt)
            elif member.text is not None:
                # Most values are text: written here, without a call per value.
                SubElement(elt, member.tag).text = value if value.__class__ is member.native else member.text(value)
            else:
                self._write_member(ctx, member, value, elt)

    def _splice(self, ctx, parent, markup: str | None) -> bool:
        """Put a placeholder for `markup` where its elements go, to be replaced in the answer's bytes
        (`create_out_string`): a thousand lead records as elements cost twice their markup. False
        when the markup cannot be spliced: the caller writes elements (and lxml rejects what XML
        forbids, as ever)."""
        if markup is None or ctx is None or not self._as_marketo:
            return False
        try:
            encoded = markup.encode()  # a lone surrogate fails here
        except UnicodeEncodeError:
            return False
        if encoded.translate(None, _XML_BYTES) or (not markup.isascii() and ("\ufffe" in markup or "\uffff" in markup)):
            return False  # a character XML forbids
        splices = getattr(ctx.outprot_ctx, "splices", None)
        if splices is None:
            splices = ctx.outprot_ctx.splices = []
        # A nil in the markup needs the envelope's xsi prefix: an xsi placeholder keeps it declared
        # through Spyne's namespace cleanup, as a nil element would. Text cannot hold `<` or `/>`,
        # so neither placeholder nor nil can be forged by a value.
        tag, written = (
            (_XSI_PLACEHOLDER, f"xsi:{_PLACEHOLDER}") if ' xsi:nil="true"/>' in markup else (_PLACEHOLDER,) * 2
        )
        number = len(splices)
        etree.SubElement(parent, tag).text = str(number)
        splices.append((f"<{written}>{number}</{written}>".encode(), encoded))
        return True

    @property
    def plans_kept(self) -> int:
        """How many types the writer keeps a plan for (or knows to leave to Spyne): one per type it
        has met, however many values it writes, so bounded by the types, which are made at import."""
        return len(self._plans)

    @property
    def answer_nsmap(self) -> dict[str, str]:
        """The namespaces of an answer's envelope, with Marketo's prefixes and in its order."""
        if self._answer_nsmap is None:
            self._answer_nsmap = {"SOAP-ENV": self.ns_soap_env, "xsi": NS_XSI, "ns1": self.app.interface.get_tns()}
        return self._answer_nsmap

    def serialize(self, ctx, message):
        """Spyne's, for the answer of an operation whose output is bare, without headers (every
        mktows answer), with only the namespaces an answer can use, under Marketo's prefixes,
        declared on the envelope before Spyne's cleanup (rather than the interface's fifteen, which
        Spyne's cleanup then removes). tests/test_protocol_plans.py compares it with Spyne's for
        every answer."""
        descriptor = ctx.descriptor
        if (
            message is not self.RESPONSE
            or ctx.out_error is not None
            or ctx.out_header is not None
            or descriptor is None
            or descriptor.body_style not in (BODY_STYLE_BARE, BODY_STYLE_EMPTY_OUT_BARE)
        ):
            return super().serialize(ctx, message)
        self.event_manager.fire_event("before_serialize", ctx)
        ctx.out_document = envelope = etree.Element(self._envelope_tag, nsmap=self.answer_nsmap)
        ctx.out_body_doc = body = SubElement(envelope, self._body_tag)
        cls = descriptor.out_message
        sub_ns = cls.Attributes.sub_ns
        if sub_ns is None:
            sub_ns = cls.get_namespace()
        if sub_ns is DEFAULT_NS:
            sub_ns = self.app.interface.get_tns()
        sub_name = cls.Attributes.sub_name
        if sub_name is None:
            sub_name = cls.get_type_name()
        self.to_parent(ctx, cls, ctx.out_object[0], body, sub_ns, sub_name)
        if self.cleanup_namespaces:
            etree.cleanup_namespaces(envelope)
        self.event_manager.fire_event("after_serialize", ctx)

    def create_out_string(self, ctx, charset=None):
        """Marketo's XML declaration, then the envelope, with spliced markup in its places."""
        splices = getattr(ctx.outprot_ctx, "splices", None)
        if not self._as_marketo or (charset or self.encoding) != self.encoding:
            if splices:
                raise ValueError(f"spliced markup is {self.encoding}, not {charset}")
            return super().create_out_string(ctx, charset)
        answer = _DECLARATION + etree.tostring(ctx.out_document, encoding="UTF-8", xml_declaration=False)
        for placeholder, markup in splices or ():
            if answer.count(placeholder) != 1:
                raise RuntimeError(f"spliced markup without its place: {placeholder!r}")
            answer = answer.replace(placeholder, markup)
        ctx.out_string = [answer]

    def _write_member(self, ctx, member: _Member, value, parent) -> None:
        if value is None:
            SubElement(parent, member.tag, NIL_ATTR)
        elif member.text is not None:
            SubElement(parent, member.tag).text = member.text(value)
        elif member.plan is not None and isinstance(value, member.plan.orig):
            self._write(ctx, member.plan, value, parent, member.tag)
        elif member.plan is not None and member.plan.direct and isinstance(value, member.plan.direct[0]):
            member.plan.direct[1](value, parent, member.tag)
        else:
            super().to_parent(ctx, member.cls, value, parent, member.ns, member.name)

    # ------------------------------------------------------------------------------ planning

    def _plannable(self, cls) -> bool:
        """A complex type Spyne writes with complex_to_parent, whose members are plain elements."""
        if not isinstance(cls, type) or not issubclass(cls, ComplexModelBase):
            return False
        if issubclass(cls, (XmlAttribute, XmlData)) or self.get_cls_attrs(cls).prot is not None:
            return False
        if getattr(self.serialization_handlers[cls], "__func__", None) is not XmlDocument.complex_to_parent:
            return False
        for member in ComplexModelBase.get_flat_type_info(cls).values():
            if isinstance(member, type) and issubclass(member, (XmlAttribute, XmlData)):
                return False
            attrs = self.get_cls_attrs(member)
            if attrs.default is not None or attrs.prot is not None:
                return False
        return True

    def _plan(self, cls) -> _Plan | None:
        if not self._plannable(cls):
            self._plans[cls] = None
            return None
        attrs = self.get_cls_attrs(cls)
        plan = self._plans[cls] = _Plan()  # in the map first: a type may contain itself
        plan.orig = cls.get_orig()
        plan.sub_name = attrs.sub_name
        plan.sub_ns = attrs.sub_ns
        plan.members = ()
        plan.direct = self._direct_writers.get(plan.orig)
        members = []
        for key, member_cls in cls.get_flat_type_info(cls).items():
            member_attrs = self.get_cls_attrs(member_cls)
            if member_attrs.exc:
                continue
            member = _Member()
            member.attr = key
            member.cls = member_cls
            sub_ns = member_cls.Attributes.sub_ns
            member.ns = cls.get_namespace() if sub_ns is None else sub_ns
            sub_name = member_cls.Attributes.sub_name
            member.name = key if sub_name is None else sub_name
            member.many = member_attrs.max_occurs > 1
            member.nil_when_none = bool(member_attrs.nillable or member_attrs.min_occurs > 0)
            member.text = member.native = None
            member_plan = self._plans.get(member_cls, _UNPLANNED)
            member.plan = self._plan(member_cls) if member_plan is _UNPLANNED else member_plan
            if member.plan is not None:
                member.tag = _complex_tag(member.plan, member.ns, member.name, member_cls)
            else:
                member.tag = tag_name(member.ns, member.name)
                member.text = self._text(member_cls)
                member.native = str if member.text is not None and member.text.func is _unicode_text else None
            members.append(member)
        plan.members = tuple(members)
        return plan

    def _text(self, cls):
        """The member's text for a value, for primitives Spyne writes with modelbase_to_parent."""
        if getattr(self.serialization_handlers[cls], "__func__", None) is not XmlDocument.modelbase_to_parent:
            return None
        handler = self.to_unicode_handlers[cls]
        attrs = self.get_cls_attrs(cls)
        if getattr(handler, "__func__", None) is Soap11.unicode_to_unicode and attrs.format is None:
            if attrs.str_format is None:
                return partial(_unicode_text, handler, cls)
        return partial(handler, cls)


def local_name(tag) -> str:
    """An element's tag without its namespace; "" for a comment's or processing instruction's."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text_reader(empty_is_none: bool) -> Callable:
    """Spyne's unicode_from_element for a plain string type, without soft validation, in one call
    instead of four: most values of a request are strings."""

    def read(ctx, cls, elt):
        text = elt.text
        return text if text else (None if empty_is_none else "")

    return read


def _unicode_text(handler, cls, value):
    return value if value.__class__ is str else handler(cls, value)


def _complex_tag(plan: _Plan, ns, name, cls) -> str:
    """The tag Spyne's complex_to_parent gives a value of this type written as `name` in `ns`."""
    if plan.sub_name is not None:
        name = plan.sub_name
    if name is None:
        name = cls.get_type_name()
    if plan.sub_ns not in (None, DEFAULT_NS):
        ns = plan.sub_ns
    return tag_name(ns, name)
