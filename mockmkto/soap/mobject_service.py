"""MObject, tag/channel and custom object operations."""

from __future__ import annotations

from mockmkto.domain import mobjects
from mockmkto.soap import types as T
from mockmkto.soap.service import MktowsService, not_implemented, operation


class MObjectService(MktowsService):
    @operation("listMObjects")
    def listMObjects(ctx):
        return T.SuccessListMObjects(result=T.ResultListMObjects(objects=list(mobjects.DESCRIBABLE_TYPES)))

    describeMObject = not_implemented("describeMObject")
    getMObjects = not_implemented("getMObjects")
    syncMObjects = not_implemented("syncMObjects")
    deleteMObjects = not_implemented("deleteMObjects")
    getTags = not_implemented("getTags")
    getChannels = not_implemented("getChannels")
    syncCustomObjects = not_implemented("syncCustomObjects")
    getCustomObjects = not_implemented("getCustomObjects")
    deleteCustomObjects = not_implemented("deleteCustomObjects")
