"""Drive a mockmkto app from a test: over a real socket, or in process with none (moto's decorator mode).

`InProcessMock()` builds the app (in-memory store, seed_data/default.json, signatures checked) and
talks to it through `WSGIAdapter`, a requests transport adapter that hands each request straight to
the WSGI app: same WSDL, SOAP answers, HTTP 500 faults and admin API as the server, without a port::

    mock = InProcessMock()
    client = mock.zeep_client()                     # signs every call
    client.service.syncLead(leadRecord={"Email": "a@example.com"}, returnLead=False)
    mock.admin.journal(operation="syncLead")

The same `MockmktoClient` surface is what the pytest plugin's `mockmkto` fixture returns for a
served app. Needs zeep and requests (the `test` extra).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import requests
import zeep
from lxml import etree
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mockmkto.app import MockMarketo, build_app
from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.domain.auth import sign

DEFAULT_BASE_URL = "http://mockmkto.local"
TNS = "http://www.marketo.com/mktows/"


def default_config() -> Config:
    """What tests run against: memory store, the default seed, signatures checked."""
    return Config(db="sqlite://", seed=DEFAULT_SEED, auth=True)


class WSGIAdapter(BaseAdapter):
    """A requests adapter that calls a WSGI app in this thread instead of opening a connection."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        # Prepared by a Session: its URL and method are text.
        assert isinstance(request.url, str) and request.method is not None
        url = urlsplit(request.url)
        builder = EnvironBuilder(
            path=url.path or "/",
            base_url=f"{url.scheme}://{url.netloc}",
            query_string=url.query,
            method=request.method,
            # requests lets a header's value be bytes, sent as they are; Werkzeug would take their repr.
            headers=[
                (name, value.decode("latin-1") if isinstance(value, bytes) else value)
                for name, value in request.headers.items()
            ],
            data=_body_bytes(request.body),
        )
        try:
            app_iter, status, headers = run_wsgi_app(self.app, builder.get_environ(), buffered=True)
        finally:
            builder.close()
        code, _, reason = status.partition(" ")
        response = requests.Response()
        response.status_code, response.reason = int(code), reason
        response.headers = CaseInsensitiveDict(headers.items())
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = io.BytesIO(b"".join(app_iter))
        response.url = request.url
        response.request = request
        # requests types it HTTPAdapter; HTTPDigestAuth's resend needs only its send().
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        pass


def _body_bytes(body) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes):
        return body
    if hasattr(body, "read"):
        return body.read()
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in body)


def wsgi_session(app, base_url: str = DEFAULT_BASE_URL) -> requests.Session:
    """A requests.Session whose requests under `base_url` go to `app`; other URLs go to the network."""
    session = requests.Session()
    session.mount(base_url.rstrip("/") + "/", WSGIAdapter(app))
    return session


class InProcessTransport(zeep.Transport):
    """A zeep Transport that loads the WSDL from and posts SOAP calls to `app`, under `base_url`."""

    def __init__(self, app, base_url: str = DEFAULT_BASE_URL, **kwargs):
        super().__init__(session=wsgi_session(app, base_url), **kwargs)


class SignRequests(zeep.Plugin):
    """Adds a freshly signed AuthenticationHeader to every outgoing envelope that has none.

    A plugin rather than zeep's default soapheaders because a signature is only good for the
    signature window around its timestamp; each call gets its own.
    """

    def __init__(self, auth_header: Callable[[], dict[str, str]]):
        self.auth_header = auth_header

    def egress(self, envelope, http_headers, operation, binding_options):
        soap_env = etree.QName(envelope).namespace
        header = envelope.find(f"{{{soap_env}}}Header")
        if header is None:
            header = etree.Element(f"{{{soap_env}}}Header")
            envelope.insert(0, header)
        if header.find(f"{{{TNS}}}AuthenticationHeader") is None and (values := self.auth_header()):
            auth = etree.SubElement(header, f"{{{TNS}}}AuthenticationHeader")
            for name, value in values.items():
                etree.SubElement(auth, name).text = value
        return envelope, http_headers


class AdminError(Exception):
    """The admin API refused a request (its JSON error is in the message)."""


