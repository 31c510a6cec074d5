"""Helpers the tests share: signing, raw SOAP envelopes, a live server on a free port."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import zeep
import zeep.exceptions
from lxml import etree
from werkzeug.serving import make_server
from zeep.transports import Transport

from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.domain.auth import sign
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.inprocess import SignRequests
from tests.reference import REFERENCE_WSDL

ROOT = Path(__file__).resolve().parent.parent
TNS = "http://www.marketo.com/mktows/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
DEFAULT_USER = "bigcorp1_461839624B16E06BA2D663"
DEFAULT_SECRET = "899756834129871744AAEE88DDCC77CDEEDEC1AAAD66"
NS = {"env": SOAP_ENV, "m": TNS}
# The moment domain tests of campaigns and imports stop the mock's clock at (the `frozen` fixture).
CAMPAIGN_DAY = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)


def timestamp(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).isoformat(timespec="seconds")


def auth_header_xml(
    user_id: str = DEFAULT_USER, secret: str = DEFAULT_SECRET, stamp: str | None = None, signature: str | None = None
) -> str:
    stamp = stamp or timestamp()
    signature = signature if signature is not None else sign(secret, stamp, user_id)
    return (
        "<ns1:AuthenticationHeader>"
        f"<mktowsUserId>{user_id}</mktowsUserId>"
        f"<requestSignature>{signature}</requestSignature>"
        f"<requestTimestamp>{stamp}</requestTimestamp>"
        "</ns1:AuthenticationHeader>"
    )


def envelope(body: str, headers: str | None = None) -> str:
    headers = auth_header_xml() if headers is None else headers
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{TNS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<SOAP-ENV:Header>{headers}</SOAP-ENV:Header>"
        f"<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )


def past(**delta) -> str:
    return timestamp(datetime.now(UTC) - timedelta(**delta))


class LiveServer:
    """The real WSGI app on a real HTTP server in a thread, on a free loopback port."""

    def __init__(self, **config):
        self.config = Config(**({"db": "sqlite://", "seed": DEFAULT_SEED} | config))
        self.seed = read_seed_file(DEFAULT_SEED)
        self.app = build_app(self.config)
        self.http = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.server_port}/soap/mktows/2_6"
        self.wsdl_url = self.url + "?WSDL"
        self.user_id = DEFAULT_USER
        self.secret = DEFAULT_SECRET
        self.instance = self.app.instance
        self.session = requests.Session()
        self._thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http.server_port}"

    def reset(self) -> None:
        """Back to seed_data/default.json through the admin API, as a user of the mock would."""
        self.session.post(f"{self.base}/_admin/reset?seed=default").raise_for_status()

    def post(self, xml: str, soap_action: str | None = '""', content_type: str = "text/xml; charset=utf-8"):
        headers = {"Content-Type": content_type}
        if soap_action is not None:
            headers["SOAPAction"] = soap_action
        return self.session.post(self.url, data=xml.encode("utf-8"), headers=headers)

    def call(self, body: str, headers: str | None = None):
        """POST an envelope; return (HTTP status, parsed response root)."""
        response = self.post(envelope(body, headers))
        return response.status_code, etree.fromstring(response.content)

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self._thread.join(timeout=5)
        self.app.close()  # its background workers stop before its databases go


def fault_code(root: etree._Element) -> int | None:
    code = root.find(".//env:Fault/detail/m:serviceException/code", NS)
    return int(code.text) if code is not None else None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> None:
    """Skip a test whose outside tool is missing on a developer's machine; fail it in CI, which
    installs every such tool (.ci/install-system.sh)."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: .ci/install-system.sh should have installed it)")
    pytest.skip(reason)


class SoapClient:
    """zeep bound to the live server through Marketo's reference WSDL (`wsdl="reference"`) or the
    served WSDL; every call carries an AuthenticationHeader signed at the mock's own time.
    Operations are its attributes."""

    def __init__(self, server: LiveServer, wsdl: str = "reference"):
        def auth_header() -> dict[str, str]:
            stamp = timestamp(server.instance.clock.now())
            return {
                "mktowsUserId": server.user_id,
                "requestSignature": sign(server.secret, stamp, server.user_id),
                "requestTimestamp": stamp,
            }

        options = {"transport": Transport(session=server.session), "plugins": [SignRequests(auth_header)]}
        if wsdl == "reference":
            self.client = zeep.Client(str(REFERENCE_WSDL), **options)
            self.service = self.client.create_service(f"{{{TNS}}}MktowsApiSoapBinding", server.url)
        else:
            self.client = zeep.Client(server.wsdl_url, **options)
            self.service = self.client.service

    def __getattr__(self, operation: str):
        return getattr(self.service, operation)

    def type(self, name: str):
        """A type of Marketo's schema by local name (e.g. LeadKeySelector), to build xsi:type values."""
        return self.client.get_type(f"{{{TNS}}}{name}")


def zeep_fault_code(operation, **kwargs) -> int:
    """Call a zeep operation that must fault; return the Marketo code of its detail."""
    with pytest.raises(zeep.exceptions.Fault) as fault:
        operation(**kwargs)
    return int(fault.value.detail.find(".//code").text)
