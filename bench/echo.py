"""Spyne's own path: a bare syncLead echo on stock Spyne, the ceiling issue 7 sets its targets by.

Issue 7 measured "a bare Spyne syncLead echo (no auth, no store)" at 0.40x the floor and asked that
auth, semantics and the store cost almost nothing on top of it. This is that echo: the mktows
types of mockmkto.soap.types (the real WSDL's shapes) on Spyne's stock Soap11 protocol and
WsgiApplication, with none of mockmkto's server, protocol or store. It answers a syncLead with
lead 1 UPDATED (and the record it was sent when returnLead is true).
"""

from __future__ import annotations

from spyne import Application, ServiceBase, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from mockmkto.soap import types as T


class EchoService(ServiceBase):
    @rpc(
        T.ParamsSyncLead,
        _returns=T.SuccessSyncLead,
        _body_style="bare",
        _in_message_name="paramsSyncLead",
        _out_message_name="successSyncLead",
        _in_header=(T.AuthenticationHeaderInfo,),
    )
    def syncLead(ctx, params):
        return T.SuccessSyncLead(
            result=T.ResultSyncLead(
                leadId=1,
                syncStatus=T.SyncStatus(leadId=1, status="UPDATED", error=None),
                leadRecord=params.leadRecord if params.returnLead else None,
            )
        )


def make_echo() -> WsgiApplication:
    app = Application([EchoService], tns=T.TNS, name="MktMktowsApiService", in_protocol=Soap11(), out_protocol=Soap11())
    return WsgiApplication(app)
