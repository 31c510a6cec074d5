"""The WSGI application: routes SOAP, WSDL and admin requests to the right instance."""

from __future__ import annotations

import json
import re

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from mockmkto import __version__
from mockmkto.config import Config
from mockmkto.domain.instance import Instance
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.soap.server import MktowsServer
from mockmkto.soap.wsdl import with_address

SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"
VERSION_PATTERN = re.compile(r"^\d+_\d+$")


class MockMarketo:
    """A WSGI app serving one Marketo instance at /soap/mktows/<version>."""

    def __init__(self, config: Config):
        self.config = config
        self.seed = read_seed_file(config.seed) if config.seed else None
        self.instance = Instance("default", config.db, config.signature_window_seconds, self.seed)
        self.soap = MktowsServer(auth_required=config.auth, max_request_bytes=config.max_request_bytes)
        self.url_map = Map(
            [
                Rule("/soap/mktows/<version>", endpoint="soap"),
                Rule("/_admin/health", endpoint="health"),
            ]
        )

    def credentials(self) -> list[tuple[str, str]]:
        """The API users (mktowsUserId, secret) of the default instance."""
        return self.instance.credentials()

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            endpoint, args = self.url_map.bind_to_environ(environ).match()
            response = getattr(self, f"on_{endpoint}")(request, **args)
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)

    def on_soap(self, request: Request, version: str) -> Response:
        if version not in self.config.versions:
            raise NotFound()
        if request.method == "GET":
            if "wsdl" not in {key.lower() for key in request.args}:
                raise MethodNotAllowed(valid_methods=["POST"])
            address = request.host_url.rstrip("/") + request.path
            return Response(with_address(self.soap.wsdl, address), content_type=SOAP_CONTENT_TYPE)
        if request.method != "POST":
            raise MethodNotAllowed(valid_methods=["GET", "POST"])
        result = self.soap.handle(request.get_data(cache=False), self.instance)
        return Response(result.body, status=result.status, content_type=SOAP_CONTENT_TYPE)

    def on_health(self, request: Request) -> Response:
        body = {"ready": True, "version": __version__, "db": self.config.db.split("://", 1)[0]}
        return Response(json.dumps(body), content_type="application/json")


def build_app(config: Config) -> MockMarketo:
    return MockMarketo(config)
