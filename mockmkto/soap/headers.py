"""Reading the SOAP headers leniently: children qualified or not, any prefix, extra children
(such as the documented but unschema'd `partnerId`) ignored."""

from __future__ import annotations

from mockmkto.domain.auth import AuthenticationHeader
from mockmkto.soap.protocol import local_name


def _children(header_doc: list | None, name: str) -> dict[str, str] | None:
    for element in header_doc or ():
        if local_name(element.tag) == name:
            return {local_name(child.tag): (child.text or "").strip() for child in element}
    return None


def authentication_header(header_doc: list | None) -> AuthenticationHeader | None:
    fields = _children(header_doc, "AuthenticationHeader")
    if fields is None:
        return None
    return AuthenticationHeader(
        fields.get("mktowsUserId") or None,
        fields.get("requestSignature") or None,
        fields.get("requestTimestamp") or None,
    )


def target_workspace(header_doc: list | None) -> str | None:
    fields = _children(header_doc, "MktowsContextHeader")
    if fields is None:
        return None
    return fields.get("targetWorkspace") or None
