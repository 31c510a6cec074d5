"""The dashboard at /_admin/: its pages and buttons over HTTP, and in headless Chromium as a person
would see and press them. Chromium is Debian's package (.ci/install-system.sh installs it in CI);
outside CI a machine without it skips those tests."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
from collections import deque
from datetime import timedelta
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape

import lxml.html
import pytest
import requests
from lxml import etree

from tests.soap import envelope, unavailable

SCRIPT = "<script>alert('pwned')</script>"
PAGES = [
    "journal",
    "runs",
    "programs",
    "mobjects",
    "custom-objects",
    "imports",
    "faults",
    "clock",
    "quotas",
    "instances",
]
INSTANCE = "100-DSH-001"
GET_UNKNOWN = (
    "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType><keyValue>999</keyValue></leadKey></ns1:paramsGetLead>"
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sync_lead(server, email: str, **attributes: str) -> None:
    listed = "".join(
        f"<attribute><attrName>{name}</attrName><attrValue>{escape(value)}</attrValue></attribute>"
        for name, value in attributes.items()
    )
    status, _ = server.call(
        f"<ns1:paramsSyncLead><leadRecord><Email>{email}</Email><leadAttributeList>{listed}</leadAttributeList>"
        "</leadRecord><returnLead>false</returnLead></ns1:paramsSyncLead>"
    )
    assert status == 200


def page(server, path: str):
    """GET a dashboard page; return the response and its parsed document."""
    response = server.session.get(f"{server.base}{path}")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response, lxml.html.document_fromstring(response.text)


def rows(doc, index: int = 0) -> list[list[str]]:
    """The body rows of the page's `index`-th table, as cell texts."""
    table = doc.xpath("//table")[index]
    return [[cell.text_content() for cell in row.xpath("td")] for row in table.xpath("tbody/tr")]


def lead_id_of(server, email: str) -> int:
    return server.session.get(f"{server.base}/_admin/leads", params={"email": email}).json()["leads"][0]["Id"]


def test_bare_admin_paths_redirect_to_the_dashboard(server):
    for prefix in ("", f"/{INSTANCE}"):
        response = server.session.get(f"{server.base}{prefix}/_admin", allow_redirects=False)
        assert response.status_code == 308
        assert response.headers["Location"].endswith(f"{prefix}/_admin/")


def test_leads_page_lists_the_seeded_leads(server):
    response, doc = page(server, "/_admin/")
    assert response.status_code == 200
    shown = server.session.get(f"{server.base}/_admin/leads").json()["leads"]
    assert [lead["Email"] for lead in shown] == [lead["Email"] for lead in server.seed["leads"]]
    assert [row[:4] for row in rows(doc)] == [
        [
            str(lead["Id"]),
            lead["Email"],
            f"{lead['attributes']['FirstName']} {lead['attributes']['LastName']}",
            lead["partition"],
        ]
        for lead in shown
    ]
    assert doc.xpath("//header//span[@class='version']")[0].text_content()
    assert doc.xpath("//header//code[@class='instance']")[0].text_content() == "default"


def test_leads_page_finds_leads_by_part_of_their_email_case_insensitively(server):
    _, doc = page(server, "/_admin/?email=GRACE")
    assert [row[1] for row in rows(doc)] == ["grace@example.com"]
    assert doc.xpath("//input[@name='email']/@value") == ["GRACE"]
    _, doc = page(server, "/_admin/?email=%40example.com")
    assert [row[1] for row in rows(doc)] == [
        lead["Email"] for lead in server.seed["leads"] if "example.com" in lead["Email"]
    ]


def test_leads_page_says_when_no_email_matches(server):
    _, doc = page(server, "/_admin/?email=nobody")
    assert doc.xpath("//table") == [] and "No lead matches" in doc.xpath("//main")[0].text_content()


def test_leads_search_takes_sql_wildcards_literally(server):
    _, doc = page(server, "/_admin/?email=%25")
    assert doc.xpath("//table") == []


