"""Validation of responses against Marketo's own schema (the <xs:schema> of its 2_6 WSDL, as the
facts file holds it: tests/reference.py).

Other test modules use it as
    from tests.schema import assert_valid_success
    assert_valid_success(root)          # root: the parsed response envelope
"""

from __future__ import annotations

import copy
from functools import cache

from lxml import etree

from tests.reference import FACTS
from tests.soap import NS, TNS
from tools.wsdl_facts import document

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XS_NS = "http://www.w3.org/2001/XMLSchema"


@cache
def reference_xml_schema() -> etree.XMLSchema:
    """Marketo's schema, built once."""
    definitions = document(FACTS)
    schema_node = definitions.find(f"{{{WSDL_NS}}}types/{{{XS_NS}}}schema")
    # type="tns:..." values use prefixes declared on wsdl:definitions: declare them on the schema itself.
    standalone = etree.Element(schema_node.tag, dict(schema_node.attrib), nsmap=definitions.nsmap)
    standalone.extend(copy.deepcopy(child) for child in schema_node)
    return etree.XMLSchema(etree.ElementTree(standalone))


def success_element(root: etree._Element) -> etree._Element:
    """The Body child of a response envelope, which must be a successX element of Marketo's namespace."""
    body = root.find("env:Body", NS)
    assert body is not None, "response has no SOAP Body"
    children = [child for child in body if isinstance(child.tag, str)]
    assert len(children) == 1, f"Body must hold exactly one element, got {[c.tag for c in children]}"
    (element,) = children
    qname = etree.QName(element)
    assert qname.namespace == TNS and qname.localname.startswith("success"), f"not a successX element: {element.tag}"
    return element


def schema_errors(element: etree._Element, schema: etree.XMLSchema) -> list[str]:
    """Every violation of `schema` by `element` (validated as a document of its own)."""
    tree = etree.ElementTree(etree.fromstring(etree.tostring(element)))
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def assert_valid_success(root: etree._Element) -> etree._Element:
    """Assert the response's successX element is valid against Marketo's schema; return it."""
    schema = reference_xml_schema()
    element = success_element(root)
    errors = schema_errors(element, schema)
    assert not errors, f"{etree.QName(element).localname} is not valid against the reference schema:\n" + "\n".join(
        errors
    )
    return element


def validate_success_responses(response, *args, **kwargs):
    """A requests response hook: every 200 answer of a SOAP endpoint must be valid against
    Marketo's schema, so every operation the suite exercises is checked."""
    if response.status_code != 200 or "/soap/mktows/" not in response.url or response.request.method != "POST":
        return
    assert_valid_success(etree.fromstring(response.content))
