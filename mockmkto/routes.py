"""Requests other than a SOAP POST to an instance that exists, routed with Werkzeug: the WSDL,
the admin API and dashboard, a first call to a new instance, and every wrong method or path.
MockMarketo imports this on the first such request, so start-up and SOAP calls never load
Werkzeug (its import is part of the cold start measured in bench/results.md)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from mockmkto import transport
from mockmkto.admin.api import json_response
from mockmkto.app import DEFAULT_INSTANCE, SOAP_CONTENT_TYPE, TooManyInstances, UnknownInstance
from mockmkto.domain.errors import STORE_UNAVAILABLE
from mockmkto.soap.server import service_failure
from mockmkto.soap.wsdl import with_address

if TYPE_CHECKING:
    from collections.abc import Callable
    from wsgiref.types import WSGIApplication

    from mockmkto.app import MockMarketo

URL_MAP = Map(
    [
        Rule("/soap/mktows/<version>", endpoint="soap"),
        Rule("/<instance>/soap/mktows/<version>", endpoint="soap"),
        # /_admin/ itself is the dashboard; /_admin redirects there.
        Rule("/_admin/", endpoint="admin", defaults={"path": ""}),
        Rule("/<instance>/_admin/", endpoint="admin", defaults={"path": ""}),
        Rule("/_admin/<path:path>", endpoint="admin"),
        Rule("/<instance>/_admin/<path:path>", endpoint="admin"),
    ]
)


def respond(app: MockMarketo, environ, start_response):
    request = Request(environ)
    try:
        endpoint, args = URL_MAP.bind_to_environ(environ).match()
        response = ENDPOINTS[endpoint](app, request, **args)
    except UnknownInstance:
        response = NotFound().get_response(environ)
    except TooManyInstances as exc:
        response = json_response({"error": str(exc)}, 503)
    except STORE_UNAVAILABLE as exc:  # an admin change, or a new instance (but a call's), the database cannot take now
        response = json_response({"error": f"store unavailable: {exc}"}, 503)
    except ValueError as exc:
        response = json_response({"error": str(exc)}, 400)
    except HTTPException as exc:
        response = exc.get_response(environ)
    return response(environ, start_response)


def on_soap(app: MockMarketo, request: Request, version: str, instance: str = DEFAULT_INSTANCE) -> WSGIApplication:
    if version not in app.config.versions:
        raise NotFound()
    try:
        target = app.instance_named(instance)
    except STORE_UNAVAILABLE as error:
        if request.method != "POST":
            raise
        # A call to a new instance the database cannot take now: the call is answered as a call to
        # an existing one would be.
        return Response(service_failure(error), status=500, content_type=SOAP_CONTENT_TYPE)
    if request.method == "GET":
        if "wsdl" not in {key.lower() for key in request.args}:
            raise MethodNotAllowed(valid_methods=["POST"])
        address = request.host_url.rstrip("/") + request.path
        return Response(with_address(app.soap.wsdl, address), content_type=SOAP_CONTENT_TYPE)
    if request.method != "POST":
        raise MethodNotAllowed(valid_methods=["GET", "POST"])
    result = app.soap_call(target, request.stream)
    if result.transport is not None:
        return partial(transport.answer, result, SOAP_CONTENT_TYPE)
    return Response(result.body, status=result.status, content_type=SOAP_CONTENT_TYPE)


def on_admin(app: MockMarketo, request: Request, path: str, instance: str = DEFAULT_INSTANCE) -> Response:
    refusal = app.admin.refusal(request, path)
    if refusal is not None:
        return refusal
    target = app.instance_named(instance)
    return app.admin.dispatch(request, path, target, target.journal)


ENDPOINTS: dict[str, Callable[..., WSGIApplication]] = {"soap": on_soap, "admin": on_admin}
