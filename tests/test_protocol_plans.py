"""soap/protocol.py reads requests and writes answers from plans made once per type; what it reads
and writes must be what Spyne's own reader and writer do, for every message and every shape of
value: absent and nil members, empty and repeated arrays, every primitive, text that needs escaping."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from lxml import etree
from spyne.model.complex import ComplexModelBase
from spyne.model.primitive import Boolean, DateTime, Integer
from spyne.protocol.soap import Soap11

from mockmkto.domain.leads import LeadView
from mockmkto.soap import types as T
from mockmkto.soap.lead_service import DIRECT_WRITERS
from mockmkto.soap.protocol import NIL, MktowsSoap11
from mockmkto.soap.server import MktowsServer

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TEXTS = [
    "",
    "plain",
    "a < b & c > d",
    "ünïcødé ✓",
    "  spaced  ",
    "line\nbreak",
    "crlf\r\n",
    "'quotes\"",
    "]]>",
    "&amp;",
    "<mockmkto-splice>0</mockmkto-splice>",  # what marks spliced markup's place cannot be forged
    ' xsi:nil="true"/>',
]


class SpyneOnly(MktowsSoap11):
    """The same protocol with its plans bypassed: every value goes through Spyne's own reader and
    writer, with what MktowsSoap11 changes of them (nils, whole seconds, the XSD's texts)."""

    def to_parent(self, ctx, cls, inst, parent, ns, *args, **kwargs):
        if inst is NIL:
            return self.null_to_parent(ctx, cls, None, parent, ns, *args, **kwargs)
        return super(MktowsSoap11, self).to_parent(ctx, cls, inst, parent, ns, *args, **kwargs)

    def complex_from_element(self, ctx, cls, elt):
        return super(MktowsSoap11, self).complex_from_element(ctx, cls, elt)


def sample(cls, rng: random.Random, depth: int = 0):
    """A value of the (customized) Spyne type: members present, absent or None at random."""
    if issubclass(cls, ComplexModelBase):
        orig = cls.__orig__ or cls
        inst = orig()
        for key, member in orig.get_flat_type_info(orig).items():
            roll = rng.random()
            if roll < 0.2 or depth > 5:
                continue
            if roll < 0.3:
                setattr(inst, key, None)
            elif member.Attributes.max_occurs > 1:
                setattr(inst, key, [sample(member, rng, depth + 1) for _ in range(rng.randrange(4))])
            else:
                setattr(inst, key, sample(member, rng, depth + 1))
        return inst
    if issubclass(cls, Boolean):
        return rng.random() < 0.5
    if issubclass(cls, Integer):
        return rng.randrange(-(2**31), 2**31)
    if issubclass(cls, DateTime):
        return datetime(2013, 8, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**9), microseconds=123)
    values = cls.Attributes.values
    return rng.choice(sorted(values)) if values else rng.choice(TEXTS)


def written(protocol: MktowsSoap11, cls, inst) -> bytes:
    """The value in an envelope as serialize and create_out_string make it: Marketo's prefixes
    declared on the envelope, unused declarations cleaned up at the end."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"SOAP-ENV": SOAP_ENV, "xsi": XSI, "ns1": T.TNS})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    ctx = SimpleNamespace(outprot_ctx=SimpleNamespace(), out_document=envelope, out_string=None)
    protocol.to_parent(ctx, cls, inst, body, T.TNS, cls.get_type_name())
    etree.cleanup_namespaces(envelope)
    protocol.create_out_string(ctx)
    (answer,) = ctx.out_string
    return answer


@pytest.mark.parametrize("operation", sorted(T.OPERATIONS))
def test_every_success_message_is_written_as_spyne_writes_it(operation):
    success = T.OPERATIONS[operation][1]
    planned, spyne = MktowsSoap11(), SpyneOnly()
    rng = random.Random(operation)
    for _ in range(40):
        inst = sample(success, rng)
        assert written(planned, success, inst) == written(spyne, success, inst)


@pytest.mark.parametrize("operation", sorted(T.OPERATIONS))
def test_every_params_message_is_read_as_spyne_reads_it(operation):
    params = T.OPERATIONS[operation][0]
    planned, spyne = MktowsSoap11(), SpyneOnly()
    rng = random.Random(operation)
    for _ in range(40):
        sent = written(spyne, params, sample(params, rng))
        element = etree.fromstring(sent)[0][0]
        element.insert(0, etree.Comment("a comment is skipped"))
        etree.SubElement(element, "notAMember").text = "ignored"
        assert written(spyne, params, planned.from_element(None, params, element)) == written(
            spyne, params, spyne.from_element(None, params, element)
        )


def test_a_nillable_member_without_a_value_is_written_nil():
    status = T.SyncStatus(leadId=5, status="UPDATED")
    xml = written(MktowsSoap11(), T.SyncStatus, status).decode()
    assert '<error xsi:nil="true"/>' in xml


def success_messages() -> list:
    return [T.OPERATIONS[operation][1] for operation in sorted(T.OPERATIONS)]


def types_in(messages: list) -> set:
    """The messages' types and every type their members are, all the way down."""
    found: set = set()
    todo = list(messages)
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            if issubclass(cls, ComplexModelBase):
                todo.extend(cls.get_flat_type_info(cls).values())
    return found


def test_one_protocol_writes_every_message_in_any_order_as_spyne_writes_it():
    planned, spyne = MktowsSoap11(), SpyneOnly()
    rng = random.Random("interleaved")
    for _ in range(10):
        for success in rng.sample(success_messages(), len(T.OPERATIONS)):
            inst = sample(success, rng)
            assert written(planned, success, inst) == written(spyne, success, inst)


