"""Parameters Marketo's WSDL marks required (minOccurs 1, not nillable), checked before an
operation runs: one left out, or sent as nil, is a fault (seed rule 38; docs/behaviour.md).

Only the params element's own children: what is required inside them (a lead key's keyType, an
MObject's type) is the operation's to judge, as Marketo reports some of it per item.
"""

from __future__ import annotations

from mockmkto.domain.errors import MarketoError
from mockmkto.soap.types import OPERATIONS

# Parameters with a code of Marketo's own; every other one missing is 20109 Parameter Required.
LEAD_DETAIL_REQUIRED = 20104
LEAD_KEY_REQUIRED = 20101
CODES = {
    ("syncLead", "leadRecord"): LEAD_DETAIL_REQUIRED,
    ("syncMultipleLeads", "leadRecordList"): LEAD_DETAIL_REQUIRED,
    ("getLead", "leadKey"): LEAD_KEY_REQUIRED,
    ("getLeadActivity", "leadKey"): LEAD_KEY_REQUIRED,
    ("listOperation", "listMemberList"): LEAD_KEY_REQUIRED,
    ("mergeLeads", "winningLeadKeyList"): LEAD_KEY_REQUIRED,
}
PARAMETER_REQUIRED = 20109

# Operation -> its required parameters, in the WSDL's order (the first one missing is reported).
REQUIRED = {
    operation: tuple(
        name
        for name, member in params.get_flat_type_info(params).items()
        if member.Attributes.min_occurs >= 1 and not member.Attributes.nillable
    )
    for operation, (params, _) in OPERATIONS.items()
}


def check_required_parameters(operation: str, in_object) -> None:
    """Raise Marketo's fault for the first required parameter of `operation` that `in_object`
    (Spyne's arguments: the params object, or nothing) lacks."""
    required = REQUIRED[operation]
    params = in_object[0] if required and in_object else None
    for name in required:
        if getattr(params, name, None) is None:
            raise MarketoError(CODES.get((operation, name), PARAMETER_REQUIRED), f"{name} is required")