def test_admin_leads_take_part_of_an_email_as_email_contains(server):
    found = server.session.get(f"{server.base}/_admin/leads", params={"emailContains": "Ace@Ex"}).json()
    assert [lead["Email"] for lead in found["leads"]] == ["grace@example.com"]
    # `email` stays an exact address.
    assert server.session.get(f"{server.base}/_admin/leads", params={"email": "grace"}).json()["total"] == 0


def test_markup_in_a_lead_attribute_is_shown_as_text(server):
    sync_lead(server, "mallory@example.com", FirstName=SCRIPT, LastName="<b>bold</b>")
    lead_id = lead_id_of(server, "mallory@example.com")
    for path in ("/_admin/", f"/_admin/ui/leads/{lead_id}"):
        response, doc = page(server, path)
        assert "<script>" not in response.text and "<b>" not in response.text
        assert doc.xpath("//script | //main//b") == []
        assert SCRIPT in doc.xpath("//main")[0].text_content()
    _, doc = page(server, f"/_admin/ui/leads/{lead_id}")
    assert ["FirstName", SCRIPT] in rows(doc, 1)


def test_lead_page_shows_fields_lists_and_activities_newest_first(server):
    server.call(
        "<ns1:paramsListOperation><listOperation>ADDTOLIST</listOperation>"
        "<listKey><keyType>MKTOLISTNAME</keyType><keyValue>Registrants</keyValue></listKey>"
        "<listMemberList><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></listMemberList>"
        "</ns1:paramsListOperation>"
    )
    sync_lead(server, "ada@example.com", Country="France")
    response, doc = page(server, "/_admin/ui/leads/1")
    assert response.status_code == 200
    assert doc.xpath("//h1")[0].text_content() == "Lead 1"
    assert ["Email", "ada@example.com"] in rows(doc, 0)
    assert ["Country", "France"] in rows(doc, 1)
    assert [li.text_content() for li in doc.xpath("//main/ul/li")] == ["Registrants (list 3001)"]
    activities = rows(doc, 2)
    assert [row[2] for row in activities[:2]] == ["Change Data Value", "Add to List"]
    ids = [int(row[0]) for row in activities]
    assert ids == sorted(ids, reverse=True)


def test_journal_page_lists_calls_newest_first_and_links_each_call(server):
    sync_lead(server, "journal@example.com")
    server.call(GET_UNKNOWN)
    _, doc = page(server, "/_admin/ui/journal")
    assert [row[2:5] for row in rows(doc)] == [
        ["getLead", server.user_id, "20103"],
        ["syncLead", server.user_id, ""],
    ]
    (href,) = doc.xpath("//table/tbody/tr[1]/td[1]/a/@href")
    response, detail = page(server, href)
    assert response.status_code == 200
    assert ["Operation", "getLead"] in rows(detail)


def calls(server) -> None:
    """syncLead, a getLead that faults (20103), a getLead that does not."""
    sync_lead(server, "journal@example.com")
    server.call(GET_UNKNOWN)
    server.call(GET_UNKNOWN.replace("999", "1"))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("operation=getLead", [["getLead", ""], ["getLead", "20103"]]),
        ("fault=20103", [["getLead", "20103"]]),
        ("fault=any", [["getLead", "20103"]]),
        ("operation=getLead&fault=none", [["getLead", ""]]),
        ("user=someone-else", []),
    ],
)
def test_journal_page_filters_by_operation_fault_and_user(server, query, expected):
    calls(server)
    _, doc = page(server, f"/_admin/ui/journal?{query}")
    shown = [[row[2], row[4]] for row in rows(doc)] if doc.xpath("//table") else []
    assert shown == expected


def test_journal_filters_keep_the_choice(server):
    _, doc = page(server, "/_admin/ui/journal?operation=getLead&fault=any&user=")
    values = {field.get("name"): field.get("value") for field in doc.xpath("//main/form//input")}
    assert values == {"operation": "getLead", "fault": "any", "user": ""}


