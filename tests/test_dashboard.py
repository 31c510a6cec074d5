"""The read-only dashboard at /_admin/: its pages over HTTP, and once in headless Chromium as a person
would see it. Chromium is Debian's package (.ci/install-system.sh installs it in CI); outside CI a
machine without it skips that one test."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections import deque
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape

import lxml.html
import pytest

from tests.soap import envelope, unavailable

SCRIPT = "<script>alert('pwned')</script>"
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


def test_leads_page_filters_by_email_case_insensitively(server):
    _, doc = page(server, "/_admin/?email=GRACE@example.com")
    assert [row[1] for row in rows(doc)] == ["grace@example.com"]
    assert doc.xpath("//input[@name='email']/@value") == ["GRACE@example.com"]
    _, doc = page(server, "/_admin/?email=nobody@example.com")
    assert doc.xpath("//table") == [] and "No lead matches" in doc.xpath("//main")[0].text_content()


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


def test_journal_page_lists_calls_newest_first_and_links_their_xml(server):
    sync_lead(server, "journal@example.com")
    server.call(GET_UNKNOWN)
    _, doc = page(server, "/_admin/ui/journal")
    assert [row[2:5] for row in rows(doc)] == [
        ["getLead", server.user_id, "20103"],
        ["syncLead", server.user_id, ""],
    ]
    entry = server.session.get(f"{server.base}/_admin/journal", params={"operation": "getLead"}).json()["entries"][0]
    (href,) = doc.xpath("//table/tbody/tr[1]/td[1]/a/@href")
    response, detail = page(server, href)
    assert response.status_code == 200
    assert detail.xpath("//pre[@class='request']")[0].text_content() == entry["request"]
    assert detail.xpath("//pre[@class='response']")[0].text_content() == entry["response"]
    assert "<SOAP-ENV:Envelope" not in response.text and "&lt;SOAP-ENV:Envelope" in response.text


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
        for href in doc.xpath("//a/@href"):
            target = urljoin(url, href).split("?")[0]
            assert urlsplit(target).path.startswith(f"{prefix}/_admin/"), href
            if target not in seen:
                seen.add(target)
                queue.append(target)
    pages = {urlsplit(url).path.removeprefix(f"{prefix}/_admin/") for url in seen}
    assert {"", "ui/journal", "ui/runs", "ui/leads/1"} <= pages
    assert any(path.startswith("ui/journal/") for path in pages)  # the call's own page


def dump_dom(url: str, tmp_path) -> lxml.html.HtmlElement:
    """The page as Chromium renders it (its DOM after parsing and layout)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        unavailable("chromium not found: apt-get install chromium")
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    # The bound only keeps a hung browser from hanging the suite; nothing asserts on time.
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return lxml.html.document_fromstring(done.stdout)


def test_a_person_sees_the_leads_and_the_calls_in_chromium(server, tmp_path):
    doc = dump_dom(f"{server.base}/_admin/", tmp_path)
    emails = [cell.text_content() for cell in doc.xpath("//table/tbody/tr/td[2]")]
    assert emails == [lead["Email"] for lead in server.seed["leads"]]
    assert [a.text_content() for a in doc.xpath("//nav/a")] == ["Leads", "Journal", "Campaign runs"]

    server.call(GET_UNKNOWN)
    doc = dump_dom(f"{server.base}/_admin/ui/journal", tmp_path)
    (row,) = doc.xpath("//table/tbody/tr")
    assert [cell.text_content() for cell in row.xpath("td")][2:5] == ["getLead", server.user_id, "20103"]
