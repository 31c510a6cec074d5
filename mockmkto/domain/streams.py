"""Opaque stream positions: what a paged call hands back so the next call resumes there.

Clients must not edit them; a position that does not decode, or that belongs to another query,
is 20122 Bad Stream Position.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from mockmkto.domain.errors import MarketoError


def fingerprint(*parts: object) -> str:
    """A short digest of the query a position belongs to."""
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:12]


def encode(query: str, **state: object) -> str:
    payload = json.dumps({"q": query, **state}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode(position: str, query: str) -> dict:
    """The state stored in `position`; 20122 if it is not one of ours or not for `query`."""
    try:
        text = base64.urlsafe_b64decode(position.strip() + "=" * (-len(position.strip()) % 4)).decode()
        state = json.loads(text)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise MarketoError(20122, f"Bad stream position {position!r}") from None
    if not isinstance(state, dict) or state.pop("q", None) != query:
        raise MarketoError(20122, "Stream position does not belong to this query")
    return state