def test_journal_pages_hold_fifty_calls_newest_first(server):
    for _ in range(55):
        server.call(GET_UNKNOWN)
    sync_lead(server, "last@example.com")
    _, doc = page(server, "/_admin/ui/journal?operation=getLead")
    first = [int(row[0]) for row in rows(doc)]
    assert len(first) == 50 and first == sorted(first, reverse=True)
    assert doc.xpath("//a[@rel='prev']") == []
    (older,) = doc.xpath("//a[@rel='next']/@href")
    _, doc = page(server, older)
    second = [int(row[0]) for row in rows(doc)]
    assert len(second) == 5 and max(second) < min(first)
    assert [row[2] for row in rows(doc)] == ["getLead"] * 5  # the filter goes along
    assert doc.xpath("//a[@rel='next']") == [] and doc.xpath("//a[@rel='prev']/@href")


def entry_page(server, operation: str):
    entry = server.session.get(f"{server.base}/_admin/journal", params={"operation": operation}).json()["entries"][-1]
    return entry, page(server, f"/_admin/ui/journal/{entry['id']}")[1]


def test_a_call_shows_its_xml_indented_with_names_and_values_marked(server):
    server.call(GET_UNKNOWN)
    _, doc = entry_page(server, "getLead")
    (request,) = doc.xpath("//pre[contains(@class, 'request')]")
    lines = request.text_content().splitlines()
    assert lines[0].startswith("<SOAP-ENV:Envelope xmlns:SOAP-ENV=")
    assert "    <ns1:paramsGetLead>" in lines and "        <keyValue>999</keyValue>" in lines
    assert {"SOAP-ENV:Envelope", "ns1:paramsGetLead", "keyValue"} <= set(request.xpath(".//span[@class='tag']/text()"))
    (response,) = doc.xpath("//pre[contains(@class, 'response')]")
    assert "<code>20103</code>" in [line.strip() for line in response.text_content().splitlines()]


def test_a_call_shows_its_request_signature_masked(server):
    server.call(GET_UNKNOWN)
    entry, doc = entry_page(server, "getLead")
    signature = etree.fromstring(entry["request"].encode()).findtext(".//requestSignature")
    assert signature and signature not in lxml.html.tostring(doc, encoding=str)
    (request,) = doc.xpath("//pre[contains(@class, 'request')]")
    lines = [line.strip() for line in request.text_content().splitlines()]
    assert "<requestSignature>••••••••</requestSignature>" in lines
    assert request.xpath(".//span[@class='masked']/text()") == ["••••••••"]


def test_a_request_that_is_not_xml_is_shown_as_it_came(server):
    server.post("not <xml> at all")
    entry = server.session.get(f"{server.base}/_admin/journal").json()["entries"][-1]
    _, doc = page(server, f"/_admin/ui/journal/{entry['id']}")
    assert doc.xpath("//pre[contains(@class, 'request')]")[0].text_content() == "not <xml> at all"


def test_campaign_runs_page_shows_a_requested_run_and_its_leads(server):
    status, _ = server.call(
        "<ns1:paramsRequestCampaign><source>MKTOWS</source><campaignId>2001</campaignId><leadList>"
        "<leadKey><keyType>IDNUM</keyType><keyValue>2</keyValue></leadKey></leadList></ns1:paramsRequestCampaign>"
    )
    assert status == 200
    _, doc = page(server, "/_admin/ui/runs")
    (run,) = rows(doc)
    assert run[1:4] == ["Spring Webinar.Send Invite", "Spring Webinar", "MKTOWS"] and run[6] == "completed"
    assert doc.xpath("//table/tbody/tr/td[9]/a/@href") == ["/_admin/ui/leads/2"]


def test_campaign_runs_page_without_runs_says_so(server):
    _, doc = page(server, "/_admin/ui/runs")
    assert doc.xpath("//table") == [] and "No campaign run yet" in doc.xpath("//main")[0].text_content()


def schedule_in(server, minutes: int) -> None:
    status, _ = server.call(
        "<ns1:paramsScheduleCampaign><programName>Trav-Demo-Program</programName>"
        "<campaignName>Batch Campaign Example</campaignName>"
        f"<campaignRunAt>{(server.instance.clock.now() + timedelta(minutes=minutes)).isoformat()}</campaignRunAt>"
        "</ns1:paramsScheduleCampaign>"
    )
    assert status == 200


