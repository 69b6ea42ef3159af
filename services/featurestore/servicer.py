"""gRPC edge of the feature store: validate and convert protobuf, delegate to FeatureStore, convert back.

ListAuditRecords is not defined here: services.common.app adds it to every service, answered from the
service's audit log (services.common.audit).
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc

from services.common.app import ServiceContext
from services.common.auth import current_principal
from services.common.errors import InvalidArgument
from services.common.handlers import Encoded
from services.common.warmup import warm_up_arrow_compute
from services.featurestore import converters
from services.featurestore.arrow_schema import decode_ipc, encode_ipc
from services.featurestore.feature_store import FeatureStore, OnlinePlan
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.type.v1 import types_pb2

_LAYOUTS = frozenset(fs_pb2.OnlineLayout.values())


class FeatureStoreServicer:
    """FeatureStoreService over a FeatureStore."""

    def __init__(self, store: FeatureStore) -> None:
        self._store = store
        self._defs = store.definitions
        self._templates: dict[int, tuple[OnlinePlan, converters.OnlineTemplate]] = {}

    # -- definitions ---------------------------------------------------------------------------
    def ApplyDefinitions(self, request: fs_pb2.ApplyDefinitionsRequest, context: grpc.ServicerContext
                         ) -> fs_pb2.ApplyDefinitionsResponse:
        result = self._store.apply(list(request.entities), list(request.feature_views), list(request.feature_services),
                                  dry_run=request.dry_run, prune=request.prune,
                                  expected_plan_digest=request.expected_plan_digest,
                                  change_note=request.change_note, principal=current_principal().subject)
        outcome = result.outcome
        return fs_pb2.ApplyDefinitionsResponse(plan=outcome.plan, applied=result.applied, entities=outcome.entities,
                                               feature_views=outcome.views, feature_services=outcome.services,
                                               revision=result.revision)

    def GetEntity(self, request: fs_pb2.GetEntityRequest, context: grpc.ServicerContext) -> fs_pb2.GetEntityResponse:
        return fs_pb2.GetEntityResponse(entity=self._defs.get_entity(request.name))

    def ListEntities(self, request: fs_pb2.ListEntitiesRequest, context: grpc.ServicerContext
                     ) -> fs_pb2.ListEntitiesResponse:
        items, token = self._defs.list_entities(request.page_size, request.page_token, owner_team=request.owner_team,
                                                show_deleted=request.show_deleted)
        return fs_pb2.ListEntitiesResponse(entities=items, next_page_token=token)

    def DeleteEntity(self, request: fs_pb2.DeleteEntityRequest, context: grpc.ServicerContext
                     ) -> fs_pb2.DeleteEntityResponse:
        deleted, revision = self._store.delete("entity", request.name, change_note=request.change_note,
                                               principal=current_principal().subject)
        return fs_pb2.DeleteEntityResponse(entity=deleted, revision=revision)

    def DeleteFeatureView(self, request: fs_pb2.DeleteFeatureViewRequest, context: grpc.ServicerContext
                          ) -> fs_pb2.DeleteFeatureViewResponse:
        deleted, revision = self._store.delete("feature_view", request.name, change_note=request.change_note,
                                               principal=current_principal().subject)
        return fs_pb2.DeleteFeatureViewResponse(feature_view=deleted, revision=revision)

    def DeleteFeatureService(self, request: fs_pb2.DeleteFeatureServiceRequest, context: grpc.ServicerContext
                             ) -> fs_pb2.DeleteFeatureServiceResponse:
        deleted, revision = self._store.delete("feature_service", request.name, change_note=request.change_note,
                                               principal=current_principal().subject)
        return fs_pb2.DeleteFeatureServiceResponse(feature_service=deleted, revision=revision)

    def GetFeatureView(self, request: fs_pb2.GetFeatureViewRequest, context: grpc.ServicerContext
                       ) -> fs_pb2.GetFeatureViewResponse:
        return fs_pb2.GetFeatureViewResponse(feature_view=self._defs.get_view(request.name, request.version))

    def ListFeatureViews(self, request: fs_pb2.ListFeatureViewsRequest, context: grpc.ServicerContext
                         ) -> fs_pb2.ListFeatureViewsResponse:
        items, token = self._defs.list_views(
            request.page_size, request.page_token, owner_team=request.owner_team, entity=request.entity,
            source_kind=request.source_kind, tags=dict(request.tags), protected_basis=request.protected_basis,
            show_deleted=request.show_deleted, order_by=request.order_by)
        return fs_pb2.ListFeatureViewsResponse(feature_views=items, next_page_token=token)

    def ListFeatureViewVersions(self, request: fs_pb2.ListFeatureViewVersionsRequest, context: grpc.ServicerContext
                                ) -> fs_pb2.ListFeatureViewVersionsResponse:
        items, token = self._defs.list_view_versions(request.name, request.page_size, request.page_token)
        return fs_pb2.ListFeatureViewVersionsResponse(feature_views=items, next_page_token=token)

    def GetFeatureService(self, request: fs_pb2.GetFeatureServiceRequest, context: grpc.ServicerContext
                          ) -> fs_pb2.GetFeatureServiceResponse:
        return fs_pb2.GetFeatureServiceResponse(feature_service=self._defs.get_service(request.name))

    def ListFeatureServices(self, request: fs_pb2.ListFeatureServicesRequest, context: grpc.ServicerContext
                            ) -> fs_pb2.ListFeatureServicesResponse:
        items, token = self._defs.list_services(request.page_size, request.page_token, owner_team=request.owner_team,
                                                feature_view=request.feature_view, show_deleted=request.show_deleted)
        return fs_pb2.ListFeatureServicesResponse(feature_services=items, next_page_token=token)

    def ResolveFeatures(self, request: fs_pb2.ResolveFeaturesRequest, context: grpc.ServicerContext
                        ) -> fs_pb2.ResolveFeaturesResponse:
        refs, missing = self._store.resolve(request.features, allow_missing=request.allow_missing)
        return fs_pb2.ResolveFeaturesResponse(features=[r.to_proto() for r in refs], missing=missing)

    def WatchDefinitionChanges(self, request: fs_pb2.WatchDefinitionChangesRequest, context: grpc.ServicerContext
                               ) -> Iterator[fs_pb2.WatchDefinitionChangesResponse]:
        for event in self._defs.watch(request.after_revision, feature_views=list(request.feature_views),
                                      owner_teams=list(request.owner_teams), kinds=list(request.kinds),
                                      is_active=context.is_active):
            yield fs_pb2.WatchDefinitionChangesResponse(event=event)

    # -- data ----------------------------------------------------------------------------------
    def IngestBatch(self, request_iterator: Iterator[fs_pb2.IngestBatchRequest], context: grpc.ServicerContext
                    ) -> fs_pb2.IngestBatchResponse:
        header = None
        chunks: list[bytes] = []
        for index, message in enumerate(request_iterator):
            which = message.WhichOneof("content")
            if index == 0:
                if which != "header":
                    raise InvalidArgument("header", "expected the header in the first message", reason="MISSING_HEADER")
                header = message.header
            elif which != "chunk":
                raise InvalidArgument(f"chunk[{index - 1}]", "expected a chunk; the header comes once, first")
            else:
                chunks.append(message.chunk.ipc_stream)
        if header is None:
            raise InvalidArgument("header", "expected the header in the first message", reason="MISSING_HEADER")
        return self._store.ingest(header, chunks)

    def PushFeatures(self, request_iterator: Iterator[fs_pb2.PushFeaturesRequest], context: grpc.ServicerContext
                     ) -> fs_pb2.PushFeaturesResponse:
        return self._store.push(list(request_iterator))

    def GetHistoricalFeatures(self, request: fs_pb2.GetHistoricalFeaturesRequest, context: grpc.ServicerContext
                              ) -> Iterator[fs_pb2.GetHistoricalFeaturesResponse]:
        if request.max_rows_per_chunk < 0:
            raise InvalidArgument("max_rows_per_chunk", "expected 0 (server default) or a positive number")
        source = request.WhichOneof("entity_source")
        if source == "entity_rows":
            entity_rows = decode_ipc(request.entity_rows.ipc_stream, "entity_rows")
        elif source == "entity_feature_view":
            spec = request.entity_feature_view
            entity_rows = self._store.entity_rows_from_view(
                spec.feature_view, spec.version,
                converters.timestamp_or_none(spec.start_time, spec.HasField("start_time"),
                                             "entity_feature_view.start_time"),
                converters.timestamp_or_none(spec.end_time, spec.HasField("end_time"),
                                             "entity_feature_view.end_time"),
                list(spec.columns), request.event_timestamp_column)
        else:
            raise InvalidArgument("entity_rows", "expected entity_rows or entity_feature_view")
        result = self._store.historical(entity_rows, request.event_timestamp_column, request.features,
                                        full_feature_names=request.full_feature_names,
                                        as_of_created=request.as_of_created, engine=request.engine)
        yield fs_pb2.GetHistoricalFeaturesResponse(header=fs_pb2.HistoricalFeaturesHeader(
            features=[r.to_proto() for r in result.refs], columns=result.columns, row_count=result.table.num_rows))
        for chunk in result.chunks(request.max_rows_per_chunk, self._store.settings.max_message_bytes):
            yield fs_pb2.GetHistoricalFeaturesResponse(chunk=types_pb2.ArrowTable(ipc_stream=encode_ipc(chunk)))

    def GetOnlineFeatures(self, request: fs_pb2.GetOnlineFeaturesRequest, context: grpc.ServicerContext
                          ) -> fs_pb2.GetOnlineFeaturesResponse | Encoded:
        layout = request.layout
        if layout not in _LAYOUTS:
            raise InvalidArgument("layout", f"expected one of {sorted(fs_pb2.OnlineLayout.keys())}, got {layout}")
        dense = layout == fs_pb2.ONLINE_LAYOUT_DENSE
        plan = self._store.online_plan(request.features, request.full_feature_names)
        batch = request.entity_keys
        template = self._online_template(plan)
        # A serving request's usual shape: one entity (most often an integer id), one view of floats,
        # found, no nulls; read from the stored bytes without converting the key to Arrow first.
        key = converters.single_integer_key(batch, plan.key_types) if template.dtype is not None else None
        keys = None
        single = None
        if key is not None:
            single = self._store.online_single_key(plan, key)
        else:
            keys = converters.entity_keys(batch, plan.key_types, self._store.settings.max_online_rows)
            if batch.row_count == 1 and template.dtype is not None:
                single = self._store.online_single(plan, keys)
        if single is not None:
            response = converters.one_entity_response(template, *single, dense=dense)
            if response is not None:
                return response
        if keys is None:
            keys = converters.entity_keys(batch, plan.key_types, self._store.settings.max_online_rows)
        columns = self._store.online_features(plan, keys, request.entity_keys.row_count)
        return converters.online_response(template, columns, request.entity_keys.row_count, dense=dense)

    def _online_template(self, plan: OnlinePlan) -> converters.OnlineTemplate:
        """The constant part of a plan's responses, built once per plan (plans live per definition snapshot)."""
        cached = self._templates.get(id(plan))
        if cached is not None and cached[0] is plan:
            return cached[1]
        template = converters.OnlineTemplate(converters.online_response_template(
            [(name, ref.view.name, ref.feature.name, ref.feature.dtype) for name, ref in zip(plan.names, plan.refs,
                                                                                           strict=True)],
            plan.resolved_views))
        if len(self._templates) > 4096:
            self._templates.clear()
        self._templates[id(plan)] = (plan, template)
        return template

    def MaterializeFeatures(self, request: fs_pb2.MaterializeFeaturesRequest, context: grpc.ServicerContext
                            ) -> Iterator[fs_pb2.MaterializeFeaturesResponse]:
        start = converters.timestamp_or_none(request.start_time, request.HasField("start_time"), "start_time")
        end = converters.timestamp_or_none(request.end_time, request.HasField("end_time"), "end_time")
        for report in self._store.materialize(list(request.feature_views), start, end, request.incremental):
            if not context.is_active():
                return
            yield converters.progress(report)

    def GetFeatureStatistics(self, request: fs_pb2.GetFeatureStatisticsRequest, context: grpc.ServicerContext
                             ) -> fs_pb2.GetFeatureStatisticsResponse:
        view, profile, start, end = self._store.statistics(request.feature_view, request.version,
                                                           list(request.features))
        response = fs_pb2.GetFeatureStatisticsResponse(feature_view=view.name, version=view.version,
                                                       fingerprint=view.fingerprint, profile=profile)
        if start is not None:
            response.data_start_time.CopyFrom(converters.micros_to_timestamp(start))
            response.data_end_time.CopyFrom(converters.micros_to_timestamp(end))
        return response


def build_servicers(ctx: ServiceContext) -> dict[str, object]:
    """The feature store's servicers, keyed by full gRPC service name."""
    warm_up_arrow_compute()
    store = FeatureStore(ctx.settings, ctx.database, ctx.outbox)
    ctx.closers.append(store.close)
    return {fs_pb2.DESCRIPTOR.services_by_name["FeatureStoreService"].full_name: FeatureStoreServicer(store)}
