import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.featurestore.v1 import events_pb2 as _events_pb2
from sextant.featurestore.v1 import resources_pb2 as _resources_pb2
from sextant.type.v1 import audit_pb2 as _audit_pb2
from sextant.type.v1 import features_pb2 as _features_pb2
from sextant.type.v1 import governance_pb2 as _governance_pb2
from sextant.type.v1 import tabular_pb2 as _tabular_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ResolutionFailure(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOLUTION_FAILURE_UNSPECIFIED: _ClassVar[ResolutionFailure]
    RESOLUTION_FAILURE_VIEW_NOT_FOUND: _ClassVar[ResolutionFailure]
    RESOLUTION_FAILURE_VERSION_NOT_FOUND: _ClassVar[ResolutionFailure]
    RESOLUTION_FAILURE_FEATURE_NOT_FOUND: _ClassVar[ResolutionFailure]
    RESOLUTION_FAILURE_VIEW_DELETED: _ClassVar[ResolutionFailure]

class OfflineEngine(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OFFLINE_ENGINE_UNSPECIFIED: _ClassVar[OfflineEngine]
    OFFLINE_ENGINE_EMBEDDED: _ClassVar[OfflineEngine]
    OFFLINE_ENGINE_DASK: _ClassVar[OfflineEngine]

class OnlineLayout(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ONLINE_LAYOUT_UNSPECIFIED: _ClassVar[OnlineLayout]
    ONLINE_LAYOUT_COLUMNS: _ClassVar[OnlineLayout]
    ONLINE_LAYOUT_DENSE: _ClassVar[OnlineLayout]

class MaterializationEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MATERIALIZATION_EVENT_KIND_UNSPECIFIED: _ClassVar[MaterializationEventKind]
    MATERIALIZATION_EVENT_KIND_VIEW_STARTED: _ClassVar[MaterializationEventKind]
    MATERIALIZATION_EVENT_KIND_PROGRESS: _ClassVar[MaterializationEventKind]
    MATERIALIZATION_EVENT_KIND_VIEW_COMPLETED: _ClassVar[MaterializationEventKind]
    MATERIALIZATION_EVENT_KIND_COMPLETED: _ClassVar[MaterializationEventKind]
RESOLUTION_FAILURE_UNSPECIFIED: ResolutionFailure
RESOLUTION_FAILURE_VIEW_NOT_FOUND: ResolutionFailure
RESOLUTION_FAILURE_VERSION_NOT_FOUND: ResolutionFailure
RESOLUTION_FAILURE_FEATURE_NOT_FOUND: ResolutionFailure
RESOLUTION_FAILURE_VIEW_DELETED: ResolutionFailure
OFFLINE_ENGINE_UNSPECIFIED: OfflineEngine
OFFLINE_ENGINE_EMBEDDED: OfflineEngine
OFFLINE_ENGINE_DASK: OfflineEngine
ONLINE_LAYOUT_UNSPECIFIED: OnlineLayout
ONLINE_LAYOUT_COLUMNS: OnlineLayout
ONLINE_LAYOUT_DENSE: OnlineLayout
MATERIALIZATION_EVENT_KIND_UNSPECIFIED: MaterializationEventKind
MATERIALIZATION_EVENT_KIND_VIEW_STARTED: MaterializationEventKind
MATERIALIZATION_EVENT_KIND_PROGRESS: MaterializationEventKind
MATERIALIZATION_EVENT_KIND_VIEW_COMPLETED: MaterializationEventKind
MATERIALIZATION_EVENT_KIND_COMPLETED: MaterializationEventKind

class ApplyDefinitionsRequest(_message.Message):
    __slots__ = ("entities", "feature_views", "feature_services", "dry_run", "prune", "expected_plan_digest", "change_note")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SERVICES_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    PRUNE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_PLAN_DIGEST_FIELD_NUMBER: _ClassVar[int]
    CHANGE_NOTE_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Entity]
    feature_views: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FeatureView]
    feature_services: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FeatureService]
    dry_run: bool
    prune: bool
    expected_plan_digest: str
    change_note: str
    def __init__(self, entities: _Optional[_Iterable[_Union[_resources_pb2.Entity, _Mapping]]] = ..., feature_views: _Optional[_Iterable[_Union[_resources_pb2.FeatureView, _Mapping]]] = ..., feature_services: _Optional[_Iterable[_Union[_resources_pb2.FeatureService, _Mapping]]] = ..., dry_run: _Optional[bool] = ..., prune: _Optional[bool] = ..., expected_plan_digest: _Optional[str] = ..., change_note: _Optional[str] = ...) -> None: ...

