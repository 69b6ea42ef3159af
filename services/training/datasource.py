"""Fetching a job's point-in-time training set from the feature store.

The entity rows come from the job's stored upload, or from a feature view that holds the labels:
then the label feature is resolved first and the feature store reads that exact view version's rows
in the time range (the spec's end is exclusive, the feature store's inclusive, hence one microsecond
less). The dataset digest covers the joined table and, for a label view, the view, its version,
fingerprint and time range, so two jobs share a digest only when they saw the same data from the
same definition.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa

from services.training.dataset import DatasetProblem, TrainingData, build_training_data
from services.training.entity_rows import EntityRowsStore
from services.training.peers import Peers, arrow_ipc
from services.training.spec import TrainingPlan
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.training.v1 import resources_pb2, spec_pb2
from sextant.type.v1 import features_pb2, types_pb2

EVENT_TIMESTAMP = "event_timestamp"


class FetchFailed(Exception):
    """The training set cannot be fetched or used; ``code`` is the job's reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class FetchedData:
    """The training set and what the lineage records about it."""

    data: TrainingData
    features: list[types_pb2.ResolvedFeature]
    digest: str
    label_feature: types_pb2.ResolvedFeature | None = None


@dataclass
class _EntitySource:
    """How the first GetHistoricalFeatures call gets its entity rows, and what the digest covers."""

    request: fs_pb2.GetHistoricalFeaturesRequest
    timestamp_column: str
    identity: bytes = b""
    label_feature: types_pb2.ResolvedFeature | None = None


def fetch_training_set(peers: Peers, rows: EntityRowsStore, job: resources_pb2.TrainingJob, plan: TrainingPlan,
                       resolved: list[types_pb2.ResolvedFeature], *, max_rows: int, timeout: float) -> FetchedData:
    """Join the job's features to its entity rows and build the training data; FetchFailed when unusable."""
    spec = job.spec
    source = _label_view_source(peers, job) if spec.dataset.WhichOneof("source") == "label_view" else \
        _uploaded_source(rows, spec, max_rows)
    source.request.features.CopyFrom(spec.features)
    source.request.full_feature_names = spec.dataset.full_feature_names
    source.request.as_of_created = spec.dataset.as_of_created
    header, table = peers.historical_features(source.request, timeout)
    entity_count = len(header.columns) - len(header.features)
    if table.num_rows > max_rows:
        raise FetchFailed("TOO_MANY_ROWS", f"{table.num_rows} entity rows; the server's limit is {max_rows}")
    entity_columns = list(header.columns[:entity_count])
    feature_columns = list(header.columns[entity_count:])
    string_columns = {c for c, f in zip(feature_columns, header.features, strict=False)
                      if f.dtype == types_pb2.DATA_TYPE_STRING}
    table, evaluation_columns = _evaluation_columns(peers, spec, table, entity_columns, source.timestamp_column,
                                                    timeout)
    digest = hashlib.sha256(source.identity + arrow_ipc(table).ipc_stream).hexdigest()
    try:
        data = build_training_data(table, feature_columns=feature_columns, string_columns=string_columns,
                                   label_column=spec.label_column, timestamp_column=source.timestamp_column,
                                   evaluation_columns=evaluation_columns, plan=plan)
    except DatasetProblem as problem:
        raise FetchFailed(problem.code, str(problem)) from None
    return FetchedData(data, list(header.features) or resolved, digest, source.label_feature)


def _uploaded_source(rows: EntityRowsStore, spec: spec_pb2.TrainingJobSpec, max_rows: int) -> _EntitySource:
    entity = rows.get(spec.dataset.entity_rows_digest)
    if spec.label_column not in entity.column_names:
        raise FetchFailed("LABEL_COLUMN_MISSING", f"the label column {spec.label_column!r} is not in the entity "
                                                  f"rows ({', '.join(entity.column_names)})")
    if entity.num_rows > max_rows:
        raise FetchFailed("TOO_MANY_ROWS", f"{entity.num_rows} entity rows; the server's limit is {max_rows}")
    timestamp_column = spec.dataset.event_timestamp_column or EVENT_TIMESTAMP
    return _EntitySource(fs_pb2.GetHistoricalFeaturesRequest(
        entity_rows=arrow_ipc(entity), event_timestamp_column=timestamp_column), timestamp_column)