def test_writing_more_values_of_a_type_looks_none_of_its_types_up_again(monkeypatch):
    protocol = MktowsSoap11()
    rng = random.Random("looked up")
    for success in success_messages():
        written(protocol, success, sample(success, rng))
    looked_up = []
    look_up = protocol.get_cls_attrs

    def spy(cls):
        if issubclass(cls, ComplexModelBase):
            looked_up.append(cls)
        return look_up(cls)

    monkeypatch.setattr(protocol, "get_cls_attrs", spy)
    for _ in range(10):
        for success in success_messages():
            written(protocol, success, sample(success, rng))
    assert looked_up == []


def test_the_writer_keeps_one_plan_per_type_however_many_values_it_writes():
    protocol = MktowsSoap11()
    rng = random.Random("kept")
    for _ in range(20):
        for success in success_messages():
            written(protocol, success, sample(success, rng))
    assert protocol.plans_kept == len(types_in(success_messages()))


def random_lead_view(rng: random.Random, maybe: list) -> LeadView:
    attributes = [
        (rng.choice(maybe), rng.choice(["string", "integer", None]), rng.choice(maybe)) for _ in range(rng.randrange(4))
    ]
    return LeadView(rng.randrange(1, 2**31), rng.choice(maybe), rng.choice(maybe), rng.choice(maybe), attributes)


def as_lead_record(view: LeadView) -> T.LeadRecord:
    return T.LeadRecord(
        Id=view.id,
        Email=view.email,
        ForeignSysPersonId=view.foreign_sys_person_id,
        ForeignSysType=view.foreign_sys_type,
        leadAttributeList=T.ArrayOfAttribute(
            attribute=[T.Attribute(attrName=n, attrType=t, attrValue=v) for n, t, v in view.attributes]
        ),
    )


def assert_written_as_spyne_writes(views: list[LeadView]) -> None:
    direct = T.ResultGetLead(count=len(views), leadRecordList=T.ArrayOfLeadRecord(leadRecord=views))
    spyne = T.ResultGetLead(
        count=len(views), leadRecordList=T.ArrayOfLeadRecord(leadRecord=[as_lead_record(v) for v in views])
    )
    assert written(MktowsSoap11(DIRECT_WRITERS), T.ResultGetLead, direct) == written(
        SpyneOnly(), T.ResultGetLead, spyne
    )


def test_a_lead_view_is_written_as_spyne_writes_its_lead_record():
    rng = random.Random("leads")
    for _ in range(60):
        assert_written_as_spyne_writes([random_lead_view(rng, TEXTS + [None])])


@pytest.mark.parametrize("maybe", [[t for t in TEXTS if t], TEXTS + [None]], ids=["no-nil", "nil"])
def test_a_page_of_lead_views_is_spliced_as_spyne_writes_it(maybe):
    rng = random.Random("pages")
    for _ in range(20):
        assert_written_as_spyne_writes([random_lead_view(rng, maybe) for _ in range(rng.randrange(1, 12))])


def test_a_page_is_spliced_as_markup():
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"xsi": XSI})
    ctx = SimpleNamespace(outprot_ctx=SimpleNamespace(), out_document=envelope, out_string=None)
    views = [LeadView(1, None, None, None, [("City", "string", "Oslo")])]
    page = T.ArrayOfLeadRecord(leadRecord=views)
    MktowsSoap11(DIRECT_WRITERS).to_parent(ctx, T.ArrayOfLeadRecord, page, envelope, T.TNS)
    assert len(ctx.outprot_ctx.splices) == 1
    assert len(envelope.xpath("//*[local-name()='leadRecord']")) == 0


@pytest.mark.parametrize("text", ["bell\x07", "lone \ud800 surrogate", "not a character \ufffe"])
def test_a_page_with_a_character_xml_forbids_fails_as_spyne_fails(text):
    views = [LeadView(1, "a@example.com", None, None, [("City", "string", text)])]
    with pytest.raises(ValueError):
        assert_written_as_spyne_writes(views)
    with pytest.raises(ValueError):
        written(SpyneOnly(), T.LeadRecord, as_lead_record(views[0]))


def answer_bytes(serialize, protocol, descriptor, inst) -> bytes:
    ctx = SimpleNamespace(
        descriptor=descriptor,
        out_error=None,
        out_header=None,
        out_object=(inst,),
        outprot_ctx=SimpleNamespace(),
        out_document=None,
        out_body_doc=None,
        out_string=None,
    )
    serialize(protocol, ctx, protocol.RESPONSE)
    protocol.create_out_string(ctx)
    (answer,) = ctx.out_string
    return answer


def test_every_answer_envelope_is_written_as_spyne_writes_it(monkeypatch):
    """Spyne's serialize declares the interface's namespaces on the envelope: given the answer's
    (Marketo's prefixes), it writes the same bytes."""
    protocol = MktowsServer().app.out_protocol
    descriptors = [d for ds in protocol.app.interface.service_method_map.values() for d in ds]
    assert len(descriptors) == len(T.OPERATIONS)
    rng = random.Random("envelopes")
    for descriptor in descriptors:
        for _ in range(10):
            inst = sample(descriptor.out_message, rng)
            ours = answer_bytes(MktowsSoap11.serialize, protocol, descriptor, inst)
            with monkeypatch.context() as patch:
                patch.setattr(protocol.app.interface, "nsmap", protocol.answer_nsmap)
                assert ours == answer_bytes(Soap11.serialize, protocol, descriptor, inst)
