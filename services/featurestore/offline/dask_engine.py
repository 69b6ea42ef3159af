"""The distributed engine: the same point-in-time join on a Dask cluster.

The entity rows are scattered to the workers once; each task reads one row group of one of the
view's Parquet files (one file per ingest; files are immutable) and reduces it to its best
candidate per entity row; the partial winners are then reduced once more with the same ordering.
Because "latest event time, then latest created time" is a total preorder, reducing per row group
and then across them picks the same row as one global reduction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from services.featurestore.arrow_schema import CREATED_TS, EVENT_TS
from services.featurestore.offline.engine import ROW, OfflineEngine, ViewJob, empty_result


def best_candidates(part: pd.DataFrame, entities: pd.DataFrame, keys: list[str], ttl_micros: int,
                    as_of_created: bool) -> pd.DataFrame:
    """The best qualifying view row per entity row within one chunk of view rows."""
    entity_ts = "__entity_ts"
    merged = entities.rename(columns={EVENT_TS: entity_ts}).merge(part, on=keys, how="inner")
    keep = merged[EVENT_TS] <= merged[entity_ts]
    if ttl_micros:
        keep &= merged[EVENT_TS] >= merged[entity_ts] - pd.Timedelta(microseconds=ttl_micros)
    if as_of_created:
        keep &= merged[CREATED_TS] <= merged[entity_ts]
    merged = merged[keep.fillna(False).astype(bool)]
    return reduce_best(merged.drop(columns=[entity_ts, *keys]))


def reduce_best(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per ``__row``: the latest event time, ties to the latest created time."""
    ordered = frame.sort_values([ROW, EVENT_TS, CREATED_TS], kind="stable")
    return ordered.drop_duplicates(subset=[ROW], keep="last")


def best_in_row_group(piece: tuple[str, int], entities: pd.DataFrame, keys: list[str], features: list[str],
                      types: list[pa.DataType], ttl_micros: int, as_of_created: bool) -> pd.DataFrame:
    """A worker task: one row group of a view's Parquet file reduced to its best candidate per entity row.

    Features the file lacks (it was written by an older version) read as null.
    """
    path, row_group = piece
    parquet = pq.ParquetFile(path)
    held = set(parquet.schema_arrow.names)
    columns = [*keys, EVENT_TS, CREATED_TS, *[f for f in features if f in held]]
    table = parquet.read_row_group(row_group, columns=columns)
    for feature, kind in zip(features, types, strict=True):
        if feature not in held:
            table = table.append_column(feature, pa.nulls(table.num_rows, kind))
    part = table.to_pandas(types_mapper=pd.ArrowDtype)
    return best_candidates(part, entities, keys, ttl_micros, as_of_created)


class DaskEngine(OfflineEngine):
    """Point-in-time joins on a Dask distributed cluster."""

    name = "dask"

    def __init__(self, scheduler_address: str) -> None:
        self._address = scheduler_address
        self._client = None

    def _get_client(self):  # noqa: ANN202 - distributed.Client, imported lazily
        if self._client is None:
            from distributed import Client

            self._client = Client(self._address, set_as_default=False, timeout=30)
        return self._client

    def join(self, entities: pa.Table, job: ViewJob, as_of_created: bool) -> pa.Table:
        if not job.files or entities.num_rows == 0:
            return empty_result(entities, job)
        client = self._get_client()
        entity_frame = entities.to_pandas(types_mapper=pd.ArrowDtype)
        scattered = client.scatter(entity_frame, broadcast=True, hash=False)
        pieces = [(path, group) for path in job.files for group in range(pq.ParquetFile(path).num_row_groups)]
        tasks = client.map(best_in_row_group, pieces, entities=scattered, keys=list(job.keys),
                           features=list(job.features), types=list(job.feature_types), ttl_micros=job.ttl_micros, as_of_created=as_of_created,
                           pure=False)
        try:
            partials = client.gather(tasks)
        finally:
            client.cancel([*tasks, scattered])
        winners = reduce_best(pd.concat(partials, ignore_index=True))
        table = pa.Table.from_pandas(winners, preserve_index=False)
        rows = table.column(ROW).to_numpy()
        position = np.full(entities.num_rows, -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        take = pa.array(position, mask=position < 0)
        return pa.table([table.column(f).combine_chunks().cast(t).take(take)
                         for f, t in zip(job.features, job.feature_types, strict=True)], names=list(job.features))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