class ApplyDefinitionsResponse(_message.Message):
    __slots__ = ("plan", "applied", "entities", "feature_views", "feature_services", "revision", "apply_id")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SERVICES_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    APPLY_ID_FIELD_NUMBER: _ClassVar[int]
    plan: _resources_pb2.ApplyPlan
    applied: bool
    entities: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Entity]
    feature_views: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FeatureView]
    feature_services: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FeatureService]
    revision: int
    apply_id: str
    def __init__(self, plan: _Optional[_Union[_resources_pb2.ApplyPlan, _Mapping]] = ..., applied: _Optional[bool] = ..., entities: _Optional[_Iterable[_Union[_resources_pb2.Entity, _Mapping]]] = ..., feature_views: _Optional[_Iterable[_Union[_resources_pb2.FeatureView, _Mapping]]] = ..., feature_services: _Optional[_Iterable[_Union[_resources_pb2.FeatureService, _Mapping]]] = ..., revision: _Optional[int] = ..., apply_id: _Optional[str] = ...) -> None: ...

class GetEntityRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetEntityResponse(_message.Message):
    __slots__ = ("entity",)
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    entity: _resources_pb2.Entity
    def __init__(self, entity: _Optional[_Union[_resources_pb2.Entity, _Mapping]] = ...) -> None: ...

class ListEntitiesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "owner_team", "show_deleted")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    owner_team: str
    show_deleted: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., owner_team: _Optional[str] = ..., show_deleted: _Optional[bool] = ...) -> None: ...

