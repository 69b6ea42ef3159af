"""Materialization: the latest offline row per entity in a time range, copied to the online store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from services.common.db import Database
from services.common.errors import InvalidArgument, NotFound
from services.featurestore import repository
from services.featurestore.arrow_schema import ARROW_TYPES, CREATED_TS, EVENT_TS
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from services.featurestore.online.store import OnlineStore, latest_rows
from sextant.featurestore.v1 import resources_pb2

_WRITE_BATCH = 5000


@dataclass(frozen=True)
class Progress:
    """One progress report of a materialization."""

    kind: str  # started, progress, completed, done
    view: str
    version: int
    start: datetime | None
    end: datetime
    rows_read: int
    rows_written: int
    rows_total: int
    views_completed: int
    views_total: int
    watermark: datetime | None = None


class Materializer:
    """Copies offline rows to the online store, view by view, advancing each view's watermark."""

    def __init__(self, database: Database, online: OnlineStore, files_of) -> None:  # noqa: ANN001
        self._db = database
        self._online = online
        self._files_of = files_of

    def run(self, snapshot: DefinitionSnapshot, views: list[str], start: datetime | None, end: datetime | None,
            incremental: bool) -> Iterator[Progress]:
        """Materialize ``views`` (all live views when empty), yielding progress."""
        end = end or datetime.now(UTC)
        if start is not None and start >= end:
            raise InvalidArgument("start_time", "expected start_time before end_time")
        names = views or sorted(n for n, h in snapshot.heads.items() if h.delete_time is None)
        definitions = []
        for index, name in enumerate(names):
            view = snapshot.latest_view(name)
            if view is None:
                raise NotFound("feature_view", name, metadata={"field": f"feature_views[{index}]"})
            definitions.append(view)
        for done, view in enumerate(definitions):
            head = snapshot.heads[view.name]
            begin = head.materialization_watermark if incremental and head.materialization_watermark else start
            yield Progress("started", view.name, view.version, begin, end, 0, 0, 0, done, len(definitions))
            join_keys = snapshot.join_keys(view)
            keys = [k.name for k in join_keys]
            files = self._files_of(view, join_keys)
            written = read = 0
            if files:
                table = _with_every_feature(_latest_in_range([f.path for f in files], keys, begin, end), view)
                read = table.num_rows
                for offset in range(0, table.num_rows, _WRITE_BATCH):
                    part = table.slice(offset, _WRITE_BATCH)
                    written += self._online.write(view.name, latest_rows(part, keys, [f.name for f in view.features],
                                                                         view.version))
                    yield Progress("progress", view.name, view.version, begin, end, read, written, read, done,
                                   len(definitions))
            with self._db.write() as session:
                repository.set_watermark(session, view.name, end)
            yield Progress("view_completed", view.name, view.version, begin, end, read, written, read, done + 1,
                           len(definitions), watermark=end)
        yield Progress("completed", "", 0, start, end, 0, 0, 0, len(definitions), len(definitions))


def _latest_in_range(files: list[str], keys: list[str], start: datetime | None, end: datetime):  # noqa: ANN202
    connection = duckdb.connect(":memory:")
    try:
        connection.execute("SET TimeZone = 'UTC'")
        partition = ", ".join('"' + k + '"' for k in keys)
        where = [f"{EVENT_TS} < $end"]
        params = {"end": end}
        if start is not None:
            where.append(f"{EVENT_TS} >= $start")
            params["start"] = start
        listed = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "], union_by_name = true"
        sql = (f"SELECT * FROM read_parquet({listed}) WHERE {' AND '.join(where)} "
               f"QUALIFY row_number() OVER (PARTITION BY {partition} ORDER BY {EVENT_TS} DESC, {CREATED_TS} DESC) = 1")
        return connection.sql(sql, params=params).to_arrow_table()
    finally:
        connection.close()


def _with_every_feature(table: pa.Table, view: resources_pb2.FeatureView) -> pa.Table:
    """Rows read from older versions' files lack newer features: add them as nulls."""
    for feature in view.features:
        if feature.name not in table.column_names:
            table = table.append_column(feature.name, pa.nulls(table.num_rows, ARROW_TYPES[feature.dtype]))
    return table
