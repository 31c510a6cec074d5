"""The facts of a WSDL document: what a client of it can rely on, none of its prose or layout.

Derived once from Marketo's 2_6 WSDL into the project's facts file:
    python tools/wsdl_facts.py ../shared/reference/mktows-2_6.wsdl > wsdl/mktows-2_6.json
which tools/gen_contract.py and the contract tests read. The tests derive the served WSDL's facts
the same way (`facts`) to compare them, and give clients and schema validation Marketo's WSDL as
`document` writes it back from its facts. Every attribute is resolved to its value (a missing
minOccurs is 1), qualified names keep their document's prefix (`tns:`, `xs:`), and every list
keeps the document's order.
"""

from __future__ import annotations

import json
import sys

from lxml import etree

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
XS_NS = "http://www.w3.org/2001/XMLSchema"
NS = {"wsdl": WSDL_NS, "soap": SOAP_NS, "xs": XS_NS}


def facts(root: etree._Element) -> dict:
    """The facts of the WSDL document whose `wsdl:definitions` is `root`."""
    schema = root.find("wsdl:types/xs:schema", NS)
    binding = root.find("wsdl:binding", NS)
    soap_binding = binding.find("soap:binding", NS)
    return {
        "name": root.get("name"),
        "targetNamespace": root.get("targetNamespace"),
        "schema": {
            "targetNamespace": schema.get("targetNamespace"),
            "elementFormDefault": schema.get("elementFormDefault", "unqualified"),
            "simpleTypes": {t.get("name"): _simple_type(t) for t in schema.findall("xs:simpleType", NS)},
            "complexTypes": {t.get("name"): _complex_type(t) for t in schema.findall("xs:complexType", NS)},
            "elements": _elements(schema),
        },
        "messages": {
            m.get("name"): [{"name": p.get("name"), "element": p.get("element")} for p in m.findall("wsdl:part", NS)]
            for m in root.findall("wsdl:message", NS)
        },
        "portTypes": {
            p.get("name"): {
                o.get("name"): {
                    "input": o.find("wsdl:input", NS).get("message"),
                    "output": o.find("wsdl:output", NS).get("message"),
                    "parameterOrder": o.get("parameterOrder"),
                }
                for o in p.findall("wsdl:operation", NS)
            }
            for p in root.findall("wsdl:portType", NS)
        },
        "bindings": {
            binding.get("name"): {
                "type": binding.get("type"),
                "style": soap_binding.get("style"),
                "transport": soap_binding.get("transport"),
                "operations": {o.get("name"): _binding_operation(o) for o in binding.findall("wsdl:operation", NS)},
            }
        },
        "services": {
            s.get("name"): {
                p.get("name"): {"binding": p.get("binding"), "address": p.find("soap:address", NS).get("location")}
                for p in s.findall("wsdl:port", NS)
            }
            for s in root.findall("wsdl:service", NS)
        },
    }


def _simple_type(simple_type: etree._Element) -> dict:
    restriction = simple_type.find("xs:restriction", NS)
    return {
        "base": restriction.get("base"),
        "enumeration": [e.get("value") for e in restriction.findall("xs:enumeration", NS)],
    }


def _complex_type(complex_type: etree._Element) -> dict:
    extension = complex_type.find("xs:complexContent/xs:extension", NS)
    holder = complex_type if extension is None else extension
    others = [
        etree.QName(child).localname
        for child in complex_type
        if isinstance(child.tag, str) and child.tag not in (f"{{{XS_NS}}}sequence", f"{{{XS_NS}}}complexContent")
    ]
    if others:
        raise ValueError(f"{complex_type.get('name')}: {others} are not facts this file knows how to keep")
    return {
        "abstract": complex_type.get("abstract") == "true",
        "extends": None if extension is None else extension.get("base"),
        "sequence": [_field(e) for e in holder.findall("xs:sequence/xs:element", NS)],
    }


def _field(element: etree._Element) -> dict:
    max_occurs = element.get("maxOccurs", "1")
    return {
        "name": element.get("name"),
        "type": element.get("type"),
        "minOccurs": int(element.get("minOccurs", "1")),
        "maxOccurs": max_occurs if max_occurs == "unbounded" else int(max_occurs),
        "nillable": element.get("nillable", "false") == "true",
    }


def _elements(schema: etree._Element) -> dict[str, str]:
    """Global element -> type. A name declared twice alike is one element (Marketo's 2_6 declares
    paramsGetChannels twice); declared twice differently is no fact at all."""
    elements: dict[str, str] = {}
    for element in schema.findall("xs:element", NS):
        name, type_name = element.get("name"), element.get("type")
        if elements.setdefault(name, type_name) != type_name:
            raise ValueError(f"element {name} is declared as {elements[name]} and as {type_name}")
    return elements


