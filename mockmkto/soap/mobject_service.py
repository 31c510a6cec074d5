"""MObject, tag/channel and custom object operations."""

from __future__ import annotations

from mockmkto.domain import (
    custom_objects,
    mobject_fields,
    mobject_queries,
    mobject_sync,
    opportunities,
    program_details,
    tags,
)
from mockmkto.soap import types as T
from mockmkto.soap.protocol import local_name
from mockmkto.soap.service import CallContext, MktowsService, operation
from mockmkto.soap.values import xs_int


def _pairs(array) -> list[tuple[str | None, str | None]]:
    return [(a.name, a.value) for a in (array.attrib or ()) if a is not None] if array is not None else []


def _attribute_pairs(array) -> list[tuple[str | None, str | None]]:
    items = array.attribute if array is not None else None
    return [(a.attrName, a.attrValue) for a in items or () if a is not None]


def _key(attrib) -> tuple[str | None, str | None] | None:
    return (attrib.name, attrib.value) if attrib is not None else None


def _association(association) -> opportunities.Association:
    return opportunities.Association(association.mObjType, association.id, _key(association.externalKey))


def _associations(array) -> list[opportunities.Association]:
    return [_association(a) for a in (array.mObjAssociation or ()) if a is not None] if array is not None else []


def _children(parent, name: str) -> list:
    return [child for child in parent if local_name(child.tag) == name] if parent is not None else []


def _text(parent, name: str) -> str | None:
    found = _children(parent, name)
    return (found[0].text or "").strip() if found else None


def _aliased_associations(body_doc) -> list[list[opportunities.Association]]:
    """`mObjAssociationList` inside each mObject, the seed's name for the WSDL's `associationList`."""
    out = []
    for mobject_list in _children(body_doc, "mObjectList"):
        for mobject in _children(mobject_list, "mObject"):
            found = []
            for alias in _children(mobject, "mObjAssociationList"):
                for association in _children(alias, "mObjAssociation"):
                    raw_id = _text(association, "id")
                    keys = _children(association, "externalKey")
                    key = (_text(keys[0], "name"), _text(keys[0], "value")) if keys else None
                    object_id = xs_int(raw_id) if raw_id else None
                    found.append(opportunities.Association(_text(association, "mObjType"), object_id, key))
            out.append(found)
    return out


def _mobject_inputs(ctx, array) -> list[mobject_sync.MObjectInput]:
    """The mObjects in request order; one sent as nil has no type (its status is FAILED, in its place)."""
    objects = (array.mObject or ()) if array is not None else ()
    aliases = _aliased_associations(ctx.in_body_doc)
    return [
        mobject_sync.MObjectInput(type=None)
        if m is None
        else mobject_sync.MObjectInput(
            type=m.type,
            id=m.id,
            external_key=_key(m.externalKey),
            attribs=_pairs(m.attribList),
            type_attribs=[
                program_details.TypeAttrib(t.attrType, _pairs(t.attrList))
                for t in (m.typeAttribList.typeAttrib or () if m.typeAttribList is not None else ())
                if t is not None
            ],
            associations=_associations(m.associationList) + (aliases[index] if index < len(aliases) else []),
        )
        for index, m in enumerate(objects)
    ]


def _attribs(pairs) -> T.ArrayOfAttrib:
    return T.ArrayOfAttrib(attrib=[T.Attrib(name=name, value=value) for name, value in pairs])


def _mobj_statuses(statuses: list[mobject_sync.MObjStatus]) -> T.ArrayOfMObjStatus:
    return T.ArrayOfMObjStatus(
        mObjStatus=[
            T.MObjStatus(
                id=s.id,
                externalKey=T.Attrib(name=s.external_key[0], value=s.external_key[1]) if s.external_key else None,
                status=s.status,
                error=s.error,
            )
            for s in statuses
        ]
    )


