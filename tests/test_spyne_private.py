"""One test per private name of Spyne's that mockmkto/soap/spyne_private.py puts under a public
one: a Spyne or Python release that drops one, or changes what soap/ relies on it for, fails the
test named after it."""

from __future__ import annotations

import sys

from lxml import etree
from spyne.model.complex import ComplexModel, XmlData
from spyne.model.primitive import Integer32, Unicode

from mockmkto.soap.spyne_private import (
    Soap11,
    alternative_members,
    bundled_six_importer,
    tag_name,
    xml_data_members,
)

NS = "urn:mockmkto:test"


class Member(ComplexModel):
    __namespace__ = NS
    text = Unicode
    number = Integer32
    renamed = Integer32.customize(sub_name="other")


class Text(ComplexModel):
    __namespace__ = NS
    value = XmlData(Unicode)


class Outer(ComplexModel):
    __namespace__ = NS
    member = Member


def test_six_importer_serves_spyne_util_six_moves():
    importer = bundled_six_importer(sys.modules["spyne.util.six"])
    assert importer in sys.meta_path, "spyne.util.six._importer is not the importer six put on sys.meta_path"
    spec = importer.find_spec("spyne.util.six.moves")
    assert spec is not None, "spyne.util.six._importer's class does not know spyne.util.six.moves"
    moves = importer.create_module(spec)
    assert moves is sys.modules["spyne.util.six.moves"], "spyne.util.six._importer does not make six.moves"


def test_gen_tagname_is_a_tag_in_clark_notation():
    assert tag_name(NS, "leadRecord") == f"{{{NS}}}leadRecord", "spyne.protocol.xml._gen_tagname changed"
    assert tag_name(None, "leadRecord") == "leadRecord", "spyne.protocol.xml._gen_tagname changed"


def test_type_info_alt_names_a_member_by_its_sub_name():
    assert alternative_members(Member) == {"other": (Member._type_info["renamed"], "renamed")}, (
        "ComplexModelBase._type_info_alt no longer maps a sub_name to (class, key)"
    )


def test_xml_tag_body_as_lists_the_xml_data_members():
    protocol = Soap11()
    assert xml_data_members(protocol.get_cls_attrs(Text)) == [("value", Text._type_info["value"])], (
        "Attributes._xml_tag_body_as no longer lists a type's XmlData members"
    )
    assert xml_data_members(protocol.get_cls_attrs(Member)) is None, (
        "Attributes._xml_tag_body_as is set without XmlData"
    )


def test_to_unicode_handlers_write_a_primitives_text():
    protocol = Soap11()
    protocol.to_unicode_handlers[Unicode] = lambda cls, value: value.upper()
    parent = etree.Element("parent")
    protocol.to_parent(None, Member, Member(text="written"), parent, NS)
    assert parent.findtext(f"{{{NS}}}Member/{{{NS}}}text") == "WRITTEN", (
        "Spyne's writer no longer writes texts with ProtocolBase._to_unicode_handlers"
    )


def test_from_unicode_handlers_read_a_primitives_text():
    protocol = Soap11()
    protocol.from_unicode_handlers[Integer32] = lambda cls, text: -int(text)
    member = protocol.from_element(None, Member, etree.fromstring(f'<Member xmlns="{NS}"><number>7</number></Member>'))
    assert member.number == -7, "Spyne's reader no longer reads texts with ProtocolBase._from_unicode_handlers"


def test_get_members_etree_writes_every_complex_value():
    class Seeing(Soap11):
        seen: list[type] = []

        def members_to_parent(self, ctx, cls, inst, parent):
            self.seen.append(cls)
            return super().members_to_parent(ctx, cls, inst, parent)

    protocol = Seeing()
    parent = etree.Element("parent")
    protocol.to_parent(None, Outer, Outer(member=Member(number=1)), parent, NS)
    assert Seeing.seen == [Outer, Member], "Spyne's complex writer no longer calls XmlDocument._get_members_etree"
    assert parent.findtext(f"{{{NS}}}Outer/{{{NS}}}member/{{{NS}}}number") == "1", (
        "XmlDocument._get_members_etree no longer writes a value's members"
    )
