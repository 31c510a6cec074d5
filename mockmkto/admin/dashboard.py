"""The read-only dashboard under /_admin/: HTML pages for a person watching a test run.

Rendered on the server from the data the JSON routes give (domain/state.py, the request journal,
the campaign runs); no JavaScript, no external assets. Every value is escaped on the way out:
lead data and journalled XML come from the system under test and may hold markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlencode

from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from mockmkto import __version__
from mockmkto.admin.journal import Journal
from mockmkto.domain import campaigns, state
from mockmkto.domain.instance import Instance

PAGE_SIZE = 100
# Nothing on these pages runs script or loads from elsewhere; the policy keeps it that way even if
# a value ever slipped through unescaped.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430}
header{background:#5a54a4;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:baseline}
header a{color:#fff}header a[aria-current]{font-weight:bold;text-decoration:none}
nav{display:flex;gap:1em}main{padding:0 1.2em 2em}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccd;padding:.25em .6em;text-align:left;
vertical-align:top}th{background:#eef}pre{background:#f6f6fa;border:1px solid #ccd;padding:.6em;
white-space:pre-wrap;word-break:break-all}.muted{color:#667}
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


PAGES = Map(
    [
        Rule("/", endpoint="leads"),
        Rule("/leads/<int:lead_id>", endpoint="lead"),
        Rule("/journal", endpoint="journal"),
        Rule("/journal/<int:entry_id>", endpoint="entry"),
        Rule("/runs", endpoint="runs"),
    ]
)
NAV = [("Leads", "", "leads"), ("Journal", "journal", "journal"), ("Campaign runs", "runs", "runs")]
SECTION = {"lead": "leads", "entry": "journal"}


class NoSuchThing(Exception):
    """A lead or journal entry that is not there: a 404 page naming it."""


def render(request: Request, page: str, instance: Instance, journal: Journal) -> Response:
    """The dashboard page at /_admin/ui/<page> (`page` "" is /_admin/ itself, the leads)."""
    view = Dashboard(request, instance, journal)
    try:
        endpoint, args = PAGES.bind("localhost").match("/" + page)
        title, body = getattr(view, f"page_{endpoint}")(**args)
        status = 200
    except NotFound:
        endpoint, title, body, status = "", "Not found", tag("p", f"No dashboard page /{page}."), 404
    except NoSuchThing as exc:
        endpoint, title, body, status = "", "Not found", tag("p", str(exc)), 404
    return Response(
        view.layout(SECTION.get(endpoint, endpoint), title, body),
        status=status,
        content_type="text/html; charset=utf-8",
        headers=SECURITY_HEADERS,
    )


class Dashboard:
    """The pages of one instance, linked under the /_admin/ (or /<instance>/_admin/) they were asked at."""

    def __init__(self, request: Request, instance: Instance, journal: Journal):
        self.request = request
        self.instance = instance
        self.journal = journal
        self.base = request.root_path + request.path[: request.path.index("/_admin/") + len("/_admin/")]

    def link(self, page: str = "") -> str:
        return self.base + (f"ui/{page}" if page else "")

    def layout(self, section: str, title: str, body: Html) -> str:
        nav = tag(
            "nav",
            *(
                tag("a", label, href=self.link(page), aria_current="page" if key == section else None)
                for label, page, key in NAV
            ),
        )
        header = tag(
            "header",
            tag("strong", "mockmkto ", tag("span", __version__, class_="version")),
            tag("span", "instance ", tag("code", self.instance.name, class_="instance")),
            nav,
        )
        head = tag(
            "head",
            tag("meta", charset="utf-8"),
            tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
            tag("title", f"{title} · mockmkto {self.instance.name}"),
            tag("style", Html(STYLE)),
        )
        body = tag("body", header, tag("main", tag("h1", title), body))
        return "<!doctype html>" + tag("html", head, body, lang="en")

    def lead_link(self, lead_id: int) -> Html:
        return tag("a", lead_id, href=self.link(f"leads/{lead_id}"))

    def page_leads(self) -> tuple[str, Html]:
        email = self.request.args.get("email", "").strip()
        offset = max(self.request.args.get("offset", 0, type=int), 0)
        with self.instance.store.session() as session:
            found = state.leads_json(session, email or None, limit=PAGE_SIZE, offset=offset)
        form = tag(
            "form",
            tag("label", "Email ", tag("input", type="search", name="email", value=email)),
            " ",
            tag("button", "Filter", type="submit"),
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
        pages = []
        for label, start, show in (
            ("previous", max(offset - PAGE_SIZE, 0), offset > 0),
            ("next", offset + PAGE_SIZE, offset + shown < total),
        ):
            if show:
                query = urlencode({"email": email, "offset": start} if email else {"offset": start})
                pages.append(tag("a", label, href=f"{self.link()}?{query}"))
        return "Leads", join(
            [
                form,
                tag("p", summary, " ", *pages, class_="muted"),
                table(["Id", "Email", "Name", "Partition", "Updated"], rows) if rows else "",
            ]
        )

    def page_lead(self, lead_id: int) -> tuple[str, Html]:
        with self.instance.store.session() as session:
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
        entries, cap = list(reversed(self.journal.entries())), self.journal.cap
        rows = [
            (
                tag("a", entry.id, href=self.link(f"journal/{entry.id}")),
                when(entry.time),
                entry.operation,
                entry.user_id,
                entry.fault_code,
                f"{entry.duration_ms:.1f}",
            )
            for entry in entries
        ]
        return "Journal", join(
            [
                tag("p", f"{len(rows)} SOAP calls, newest first (the last {cap} are kept).", class_="muted"),
                table(["#", "Time", "Operation", "User", "Fault code", "Duration (ms)"], rows) if rows else "",
            ]
        )

    def page_entry(self, entry_id: int) -> tuple[str, Html]:
        entry = next((e for e in self.journal.entries() if e.id == entry_id), None)
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
                tag("pre", entry.request, class_="request"),
                tag("h2", "Response"),
                tag("pre", entry.response, class_="response"),
            ]
        )

    def page_runs(self) -> tuple[str, Html]:
        with self.instance.store.session() as session:
            runs = campaigns.list_runs(session)
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
