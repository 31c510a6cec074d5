"""Reading the SOAP headers leniently: children qualified or not, any prefix, extra children
(such as the documented but unschema'd `partnerId`) ignored."""

from __future__ import annotations

from mockmkto.domain.auth import AuthenticationHeader


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(header_doc: list | None, name: str) -> dict[str, str] | None:
    for element in header_doc or ():
        if _local(element.tag) == name:
            return {_local(child.tag): (child.text or "").strip() for child in element}
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