def _binding_operation(operation: etree._Element) -> dict:
    def message(direction: str) -> dict:
        node = operation.find(f"wsdl:{direction}", NS)
        return {
            "headers": [
                {"message": h.get("message"), "part": h.get("part"), "use": h.get("use")}
                for h in node.findall("soap:header", NS)
            ],
            "body": node.find("soap:body", NS).get("use"),
        }

    soap_operation = operation.find("soap:operation", NS)
    return {
        "soapAction": soap_operation.get("soapAction"),
        "style": soap_operation.get("style"),
        "input": message("input"),
        "output": message("output"),
    }


def document(facts: dict) -> etree._Element:
    """The WSDL document of `facts`: `facts(document(f)) == f`."""

    def add(parent: etree._Element, namespace: str, tag: str, **attributes) -> etree._Element:
        present = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in attributes.items() if v is not None}
        return etree.SubElement(parent, f"{{{namespace}}}{tag}", present)

    tns = facts["targetNamespace"]
    root = etree.Element(
        f"{{{WSDL_NS}}}definitions",
        nsmap={"soap": SOAP_NS, "tns": tns, "wsdl": WSDL_NS, "xs": XS_NS},
        name=facts["name"],
        targetNamespace=tns,
    )
    schema_facts = facts["schema"]
    schema = add(
        add(root, WSDL_NS, "types"),
        XS_NS,
        "schema",
        targetNamespace=schema_facts["targetNamespace"],
        elementFormDefault=schema_facts["elementFormDefault"],
    )
    for name, simple_type in schema_facts["simpleTypes"].items():
        restriction = add(add(schema, XS_NS, "simpleType", name=name), XS_NS, "restriction", base=simple_type["base"])
        for value in simple_type["enumeration"]:
            add(restriction, XS_NS, "enumeration", value=value)
    for name, complex_type in schema_facts["complexTypes"].items():
        holder = add(schema, XS_NS, "complexType", name=name, abstract=complex_type["abstract"] or None)
        if complex_type["extends"]:
            holder = add(add(holder, XS_NS, "complexContent"), XS_NS, "extension", base=complex_type["extends"])
        sequence = add(holder, XS_NS, "sequence")
        for field in complex_type["sequence"]:
            add(sequence, XS_NS, "element", **field)
    for name, type_name in schema_facts["elements"].items():
        add(schema, XS_NS, "element", name=name, type=type_name)
    for name, parts in facts["messages"].items():
        message = add(root, WSDL_NS, "message", name=name)
        for part in parts:
            add(message, WSDL_NS, "part", **part)
    for name, operations in facts["portTypes"].items():
        port_type = add(root, WSDL_NS, "portType", name=name)
        for operation_name, operation in operations.items():
            node = add(port_type, WSDL_NS, "operation", name=operation_name, parameterOrder=operation["parameterOrder"])
            add(node, WSDL_NS, "input", message=operation["input"])
            add(node, WSDL_NS, "output", message=operation["output"])
    for name, binding_facts in facts["bindings"].items():
        binding = add(root, WSDL_NS, "binding", name=name, type=binding_facts["type"])
        add(binding, SOAP_NS, "binding", style=binding_facts["style"], transport=binding_facts["transport"])
        for operation_name, operation in binding_facts["operations"].items():
            node = add(binding, WSDL_NS, "operation", name=operation_name)
            add(node, SOAP_NS, "operation", soapAction=operation["soapAction"], style=operation["style"])
            for direction in ("input", "output"):
                holder = add(node, WSDL_NS, direction)
                for header in operation[direction]["headers"]:
                    add(holder, SOAP_NS, "header", **header)
                add(holder, SOAP_NS, "body", use=operation[direction]["body"])
    for name, ports in facts["services"].items():
        service = add(root, WSDL_NS, "service", name=name)
        for port_name, port in ports.items():
            add(
                add(service, WSDL_NS, "port", name=port_name, binding=port["binding"]),
                SOAP_NS,
                "address",
                location=port["address"],
            )
    return root


def dumps(value, indent: str = "") -> str:
    """JSON with one line per field, enumeration or message part: short lines, readable diffs."""
    inner = indent + "  "
    if isinstance(value, dict) and any(isinstance(v, (dict, list)) for v in value.values()):
        items = [f"{inner}{json.dumps(k)}: {dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}" if items else "{}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value)


if __name__ == "__main__":
    print(dumps(facts(etree.parse(sys.argv[1]).getroot())))