def test_campaign_runs_page_shows_a_due_run_as_scheduled_until_the_next_call(server):
    schedule_in(server, 5)
    server.session.post(f"{server.base}/_admin/clock", json={"advance": 600}).raise_for_status()
    for _ in range(2):
        _, doc = page(server, "/_admin/ui/runs")
        assert [run[6] for run in rows(doc)] == ["scheduled"]
    # Signed ten minutes behind the mock's clock: inside the signature window.
    server.call(GET_UNKNOWN.replace("999", "1"))
    _, doc = page(server, "/_admin/ui/runs")
    assert [run[6] for run in rows(doc)] == ["completed"]


def test_opening_every_page_changes_nothing(server):
    schedule_in(server, 5)
    server.session.post(f"{server.base}/_admin/clock", json={"advance": 600}).raise_for_status()
    server.call(GET_UNKNOWN)
    before = [
        server.session.get(f"{server.base}/_admin/{path}").json() for path in ("export", "journal", "campaign-runs")
    ]
    for path in ["", *(f"ui/{name}" for name in PAGES), "ui/leads/1", "ui/journal/1"]:
        assert page(server, f"/_admin/{path}")[0].status_code == 200
    after = [
        server.session.get(f"{server.base}/_admin/{path}").json() for path in ("export", "journal", "campaign-runs")
    ]
    assert after == before


def test_faults_page_lists_the_injected_faults(server):
    server.session.post(f"{server.base}/_admin/faults", json={"operation": "syncLead", "code": 20024, "count": 2})
    _, doc = page(server, "/_admin/ui/faults")
    assert [row[1:3] + row[5:6] for row in rows(doc)] == [["syncLead", "20024", "2"]]


def test_faults_page_without_faults_says_so(server):
    _, doc = page(server, "/_admin/ui/faults")
    assert doc.xpath("//table") == [] and "No fault is injected" in doc.xpath("//main")[0].text_content()


def test_clock_page_shows_the_mock_time_and_whether_it_is_frozen(server):
    at = "2030-01-01T12:00:00+00:00"
    server.session.post(f"{server.base}/_admin/clock", json={"freeze": True, "set": at}).raise_for_status()
    _, doc = page(server, "/_admin/ui/clock")
    assert doc.xpath("//main//time/@datetime") == [at]
    assert ["Frozen", "yes"] in rows(doc)


def test_quotas_page_shows_the_limits(server):
    server.session.post(f"{server.base}/_admin/quotas", json={"enabled": True, "daily": 7}).raise_for_status()
    _, doc = page(server, "/_admin/ui/quotas")
    assert ["enabled", "True"] in rows(doc) and ["daily", "7"] in rows(doc)


def test_programs_page_shows_tokens_campaigns_and_list_members(server):
    _, doc = page(server, "/_admin/ui/programs")
    headings = [h.text_content() for h in doc.xpath("//main/h2")]
    assert [program["name"] for program in server.seed["programs"]] == [h.split(" (")[0] for h in headings[:-1]]
    main = doc.xpath("//main")[0].text_content()
    assert "{{my.speaker}}" in main and "Send Invite" in main and "Registrants" in main


def test_mobjects_page_lists_programs_and_opportunities(server):
    _, doc = page(server, "/_admin/ui/mobjects")
    kinds = {row[0] for row in rows(doc)}
    assert {"Program", "Opportunity"} <= kinds
    assert any("Difference Engine Upgrade" in row[3] for row in rows(doc))


def test_custom_objects_page_shows_the_seeded_types(server):
    _, doc = page(server, "/_admin/ui/custom-objects")
    (roadshow,) = rows(doc, 0)
    assert roadshow[:2] == ["Roadshow", "MKTOID, rid"]


def test_imports_page_shows_an_import_and_its_status(server, mktows):
    mktows.importToList(
        programName="Spring Webinar",
        listName="Registrants",
        importFileHeader="Email Address,First Name",
        importFileRows={"stringItem": ["imp@example.com,Imp"]},
        importListMode="UPSERTLEADS",
        clearList=False,
    )
    _, doc = page(server, "/_admin/ui/imports")
    (row,) = rows(doc)
    assert row[1:3] == ["Spring Webinar", "Registrants"] and row[6] == "PROCESSING"


