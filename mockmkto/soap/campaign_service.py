"""Campaign and import operations: getCampaignsForSource, requestCampaign, scheduleCampaign,
importToList, getImportToListStatus."""

from __future__ import annotations

from mockmkto.soap.service import MktowsService, not_implemented


class CampaignService(MktowsService):
    getCampaignsForSource = not_implemented("getCampaignsForSource")
    requestCampaign = not_implemented("requestCampaign")
    scheduleCampaign = not_implemented("scheduleCampaign")
    importToList = not_implemented("importToList")
    getImportToListStatus = not_implemented("getImportToListStatus")
