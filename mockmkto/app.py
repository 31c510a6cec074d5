"""The WSGI application: routes SOAP, WSDL and admin requests to the right instance.

Each instance (a Munchkin-style id in the URL: /<instance>/soap/mktows/2_9, /<instance>/_admin/...)
has its own store, clock, limits and journal, so parallel test workers never see each other's
leads. The bare paths serve the instance named "default". At most `config.max_instances` live in
one server: each holds a database (or a PostgreSQL schema) and its connections.
"""

from __future__ import annotations

import os
import re
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from mockmkto import transport
from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.domain.instance import Instance
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.soap.server import MktowsServer, SoapResponse
from mockmkto.store.db import is_memory_url

if TYPE_CHECKING:
    from mockmkto.admin.api import AdminApi

SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"
INSTANCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# The SOAP endpoint's rules below, for POSTs taken without routing: (instance, version).
SOAP_PATH = re.compile(r"/(?:([^/]+)/)?soap/mktows/([^/]+)")
DEFAULT_INSTANCE = "default"


class SeedLibrary:
    """Seed documents by name (`default` is seed_data/default.json), parsed once."""

    def __init__(self, folder: str, extra: dict[str, str] | None = None):
        self.folder = folder
        self.extra = extra or {}
        self._cache: dict[str, dict] = {}

    def names(self) -> list[str]:
        found = (
            {name[:-5] for name in os.listdir(self.folder) if name.endswith(".json")}
            if os.path.isdir(self.folder)
            else set()
        )
        return sorted(found | set(self.extra))

    def get(self, name: str) -> dict | None:
        if name not in self._cache:
            path = self.extra.get(name) or os.path.join(self.folder, f"{name}.json")
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or not os.path.isfile(path):
                return None
            self._cache[name] = read_seed_file(path)
        return self._cache[name]


def instance_location(url: str, name: str) -> tuple[str, str | None]:
    """Where an instance's state lives: (database URL, PostgreSQL schema). The default instance uses
    the configured database; another gets its own SQLite file beside it (or its own in-memory
    database), or its own schema in the same PostgreSQL database."""
    if name == DEFAULT_INSTANCE:
        return url, None
    if not url.startswith("sqlite"):
        return url, f"instance_{name}"
    if is_memory_url(url):
        return url, None
    stem, ext = os.path.splitext(url)
    return f"{stem}-{name}{ext or '.db'}", None


class MockMarketo:
    """The mock server as a WSGI application."""

    def __init__(self, config: Config):
        self.config = config
        self.seeds = SeedLibrary(os.path.dirname(DEFAULT_SEED), {"serve": config.seed} if config.seed else None)
        self.seed = read_seed_file(config.seed) if config.seed else None
        self.soap = MktowsServer(auth_required=config.auth, max_request_bytes=config.max_request_bytes)
        self._instances: dict[str, Instance] = {}
        self._lock = threading.Lock()
        self._serving = False
        self.instance = self.instance_named(DEFAULT_INSTANCE)

    def instance_named(self, name: str) -> Instance:
        """The instance called `name`, created (and seeded) on first use."""
        instance = self._instances.get(name)
        if instance is not None:
            return instance
        if not INSTANCE_NAME.match(name):
            raise UnknownInstance(name)
        with self._lock:
            if name not in self._instances:
                if len(self._instances) >= self.config.max_instances:
                    raise TooManyInstances(self.config.max_instances)
                url, schema = instance_location(self.config.db, name)
                self._instances[name] = Instance(
                    name,
                    url,
                    self.config.signature_window_seconds,
                    self.seed,
                    schema,
                    self.config.journal_cap,
                    self.config.journal_bytes,
                )
                if self._serving:
                    self._instances[name].start_background()
            return self._instances[name]

    def start_serving(self) -> None:
        """This process serves the app (`mockmkto serve`): each instance's background worker starts
        now, and each instance opened later with it (`Instance.start_background`)."""
        with self._lock:
            self._serving = True
            for instance in self._instances.values():
                instance.start_background()

    def instance_names(self) -> list[str]:
        """The instances this server has opened, the default first."""
        return sorted(self._instances, key=lambda name: (name != DEFAULT_INSTANCE, name))

    @cached_property
    def admin(self) -> AdminApi:
        """The admin API, loaded on the first admin request: SOAP calls (and start-up) never import it
        or the dashboard behind it. It holds no state, so two threads racing to build it is harmless."""
        from mockmkto.admin.api import AdminApi

        return AdminApi(self.config, self.seeds, self.instance_names)

    def credentials(self) -> list[tuple[str, str]]:
        """The API users (mktowsUserId, secret) of the default instance."""
        return self.instance.credentials()

    def close(self) -> None:
        """Close every instance's database connections (a process about to fork, or stopping)."""
        with self._lock:
            for instance in self._instances.values():
                instance.close()

    def __call__(self, environ, start_response):
        instance, soap_path = None, None
        if environ.get("REQUEST_METHOD") == "POST":
            soap_path = SOAP_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if soap_path and soap_path[2] in self.config.versions:
            instance = self._instances.get(soap_path[1] or DEFAULT_INSTANCE)
        if instance is not None:
            # Every SOAP call to an instance that exists comes this way, without Werkzeug's routing,
            # Request and Response objects (bench/results.md); the same answer, headers included.
            result = self.soap_call(instance, _Body(environ))
            if result.transport is not None:
                return transport.answer(result, SOAP_CONTENT_TYPE, environ, start_response)
            status = transport.status_line(result.status)
            start_response(status, [("Content-Type", SOAP_CONTENT_TYPE), ("Content-Length", str(len(result.body)))])
            return [result.body]
        # Anything else (WSDL, admin API, dashboard, a first call to a new instance) is routed by
        # Werkzeug, loaded on the first such request: start-up and SOAP calls never import it.
        from mockmkto import routes

        return routes.respond(self, environ, start_response)

    def soap_call(self, instance: Instance, stream) -> SoapResponse:
        """One SOAP call, answered and journalled. Reads at most one byte past the cap: a huge body is
        refused (20012) without being held in memory."""
        return self.soap.handle(stream.read(self.config.max_request_bytes + 1), instance)


class UnknownInstance(LookupError):
    """A name no instance can have (an HTTP 404)."""


class TooManyInstances(LookupError):
    """The server holds `config.max_instances` instances already (an HTTP 503)."""

    def __init__(self, cap: int):
        super().__init__(f"this server holds its maximum of {cap} instances (MOCKMKTO_MAX_INSTANCES)")


class _Body:
    """The request body as Werkzeug's get_input_stream gives it: what Content-Length says, all of a
    terminated input, or nothing."""

    def __init__(self, environ):
        self.environ = environ

    def read(self, limit: int) -> bytes:
        stream = self.environ["wsgi.input"]
        if self.environ.get("wsgi.input_terminated"):
            return stream.read(limit)
        length = self.environ.get("CONTENT_LENGTH", "")
        return stream.read(min(int(length), limit)) if length.isdigit() else b""


def build_app(config: Config) -> MockMarketo:
    return MockMarketo(config)