def test_instances_page_links_each_instance_dashboard(server):
    server.session.get(f"{server.base}/{INSTANCE}/_admin/health").raise_for_status()
    _, doc = page(server, "/_admin/ui/instances")
    links = dict(zip(doc.xpath("//main//a/text()"), doc.xpath("//main//a/@href"), strict=True))
    assert links["default"] == "/_admin/" and links[INSTANCE] == f"/{INSTANCE}/_admin/"
    assert list(links)[0] == "default"


def test_auto_refresh_is_a_toggle_on_each_page(server):
    _, doc = page(server, "/_admin/ui/journal?operation=getLead")
    assert doc.xpath("//meta[@http-equiv='refresh']") == []
    (on,) = doc.xpath("//a[@class='refresh']/@href")
    assert on == "/_admin/ui/journal?operation=getLead&refresh=5"
    _, doc = page(server, on)
    assert doc.xpath("//meta[@http-equiv='refresh']/@content") == ["5"]
    assert doc.xpath("//a[@class='refresh']/@href") == ["/_admin/ui/journal?operation=getLead"]


# ------------------------------------------------------------------------------------ the buttons


def pressing(session: requests.Session, url: str, button: str, **fields):
    """Open the page at `url` and post the form of its `button` as a browser would, with `fields` changed."""
    doc = lxml.html.document_fromstring(session.get(url).text)
    (form,) = [f for f in doc.xpath("//form[@method='post']") if f.xpath(f".//button[text()='{button}']")]
    data = {field.name: field.value for field in form.inputs if field.name} | fields
    return session.post(
        urljoin(url, form.action), data={k: v for k, v in data.items() if v is not None}, allow_redirects=False
    )


@pytest.fixture
def browser(server):
    """A session of its own, with its own cookies."""
    with requests.Session() as session:
        yield session


def test_a_page_sets_a_strict_csrf_cookie_that_its_forms_carry(server, browser):
    response = browser.get(f"{server.base}/_admin/ui/journal")
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Strict" in cookie and "HttpOnly" in cookie and "Path=/_admin/" in cookie
    token = browser.cookies["mockmkto_csrf"]
    doc = lxml.html.document_fromstring(response.text)
    assert set(doc.xpath("//form[@method='post']//input[@name='csrf']/@value")) == {token}
    assert "Set-Cookie" not in browser.get(f"{server.base}/_admin/").headers  # the same token from then on


def test_clear_journal_button_clears_it_and_returns_to_the_page(server, browser):
    server.call(GET_UNKNOWN)
    url = f"{server.base}/_admin/ui/journal?operation=getLead"
    response = pressing(browser, url, "Clear journal")
    assert response.status_code == 303 and response.headers["Location"].endswith("/_admin/ui/journal?operation=getLead")
    assert server.session.get(f"{server.base}/_admin/journal").json()["count"] == 0


def test_clear_faults_button_clears_them(server, browser):
    server.session.post(f"{server.base}/_admin/faults", json={"code": 20024})
    response = pressing(browser, f"{server.base}/_admin/ui/faults", "Clear faults")
    assert response.status_code == 303
    assert server.session.get(f"{server.base}/_admin/faults").json() == []


def test_reset_button_goes_back_to_the_seed(server, browser):
    sync_lead(server, "gone@example.com")
    response = pressing(browser, f"{server.base}/_admin/", "Reset to default", next=None)
    assert response.status_code == 303
    assert server.session.get(f"{server.base}/_admin/leads", params={"email": "gone@example.com"}).json()["total"] == 0
    assert server.session.get(f"{server.base}/_admin/leads").json()["total"] == len(server.seed["leads"])


@pytest.mark.parametrize("token", [None, "", "x" * 43])
def test_a_button_without_the_cookie_s_token_is_refused(server, browser, token):
    server.call(GET_UNKNOWN)
    response = pressing(browser, f"{server.base}/_admin/ui/journal", "Clear journal", csrf=token)
    assert response.status_code == 403
    assert server.session.get(f"{server.base}/_admin/journal").json()["count"] == 1