class AdminClient:
    """The admin HTTP API (/_admin) of one instance, as Python calls returning its JSON."""

    def __init__(self, session: requests.Session, base_url: str):
        self.session = session
        self.base = base_url.rstrip("/") + "/_admin"

    def _call(self, method: str, path: str, **kwargs):
        response = self.session.request(method, self.base + path, **kwargs)
        if response.status_code >= 400:
            raise AdminError(f"{method} /_admin{path}: HTTP {response.status_code} {response.text}")
        return response.json()

    def health(self) -> dict:
        return self._call("GET", "/health")

    def reset(self, seed: str | None = None, empty: bool = False) -> dict:
        """Back to the seed the server started with, to the named seed, or (`empty=True`) empty; clock,
        faults, quotas and journal start afresh."""
        params = {"seed": seed} if seed else {"empty": "true"} if empty else None
        return self._call("POST", "/reset", params=params)

    def seed(self, doc: dict, replace: bool = False) -> dict:
        """Load a seed document on top of the current state, or instead of it (`replace=True`), in one
        step; returns the counts loaded. Objects the instance holds already are an AdminError."""
        return self._call("POST", "/seed", json=doc, params={"replace": "true"} if replace else None)

    def export(self, secrets: bool = False) -> dict:
        """The whole state as a seed document; API users' secrets only with `secrets=True` (needed to seed
        it back)."""
        return self._call("GET", "/export", params={"secrets": "true"} if secrets else None)

    def journal(
        self, operation: str | None = None, fault: int | str | None = None, user: str | None = None
    ) -> list[dict]:
        """Recorded SOAP calls, oldest first; `fault` is a code, "any" or "none"."""
        params = {"operation": operation, "fault": None if fault is None else str(fault), "user": user}
        return self._call("GET", "/journal", params={k: v for k, v in params.items() if v is not None})["entries"]

    def clear_journal(self) -> None:
        self._call("DELETE", "/journal")

    def clock(
        self,
        *,
        freeze: bool | None = None,
        set: datetime | str | None = None,
        advance: timedelta | float | None = None,
        reset: bool = False,
    ) -> dict:
        """Read the mock's clock, or freeze/unfreeze, set, advance (seconds or timedelta) or reset it."""
        body: dict = {}
        if reset:
            body["reset"] = True
        if freeze is not None:
            body["freeze"] = freeze
        if set is not None:
            body["set"] = set.isoformat() if isinstance(set, datetime) else set
        if advance is not None:
            body["advance"] = advance.total_seconds() if isinstance(advance, timedelta) else advance
        return self._call("POST", "/clock", json=body) if body else self._call("GET", "/clock")

    def fault(
        self,
        code: int | None = None,
        operation: str | None = None,
        message: str | None = None,
        delay_ms: int | None = None,
        count: int | None = None,
        probability: float | None = None,
    ) -> dict:
        """Inject a fault (and/or a delay) into matching calls; returns the injected fault."""
        fields = {
            "code": code,
            "operation": operation,
            "message": message,
            "delayMs": delay_ms,
            "count": count,
            "probability": probability,
        }
        return self._call("POST", "/faults", json={k: v for k, v in fields.items() if v is not None})

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")


class MockmktoClient:
    """What a test holds for one app reached at `base_url` through `transport`.

    `url`/`wsdl_url` name the 2_6 endpoint, `user_id`/`secret` the seed's first API user,
    `auth_header()` signs a header, `admin` wraps the admin API, `zeep_client()` signs every call.
    """

    def __init__(self, app: MockMarketo, base_url: str, transport: zeep.Transport, version: str = "2_6"):
        self.app = app
        self.base_url = base_url.rstrip("/")
        self.transport = transport
        self.session = transport.session
        self.url = f"{self.base_url}/soap/mktows/{version}"
        self.wsdl_url = self.url + "?WSDL"
        self.user_id: str | None
        self.secret: str | None
        self.user_id, self.secret = next(iter(app.credentials()), (None, None))
        self.admin = AdminClient(self.session, self.base_url)

    def auth_header(self, at: datetime | None = None) -> dict[str, str]:
        """A signed AuthenticationHeader (zeep's `_soapheaders={"authentication": ...}`).

        Stamped with the mock's clock by default, so signatures stay valid after a test moves it. Empty
        when the mock has no API user (a store seeded without users, authentication off).
        """
        if self.user_id is None or self.secret is None:
            return {}  # no API user to sign as: calls go without the header
        stamp = (at or self.app.instance.clock.now()).isoformat(timespec="seconds")
        return {
            "mktowsUserId": self.user_id,
            "requestSignature": sign(self.secret, stamp, self.user_id),
            "requestTimestamp": stamp,
        }

    @cached_property
    def wsdl(self) -> zeep.wsdl.Document:
        """The served WSDL as zeep parsed it, once: parsing is most of what a new Client costs
        (bench/results.md, the fixture's per-test cost)."""
        # zeep's hint asks for the Transport class; Document uses the instance given (its load()).
        return zeep.wsdl.Document(self.wsdl_url, self.transport)  # type: ignore[arg-type]

    def zeep_client(self, **kwargs) -> zeep.Client:
        """A zeep Client on the served WSDL that sends a fresh AuthenticationHeader with every call.

        Clients share the parsed WSDL, unless given zeep `settings` (which change how it is parsed).
        """
        plugins = [SignRequests(self.auth_header), *kwargs.pop("plugins", [])]
        wsdl = self.wsdl_url if "settings" in kwargs else self.wsdl
        return zeep.Client(wsdl, transport=self.transport, plugins=plugins, **kwargs)


class InProcessMock(MockmktoClient):
    """A mock app of its own, reached without sockets at `base_url`."""

    def __init__(self, config: Config | None = None, base_url: str = DEFAULT_BASE_URL):
        app = build_app(config or default_config())
        super().__init__(app, base_url, InProcessTransport(app, base_url))
