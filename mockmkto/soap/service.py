"""What every mktows operation shares: Marketo's message names, the call context, domain errors as faults.

The operations live in one service class per area (lead_service, campaign_service, mobject_service):
one @rpc each that unpacks the params, calls one domain function and packs the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from spyne import Fault, ServiceBase, rpc
from sqlalchemy.orm import Session

from mockmkto.domain.clock import Clock
from mockmkto.domain.worker import Background
from mockmkto.soap import types as T
from mockmkto.soap.required import check_required_parameters

# Operations whose binding declares MktowsContextHeader as well as AuthenticationHeader.
CONTEXT_HEADER_OPERATIONS = {"syncLead"}


@dataclass
class CallContext:
    """What an operation works with: one transaction, the clock, the caller and the raw headers."""

    session: Session
    clock: Clock
    user_id: str | None  # None when the server runs without authentication
    header_doc: list | None
    target_workspace: str | None
    worker: Background | None = None  # the instance's background worker, for calls that leave work waiting


class CarriedError(Fault):
    """Carries what an operation raised through Spyne's call machinery to the server, which answers
    it: a MarketoError as its fault, anything else by what it is (Spyne would make a generic fault of
    it, and a database the store lost would be an Internal Error instead of 20011)."""

    def __init__(self, error: Exception):
        super().__init__("Client", str(error))
        self.error = error


def operation(name: str):
    """@rpc with Marketo's message names: paramsX in, successX out, document/literal bare."""
    params, success = T.OPERATIONS[name]
    headers: tuple[type, ...] = (T.AuthenticationHeaderInfo,)
    if name in CONTEXT_HEADER_OPERATIONS:
        headers += (T.MktowsContextHeaderInfo,)
    cap = name[0].upper() + name[1:]
    names = dict(_in_message_name=f"params{cap}", _out_message_name=f"success{cap}", _in_header=headers)
    if not params.get_flat_type_info(params):
        # Spyne's bare style refuses an empty params type (paramsListMObjects): wrap the nothing.
        return rpc(_returns=success, _body_style="out_bare", **names)
    return rpc(params, _returns=success, _body_style="bare", **names)


class MktowsService(ServiceBase):
    """Base of the service classes: a domain MarketoError becomes Marketo's fault."""

    @classmethod
    def call_wrapper(cls, ctx):
        try:
            check_required_parameters(ctx.descriptor.operation_name, ctx.in_object)
            return super().call_wrapper(ctx)
        except Exception as error:
            raise CarriedError(error) from None