def test_a_button_without_the_cookie_is_refused(server, browser):
    server.call(GET_UNKNOWN)
    doc = lxml.html.document_fromstring(browser.get(f"{server.base}/_admin/ui/journal").text)
    token = doc.xpath("//input[@name='csrf']/@value")[0]
    response = requests.post(
        f"{server.base}/_admin/ui/actions/clear-journal", data={"csrf": token}, allow_redirects=False
    )
    assert response.status_code == 403
    assert server.session.get(f"{server.base}/_admin/journal").json()["count"] == 1


def test_a_button_pressed_on_another_site_s_page_is_refused(server, browser):
    """The admin API's Origin check covers the buttons too, even with the cookie and its token."""
    server.call(GET_UNKNOWN)
    url = f"{server.base}/_admin/ui/journal"
    browser.headers["Origin"] = "http://elsewhere.example"
    assert pressing(browser, url, "Clear journal").status_code == 403
    assert server.session.get(f"{server.base}/_admin/journal").json()["count"] == 1


def test_a_button_returns_only_into_the_dashboard(server, browser):
    response = pressing(browser, f"{server.base}/_admin/", "Clear faults", next="https://elsewhere.example/")
    assert response.status_code == 303 and response.headers["Location"].endswith("/_admin/")
    assert "elsewhere" not in response.headers["Location"]


def test_an_unknown_action_is_a_404_page(server, browser):
    response = pressing(browser, f"{server.base}/_admin/", "Clear faults")  # sets the cookie
    response = browser.post(f"{server.base}/_admin/ui/actions/explode", data={"csrf": browser.cookies["mockmkto_csrf"]})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/_admin/ui/leads/999", "/_admin/ui/journal/999", "/_admin/ui/nothing"])
def test_missing_things_are_404_pages(server, path):
    response, doc = page(server, path)
    assert response.status_code == 404 and doc.xpath("//h1")[0].text_content() == "Not found"


def test_pages_allow_no_script(server):
    response, _ = page(server, "/_admin/")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("prefix", ["", f"/{INSTANCE}"])
def test_every_link_resolves_within_its_instance(server, prefix):
    """Crawl from /_admin/ (or /<instance>/_admin/): every link is a page of the same instance."""
    base = f"{server.base}{prefix}/_admin/"
    server.session.post(f"{server.base}{prefix}/_admin/reset?seed=default")
    server.session.post(f"{server.base}{prefix}/soap/mktows/2_6", data=envelope(GET_UNKNOWN).encode())
    seen, queue = {base}, deque([base])
    while queue:
        url = queue.popleft()
        response = server.session.get(url)
        assert response.status_code == 200, url
        doc = lxml.html.document_fromstring(response.text)
        assert doc.xpath("//header//code[@class='instance']")[0].text_content() == (INSTANCE if prefix else "default")
        # The instances page links every instance's dashboard (checked on its own below).
        for href in doc.xpath("//a[not(ancestor::main) or not(contains(@class, 'instance'))]/@href"):
            target = urljoin(url, href).split("?")[0]
            assert urlsplit(target).path.startswith(f"{prefix}/_admin/"), href
            if target not in seen:
                seen.add(target)
                queue.append(target)
    pages = {urlsplit(url).path.removeprefix(f"{prefix}/_admin/") for url in seen}
    assert {f"ui/{path}" for path in PAGES} | {"", "ui/leads/1"} <= pages
    assert any(path.startswith("ui/journal/") for path in pages)  # the call's own page


def chromium_path() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        unavailable("chromium not found: apt-get install chromium")
    return chromium