class ListEntitiesResponse(_message.Message):
    __slots__ = ("entities", "next_page_token")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Entity]
    next_page_token: str
    def __init__(self, entities: _Optional[_Iterable[_Union[_resources_pb2.Entity, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteEntityRequest(_message.Message):
    __slots__ = ("name", "change_note")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANGE_NOTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    change_note: str
    def __init__(self, name: _Optional[str] = ..., change_note: _Optional[str] = ...) -> None: ...

class DeleteEntityResponse(_message.Message):
    __slots__ = ("entity", "revision")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    entity: _resources_pb2.Entity
    revision: int
    def __init__(self, entity: _Optional[_Union[_resources_pb2.Entity, _Mapping]] = ..., revision: _Optional[int] = ...) -> None: ...

class GetFeatureViewRequest(_message.Message):
    __slots__ = ("name", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetFeatureViewResponse(_message.Message):
    __slots__ = ("feature_view",)
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    feature_view: _resources_pb2.FeatureView
    def __init__(self, feature_view: _Optional[_Union[_resources_pb2.FeatureView, _Mapping]] = ...) -> None: ...

class ListFeatureViewsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "owner_team", "entity", "source_kind", "tags", "protected_basis", "show_deleted", "order_by")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KIND_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_BASIS_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    owner_team: str
    entity: str
    source_kind: _resources_pb2.SourceKind
    tags: _containers.ScalarMap[str, str]
    protected_basis: _governance_pb2.ProtectedBasis
    show_deleted: bool
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., owner_team: _Optional[str] = ..., entity: _Optional[str] = ..., source_kind: _Optional[_Union[_resources_pb2.SourceKind, str]] = ..., tags: _Optional[_Mapping[str, str]] = ..., protected_basis: _Optional[_Union[_governance_pb2.ProtectedBasis, str]] = ..., show_deleted: _Optional[bool] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListFeatureViewsResponse(_message.Message):
    __slots__ = ("feature_views", "next_page_token")
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    feature_views: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FeatureView]
    next_page_token: str
    def __init__(self, feature_views: _Optional[_Iterable[_Union[_resources_pb2.FeatureView, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListFeatureViewVersionsRequest(_message.Message):
    __slots__ = ("name", "page_size", "page_token")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    name: str
    page_size: int
    page_token: str
    def __init__(self, name: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFeatureViewVersionsResponse(_message.Message):
    __slots__ = ("feature_views", "next_page_token")
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    feature_views: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FeatureView]
    next_page_token: str
    def __init__(self, feature_views: _Optional[_Iterable[_Union[_resources_pb2.FeatureView, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteFeatureViewRequest(_message.Message):
    __slots__ = ("name", "change_note")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANGE_NOTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    change_note: str
    def __init__(self, name: _Optional[str] = ..., change_note: _Optional[str] = ...) -> None: ...

class DeleteFeatureViewResponse(_message.Message):
    __slots__ = ("feature_view", "revision")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    feature_view: _resources_pb2.FeatureView
    revision: int
    def __init__(self, feature_view: _Optional[_Union[_resources_pb2.FeatureView, _Mapping]] = ..., revision: _Optional[int] = ...) -> None: ...

class GetFeatureServiceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetFeatureServiceResponse(_message.Message):
    __slots__ = ("feature_service",)
    FEATURE_SERVICE_FIELD_NUMBER: _ClassVar[int]
    feature_service: _resources_pb2.FeatureService
    def __init__(self, feature_service: _Optional[_Union[_resources_pb2.FeatureService, _Mapping]] = ...) -> None: ...

class ListFeatureServicesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "owner_team", "feature_view", "show_deleted")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    owner_team: str
    feature_view: str
    show_deleted: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., owner_team: _Optional[str] = ..., feature_view: _Optional[str] = ..., show_deleted: _Optional[bool] = ...) -> None: ...

class ListFeatureServicesResponse(_message.Message):
    __slots__ = ("feature_services", "next_page_token")
    FEATURE_SERVICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    feature_services: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FeatureService]
    next_page_token: str
    def __init__(self, feature_services: _Optional[_Iterable[_Union[_resources_pb2.FeatureService, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteFeatureServiceRequest(_message.Message):
    __slots__ = ("name", "change_note")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANGE_NOTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    change_note: str
    def __init__(self, name: _Optional[str] = ..., change_note: _Optional[str] = ...) -> None: ...

class DeleteFeatureServiceResponse(_message.Message):
    __slots__ = ("feature_service", "revision")
    FEATURE_SERVICE_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    feature_service: _resources_pb2.FeatureService
    revision: int
    def __init__(self, feature_service: _Optional[_Union[_resources_pb2.FeatureService, _Mapping]] = ..., revision: _Optional[int] = ...) -> None: ...

class ResolveFeaturesRequest(_message.Message):
    __slots__ = ("features", "allow_missing")
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ALLOW_MISSING_FIELD_NUMBER: _ClassVar[int]
    features: _features_pb2.FeatureSelection
    allow_missing: bool
    def __init__(self, features: _Optional[_Union[_features_pb2.FeatureSelection, _Mapping]] = ..., allow_missing: _Optional[bool] = ...) -> None: ...

class UnresolvedFeature(_message.Message):
    __slots__ = ("reference", "failure")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    reference: _types_pb2.FeatureReference
    failure: ResolutionFailure
    def __init__(self, reference: _Optional[_Union[_types_pb2.FeatureReference, _Mapping]] = ..., failure: _Optional[_Union[ResolutionFailure, str]] = ...) -> None: ...

class ResolveFeaturesResponse(_message.Message):
    __slots__ = ("features", "missing")
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    features: _containers.RepeatedCompositeFieldContainer[_types_pb2.ResolvedFeature]
    missing: _containers.RepeatedCompositeFieldContainer[UnresolvedFeature]
    def __init__(self, features: _Optional[_Iterable[_Union[_types_pb2.ResolvedFeature, _Mapping]]] = ..., missing: _Optional[_Iterable[_Union[UnresolvedFeature, _Mapping]]] = ...) -> None: ...

class IngestBatchHeader(_message.Message):
    __slots__ = ("feature_view", "feature_view_version", "ingest_id", "write_online")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    INGEST_ID_FIELD_NUMBER: _ClassVar[int]
    WRITE_ONLINE_FIELD_NUMBER: _ClassVar[int]
    feature_view: str
    feature_view_version: int
    ingest_id: str
    write_online: bool
    def __init__(self, feature_view: _Optional[str] = ..., feature_view_version: _Optional[int] = ..., ingest_id: _Optional[str] = ..., write_online: _Optional[bool] = ...) -> None: ...

class IngestBatchRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: IngestBatchHeader
    chunk: _types_pb2.ArrowTable
    def __init__(self, header: _Optional[_Union[IngestBatchHeader, _Mapping]] = ..., chunk: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ...) -> None: ...

class IngestBatchResponse(_message.Message):
    __slots__ = ("ingest_id", "feature_view", "feature_view_version", "rows_written", "online_rows_written", "duplicate", "chunks_received", "min_event_time", "max_event_time", "commit_time")
    INGEST_ID_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROWS_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    ONLINE_ROWS_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    MIN_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    COMMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    ingest_id: str
    feature_view: str
    feature_view_version: int
    rows_written: int
    online_rows_written: int
    duplicate: bool
    chunks_received: int
    min_event_time: _timestamp_pb2.Timestamp
    max_event_time: _timestamp_pb2.Timestamp
    commit_time: _timestamp_pb2.Timestamp
    def __init__(self, ingest_id: _Optional[str] = ..., feature_view: _Optional[str] = ..., feature_view_version: _Optional[int] = ..., rows_written: _Optional[int] = ..., online_rows_written: _Optional[int] = ..., duplicate: _Optional[bool] = ..., chunks_received: _Optional[int] = ..., min_event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., commit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PushFeaturesRequest(_message.Message):
    __slots__ = ("feature_view", "rows")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    feature_view: str
    rows: _types_pb2.ArrowTable
    def __init__(self, feature_view: _Optional[str] = ..., rows: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ...) -> None: ...

class PushFeaturesResponse(_message.Message):
    __slots__ = ("rows_written", "rows_written_by_view", "messages_received", "commit_time")
    class RowsWrittenByViewEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    ROWS_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    ROWS_WRITTEN_BY_VIEW_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    COMMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    rows_written: int
    rows_written_by_view: _containers.ScalarMap[str, int]
    messages_received: int
    commit_time: _timestamp_pb2.Timestamp
    def __init__(self, rows_written: _Optional[int] = ..., rows_written_by_view: _Optional[_Mapping[str, int]] = ..., messages_received: _Optional[int] = ..., commit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EntityRowsFromFeatureView(_message.Message):
    __slots__ = ("feature_view", "version", "start_time", "end_time", "columns")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    feature_view: str
    version: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    columns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, feature_view: _Optional[str] = ..., version: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., columns: _Optional[_Iterable[str]] = ...) -> None: ...

class GetHistoricalFeaturesRequest(_message.Message):
    __slots__ = ("entity_rows", "entity_feature_view", "event_timestamp_column", "features", "full_feature_names", "as_of_created", "engine", "max_rows_per_chunk")
    ENTITY_ROWS_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIMESTAMP_COLUMN_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    FULL_FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    AS_OF_CREATED_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    MAX_ROWS_PER_CHUNK_FIELD_NUMBER: _ClassVar[int]
    entity_rows: _types_pb2.ArrowTable
    entity_feature_view: EntityRowsFromFeatureView
    event_timestamp_column: str
    features: _features_pb2.FeatureSelection
    full_feature_names: bool
    as_of_created: bool
    engine: OfflineEngine
    max_rows_per_chunk: int
    def __init__(self, entity_rows: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ..., entity_feature_view: _Optional[_Union[EntityRowsFromFeatureView, _Mapping]] = ..., event_timestamp_column: _Optional[str] = ..., features: _Optional[_Union[_features_pb2.FeatureSelection, _Mapping]] = ..., full_feature_names: _Optional[bool] = ..., as_of_created: _Optional[bool] = ..., engine: _Optional[_Union[OfflineEngine, str]] = ..., max_rows_per_chunk: _Optional[int] = ...) -> None: ...

class HistoricalFeaturesHeader(_message.Message):
    __slots__ = ("features", "columns", "row_count")
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    features: _containers.RepeatedCompositeFieldContainer[_types_pb2.ResolvedFeature]
    columns: _containers.RepeatedScalarFieldContainer[str]
    row_count: int
    def __init__(self, features: _Optional[_Iterable[_Union[_types_pb2.ResolvedFeature, _Mapping]]] = ..., columns: _Optional[_Iterable[str]] = ..., row_count: _Optional[int] = ...) -> None: ...

class GetHistoricalFeaturesResponse(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: HistoricalFeaturesHeader
    chunk: _types_pb2.ArrowTable
    def __init__(self, header: _Optional[_Union[HistoricalFeaturesHeader, _Mapping]] = ..., chunk: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ...) -> None: ...

class GetOnlineFeaturesRequest(_message.Message):
    __slots__ = ("features", "entity_keys", "full_feature_names", "layout")
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ENTITY_KEYS_FIELD_NUMBER: _ClassVar[int]
    FULL_FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    features: _features_pb2.FeatureSelection
    entity_keys: _tabular_pb2.ColumnBatch
    full_feature_names: bool
    layout: OnlineLayout
    def __init__(self, features: _Optional[_Union[_features_pb2.FeatureSelection, _Mapping]] = ..., entity_keys: _Optional[_Union[_tabular_pb2.ColumnBatch, _Mapping]] = ..., full_feature_names: _Optional[bool] = ..., layout: _Optional[_Union[OnlineLayout, str]] = ...) -> None: ...

class DenseFeatureValues(_message.Message):
    __slots__ = ("dtype", "feature_count", "values", "statuses", "event_time_micros")
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_COUNT_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_MICROS_FIELD_NUMBER: _ClassVar[int]
    dtype: _types_pb2.DataType
    feature_count: int
    values: bytes
    statuses: _containers.RepeatedScalarFieldContainer[_features_pb2.FeatureValueStatus]
    event_time_micros: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, dtype: _Optional[_Union[_types_pb2.DataType, str]] = ..., feature_count: _Optional[int] = ..., values: _Optional[bytes] = ..., statuses: _Optional[_Iterable[_Union[_features_pb2.FeatureValueStatus, str]]] = ..., event_time_micros: _Optional[_Iterable[int]] = ...) -> None: ...

class OnlineFeatureColumn(_message.Message):
    __slots__ = ("values", "feature_view", "feature", "statuses", "event_time_micros")
    VALUES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_MICROS_FIELD_NUMBER: _ClassVar[int]
    values: _tabular_pb2.Column
    feature_view: str
    feature: str
    statuses: _containers.RepeatedScalarFieldContainer[_features_pb2.FeatureValueStatus]
    event_time_micros: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, values: _Optional[_Union[_tabular_pb2.Column, _Mapping]] = ..., feature_view: _Optional[str] = ..., feature: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[_features_pb2.FeatureValueStatus, str]]] = ..., event_time_micros: _Optional[_Iterable[int]] = ...) -> None: ...

class GetOnlineFeaturesResponse(_message.Message):
    __slots__ = ("columns", "resolved_views", "row_count", "dense")
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_VIEWS_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    DENSE_FIELD_NUMBER: _ClassVar[int]
    columns: _containers.RepeatedCompositeFieldContainer[OnlineFeatureColumn]
    resolved_views: _containers.RepeatedCompositeFieldContainer[_resources_pb2.ResolvedFeatureView]
    row_count: int
    dense: DenseFeatureValues
    def __init__(self, columns: _Optional[_Iterable[_Union[OnlineFeatureColumn, _Mapping]]] = ..., resolved_views: _Optional[_Iterable[_Union[_resources_pb2.ResolvedFeatureView, _Mapping]]] = ..., row_count: _Optional[int] = ..., dense: _Optional[_Union[DenseFeatureValues, _Mapping]] = ...) -> None: ...

class MaterializeFeaturesRequest(_message.Message):
    __slots__ = ("feature_views", "start_time", "end_time", "incremental")
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    INCREMENTAL_FIELD_NUMBER: _ClassVar[int]
    feature_views: _containers.RepeatedScalarFieldContainer[str]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    incremental: bool
    def __init__(self, feature_views: _Optional[_Iterable[str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., incremental: _Optional[bool] = ...) -> None: ...

class MaterializeFeaturesResponse(_message.Message):
    __slots__ = ("kind", "feature_view", "feature_view_version", "start_time", "end_time", "rows_read", "rows_written", "rows_total", "progress", "views_completed", "views_total", "watermark")
    KIND_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ROWS_READ_FIELD_NUMBER: _ClassVar[int]
    ROWS_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    ROWS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    VIEWS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    VIEWS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    WATERMARK_FIELD_NUMBER: _ClassVar[int]
    kind: MaterializationEventKind
    feature_view: str
    feature_view_version: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    rows_read: int
    rows_written: int
    rows_total: int
    progress: float
    views_completed: int
    views_total: int
    watermark: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[MaterializationEventKind, str]] = ..., feature_view: _Optional[str] = ..., feature_view_version: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rows_read: _Optional[int] = ..., rows_written: _Optional[int] = ..., rows_total: _Optional[int] = ..., progress: _Optional[float] = ..., views_completed: _Optional[int] = ..., views_total: _Optional[int] = ..., watermark: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetFeatureStatisticsRequest(_message.Message):
    __slots__ = ("feature_view", "version", "features")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    feature_view: str
    version: int
    features: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, feature_view: _Optional[str] = ..., version: _Optional[int] = ..., features: _Optional[_Iterable[str]] = ...) -> None: ...

class GetFeatureStatisticsResponse(_message.Message):
    __slots__ = ("feature_view", "version", "fingerprint", "profile", "data_start_time", "data_end_time")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    DATA_START_TIME_FIELD_NUMBER: _ClassVar[int]
    DATA_END_TIME_FIELD_NUMBER: _ClassVar[int]
    feature_view: str
    version: int
    fingerprint: str
    profile: _types_pb2.DatasetProfile
    data_start_time: _timestamp_pb2.Timestamp
    data_end_time: _timestamp_pb2.Timestamp
    def __init__(self, feature_view: _Optional[str] = ..., version: _Optional[int] = ..., fingerprint: _Optional[str] = ..., profile: _Optional[_Union[_types_pb2.DatasetProfile, _Mapping]] = ..., data_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., data_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WatchDefinitionChangesRequest(_message.Message):
    __slots__ = ("after_revision", "feature_views", "owner_teams", "kinds")
    AFTER_REVISION_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEWS_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAMS_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    after_revision: int
    feature_views: _containers.RepeatedScalarFieldContainer[str]
    owner_teams: _containers.RepeatedScalarFieldContainer[str]
    kinds: _containers.RepeatedScalarFieldContainer[_events_pb2.DefinitionChangeKind]
    def __init__(self, after_revision: _Optional[int] = ..., feature_views: _Optional[_Iterable[str]] = ..., owner_teams: _Optional[_Iterable[str]] = ..., kinds: _Optional[_Iterable[_Union[_events_pb2.DefinitionChangeKind, str]]] = ...) -> None: ...

class WatchDefinitionChangesResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _events_pb2.DefinitionChangeEvent
    def __init__(self, event: _Optional[_Union[_events_pb2.DefinitionChangeEvent, _Mapping]] = ...) -> None: ...

class ListAuditRecordsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "principal", "method", "kind", "resource_type", "resource_name", "status_code", "start_time", "end_time", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    principal: str
    method: str
    kind: _audit_pb2.AuditKind
    resource_type: str
    resource_name: str
    status_code: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., principal: _Optional[str] = ..., method: _Optional[str] = ..., kind: _Optional[_Union[_audit_pb2.AuditKind, str]] = ..., resource_type: _Optional[str] = ..., resource_name: _Optional[str] = ..., status_code: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListAuditRecordsResponse(_message.Message):
    __slots__ = ("audit_records", "next_page_token")
    AUDIT_RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    audit_records: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditRecord]
    next_page_token: str
    def __init__(self, audit_records: _Optional[_Iterable[_Union[_audit_pb2.AuditRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
