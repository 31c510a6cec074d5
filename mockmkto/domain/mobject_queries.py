"""getMObjects (spec section 11.3): Programs, Opportunities or OpportunityPersonRoles by id or external
key, criteria and associations, in id order, 100 a page with a stream position.

A Program's attribs and typeAttribs (tags, costs, tokens) are made from the campaign area's program;
an opportunity's or role's from its typed fields and links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from mockmkto.domain import streams, values
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.mobject_fields import (
    OPPORTUNITY,
    PROGRAM,
    SYNCABLE_TYPES,
    MObjField,
    mobject_fields,
    mobject_type,
    typed_value,
)
from mockmkto.domain.opportunities import RECORD_LINKS, RECORD_MODELS, Association, Link, associated_id
from mockmkto.domain.tags import CHANNEL
from mockmkto.domain.workspaces import DEFAULT_WORKSPACE
from mockmkto.store import account_repository, opportunity_repository, program_repository
from mockmkto.store.mobject_models import ProgramTag
from mockmkto.store.models import Program, Workspace

COMPARISONS = ("EQ", "NE", "LT", "LE", "GT", "GE")
PAGE_SIZE = 100
# The program types as the legacy API names them in getMObjects.
PROGRAM_TYPE_NAMES = {"Default": "Marketing Program", "Event": "Marketing Event"}
# Program criteria (the WSDL's list) that the mock's programs carry; the others have no data here.
PROGRAM_CRITERIA = ("Id", "Name", "Tag Type", "Tag Value", "Workspace Id", "Workspace Name", "Include Archive")


@dataclass
class Criterion:
    attr_name: str | None
    comparison: str | None
    attr_value: str | None


@dataclass
class MObjectView:
    """An MObject as getMObjects returns it."""

    type: str
    id: int
    attribs: list[tuple[str, str]]
    type_attribs: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    associations: list[tuple[str, int]] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class MObjectPage:
    objects: list[MObjectView]
    has_more: bool
    stream_position: str


def get_mobjects(
    session: Session,
    type_name: str | None,
    object_id: int | None = None,
    external_key: tuple[str | None, str | None] | None = None,
    criteria: list[Criterion] | None = None,
    associations: list[Association] | None = None,
    include_details: bool | None = None,
    stream_position: str | None = None,
) -> MObjectPage:
    """getMObjects: objects of one type by id or external key, criteria and associations, by id, 100 a page.

    `includeDetails` (Program only) false leaves the typeAttribs (tags, costs, tokens) out.
    """
    kind = mobject_type(type_name, SYNCABLE_TYPES)
    criteria = criteria or []
    associations = associations or []
    if object_id is not None and external_key:
        raise MarketoError(20110, "Give at most one of id and externalKey")
    query = streams.fingerprint(
        kind, object_id, external_key, [vars(c) for c in criteria], [vars(a) for a in associations]
    )
    after = streams.decode(stream_position, query)["after"] if stream_position and stream_position.strip() else 0
    if kind == PROGRAM:
        views = program_views(session, object_id, external_key, criteria, associations, include_details is not False)
    else:
        views = record_views(session, kind, object_id, external_key, criteria, associations)
    remaining = [view for view in views if view.id > after]
    page = remaining[:PAGE_SIZE]
    last = page[-1].id if page else after
    return MObjectPage(page, len(remaining) > PAGE_SIZE, streams.encode(query, after=last))


def program_views(
    session: Session,
    object_id: int | None,
    external_key,
    criteria: list[Criterion],
    associations: list[Association],
    details: bool,
) -> list[MObjectView]:
    if external_key or associations:
        raise MarketoError(20110, "Program objects are found by id and criteria only")
    tests = _program_tests(criteria)
    workspaces: dict[int | None, Workspace] = {w.id: w for w in account_repository.workspaces(session)}
    default = next((w for w in workspaces.values() if w.name == DEFAULT_WORKSPACE), None)
    views = []
    for program in program_repository.programs(session, object_id):
        workspace = workspaces.get(program.workspace_id) or default
        tags = program_repository.program_tags(session, program.id)
        facts = {
            "Id": program.id,
            "Name": program.name,
            "Workspace Id": workspace.id if workspace else None,
            "Workspace Name": workspace.name if workspace else DEFAULT_WORKSPACE,
            "Tags": [(t.tag_type, t.value) for t in tags],
        }
        if all(test(facts) for test in tests):
            views.append(_program_view(session, program, facts, tags, details))
    return views


def _program_view(session: Session, program: Program, facts: dict, tags: list[ProgramTag], details: bool):
    attribs = [
        ("Name", program.name),
        ("Type", PROGRAM_TYPE_NAMES.get(program.program_type, program.program_type)),
        ("Workspace Id", "" if facts["Workspace Id"] is None else str(facts["Workspace Id"])),
        ("Workspace Name", facts["Workspace Name"]),
        ("Tree Path", f"/Marketing Activities/{facts['Workspace Name']}/{program.name}"),
        ("Is Archived", "false"),
    ]
    view = MObjectView(PROGRAM, program.id, [(n, v) for n, v in attribs if v != ""])
    if not details:
        return view
    # The channel first, then the other tags, as Marketo lists them.
    for tag in sorted(tags, key=lambda t: (t.tag_type != CHANNEL, t.tag_type)):
        view.type_attribs.append(("Tag", [("Type", tag.tag_type), ("Value", tag.value)]))
    for cost in program_repository.program_costs(session, program.id):
        attribs = [("Id", str(cost.id)), ("Month", cost.month.isoformat()), ("Amount", _number(cost.amount))]
        view.type_attribs.append(("Cost", attribs + ([("Note", cost.note)] if cost.note else [])))
    for token, value in (program.tokens or {}).items():
        view.type_attribs.append(
            ("Token", [("Name", token.removeprefix("{{my.").removesuffix("}}")), ("Value", value)])
        )
    return view


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _program_tests(criteria: list[Criterion]) -> list:
    tag_types = [c for c in criteria if (c.attr_name or "").strip().casefold() == "tag type"]
    if len(tag_types) > 1:
        raise MarketoError(20110, "Only one Tag Type criterion may be given")
    tag_type = tag_types[0].attr_value if tag_types and _comparison(tag_types[0]) == "EQ" else None
    tests = []
    for criterion in criteria:
        comparison = _comparison(criterion)
        key = (criterion.attr_name or "").strip().casefold()
        name = next((n for n in PROGRAM_CRITERIA if n.casefold() == key), None)
        if name is None:
            raise MarketoError(20110, f"Unknown Program criterion {criterion.attr_name!r}")
        value = criterion.attr_value or ""
        if name in ("Id", "Workspace Id"):
            wanted = _criterion_number(criterion)
            tests.append(lambda facts, n=name, w=wanted, c=comparison: _compare(facts[n], w, c))
        elif name in ("Name", "Workspace Name"):
            tests.append(lambda facts, n=name, w=value.casefold(), c=comparison: _compare(facts[n].casefold(), w, c))
        elif name in ("Tag Type", "Tag Value"):
            if comparison not in ("EQ", "NE"):
                raise MarketoError(20110, f"{name} can only be compared with EQ or NE")
            tests.append(_tag_test(name, value, comparison, tag_type))
        elif value.strip().lower() not in ("true", "false"):
            raise MarketoError(20110, "Include Archive must be true or false")
    return tests


def _tag_test(name: str, value: str, comparison: str, tag_type: str | None):
    wanted = value.strip().casefold()

    def has(facts: dict) -> bool:
        if name == "Tag Type":
            return any(t.casefold() == wanted for t, _ in facts["Tags"])
        scoped = tag_type.strip().casefold() if tag_type else None
        return any(v.casefold() == wanted and (scoped is None or t.casefold() == scoped) for t, v in facts["Tags"])

    return has if comparison == "EQ" else (lambda facts: not has(facts))


def _comparison(criterion: Criterion) -> str:
    comparison = (criterion.comparison or "").strip().upper()
    if comparison not in COMPARISONS:
        raise MarketoError(20110, f"comparison must be one of {', '.join(COMPARISONS)}")
    return comparison


def _criterion_number(criterion: Criterion) -> float:
    try:
        return values.number(criterion.attr_value or "")
    except ValueError:
        raise MarketoError(20110, f"{criterion.attr_name} needs a number, got {criterion.attr_value!r}") from None


def _compare(actual, wanted, comparison: str) -> bool:
    if actual is None:
        return comparison == "NE"
    return {
        "EQ": actual == wanted,
        "NE": actual != wanted,
        "LT": actual < wanted,
        "LE": actual <= wanted,
        "GT": actual > wanted,
        "GE": actual >= wanted,
    }[comparison]


def record_views(
    session: Session,
    kind: str,
    object_id: int | None,
    external_key,
    criteria: list[Criterion],
    associations: list[Association],
) -> list[MObjectView]:
    fields = mobject_fields(session, kind)
    attribute = None
    if external_key:
        name, value = external_key
        if not name or name.strip() not in fields:
            raise MarketoError(20110, f"Unknown externalKey field {name!r}")
        attribute = (name.strip(), value or "")
    links: list[tuple[str, int]] = []
    persons: list[int] = []
    matching = True
    for association in associations:
        associated = _associated(session, kind, association)
        if associated is None:
            matching = False
        elif associated[0] is None:
            persons.append(associated[1])
        else:
            links.append((associated[0].column, associated[1]))
    tests = [_record_test(fields, criterion) for criterion in criteria]
    rows = (
        opportunity_repository.records(session, RECORD_MODELS[kind], object_id, attribute, links, persons)
        if matching
        else []
    )
    views = [_record_view(kind, row, fields) for row in rows]
    return [view for view in views if all(test(view) for test in tests)]


def _associated(session: Session, kind: str, association: Association) -> tuple[Link | None, int] | None:
    """The link an association filters by (None: an opportunity's person roles, by a Lead) and the
    associated object's id; None when that object does not exist, so no object matches."""
    key = (association.mobj_type or "").strip().casefold()
    spec = next((s for s in RECORD_LINKS[kind] if s.mobj_type.casefold() == key), None)
    by_role = kind == OPPORTUNITY and key == "lead"
    if spec is None and not by_role:
        raise MarketoError(20110, f"{kind} objects cannot be filtered by {association.mobj_type!r}")
    try:
        associated = associated_id(
            session, "Lead" if spec is None else spec.mobj_type, association.id, association.external_key
        )
    except MarketoError as error:
        if error.code != 20110:
            raise
        return None
    return spec, associated


def _record_view(kind: str, row, fields: dict[str, MObjField]) -> MObjectView:
    link_columns = {spec.field: spec.column for spec in RECORD_LINKS[kind] if spec.field}
    attribs = []
    for name in fields:
        if fields[name].primary_key:
            continue
        value = getattr(row, link_columns[name]) if name in link_columns else row.attributes.get(name)
        if value is not None and value != "":
            attribs.append((name, str(value)))
    associations = [
        (spec.mobj_type, getattr(row, spec.column))
        for spec in RECORD_LINKS[kind]
        if getattr(row, spec.column) is not None
    ]
    return MObjectView(kind, row.id, attribs, [], associations, row.created_at, row.updated_at)


def _record_test(fields: dict[str, MObjField], criterion: Criterion):
    comparison = _comparison(criterion)
    key = (criterion.attr_name or "").strip().casefold()
    value = criterion.attr_value or ""
    if key == "id":
        number = _criterion_number(criterion)
        return lambda view: _compare(view.id, number, comparison)
    if key in ("created at", "updated at"):
        instant = _criterion_time(criterion)
        attribute = "created_at" if key == "created at" else "updated_at"
        return lambda view: _compare(getattr(view, attribute), instant, comparison)
    mobj_field = next((f for name, f in fields.items() if name.casefold() == key), None)
    if mobj_field is None:
        raise MarketoError(20110, f"Unknown criterion {criterion.attr_name!r}")
    wanted = _sortable(mobj_field, typed_value(mobj_field, value))
    return lambda view: _compare(_sortable(mobj_field, dict(view.attribs).get(mobj_field.name)), wanted, comparison)


def _criterion_time(criterion: Criterion) -> datetime:
    try:
        parsed = values.instant(criterion.attr_value or "")
    except ValueError:
        raise MarketoError(20110, f"{criterion.attr_name} needs a dateTime, got {criterion.attr_value!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _sortable(mobj_field: MObjField, value: str | None):
    """A stored value in a form that compares as its type does (numbers as numbers, text case-insensitively)."""
    if value is None or value == "":
        return None
    if mobj_field.data_type in ("integer", "float", "currency", "percent"):
        return float(value)
    if mobj_field.data_type in ("string", "text", "email", "url", "phone"):
        return value.casefold()
    return value