def dump_dom(url: str, tmp_path) -> lxml.html.HtmlElement:
    """The page as Chromium renders it (its DOM after parsing and layout)."""
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    # The bound only keeps a hung browser from hanging the suite; nothing asserts on time.
    done = subprocess.run(
        [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return lxml.html.document_fromstring(done.stdout)


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: it reads
    commands on fd 3 and writes answers and events on fd 4, each JSON ended by a NUL), one tab."""

    def __init__(self, tmp_path):
        commands, self._to_chromium = os.pipe()
        self._from_chromium, answers = os.pipe()
        profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
        argv = [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"]
        # bash puts the two pipe ends at fds 3 and 4, where Chromium looks for them (dash takes no fd above 9).
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{commands} 4>&{answers}', "bash", *argv],
            pass_fds=(commands, answers),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands)
        os.close(answers)
        self._buffer, self._next_id, self.session = b"", 0, None
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable")

    def _message(self) -> dict:
        while b"\0" not in self._buffer:
            # The bound only keeps a hung browser from hanging the suite; nothing asserts on time.
            ready, _, _ = select.select([self._from_chromium], [], [], 120)
            assert ready, "Chromium stopped answering"
            chunk = os.read(self._from_chromium, 65536)
            assert chunk, "Chromium closed its DevTools pipe"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _write(self, method: str, params: dict) -> None:
        self._next_id += 1
        command = {"id": self._next_id, "method": method, "params": params}
        if self.session:
            command["sessionId"] = self.session
        os.write(self._to_chromium, json.dumps(command).encode() + b"\0")

    def send(self, method: str, **params) -> dict:
        self._write(method, params)
        while (message := self._message()).get("id") != self._next_id:
            pass
        assert "error" not in message, message
        return message["result"]

    def loaded(self) -> lxml.html.HtmlElement:
        """Waits for the tab's next page load, then gives its DOM."""
        while self._message().get("method") != "Page.loadEventFired":
            pass
        return self.dom()

    def dom(self) -> lxml.html.HtmlElement:
        html = self.send("Runtime.evaluate", expression="document.documentElement.outerHTML", returnByValue=True)
        return lxml.html.document_fromstring(html["result"]["value"])

    def open(self, url: str) -> lxml.html.HtmlElement:
        self.send("Page.navigate", url=url)
        return self.loaded()

    def press(self, label: str) -> lxml.html.HtmlElement:
        """Click the button labelled `label` and wait for the page it leads to."""
        click = f"[...document.querySelectorAll('button')].find(b => b.textContent === {json.dumps(label)}).click()"
        self.send("Runtime.evaluate", expression=click)
        return self.loaded()

    def close(self) -> None:
        self.session = None
        self._write("Browser.close", {})  # Chromium may exit before it answers
        # The bound only keeps a hung browser from hanging the suite; nothing asserts on time.
        self.process.wait(timeout=120)
        os.close(self._to_chromium)
        os.close(self._from_chromium)


@pytest.fixture
def chromium(tmp_path):
    browser = Browser(tmp_path)
    yield browser
    browser.close()


def test_a_person_clears_the_journal_with_its_button_in_chromium(server, chromium):
    server.call(GET_UNKNOWN)
    url = f"{server.base}/_admin/ui/journal?operation=getLead"
    doc = chromium.open(url)
    assert len(doc.xpath("//table/tbody/tr")) == 1
    doc = chromium.press("Clear journal")
    assert chromium.send("Runtime.evaluate", expression="location.href", returnByValue=True)["result"]["value"] == url
    assert doc.xpath("//table") == [] and "No SOAP call matches" in doc.xpath("//main")[0].text_content()
    assert server.session.get(f"{server.base}/_admin/journal").json()["count"] == 0


def test_a_person_sees_the_leads_and_the_calls_in_chromium(server, tmp_path):
    doc = dump_dom(f"{server.base}/_admin/", tmp_path)
    emails = [cell.text_content() for cell in doc.xpath("//table/tbody/tr/td[2]")]
    assert emails == [lead["Email"] for lead in server.seed["leads"]]
    assert [a.text_content() for a in doc.xpath("//nav/a")][:3] == ["Leads", "Journal", "Campaign runs"]

    server.call(GET_UNKNOWN)
    doc = dump_dom(f"{server.base}/_admin/ui/journal", tmp_path)
    (row,) = doc.xpath("//table/tbody/tr")
    assert [cell.text_content() for cell in row.xpath("td")][2:5] == ["getLead", server.user_id, "20103"]