def _mobject(view: mobject_queries.MObjectView) -> T.MObject:
    type_attribs = [T.TypeAttrib(attrType=kind, attrList=_attribs(pairs)) for kind, pairs in view.type_attribs]
    associations = [T.MObjAssociation(mObjType=kind, id=object_id) for kind, object_id in view.associations]
    return T.MObject(
        type=view.type,
        id=view.id,
        createdAt=view.created_at,
        updatedAt=view.updated_at,
        attribList=_attribs(view.attribs),
        typeAttribList=T.ArrayOfTypeAttrib(typeAttrib=type_attribs) if type_attribs else None,
        associationList=T.ArrayOfMObjAssociation(mObjAssociation=associations) if associations else None,
    )


def _field(f: mobject_fields.MObjField) -> T.MObjFieldMetadata:
    return T.MObjFieldMetadata(
        name=f.name,
        description=f.description,
        displayName=f.display_name,
        sourceObject=f.source_object,
        dataType=f.data_type,
        size=f.size,
        isReadonly=f.readonly,
        isUpdateBlocked=f.readonly,
        isName=f.is_name,
        isPrimaryKey=f.primary_key,
        isCustom=f.custom,
        isDynamic=False,
        dynamicFieldRef=None,
        updatedAt=f.updated_at,
    )


def _string_items(array) -> list[str]:
    return [s for s in (array.stringItem or ()) if s is not None] if array is not None else []


def _custom_attributes(pairs) -> T.ArrayOfAttribute:
    return T.ArrayOfAttribute(attribute=[T.Attribute(attrName=n, attrType=None, attrValue=v) for n, v in pairs])


def _custom_statuses(statuses: list[custom_objects.CustomObjectStatus]) -> T.ArrayOfSyncCustomObjStatus:
    return T.ArrayOfSyncCustomObjStatus(
        syncCustomObjStatus=[
            T.SyncCustomObjStatus(
                objTypeName=s.obj_type_name,
                customObjKeyList=_custom_attributes(s.keys),
                status=s.status,
                error=None if s.error is None else s.error,
            )
            for s in statuses
        ]
    )