def _label_view_source(peers: Peers, job: resources_pb2.TrainingJob) -> _EntitySource:
    """Entity rows read from the label view version the label feature resolves to now."""
    source = job.spec.dataset.label_view
    label = source.label
    resolution = peers.resolve_features(features_pb2.FeatureSelection(
        references=features_pb2.FeatureReferenceList(references=[label])))
    if resolution.missing or not resolution.features:
        version = f"@v{label.version}" if label.version else ""
        raise FetchFailed("UNKNOWN_LABEL_FEATURE", f"the feature store does not know the label feature "
                                                   f"{label.feature_view}{version}:{label.feature}")
    resolved = resolution.features[0]
    end = source.end_time.ToDatetime() if source.HasField("end_time") else job.start_time.ToDatetime()
    rows = fs_pb2.EntityRowsFromFeatureView(feature_view=label.feature_view, version=resolved.resolved_version,
                                            columns=[label.feature])
    start: datetime | None = None
    if source.HasField("start_time"):
        start = source.start_time.ToDatetime()
        rows.start_time.CopyFrom(source.start_time)
    if start is not None and start >= end:
        raise FetchFailed("EMPTY_TRAINING_SET", f"the label view's time range [{start.isoformat()}, "
                                                f"{end.isoformat()}) is empty")
    rows.end_time.FromDatetime(end - timedelta(microseconds=1))
    identity = (f"label_view {label.feature_view}@v{resolved.resolved_version}:{label.feature} "
                f"fingerprint={resolved.fingerprint} start={start.isoformat() if start else '-'} "
                f"end={end.isoformat()}\n").encode()
    return _EntitySource(fs_pb2.GetHistoricalFeaturesRequest(entity_feature_view=rows,
                                                             event_timestamp_column=EVENT_TIMESTAMP),
                         EVENT_TIMESTAMP, identity, resolved)


def _evaluation_columns(peers: Peers, spec: spec_pb2.TrainingJobSpec, table: pa.Table, entity_columns: list[str],
                        timestamp_column: str, timeout: float) -> tuple[pa.Table, dict[str, str]]:
    """Append the evaluation-only feature attributes (joined to the same entity rows) and name every
    evaluation attribute's column."""
    evaluation_columns: dict[str, str] = {}
    references = [a for a in spec.evaluation_attributes if a.WhichOneof("source") == "feature"]
    if references:
        entity = table.select(entity_columns)
        selection = features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(
            references=[a.feature for a in references]))
        request = fs_pb2.GetHistoricalFeaturesRequest(
            entity_rows=arrow_ipc(entity), event_timestamp_column=timestamp_column, features=selection,
            full_feature_names=True, as_of_created=spec.dataset.as_of_created)
        eval_header, eval_table = peers.historical_features(request, timeout)
        for attribute, column in zip(references, eval_header.columns[len(entity_columns):], strict=False):
            table = table.append_column(f"__evaluation__{attribute.name}", eval_table.column(column))
            evaluation_columns[attribute.name] = f"__evaluation__{attribute.name}"
    for attribute in spec.evaluation_attributes:
        if attribute.WhichOneof("source") == "entity_column":
            if attribute.entity_column not in entity_columns:
                raise FetchFailed("EVALUATION_COLUMN_MISSING", f"the evaluation column {attribute.entity_column!r} "
                                                               f"is not in the rows")
            evaluation_columns[attribute.name] = attribute.entity_column
    return table, evaluation_columns
