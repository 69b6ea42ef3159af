"""Point-in-time-correct training sets: validation, planning per view and assembly of the output.

Everything the request could get wrong (a missing key or timestamp column, a mistyped key, an
output name collision, an unknown feature) is checked before any engine work starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa

from services.common.errors import InvalidArgument
from services.featurestore.arrow_schema import ARROW_TYPES, EVENT_TS, cast_column, to_utc_timestamps
from services.featurestore.definitions.fingerprint import ttl_micros
from services.featurestore.definitions.references import ResolvedRef, check_output_names
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from services.featurestore.offline.engine import ROW, OfflineEngine, ViewJob
from services.featurestore.offline.layout import OfflineFile
from sextant.featurestore.v1.resources_pb2 import FeatureView, JoinKey

DEFAULT_CHUNK_ROWS = 65_536


@dataclass(frozen=True)
class TrainingSet:
    """The output of a historical retrieval."""

    refs: list[ResolvedRef]
    columns: list[str]
    table: pa.Table

    def chunks(self, max_rows: int, max_bytes: int) -> Iterator[pa.Table]:
        """The table in row order, at most ``max_rows`` rows per chunk (one empty chunk if no rows),
        and few enough that a chunk stays within half of ``max_bytes`` (the gRPC message limit)."""
        size = max_rows or DEFAULT_CHUNK_ROWS
        if self.table.num_rows:
            bytes_per_row = max(1, self.table.nbytes // self.table.num_rows)
            size = max(1, min(size, max_bytes // 2 // bytes_per_row))
        if self.table.num_rows == 0:
            yield self.table
            return
        for start in range(0, self.table.num_rows, size):
            yield self.table.slice(start, size)


def build_training_set(snapshot: DefinitionSnapshot, entity_rows: pa.Table, event_column: str,
                       refs: list[ResolvedRef], *, full_feature_names: bool, as_of_created: bool,
                       engine: OfflineEngine, files_of: Callable[[FeatureView, list[JoinKey]], list[OfflineFile]],
                       max_rows: int) -> TrainingSet:
    """Join ``refs`` onto ``entity_rows`` point-in-time correctly with ``engine``."""
    names = check_output_names(refs, full_feature_names, set(entity_rows.column_names))
    if entity_rows.num_rows > max_rows:
        raise InvalidArgument("entity_rows", f"at most {max_rows} entity rows are accepted, got "
                                             f"{entity_rows.num_rows}", reason="TOO_MANY_ROWS")
    event_column = event_column or "event_timestamp"
    if event_column not in entity_rows.column_names:
        raise InvalidArgument(f"entity_rows.{event_column}", f"missing event timestamp column {event_column!r}",
                              reason="MISSING_COLUMN", metadata={"column": event_column})
    timestamps = to_utc_timestamps(entity_rows.column(event_column), f"entity_rows.{event_column}")
    if timestamps.null_count:
        raise InvalidArgument(f"entity_rows.{event_column}", "event timestamps must not be null",
                              reason="NULL_TIMESTAMP")
    views: dict[tuple[str, int], list[int]] = {}
    for index, ref in enumerate(refs):
        views.setdefault((ref.view.name, ref.view.version), []).append(index)
    key_columns: dict[str, pa.ChunkedArray] = {}
    jobs: list[tuple[ViewJob, list[int]]] = []
    for (name, _version), indices in views.items():
        view = refs[indices[0]].view
        keys = snapshot.join_keys(view)
        for key in keys:
            if key.name not in entity_rows.column_names:
                raise InvalidArgument(f"entity_rows.{key.name}", f"missing join key column {key.name!r} of "
                                                                 f"feature view {name!r}",
                                      reason="MISSING_KEY", metadata={"column": key.name})
            column = cast_column(entity_rows.column(key.name), ARROW_TYPES[key.dtype], f"entity_rows.{key.name}")
            if column.null_count:
                raise InvalidArgument(f"entity_rows.{key.name}", "join keys must not be null", reason="NULL_KEY")
            key_columns[key.name] = column
        wanted: dict[str, pa.DataType] = {}
        for i in indices:
            wanted.setdefault(refs[i].feature.name, ARROW_TYPES[refs[i].feature.dtype])
        files = files_of(view, keys)
        job = ViewJob(view=name, files=tuple(f.path for f in files), file_columns=tuple(f.columns for f in files),
                      keys=tuple(k.name for k in keys),
                      features=tuple(wanted), feature_types=tuple(wanted.values()), ttl_micros=ttl_micros(view))
        jobs.append((job, indices))
    output = entity_rows
    feature_arrays: list[pa.ChunkedArray | None] = [None] * len(refs)
    row_ids = pa.array(range(entity_rows.num_rows), pa.int64())
    for job, indices in jobs:
        entities = pa.table([row_ids, *[key_columns[k] for k in job.keys], timestamps],
                            names=[ROW, *job.keys, EVENT_TS])
        result = engine.join(entities, job, as_of_created)
        for index in indices:
            feature_arrays[index] = result.column(refs[index].feature.name)
    for name, array in zip(names, feature_arrays, strict=True):
        output = output.append_column(name, array)
    return TrainingSet(refs, output.column_names, output)