class MObjectService(MktowsService):
    @operation("listMObjects")
    def listMObjects(ctx):
        return T.SuccessListMObjects(result=T.ResultListMObjects(objects=list(mobject_fields.DESCRIBABLE_TYPES)))

    @operation("describeMObject")
    def describeMObject(ctx, params):
        call: CallContext = ctx.udc
        meta = mobject_fields.describe_mobject(call.session, params.objectName)
        metadata = T.MObjectMetadata(
            name=meta.name,
            description=meta.description,
            isCustom=meta.is_custom,
            isVirtual=meta.is_virtual,
            fieldList=T.ArrayOfMObjFieldMetadata(field=[_field(f) for f in meta.fields]),
            updatedAt=meta.updated_at,
        )
        return T.SuccessDescribeMObject(result=T.ResultDescribeMObject(metadata=metadata))

    @operation("getMObjects")
    def getMObjects(ctx, params):
        call: CallContext = ctx.udc
        criteria = params.mObjCriteriaList.mObjCriteria or () if params.mObjCriteriaList is not None else ()
        page = mobject_queries.get_mobjects(
            call.session,
            params.type,
            params.id,
            _key(params.externalKey),
            [mobject_queries.Criterion(c.attrName, c.comparison, c.attrValue) for c in criteria if c is not None],
            _associations(params.mObjAssociationList),
            params.includeDetails,
            params.streamPosition,
        )
        return T.SuccessGetMObjects(
            result=T.ResultGetMObjects(
                returnCount=len(page.objects),
                hasMore=page.has_more,
                newStreamPosition=page.stream_position,
                mObjectList=T.ArrayOfMObject(mObject=[_mobject(v) for v in page.objects]),
            )
        )

    @operation("syncMObjects")
    def syncMObjects(ctx, params):
        call: CallContext = ctx.udc
        objects = _mobject_inputs(ctx, params.mObjectList)
        statuses = mobject_sync.sync_mobjects(call.session, call.clock, objects, params.operation)
        return T.SuccessSyncMObjects(result=T.ResultSyncMObjects(mObjStatusList=_mobj_statuses(statuses)))

    @operation("deleteMObjects")
    def deleteMObjects(ctx, params):
        call: CallContext = ctx.udc
        statuses = mobject_sync.delete_mobjects(call.session, _mobject_inputs(ctx, params.mObjectList))
        return T.SuccessDeleteMObjects(result=T.ResultDeleteMObjects(mObjStatusList=_mobj_statuses(statuses)))

    @operation("getTags")
    def getTags(ctx, params):
        call: CallContext = ctx.udc
        requested = params.tagList.tag or () if params.tagList is not None else ()
        found = tags.get_tags(call.session, [(t.type, _string_items(t.values)) for t in requested if t is not None])
        tag_list = [T.Tag(type=t.type, values=T.ArrayOfString(stringItem=t.values)) for t in found]
        return T.SuccessGetTags(result=T.ResultGetTags(tagList=T.ArrayOfTag(tag=tag_list)))

    @operation("getChannels")
    def getChannels(ctx, params):
        call: CallContext = ctx.udc
        channels = tags.get_channels(call.session, _string_items(params.tag.values) if params.tag else None)
        statuses = [
            T.TagStatus(
                tagValue=channel.name,
                statusList=T.ArrayOfProgressionStatus(
                    progressionStatusItem=[
                        T.ProgressionStatus(
                            progressionStatus=_attribs(
                                [("Status", s.status), ("Step", str(s.step)), *s.attributes]
                                + [("Success", "true" if s.success else "false")]
                            )
                        )
                        for s in channel.statuses
                    ]
                ),
            )
            for channel in channels
        ]
        return T.SuccessGetChannels(result=T.ResultGetChannels(tags=T.ArrayOfTagStatus(tagStatus=statuses)))

    @operation("syncCustomObjects")
    def syncCustomObjects(ctx, params):
        call: CallContext = ctx.udc
        objects = [
            custom_objects.CustomObjectInput(
                _attribute_pairs(o.customObjKeyList), _attribute_pairs(o.customObjAttributeList)
            )
            for o in (params.customObjList.customObj or () if params.customObjList is not None else ())
            if o is not None
        ]
        statuses = custom_objects.sync_custom_objects(
            call.session, call.clock, params.objTypeName, objects, params.operation
        )
        return T.SuccessSyncCustomObjects(
            result=T.ResultSyncCustomObjects(syncCustomObjStatusList=_custom_statuses(statuses))
        )

    @operation("getCustomObjects")
    def getCustomObjects(ctx, params):
        call: CallContext = ctx.udc
        page = custom_objects.get_custom_objects(
            call.session,
            params.objTypeName,
            _attribute_pairs(params.customObjKeyList),
            _string_items(params.includeAttributes),
            params.batchSize,
            params.streamPosition,
        )
        found = [
            T.CustomObj(
                customObjKeyList=_custom_attributes(o.keys), customObjAttributeList=_custom_attributes(o.attributes)
            )
            for o in page.objects
        ]
        return T.SuccessGetCustomObjects(
            result=T.ResultGetCustomObjects(
                objTypeName=page.obj_type_name,
                returnCount=page.return_count,
                remainingCount=page.remaining_count,
                newStreamPosition=page.stream_position,
                customObjList=T.ArrayOfCustomObj(customObj=found),
            )
        )

    @operation("deleteCustomObjects")
    def deleteCustomObjects(ctx, params):
        call: CallContext = ctx.udc
        key_lists = params.customObjKeyLists.keyList or () if params.customObjKeyLists is not None else ()
        statuses = custom_objects.delete_custom_objects(
            call.session, params.objTypeName, [_attribute_pairs(k) for k in key_lists if k is not None]
        )
        return T.SuccessDeleteCustomObjects(
            result=T.ResultDeleteCustomObjects(deleteCustomObjStatusList=_custom_statuses(statuses))
        )
