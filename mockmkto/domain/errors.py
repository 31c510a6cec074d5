"""Marketo's SOAP error codes, as data, and the one exception that carries them.

Titles are the documented table's, except where real traffic shows another faultstring
(20103 "Lead not found", 20105 "Unknown lead field"): clients should key on the code only.
"""

from __future__ import annotations

from mockmkto.store.db import StoreUnavailable

# The database could not serve the call (a restart, a lost connection): Marketo's "API service
# failure", 20011, for every call in flight. Re-exported so soap/ need not know the store.
STORE_UNAVAILABLE = StoreUnavailable
SERVICE_FAILURE = (20011, "API service failure")

ERROR_TITLES: dict[int, str] = {
    10001: "Internal Error",
    20011: "Internal Error",
    20012: "Request Not Understood",
    20013: "Access Denied",
    20014: "Authentication failed",
    20015: "Request Limit Exceeded",
    20016: "Request Expired",
    20017: "Invalid Request",
    20019: "Unsupported Operation",
    20022: "Time range specified in query filter exceeded limit",
    20023: "Rate Limit Exceeded",
    20024: "Concurrency Limit Exceeded",
    20101: "Lead Key Required",
    20102: "Lead Key Bad",
    20103: "Lead not found",
    20104: "Lead Detail Required",
    20105: "Unknown lead field",
    20106: "Lead Sync Failed",
    20107: "Activity Key Bad",
    20108: "Lead Owner Not Found",
    20109: "Parameter Required",
    20110: "Bad Parameter",
    20111: "List Not Found",
    20113: "Campaign Not Found",
    20114: "Bad Parameter",
    20122: "Bad Stream Position",
    20123: "Stream at End",
}

# Marketo only ever shows SOAP-ENV:Client; internal failures are the server's fault.
SERVER_FAULT_CODES = frozenset({10001, 20011})


class MarketoError(Exception):
    """A Marketo API error: `code` from ERROR_TITLES and the specific `text` of this failure."""

    def __init__(self, code: int, text: str | None = None):
        if code not in ERROR_TITLES:
            raise ValueError(f"unknown Marketo error code {code}")
        self.code = code
        self.title = ERROR_TITLES[code]
        self.text = text or self.title
        super().__init__(f"{code} - {self.title}: {self.text}")

    @property
    def faultstring(self) -> str:
        return f"{self.code} - {self.title}"

    @property
    def message(self) -> str:
        return f"{self.text} ({self.code})"

    @property
    def is_server_fault(self) -> bool:
        return self.code in SERVER_FAULT_CODES
