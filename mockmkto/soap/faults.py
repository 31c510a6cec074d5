"""SOAP faults exactly as Marketo writes them (spec section 4)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from mockmkto.domain.errors import MarketoError

_FAULT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
    "<SOAP-ENV:Body><SOAP-ENV:Fault>"
    "<faultcode>SOAP-ENV:{faultcode}</faultcode>"
    "<faultstring>{faultstring}</faultstring>"
    '<detail><ns1:serviceException xmlns:ns1="http://www.marketo.com/mktows/">'
    "<name>mktServiceException</name>"
    "<message>{message}</message>"
    "<code>{code}</code>"
    "</ns1:serviceException></detail>"
    "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"
)


def request_too_large(limit: int) -> MarketoError:
    """A request over the size limit, refused by the HTTP server from its headers or by the SOAP server."""
    return MarketoError(20012, f"Request larger than {limit} bytes")


def fault_envelope(error: MarketoError) -> bytes:
    """The HTTP 500 body for `error`: faultcode Client (Server for internal errors)."""
    return _FAULT.format(
        faultcode="Server" if error.is_server_fault else "Client",
        faultstring=escape(error.faultstring),
        message=escape(error.message),
        code=error.code,
    ).encode("utf-8")


# What a load balancer answers when no server behind it can (an injected http503 transport fault).
UNAVAILABLE_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n"
    b"<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n"
)
