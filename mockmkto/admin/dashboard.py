"""The dashboard under /_admin/: HTML pages for a person watching a test run, and three buttons.

Rendered on the server from what the JSON routes give (domain/state.py, the request journal, the
campaign runs, ...); no JavaScript, no external assets. Every value is escaped on the way out:
lead data and journalled XML come from the system under test and may hold markup.

Pages only read. The buttons (reset, clear the journal, clear the faults) are form POSTs to
/_admin/ui/actions/<action>, answered with a redirect (303) back to the page they were on. Each
form carries a CSRF token by double submit: a random value in a SameSite=Strict cookie and the same
value in a hidden field, compared in constant time; no server keeps it, so any number of server
processes accept it.
"""

from __future__ import annotations

import hmac
import html
import re
import secrets
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from urllib.parse import urlencode

from lxml import etree
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from mockmkto import __version__
from mockmkto.domain import campaign_runs, custom_objects, imports, mobject_listing, program_views, state
from mockmkto.domain.instance import Instance
from mockmkto.domain.journal import Journal
from mockmkto.domain.values import INT_MAX

PAGE_SIZE = 100
JOURNAL_PAGE_SIZE = 50
REFRESH_SECONDS = 5
CSRF_COOKIE = "mockmkto_csrf"
CSRF_FIELD = "csrf"
CSRF_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
# The request's credential: a replayable signature (for the signature window), not for the screen.
MASKED_ELEMENTS = {"requestSignature"}
XML_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=True)
# Nothing on these pages runs script or loads from elsewhere; the policy keeps it that way even if
# a value ever slipped through unescaped.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430}
header{background:#5a54a4;color:#fff;padding:.6em 1.2em;display:flex;flex-wrap:wrap;gap:.6em 1.5em;align-items:baseline}
header a{color:#fff}header a[aria-current]{font-weight:bold;text-decoration:none}
nav{display:flex;flex-wrap:wrap;gap:1em}main{padding:0 1.2em 2em}
.actions{display:flex;flex-wrap:wrap;gap:.5em;padding:.5em 1.2em;background:#eeedf7;align-items:center}
.actions form{display:inline}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccd;padding:.25em .6em;text-align:left;
vertical-align:top}th{background:#eef}pre{background:#f6f6fa;border:1px solid #ccd;padding:.6em;
white-space:pre-wrap;word-break:break-all}.muted{color:#667}
.tag{color:#1a4f9c}.attr{color:#8a4b08}.value{color:#1e6b3a}.masked{background:#dde;color:#445}.comment{color:#778}
"""


VOID_ELEMENTS = {"input", "meta"}


class Html(str):
    """Markup that is already escaped; any other value is text and gets escaped."""


def esc(value) -> Html:
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value)))


def join(items: Iterable, separator: str = "") -> Html:
    return Html(esc(separator).join(esc(item) for item in items))


def tag(element: str, /, *children, **attrs) -> Html:
    """An element; `class_` stands for `class`, `aria_current` for `aria-current`; None leaves one out."""
    rendered = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"' for key, value in attrs.items() if value is not None
    )
    if element in VOID_ELEMENTS:
        return Html(f"<{element}{rendered}>")
    return Html(f"<{element}{rendered}>{join(children)}</{element}>")


def table(headers: list[str], rows: Iterable[Iterable]) -> Html:
    return tag(
        "table",
        tag("thead", tag("tr", *(tag("th", h, scope="col") for h in headers))),
        tag("tbody", *(tag("tr", *(tag("td", cell) for cell in row)) for row in rows)),
    )


def when(value: datetime | str | None) -> Html:
    """A time to the second, with the exact value kept in the element."""
    if value is None:
        return Html("")
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return tag("time", at.isoformat(sep=" ", timespec="seconds"), datetime=at.isoformat())


def xml_markup(body: bytes) -> Html:
    """A journalled SOAP message, indented, its names and values in classed spans and the request
    signature masked; a body that is not XML is shown as it came."""
    try:
        root = etree.fromstring(body, XML_PARSER)
    except etree.XMLSyntaxError:
        return esc(body.decode("utf-8", "replace"))
    lines: list[str] = []
    _xml_lines(root, 0, {}, lines)
    return Html("\n".join(lines))


def _xml_lines(node, depth: int, declared: dict, lines: list[str]) -> None:
    pad = "  " * depth
    if not isinstance(node.tag, str):  # a comment or processing instruction
        lines.append(pad + tag("span", etree.tostring(node, encoding=str, with_tail=False), class_="comment"))
        return
    name = _prefixed(node.prefix, etree.QName(node).localname)
    attributes = [("xmlns:" + p if p else "xmlns", uri) for p, uri in node.nsmap.items() if declared.get(p) != uri]
    for key, value in node.attrib.items():
        qname = etree.QName(key)
        prefix = next((p for p, uri in node.nsmap.items() if p and uri == qname.namespace), None)
        attributes.append((_prefixed(prefix if qname.namespace else None, qname.localname), value))
    start = "&lt;" + tag("span", name, class_="tag")
    start += "".join(
        f' {tag("span", key, class_="attr")}="{tag("span", value, class_="value")}"' for key, value in attributes
    )
    end = f"&lt;/{tag('span', name, class_='tag')}&gt;"
    children = list(node)
    if not children:
        # A value as it came (spaces too), but never the signature.
        text = node.text or ""
        if text and etree.QName(node).localname in MASKED_ELEMENTS:
            text = tag("span", "•" * 8, class_="masked", title="masked")
        lines.append(pad + (f"{start}&gt;{esc(text)}{end}" if text else f"{start}/&gt;"))
    else:
        lines.append(f"{pad}{start}&gt;")
        if node.text and node.text.strip():
            lines.append(pad + "  " + esc(node.text.strip()))
        for child in children:
            _xml_lines(child, depth + 1, node.nsmap, lines)
        lines.append(pad + end)
    if node.tail and node.tail.strip():
        lines.append(pad + esc(node.tail.strip()))


def _prefixed(prefix: str | None, name: str) -> str:
    return f"{prefix}:{name}" if prefix else name


PAGES = Map(
    [
        Rule("/", endpoint="leads"),
        Rule(f"/leads/<int(max={INT_MAX}):lead_id>", endpoint="lead"),
        Rule("/journal", endpoint="journal"),
        Rule(f"/journal/<int(max={INT_MAX}):entry_id>", endpoint="entry"),
        Rule("/runs", endpoint="runs"),
        Rule("/programs", endpoint="programs"),
        Rule("/mobjects", endpoint="mobjects"),
        Rule("/custom-objects", endpoint="custom_objects"),
        Rule("/imports", endpoint="imports"),
        Rule("/faults", endpoint="faults"),
        Rule("/clock", endpoint="clock"),
        Rule("/quotas", endpoint="quotas"),
        Rule("/instances", endpoint="instances"),
    ]
)
NAV = [
    ("Leads", "", "leads"),
    ("Journal", "journal", "journal"),
    ("Campaign runs", "runs", "runs"),
    ("Programs and lists", "programs", "programs"),
    ("MObjects", "mobjects", "mobjects"),
    ("Custom objects", "custom-objects", "custom_objects"),
    ("Imports", "imports", "imports"),
    ("Faults", "faults", "faults"),
    ("Clock", "clock", "clock"),
    ("Quotas", "quotas", "quotas"),
    ("Instances", "instances", "instances"),
]
SECTION = {"lead": "leads", "entry": "journal"}
ACTIONS = {"reset", "clear-journal", "clear-faults"}


class NoSuchThing(Exception):
    """A lead or journal entry that is not there: a 404 page naming it."""


def render(request: Request, page: str, instance: Instance, journal: Journal, admin) -> Response:
    """The dashboard page at /_admin/ui/<page> (`page` "" is /_admin/ itself, the leads)."""
    view = Dashboard(request, instance, journal, admin)
    try:
        endpoint, args = PAGES.bind("localhost").match("/" + page)
        title, body = getattr(view, f"page_{endpoint}")(**args)
        status = 200
    except NotFound:
        endpoint, title, body, status = "", "Not found", tag("p", f"No dashboard page /{page}."), 404
    except NoSuchThing as exc:
        endpoint, title, body, status = "", "Not found", tag("p", str(exc)), 404
    return view.respond(view.layout(SECTION.get(endpoint, endpoint), title, body), status)


def act(request: Request, action: str, instance: Instance, journal: Journal, admin) -> Response:
    """A button's form POST: checked against its CSRF token, carried out, then back to its page (303)."""
    view = Dashboard(request, instance, journal, admin)
    if action not in ACTIONS:
        return view.respond(view.layout("", "Not found", tag("p", f"No dashboard action {action}.")), 404)
    if not view.csrf_ok():
        body = tag("p", "This form's token did not match its cookie: reload the page and press the button again.")
        return view.respond(view.layout("", "Refused", body), 403)
    if action == "reset":
        admin.on_reset(request, instance, journal)  # ?seed=<name>, as POST /_admin/reset takes it
    elif action == "clear-journal":
        journal.clear()
    else:
        instance.limits.clear_faults()
    back = request.form.get("next", "")
    # Only back into this instance's dashboard: never a redirect to another site.
    return redirect(back if back.startswith(view.base) else view.base, 303)


class Dashboard:
    """The pages of one instance, linked under the /_admin/ (or /<instance>/_admin/) they were asked at."""

    def __init__(self, request: Request, instance: Instance, journal: Journal, admin):
        self.request = request
        self.instance = instance
        self.journal = journal
        self.admin = admin
        self.base = request.root_path + request.path[: request.path.index("/_admin/") + len("/_admin/")]
        self.here = request.root_path + request.full_path.rstrip("?")
        cookie = request.cookies.get(CSRF_COOKIE, "")
        self.new_csrf = not CSRF_TOKEN.fullmatch(cookie)
        self.csrf = secrets.token_urlsafe(32) if self.new_csrf else cookie

    def link(self, path: str = "", /, **query) -> str:
        given = {key: value for key, value in query.items() if value not in (None, "")}
        return self.base + (f"ui/{path}" if path else "") + (f"?{urlencode(given)}" if given else "")

    def csrf_ok(self) -> bool:
        sent = self.request.form.get(CSRF_FIELD, "")
        return not self.new_csrf and hmac.compare_digest(sent.encode(), self.csrf.encode())

    def respond(self, markup: str, status: int = 200) -> Response:
        response = Response(markup, status=status, content_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)
        if self.new_csrf:
            response.set_cookie(
                CSRF_COOKIE,
                self.csrf,
                path=self.base,
                samesite="Strict",
                httponly=True,
                secure=self.request.is_secure,
            )
        return response

    def button(self, label: str, action: str, **query) -> Html:
        """A form POSTing to an action, back to this page afterwards."""
        return tag(
            "form",
            tag("input", type="hidden", name=CSRF_FIELD, value=self.csrf),
            tag("input", type="hidden", name="next", value=self.here),
            tag("button", label, type="submit"),
            method="post",
            action=self.link(f"actions/{action}", **query),
        )

    def layout(self, section: str, title: str, body: Html) -> str:
        nav = tag(
            "nav",
            *(
                tag("a", label, href=self.link(page), aria_current="page" if key == section else None)
                for label, page, key in NAV
            ),
        )
        refresh = self.request.args.get("refresh", type=int)
        others = {key: value for key, value in self.request.args.items() if key != "refresh"}
        toggle = tag(
            "a",
            "Stop auto-refresh" if refresh else f"Auto-refresh ({REFRESH_SECONDS} s)",
            href=self.here.split("?")[0]
            + "?"
            + urlencode(others if refresh else others | {"refresh": REFRESH_SECONDS}),
            class_="refresh",
        )
        header = tag(
            "header",
            tag("strong", "mockmkto ", tag("span", __version__, class_="version")),
            tag("span", "instance ", tag("code", self.instance.name, class_="instance")),
            nav,
        )
        seeds = self.admin.seeds.names()
        actions = tag(
            "div",
            *(self.button(f"Reset to {name}", "reset", seed=name) for name in seeds),
            self.button("Reset to empty", "reset"),
            self.button("Clear journal", "clear-journal"),
            self.button("Clear faults", "clear-faults"),
            toggle,
            class_="actions",
        )
        head = tag(
            "head",
            tag("meta", charset="utf-8"),
            tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
            tag("meta", http_equiv="refresh", content=refresh) if refresh and refresh > 0 else "",
            tag("title", f"{title} · mockmkto {self.instance.name}"),
            tag("style", Html(STYLE)),
        )
        body = tag("body", header, actions, tag("main", tag("h1", title), body))
        return "<!doctype html>" + tag("html", head, body, lang="en")

    def lead_link(self, lead_id: int) -> Html:
        return tag("a", lead_id, href=self.link(f"leads/{lead_id}"))

    def page_leads(self) -> tuple[str, Html]:
        email = self.request.args.get("email", "").strip()
        offset = max(self.request.args.get("offset", 0, type=int), 0)
        with self.instance.unit_of_work() as session:
            found = state.leads_json(session, limit=PAGE_SIZE, offset=offset, email_contains=email or None)
        form = tag(
            "form",
            tag("label", "Email contains ", tag("input", type="search", name="email", value=email)),
            " ",
            tag("button", "Search", type="submit"),
            " ",
            tag("a", "all leads", href=self.link()) if email else "",
            method="get",
            action=self.link(),
        )
        rows = [
            (
                self.lead_link(lead["Id"]),
                lead["Email"],
                " ".join(filter(None, (lead["attributes"].get("FirstName"), lead["attributes"].get("LastName")))),
                lead["partition"],
                when(lead["updatedAt"]),
            )
            for lead in found["leads"]
        ]
        total, shown = found["total"], len(rows)
        summary = f"{offset + 1}–{offset + shown} of {total}" if shown else f"No lead matches (of {total})."
        pages = [
            tag("a", label, href=self.link(email=email, offset=start))
            for label, start, show in (
                ("previous", max(offset - PAGE_SIZE, 0), offset > 0),
                ("next", offset + PAGE_SIZE, offset + shown < total),
            )
            if show
        ]
        return "Leads", join(
            [
                form,
                tag("p", summary, " ", *pages, class_="muted"),
                table(["Id", "Email", "Name", "Partition", "Updated"], rows) if rows else "",
            ]
        )

    def page_lead(self, lead_id: int) -> tuple[str, Html]:
        with self.instance.unit_of_work() as session:
            detail = state.lead_detail_json(session, lead_id)
        if detail is None:
            raise NoSuchThing(f"No lead {lead_id}.")
        fields = [
            (name, when(detail[key]) if key.endswith("At") else detail[key])
            for name, key in (
                ("Id", "Id"),
                ("Email", "Email"),
                ("ForeignSysPersonId", "ForeignSysPersonId"),
                ("ForeignSysType", "ForeignSysType"),
                ("Cookie", "cookie"),
                ("Partition", "partition"),
                ("Anonymous", "anonymous"),
                ("Created", "createdAt"),
                ("Updated", "updatedAt"),
            )
        ]
        lists = [
            tag("li", item["name"], " ", tag("span", f"(list {item['id']})", class_="muted"))
            for item in detail["lists"]
        ]
        activities = [
            (
                a["id"],
                when(a["at"]),
                a["displayName"],
                a["asset"],
                a["campaign"],
                "; ".join(f"{k}: {v}" for k, v in (a["attributes"] or {}).items()),
            )
            for a in detail["activities"]
        ]
        return f"Lead {lead_id}", join(
            [
                table(["Field", "Value"], fields),
                tag("h2", "Attributes"),
                table(["Attribute", "Value"], detail["attributes"].items())
                if detail["attributes"]
                else tag("p", "None.", class_="muted"),
                tag("h2", "Static lists"),
                tag("ul", *lists) if lists else tag("p", "Member of no list.", class_="muted"),
                tag("h2", "Activities ", tag("span", "(newest first)", class_="muted")),
                table(["Id", "At", "Activity", "Asset", "Campaign", "Attributes"], activities)
                if activities
                else tag("p", "No activity.", class_="muted"),
            ]
        )

    def page_journal(self) -> tuple[str, Html]:
        args = self.request.args
        chosen = {name: args.get(name, "").strip() for name in ("operation", "fault", "user")}
        number = max(args.get("page", 1, type=int), 1)
        first = (number - 1) * JOURNAL_PAGE_SIZE
        matching = self.journal.count(chosen["operation"], chosen["fault"], chosen["user"])
        # Newest first: the journal gives each page oldest first.
        shown = self.journal.entries(
            chosen["operation"], chosen["fault"], chosen["user"], limit=JOURNAL_PAGE_SIZE, offset=first
        )[::-1]
        fields = [
            tag("label", f"{label} ", tag("input", type="search", name=name, value=chosen[name], placeholder=hint))
            for name, label, hint in (
                ("operation", "Operation", "syncLead"),
                ("fault", "Fault", "a code, any or none"),
                ("user", "User", "mktowsUserId"),
            )
        ]
        form = tag(
            "form",
            join(fields, " "),
            " ",
            tag("button", "Filter", type="submit"),
            " ",
            tag("a", "all calls", href=self.link("journal")) if any(chosen.values()) else "",
            method="get",
            action=self.link("journal"),
        )
        rows = [
            (
                tag("a", entry.id, href=self.link(f"journal/{entry.id}")),
                when(entry.time),
                entry.operation,
                entry.user_id,
                entry.fault_code,
                f"{entry.duration_ms:.1f}",
            )
            for entry in shown
        ]
        summary = (
            f"{first + 1}–{first + len(rows)} of {matching} SOAP calls, newest first"
            if rows
            else f"No SOAP call matches (of {self.journal.count()})"
        )
        pages = [
            tag("a", label, href=self.link("journal", **chosen, page=target), rel=rel)
            for label, target, rel, show in (
                ("newer", number - 1, "prev", number > 1),
                ("older", number + 1, "next", first + len(rows) < matching),
            )
            if show
        ]
        return "Journal", join(
            [
                form,
                tag("p", f"{summary} (the last {self.journal.cap} are kept). ", *pages, class_="muted"),
                table(["#", "Time", "Operation", "User", "Fault code", "Duration (ms)"], rows) if rows else "",
            ]
        )

    def page_entry(self, entry_id: int) -> tuple[str, Html]:
        entry = self.journal.entry(entry_id)
        if entry is None:
            raise NoSuchThing(f"No journal entry {entry_id} (cleared, or dropped past the journal's cap).")
        facts = [
            ("Time", when(entry.time)),
            ("Operation", entry.operation),
            ("User", entry.user_id),
            ("Workspace", entry.workspace),
            ("HTTP status", entry.status),
            ("Fault code", entry.fault_code),
            ("Duration (ms)", f"{entry.duration_ms:.1f}"),
        ]
        return f"Call {entry_id}", join(
            [
                table(["Field", "Value"], facts),
                tag("h2", "Request"),
                tag("pre", xml_markup(entry.request_bytes), class_="xml request"),
                tag("h2", "Response"),
                tag("pre", xml_markup(entry.response_bytes), class_="xml response"),
            ]
        )

    def page_runs(self) -> tuple[str, Html]:
        with self.instance.unit_of_work() as session:
            runs = campaign_runs.list_runs(session)
        rows = [
            (
                run.id,
                run.campaign,
                run.program,
                run.source,
                when(run.requested_at),
                when(run.run_at),
                run.status,
                "; ".join(f"{k} = {v}" for k, v in run.tokens.items()),
                join((self.lead_link(lead.lead_id) for lead in run.leads), ", "),
            )
            for run in reversed(runs)
        ]
        headers = ["Run", "Campaign", "Program", "Source", "Requested", "Runs at", "Status", "Tokens", "Leads"]
        return "Campaign runs", (
            join([tag("p", "Newest first.", class_="muted"), table(headers, rows)])
            if rows
            else tag("p", "No campaign run yet.", class_="muted")
        )

    def page_programs(self) -> tuple[str, Html]:
        with self.instance.unit_of_work() as session:
            programs = program_views.list_programs(session)
            lists = state.lists_json(session)
        parts = []
        for program in programs:
            campaign_rows = [
                (c.id, c.name, c.type, ", ".join(c.requestable_from), ", ".join(c.smart_list), c.description)
                for c in program.campaigns
            ]
            list_rows = [
                (item.id, item.name, join((self.lead_link(lead_id) for lead_id in item.lead_ids), ", "))
                for item in program.lists
            ]
            parts += [
                tag("h2", program.name, " ", tag("span", f"(program {program.id})", class_="muted")),
                section("My Tokens", ["Token", "Value"], program.tokens.items(), "No tokens."),
                section(
                    "Smart campaigns",
                    ["Id", "Name", "Type", "Requestable from", "Smart list", "Description"],
                    campaign_rows,
                    "No campaigns.",
                ),
                section("Static lists", ["Id", "Name", "Members"], list_rows, "No lists."),
            ]
        listed = [(item["id"], item["name"], item["programId"], item["members"]) for item in lists]
        parts += [
            tag("h2", "Every static list"),
            table(["Id", "Name", "Program", "Members"], listed) if listed else tag("p", "None.", class_="muted"),
        ]
        return "Programs and lists", join(parts)

    def page_mobjects(self) -> tuple[str, Html]:
        with self.instance.unit_of_work() as session:
            listed = mobject_listing.list_mobjects(session)
        rows = [
            (
                item["type"],
                item["id"],
                f"{item['externalKey']['name']} = {item['externalKey']['value']}" if item["externalKey"] else "",
                "; ".join(f"{k}: {v}" for k, v in item["attribs"].items()),
                ", ".join(f"{a['type']} {a['id']}" for a in item["associations"]),
            )
            for item in listed
        ]
        headers = ["Type", "Id", "External key", "Attributes", "Associations"]
        return "MObjects", table(headers, rows) if rows else tag("p", "No MObjects.", class_="muted")

    def page_custom_objects(self) -> tuple[str, Html]:
        with self.instance.unit_of_work() as session:
            sections = custom_objects.export_sections(session)
        types = [
            (
                t["name"],
                ", ".join(t["keyFields"]),
                t.get("linkField"),
                t.get("leadLinkField"),
                ", ".join(f"{f['name']} ({f['dataType']})" for f in t["fields"]),
            )
            for t in sections.get("customObjectTypes", [])
        ]
        records = [
            (
                r["type"],
                r["id"],
                "; ".join(f"{k}: {v}" for k, v in r["keys"].items()),
                "; ".join(f"{k}: {v}" for k, v in r.get("attributes", {}).items()),
            )
            for r in sections.get("customObjects", [])
        ]
        return "Custom objects", join(
            [
                section("Types", ["Type", "Key fields", "Link field", "Lead link field", "Fields"], types, "None."),
                section("Objects", ["Type", "Id", "Keys", "Attributes"], records, "None."),
            ]
        )

    def page_imports(self) -> tuple[str, Html]:
        with self.instance.unit_of_work() as session:
            found = imports.list_imports(session, self.instance.clock)
        rows = [
            (
                item.id,
                item.program,
                item.list,
                item.campaign,
                item.mode,
                "yes" if item.clear_list else "no",
                item.status.status,
                f"{item.status.rows_imported} / {item.status.rows_failed} / {item.status.rows_ignored}",
                when(item.status.started_at),
                when(item.status.ended_at),
            )
            for item in reversed(found)
        ]
        headers = ["Id", "Program", "List", "Campaign", "Mode", "Clear list", "Status", "Imported / failed / ignored"]
        return "Imports", (
            join([tag("p", "Newest first.", class_="muted"), table([*headers, "Started", "Ended"], rows)])
            if rows
            else tag("p", "No import yet.", class_="muted")
        )

    def page_faults(self) -> tuple[str, Html]:
        rows = [
            (f.id, f.operation or "any", f.code, f.message, f.delay_ms, f.count, f.probability, f.hits)
            for f in self.instance.limits.faults()
        ]
        headers = ["Id", "Operation", "Code", "Message", "Delay (ms)", "Count", "Probability", "Hits"]
        return "Active faults", join(
            [
                table(headers, rows) if rows else tag("p", "No fault is injected.", class_="muted"),
                tag("p", "Inject with POST /_admin/faults (README: Admin API).", class_="muted"),
            ]
        )

    def page_clock(self) -> tuple[str, Html]:
        clock = self.instance.clock
        with self.instance.unit_of_work():  # the clock as the instance's state has it now
            now, frozen = clock.now(), clock.frozen
        return "Clock", join(
            [
                table(["Field", "Value"], [("Now", when(now)), ("Frozen", "yes" if frozen else "no")]),
                tag("p", "Move it with POST /_admin/clock (README: Admin API).", class_="muted"),
            ]
        )

    def page_quotas(self) -> tuple[str, Html]:
        quotas = asdict(self.instance.limits.quotas)
        return "Quotas", table(["Quota", "Value"], quotas.items())

    def page_instances(self) -> tuple[str, Html]:
        root = self.request.root_path
        rows = [
            (
                # The bare paths are the instance called "default" (app.py's DEFAULT_INSTANCE).
                tag(
                    "a",
                    name,
                    href=f"{root}/_admin/" if name == "default" else f"{root}/{name}/_admin/",
                    class_="instance",
                ),
                "this one" if name == self.instance.name else "",
            )
            for name in self.admin.instance_names()
        ]
        return "Instances", join(
            [
                tag("p", "Each instance is created on its first use: /<instance>/soap/mktows/2_6.", class_="muted"),
                table(["Instance", ""], rows),
            ]
        )


def section(title: str, headers: list[str], rows: Iterable[tuple], empty: str) -> Html:
    rows = list(rows)
    return join([tag("h3", title), table(headers, rows) if rows else tag("p", empty, class_="muted")])
