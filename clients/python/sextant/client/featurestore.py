"""The feature store client: definitions (plan/apply), ingest, training sets and online lookups."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
from google.protobuf import timestamp_pb2

from sextant.client import tabular
from sextant.client._base import WATCH_TIMEOUT_SECONDS, ServiceClient
from sextant.client.definitions import feature_reference, to_protos
from sextant.featurestore.v1 import featurestore_service_pb2 as pb
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as pb_grpc
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import features_pb2, types_pb2

FeatureSelectionLike = str | Sequence[str | types_pb2.FeatureReference] | features_pb2.FeatureSelection


def feature_selection(features: FeatureSelectionLike) -> features_pb2.FeatureSelection:
    """A ``FeatureSelection`` from a feature service name, or a list of references (``view:feature``)."""
    if isinstance(features, features_pb2.FeatureSelection):
        return features
    if isinstance(features, str):
        if ":" in features:
            features = [features]
        else:
            return features_pb2.FeatureSelection(feature_service=features)
    references = [f if isinstance(f, types_pb2.FeatureReference) else feature_reference(f) for f in features]
    return features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(references=references))


def _optional_time(value: datetime | str | None) -> timestamp_pb2.Timestamp | None:
    return None if value is None else tabular.timestamp_message(value)


class FeatureStoreClient(ServiceClient):
    """Client of ``sextant.featurestore.v1.FeatureStoreService``."""

    SERVICE = "featurestore"
    STUB = pb_grpc.FeatureStoreServiceStub
    DESCRIPTOR = pb.DESCRIPTOR.services_by_name["FeatureStoreService"]

    # Definitions -----------------------------------------------------------------------------

    def apply(self, definitions: Iterable[Any], *, dry_run: bool = False, prune: bool = False,
              expected_plan_digest: str = "", change_note: str = "",
              timeout: float | None = None) -> pb.ApplyDefinitionsResponse:
        """Apply entities, feature views and feature services (declarative objects or messages) in one
        transaction; with ``dry_run`` only the plan is computed."""
        entities, views, services = to_protos(definitions)
        request = pb.ApplyDefinitionsRequest(entities=entities, feature_views=views, feature_services=services,
                                             dry_run=dry_run, prune=prune, expected_plan_digest=expected_plan_digest,
                                             change_note=change_note)
        return self._call("ApplyDefinitions", request, timeout)

    def plan(self, definitions: Iterable[Any], *, prune: bool = False,
             timeout: float | None = None) -> resources_pb2.ApplyPlan:
        """The plan of applying ``definitions`` (nothing is written); pass its ``digest`` to
        :meth:`apply` as ``expected_plan_digest`` to apply exactly what was reviewed."""
        return self.apply(definitions, dry_run=True, prune=prune, timeout=timeout).plan

    def get_entity(self, name: str, *, timeout: float | None = None) -> resources_pb2.Entity:
        """One entity."""
        return self._call("GetEntity", pb.GetEntityRequest(name=name), timeout).entity

    def iter_entities(self, *, owner_team: str = "", page_size: int = 0,
                      timeout: float | None = None) -> Iterator[resources_pb2.Entity]:
        """Every entity, by name, page after page."""
        request = pb.ListEntitiesRequest(owner_team=owner_team, page_size=page_size)
        return self._pages("ListEntities", request, "entities", timeout)

    def get_feature_view(self, name: str, version: int = 0, *,
                         timeout: float | None = None) -> resources_pb2.FeatureView:
        """The latest (or a given) version of a feature view."""
        return self._call("GetFeatureView", pb.GetFeatureViewRequest(name=name, version=version), timeout).feature_view

    def iter_feature_views(self, *, owner_team: str = "", entity: str = "", page_size: int = 0,
                           timeout: float | None = None) -> Iterator[resources_pb2.FeatureView]:
        """The latest version of every feature view, page after page."""
        request = pb.ListFeatureViewsRequest(owner_team=owner_team, entity=entity, page_size=page_size)
        return self._pages("ListFeatureViews", request, "feature_views", timeout)

    def get_feature_service(self, name: str, *, timeout: float | None = None) -> resources_pb2.FeatureService:
        """One feature service."""
        return self._call("GetFeatureService", pb.GetFeatureServiceRequest(name=name), timeout).feature_service

    def iter_feature_services(self, *, owner_team: str = "", page_size: int = 0,
                              timeout: float | None = None) -> Iterator[resources_pb2.FeatureService]:
        """Every feature service, by name, page after page."""
        request = pb.ListFeatureServicesRequest(owner_team=owner_team, page_size=page_size)
        return self._pages("ListFeatureServices", request, "feature_services", timeout)

    def delete_feature_view(self, name: str, *, change_note: str = "",
                            timeout: float | None = None) -> resources_pb2.FeatureView:
        """Delete a feature view (its versions stay readable for lineage)."""
        request = pb.DeleteFeatureViewRequest(name=name, change_note=change_note)
        return self._call("DeleteFeatureView", request, timeout).feature_view

    # Data ------------------------------------------------------------------------------------

    def ingest(self, feature_view: str, data: tabular.Tabular, *, ingest_id: str | None = None,
               write_online: bool = False, feature_view_version: int = 0, chunk_bytes: int = tabular.CHUNK_BYTES,
               timeout: float | None = None) -> pb.IngestBatchResponse:
        """Ingest rows (a DataFrame or Arrow table with the join keys, the event timestamp and feature
        columns) into a view, streamed as Arrow chunks and applied atomically. ``ingest_id`` makes a
        retry idempotent; a random one is used when not given. With ``write_online`` the latest row
        per entity also goes to the online store."""
        table = tabular.to_arrow(data)
        header = pb.IngestBatchHeader(feature_view=feature_view, ingest_id=ingest_id or uuid.uuid4().hex,
                                      write_online=write_online, feature_view_version=feature_view_version)

        def messages() -> Iterator[pb.IngestBatchRequest]:
            yield pb.IngestBatchRequest(header=header)
            for chunk in tabular.chunks(table, chunk_bytes):
                yield pb.IngestBatchRequest(chunk=types_pb2.ArrowTable(ipc_stream=tabular.encode_ipc(chunk)))

        return self._call("IngestBatch", messages(), self._bulk(timeout))

    def push(self, feature_view: str, data: tabular.Tabular, *,
             timeout: float | None = None) -> pb.PushFeaturesResponse:
        """Push rows to a PUSH view: visible online and appended offline when this returns."""
        table = tabular.to_arrow(data)
        messages = (pb.PushFeaturesRequest(feature_view=feature_view,
                                           rows=types_pb2.ArrowTable(ipc_stream=tabular.encode_ipc(chunk)))
                    for chunk in tabular.chunks(table))
        return self._call("PushFeatures", messages, self._bulk(timeout))

    def get_historical_features(self, entity_rows: tabular.Tabular, features: FeatureSelectionLike, *,
                                event_timestamp_column: str = "", full_feature_names: bool = False,
                                as_of_created: bool = False, as_arrow: bool = False,
                                timeout: float | None = None) -> pd.DataFrame | pa.Table:
        """A point-in-time-correct training set: every entity row, in order, with the features
        appended (nulls where no value was in the window), as a DataFrame (or Arrow with ``as_arrow``)."""
        request = pb.GetHistoricalFeaturesRequest(
            entity_rows=tabular.arrow_message(entity_rows), features=feature_selection(features),
            event_timestamp_column=event_timestamp_column, full_feature_names=full_feature_names,
            as_of_created=as_of_created)
        tables = [tabular.decode_ipc(message.chunk.ipc_stream)
                  for message in self._stream("GetHistoricalFeatures", request, self._bulk(timeout))
                  if message.WhichOneof("content") == "chunk"]
        table = pa.concat_tables(tables) if tables else pa.table({})
        return table if as_arrow else tabular.to_pandas(table)

    def get_online_features(self, entity_keys: tabular.Tabular, features: FeatureSelectionLike, *,
                            full_feature_names: bool = False, with_status: bool = False,
                            timeout: float | None = None) -> pd.DataFrame:
        """The latest feature values for a batch of entity keys: the key columns then one column per
        feature (``None`` where no value is present). ``with_status`` adds a ``<column>__status``
        column (PRESENT, NOT_FOUND, OUTSIDE_TTL …) per feature."""
        keys = tabular.to_arrow(entity_keys)
        request = pb.GetOnlineFeaturesRequest(features=feature_selection(features),
                                              entity_keys=tabular.column_batch(keys),
                                              full_feature_names=full_feature_names)
        response = self._call("GetOnlineFeatures", request, timeout)
        frame = tabular.to_pandas(keys)
        for column in response.columns:
            frame[column.values.name] = tabular.column_values(column.values, response.row_count)
            if with_status:
                frame[f"{column.values.name}__status"] = [
                    features_pb2.FeatureValueStatus.Name(s).removeprefix("FEATURE_VALUE_STATUS_")
                    for s in column.statuses]
        return frame

    def materialize(self, feature_views: Sequence[str] = (), *, start_time: datetime | str | None = None,
                    end_time: datetime | str | None = None, incremental: bool = False,
                    timeout: float | None = None) -> Iterator[pb.MaterializeFeaturesResponse]:
        """Copy the latest offline values to the online store, yielding progress messages."""
        request = pb.MaterializeFeaturesRequest(feature_views=list(feature_views), incremental=incremental,
                                                start_time=_optional_time(start_time), end_time=_optional_time(end_time))
        return self._stream("MaterializeFeatures", request, timeout if timeout is not None else WATCH_TIMEOUT_SECONDS)

    def get_feature_statistics(self, feature_view: str, version: int = 0, *,
                               timeout: float | None = None) -> pb.GetFeatureStatisticsResponse:
        """The profile of a view version's features, accumulated at ingest."""
        request = pb.GetFeatureStatisticsRequest(feature_view=feature_view, version=version)
        return self._call("GetFeatureStatistics", request, timeout)
