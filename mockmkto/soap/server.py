"""Spyne's request path for one SOAP POST: parse, authenticate, dispatch, serialize, or fault."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

import spyne
from spyne import Application, MethodContext
from spyne.error import Fault
from spyne.protocol import ProtocolBase
from spyne.server import ServerBase

from mockmkto.domain import auth, campaign_runs
from mockmkto.domain.errors import SERVICE_FAILURE, STORE_UNAVAILABLE, MarketoError
from mockmkto.domain.instance import READS_ONLY, SHARE_THE_INSTANCE, Instance
from mockmkto.domain.limits import REACHES_THE_OPERATION
from mockmkto.soap.campaign_service import CampaignService
from mockmkto.soap.faults import UNAVAILABLE_PAGE, fault_envelope, request_too_large
from mockmkto.soap.headers import authentication_header, target_workspace
from mockmkto.soap.lead_service import DIRECT_WRITERS, LeadService
from mockmkto.soap.mobject_service import MObjectService
from mockmkto.soap.protocol import MktowsSoap11, local_name
from mockmkto.soap.service import CONTEXT_HEADER_OPERATIONS, CallContext, CarriedError
from mockmkto.soap.types import OPERATIONS, TNS, UNREFERENCED
from mockmkto.soap.wsdl import build_wsdl

log = logging.getLogger("mockmkto.soap")
# Spyne logs every fault with a traceback; faults are answers here, not incidents.
for _name in ("spyne", "spyne.application", "spyne.application.client", "spyne.application.server"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

OPERATION_BY_ELEMENT = {f"{{{TNS}}}params{op[0].upper()}{op[1:]}": op for op in OPERATIONS}


class SoapResponse:
    __slots__ = ("status", "body", "operation", "fault_code", "user_id", "workspace", "time", "transport", "spread")

    def __init__(
        self,
        status: int,
        body: bytes,
        operation: str | None = None,
        fault_code: int | None = None,
        user_id: str | None = None,
        workspace: str | None = None,
    ):
        self.status = status
        self.body = body
        self.operation = operation
        self.fault_code = fault_code
        self.user_id = user_id
        self.workspace = workspace
        self.time: datetime | None = None  # the mock's time when the call began its work (None: refused before)
        self.transport: str | None = None  # the connection's fault to answer with (domain/limits.py TRANSPORT_FAULTS)
        self.spread = 0.0  # seconds a dribbled answer takes


class CallMethodContext(MethodContext):
    """Spyne's MethodContext without its guard on setting attributes (it catches typos in user
    code, at a Python call per attribute set: 59 a call)."""

    __setattr__ = object.__setattr__


class EventManager(spyne.EventManager):
    """Spyne's, firing an event nobody listens to for nothing: Spyne's builds an empty handler set
    for each of the 13 events a call fires."""

    def fire_event(self, event_name, ctx, *args, **kwargs):
        handlers = self.handlers.get(event_name)
        if handlers:
            for handler in handlers:
                handler(ctx, *args, **kwargs)


class MktowsServer(ServerBase):
    """Drives Spyne's Application step by step, so each failure gets Marketo's own fault."""

    transport = "http://schemas.xmlsoap.org/soap/http"

    def __init__(self, auth_required: bool = True, max_request_bytes: int = 10 * 1024 * 1024):
        app = Application(
            [LeadService, CampaignService, MObjectService],
            tns=TNS,
            name="MktMktowsApiService",
            in_protocol=MktowsSoap11(),
            out_protocol=MktowsSoap11(DIRECT_WRITERS),
            classes=UNREFERENCED,  # published in the WSDL, as Marketo's declares them
        )
        super().__init__(app)
        for owner in (self, app, app.in_protocol, app.out_protocol, *app.services):
            owner.event_manager = EventManager(owner, owner.event_manager.handlers)
        self.auth_required = auth_required
        self.max_request_bytes = max_request_bytes
        self._wsdl: str | None = None
        self._wsdl_lock = threading.Lock()

    @property
    def wsdl(self) -> str:
        """The WSDL text, built on first use: start-up (and a SOAP call) does not wait for it."""
        if self._wsdl is None:
            with self._wsdl_lock:
                if self._wsdl is None:
                    self._wsdl = build_wsdl(self.app.interface, CONTEXT_HEADER_OPERATIONS)
        return self._wsdl

    def handle(self, body: bytes, instance: Instance) -> SoapResponse:
        """Answer one call and journal it: an answered call in the call's own unit of work (see
        `_call`), a fault in one of its own, since the call's work is rolled back."""
        response = SoapResponse(500, b"")
        started = time.perf_counter()
        try:
            self._handle(body, instance, response, started)
            return response
        except MarketoError as error:
            response.fault_code = error.code
            response.body = fault_envelope(error)
        except STORE_UNAVAILABLE as error:
            response.fault_code = SERVICE_FAILURE[0]
            response.body = service_failure(error)
        except Exception:
            log.exception("internal error")
            response.fault_code = 10001
            response.body = fault_envelope(MarketoError(10001, "Internal Error"))
        _journal_apart(instance, body, response, started)
        return response

    def _handle(self, body: bytes, instance: Instance, response: SoapResponse, started: float) -> None:
        instance.limits.arrive()
        try:
            # One call at a time, whole, parse included: Python runs one thread at a time anyway,
            # and lxml and SQLite let go of the interpreter while they work, so a call that let
            # others in waited to get it back after every parse and statement (bench/results.md).
            with instance.turn:
                ctx = self._parse(body, response)
                self._read_params(ctx, response)
                with instance.unit_of_work(
                    shared=response.operation in SHARE_THE_INSTANCE, reads_only=response.operation in READS_ONLY
                ) as session:
                    response.time = instance.clock.now()
                    response.user_id = self._authenticate(ctx, session, instance)
                    if response.operation is None:
                        raise MarketoError(20019, f"Unsupported Operation: {local_name(ctx.in_body_doc.tag)}")
                    if not instance.limits.active():
                        return self._call(ctx, session, instance, response, body, started)
                    admission = instance.limits.admit(session, response.operation)
                # What admission counted (quotas, fault hits) is committed, whatever the call does.
                if not admission.delay:
                    return self._admitted(ctx, instance, response, body, started, admission)
            # An injected delay is waited out of turn: other calls go on meanwhile, and count as
            # concurrent with this one.
            time.sleep(admission.delay)
            with instance.turn:
                return self._admitted(ctx, instance, response, body, started, admission)
        finally:
            instance.limits.leave()

    def _admitted(self, ctx, instance: Instance, response, body: bytes, started: float, admission) -> None:
        """Carry out a call admission let through, or answer what it decided instead."""
        if admission.error is not None:
            raise admission.error
        response.transport, response.spread = admission.transport, admission.spread
        if admission.transport is not None and admission.transport not in REACHES_THE_OPERATION:
            # The connection fails before the call reaches Marketo: the journal keeps what the client got.
            response.status, response.body = (503, UNAVAILABLE_PAGE) if admission.transport == "http503" else (0, b"")
            _journal_apart(instance, body, response, started)
            return
        with instance.unit_of_work() as session:
            self._call(ctx, session, instance, response, body, started)

    def _parse(self, body: bytes, response: SoapResponse) -> MethodContext:
        if len(body) > self.max_request_bytes:
            raise request_too_large(self.max_request_bytes)
        protocol = self.app.in_protocol
        ctx = CallMethodContext(self, MethodContext.SERVER)
        ctx.in_string = [body]
        try:
            protocol.create_in_document(ctx)
            protocol.decompose_incoming_envelope(ctx, ProtocolBase.REQUEST)
        except Exception:
            raise MarketoError(20012, "Request Not Understood: not a SOAP 1.1 envelope") from None
        if ctx.in_document.getroottree().docinfo.doctype:
            # Entities are never expanded; a DTD has no business in a SOAP message at all.
            raise MarketoError(20012, "Request Not Understood: DTDs are not allowed")
        if ctx.in_body_doc is None:
            raise MarketoError(20012, "Request Not Understood: empty SOAP body")
        response.operation = OPERATION_BY_ELEMENT.get(ctx.in_body_doc.tag)
        response.workspace = target_workspace(ctx.in_header_doc)
        return ctx

    def _read_params(self, ctx, response: SoapResponse) -> None:
        """The params element read into the operation's arguments before the unit of work begins: it
        needs no store, and the unit holds the store (SQLite's write turn, PostgreSQL's lock)
        against every process. What reading raised is kept in `ctx.in_error`, for `_call` to raise:
        a call is still authenticated and admitted first."""
        if response.operation is None:
            return
        # Each params element names one method: the context becomes the call's own, where Spyne's
        # generate_method_contexts would copy it first.
        (ctx.descriptor,) = self.app.in_protocol.get_call_handles(ctx)
        try:
            self.get_in_object(ctx)  # a Fault is kept in ctx.in_error by Spyne
        except Exception as error:
            ctx.in_error = error

    def _authenticate(self, ctx, session, instance: Instance) -> str | None:
        if not self.auth_required:
            return None
        return auth.authenticate(
            session, instance.clock, authentication_header(ctx.in_header_doc), instance.signature_window_seconds
        )

    def _call(self, ctx, session, instance: Instance, response: SoapResponse, body: bytes, started: float) -> None:
        # Scheduled campaign runs whose time has come happen before anything else reads the state.
        campaign_runs.run_due(session, instance.clock)
        if isinstance(ctx.in_error, Fault):
            raise MarketoError(20012, "Request Not Understood: the params element could not be read")
        if ctx.in_error is not None:
            raise ctx.in_error
        ctx.udc = CallContext(
            session, instance.clock, response.user_id, ctx.in_header_doc, response.workspace, instance.worker
        )
        self.get_out_object(ctx)
        if ctx.out_error is not None:
            # What the operation raised leaves the unit of work (the store names a database it lost)
            # and is answered by `handle`.
            error = ctx.out_error
            raise error.error if isinstance(error, CarriedError) else error
        self.get_out_string(ctx)
        response.status, response.body = 200, b"".join(ctx.out_string)
        assert response.time is not None  # the call's work began at it (_handle)
        instance.journal.append(session, response.time, body, response, _ms_since(started))


def service_failure(error: Exception) -> bytes:
    """The answer (HTTP 500) to a call the store could not serve: fault 20011, as Marketo's service
    answers when it fails; logged, since the journal may be out of reach too."""
    log.warning("store unavailable: %s", error)
    return fault_envelope(MarketoError(*SERVICE_FAILURE))


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _journal_apart(instance: Instance, body: bytes, response: SoapResponse, started: float) -> None:
    """Journal a call that did no work of its own (a fault, a transport fault), in a unit of work of
    its own. With the store away there is nowhere to journal it: the answer still goes out."""
    try:
        instance.journal.record(response.time or instance.clock.now(), body, response, _ms_since(started))
    except STORE_UNAVAILABLE as error:
        log.warning("call not journalled: %s", error)
