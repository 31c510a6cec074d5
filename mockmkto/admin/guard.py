"""Who may use the admin API: the holder of the admin token, and never another site's page.

A page the browser opened elsewhere can still reach the mock on localhost with a form POST or a
no-cors fetch. It cannot hide its Origin (nor Sec-Fetch-Site), nor send a JSON content type
without CORS's consent, so those two checks keep it from seeding, resetting or injecting faults.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from werkzeug.wrappers import Request

# What a browser asks again for, so a person can open the dashboard with the token as the password.
CHALLENGE = {"WWW-Authenticate": 'Basic realm="mockmkto"'}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Refused(Exception):
    """An admin request turned away: its HTTP status, why, and the headers the answer needs."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}


def check_token(request: Request, token: str) -> None:
    """The token as `Authorization: Bearer <token>` or as the password of HTTP Basic (any user name)."""
    given = request.authorization
    presented = (given.token if given.type == "bearer" else given.password) if given else None
    # Compared as bytes: in constant time, and a non-ASCII guess is just wrong.
    if not presented or not hmac.compare_digest(presented.encode(), token.encode()):
        raise Refused(401, "the admin API needs its token: Authorization: Bearer <token>", CHALLENGE)


def check_same_origin(request: Request) -> None:
    """A request that changes state may not come from a page of another origin.

    Clients that are not browsers send no Origin and are let through.
    """
    if request.method in READ_METHODS:
        return
    origin = request.headers.get("Origin")
    cross_site = request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site"
    # Origin "null" (a sandboxed page, a file) has no host and is refused too.
    if cross_site or (origin is not None and urlsplit(origin).netloc.lower() != request.host.lower()):
        raise Refused(403, "admin requests that change state are refused from a page of another origin")


def check_json_body(request: Request) -> None:
    """A body sent to the JSON API is `application/json`; no body at all needs no content type."""
    if request.method in READ_METHODS or request.mimetype == "application/json":
        return
    if request.mimetype or request.get_data():
        raise Refused(415, "admin request bodies are JSON: send Content-Type: application/json")
