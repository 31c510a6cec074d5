"""Generate mockmkto/soap/types.py (the mktows contract as Spyne models) from the facts of
Marketo's 2_6 WSDL (wsdl/mktows-2_6.json, made by tools/wsdl_facts.py).

Run when the facts change:
    python tools/gen_contract.py
It writes the module formatted as `ruff format` would. The 3_1 additions (moveCookie,
cloneToProgramName) are applied here so the generated module is the single source of truth for
the published WSDL; tests/test_contract.py checks that the module is what this writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "wsdl" / "mktows-2_6.json"
TYPES = ROOT / "mockmkto" / "soap" / "types.py"
PRIMITIVES = {
    "xs:string": "Unicode",
    "xs:int": "Integer32",
    "xs:integer": "Integer",
    "xs:boolean": "Boolean",
    "xs:dateTime": "DateTime",
    "xs:anySimpleType": "AnySimpleType",
    "xs:base64Binary": "ByteArray",
}
# 3_1 additions: (type, field inserted, after this field, xs type)
ADDITIONS_3_1 = [
    ("ParamsSyncLead", "moveCookie", "marketoCookie", "xs:boolean"),
    ("ParamsScheduleCampaign", "cloneToProgramName", "programName", "xs:string"),
]


def field_expr(field: dict, simple_types: set[str], shared: dict[str, str]) -> str:
    """A field's (name, Spyne class). A simple type customized alike for several fields is one
    class, made once (`shared`: its name -> its expression): Spyne's customize makes a class per
    call, and making 286 of them took ~35 ms of mockmkto's start-up (123 are distinct)."""
    base = PRIMITIVES.get(field["type"]) or field["type"].split(":", 1)[1]
    min_occurs, many, nillable = field["minOccurs"], field["maxOccurs"] != 1, field["nillable"]
    args = [f"min_occurs={min_occurs}", f"nillable={nillable}", 'sub_ns=""']
    if many:
        args.append('max_occurs="unbounded"')
    expr = f"{base}.customize({', '.join(args)})"
    if base in simple_types:
        name = base + ("Required" if min_occurs else "Optional") + ("Nillable" if nillable else "")
        name += "List" if many else ""
        if shared.setdefault(name, expr) != expr:
            raise ValueError(f"{name} would name both {shared[name]} and {expr}")
        expr = name
    return f'("{field["name"]}", {expr})'


def local(qname: str) -> str:
    return qname.split(":", 1)[1]


def with_additions(name: str, fields: list[dict]) -> list[dict]:
    """The fields of complex type `name` with the 3_1 additions in their places."""
    result = []
    for field in fields:
        result.append(field)
        for type_name, added, after, xs_type in ADDITIONS_3_1:
            if (type_name, after) == (name, field["name"]):
                result.append({"name": added, "type": xs_type, "minOccurs": 0, "maxOccurs": 1, "nillable": True})
    return result


def generate(facts: dict) -> str:
    """The source of mockmkto/soap/types.py, formatted by ruff."""
    schema = facts["schema"]
    complex_types, simple_types = schema["complexTypes"], schema["simpleTypes"]

    def deps(name: str):
        """The types of Marketo's namespace that complex type `name` names: its fields', its base."""
        complex_type = complex_types[name]
        for qname in [*(field["type"] for field in complex_type["sequence"]), complex_type["extends"]]:
            if qname and qname.startswith("tns:"):
                yield local(qname)

    # Python classes come after the classes they name: dependencies first, else Marketo's order.
    emitted: list[str] = []

    def emit(name: str, pending: tuple[str, ...] = ()) -> None:
        if name in emitted or name in pending or name not in complex_types:
            return
        for dependency in deps(name):
            emit(dependency, pending + (name,))
        emitted.append(name)

    for name in complex_types:
        emit(name)
    # What a global element reaches (a base reaches its extensions, sent as xsi:type); the rest
    # the application publishes as well (UNREFERENCED), as Marketo's schema declares it.
    reachable: set[str] = set()
    todo = [local(t) for t in schema["elements"].values()]
    while todo:
        name = todo.pop()
        if name in reachable:
            continue
        reachable.add(name)
        if name in complex_types:
            todo.extend(deps(name))
            todo.extend(sub for sub, t in complex_types.items() if t["extends"] == f"tns:{name}")
    known_simple = set(PRIMITIVES.values()) | set(simple_types)
    shared: dict[str, str] = {}
    classes: list[str] = []
    for name in emitted:
        complex_type = complex_types[name]
        base = local(complex_type["extends"]) if complex_type["extends"] else "MktowsModel"
        classes += ["", f"class {name}({base}):"]
        if complex_type["extends"]:
            # Spyne only records inheritance from a base that has fields; LeadSelector has none.
            classes += [f"    __extends__ = {base}", ""]
        fields = [field_expr(f, known_simple, shared) for f in with_additions(name, complex_type["sequence"])]
        if fields:
            classes += ["    _type_info = [", *(f"        {f}," for f in fields), "    ]"]
        elif not complex_type["extends"]:
            classes.append("    pass")
        classes.append("")

    def element_type(message: str) -> str:
        (part,) = facts["messages"][local(message)]
        return local(schema["elements"][local(part["element"])])

    (port_type,) = facts["portTypes"].values()
    (binding,) = facts["bindings"].values()
    out = [
        '"""The mktows contract as Spyne models, generated by tools/gen_contract.py from the facts of',
        "Marketo's 2_6 WSDL (wsdl/mktows-2_6.json) plus the 3_1 additions. Do not edit by hand: change",
        'the generator and run it again."""',
        "",
        "from __future__ import annotations",
        "",
        "from spyne.model.binary import ByteArray",
        "from spyne.model.primitive import Integer",
        "",
        "from mockmkto.soap.model import MktowsModel",
        "from mockmkto.soap.primitives import TNS, AnySimpleType, Boolean, DateTime, Integer32, Unicode, enum",
        "",
        "",
        *(f"{name} = enum({name!r}, {t['enumeration']!r})" for name, t in simple_types.items()),
        "",
        "# Simple types as the elements below declare them, each made once and shared.",
        *(f"{name} = {expr}" for name, expr in sorted(shared.items())),
        "",
        *classes,
        "",
        "# Types no operation uses, published because Marketo's WSDL declares them.",
        f"UNREFERENCED = ({', '.join(n for n in [*simple_types, *complex_types] if n not in reachable)},)",
        "",
        "# Operation name -> (params type, success type), in the binding's order.",
        "OPERATIONS = {",
        *(
            f"    {op!r}: ({element_type(port_type[op]['input'])}, {element_type(port_type[op]['output'])}),"
            for op in binding["operations"]
        ),
        "}",
    ]
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--line-length=120", "-"],
        input="\n".join(out) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    return formatted.stdout


if __name__ == "__main__":
    TYPES.write_text(generate(json.loads(FACTS.read_text(encoding="utf-8"))), encoding="utf-8")
