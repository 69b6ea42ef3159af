"""The embedded engine: DuckDB over the view's Parquet files, in the feature store process."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from services.featurestore.arrow_schema import CREATED_TS, EVENT_TS
from services.featurestore.offline.engine import (
    ROW,
    OfflineEngine,
    ViewJob,
    complete,
    empty_result,
    present_features,
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _asof_join(job: ViewJob, files: str, wanted: list[str]) -> str:
    """Without ``as_of_created``: an ASOF JOIN finds each entity row's latest event time, then an
    equi-join on (keys, that time) picks the latest created row among ties. The TTL only needs
    checking on the winner: any other candidate is older still."""
    key_match = " AND ".join(f"s.{_quote(k)} = e.{_quote(k)}" for k in job.keys)
    tie_match = " AND ".join(f"v.{_quote(k)} = w.{_quote(k)}" for k in job.keys)
    keys = ", ".join(f"e.{_quote(k)}" for k in job.keys)
    stamps = ", ".join(_quote(k) for k in job.keys)
    features = ", ".join(f"v.{_quote(f)}" for f in wanted)
    picked = ", ".join(f"b.{_quote(f)} AS {_quote(f)}" for f in wanted)
    ttl = f"AND w.win_ts >= w.entity_ts - to_microseconds({int(job.ttl_micros)})" if job.ttl_micros else ""
    return f"""
        WITH w AS (
            SELECT e.{ROW} AS {ROW}, {keys}, e.{EVENT_TS} AS entity_ts, s.{EVENT_TS} AS win_ts
            FROM entity_rows e ASOF JOIN (SELECT {stamps}, {EVENT_TS} FROM read_parquet({files})) s
            ON {key_match} AND e.{EVENT_TS} >= s.{EVENT_TS}
        ),
        best AS (
            SELECT w.{ROW} AS {ROW}, {features}
            FROM w JOIN read_parquet({files}) v ON {tie_match} AND v.{EVENT_TS} = w.win_ts {ttl}
            QUALIFY row_number() OVER (PARTITION BY w.{ROW} ORDER BY v.{CREATED_TS} DESC) = 1
        )
        SELECT {picked} FROM entity_rows e LEFT JOIN best b ON b.{ROW} = e.{ROW} ORDER BY e.{ROW}
    """


def _window_join(job: ViewJob, files: str, wanted: list[str]) -> str:
    """With ``as_of_created``: a keyed range join of every candidate, then the best per entity row
    (the latest event time, then the latest created time)."""
    conditions = [f"v.{_quote(k)} = e.{_quote(k)}" for k in job.keys]
    conditions.append(f"v.{EVENT_TS} <= e.{EVENT_TS}")
    conditions.append(f"v.{CREATED_TS} <= e.{EVENT_TS}")
    if job.ttl_micros:
        conditions.append(f"v.{EVENT_TS} >= e.{EVENT_TS} - to_microseconds({int(job.ttl_micros)})")
    features = ", ".join(f"v.{_quote(f)}" for f in wanted)
    picked = ", ".join(f"b.{_quote(f)} AS {_quote(f)}" for f in wanted)
    return f"""
        WITH best AS (
            SELECT e.{ROW} AS {ROW}, {features}
            FROM entity_rows e JOIN read_parquet({files}) v ON {' AND '.join(conditions)}
            QUALIFY row_number() OVER (PARTITION BY e.{ROW} ORDER BY v.{EVENT_TS} DESC, v.{CREATED_TS} DESC) = 1
        )
        SELECT {picked} FROM entity_rows e LEFT JOIN best b ON b.{ROW} = e.{ROW} ORDER BY e.{ROW}
    """


class DuckDBEngine(OfflineEngine):
    """Point-in-time joins with DuckDB: an ASOF JOIN, or a keyed range join with ``as_of_created``."""

    name = "duckdb"

    def __init__(self, threads: int = 0) -> None:
        self._threads = threads

    def _connect(self) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(":memory:")
        connection.execute("SET TimeZone = 'UTC'")
        if self._threads:
            connection.execute(f"SET threads = {int(self._threads)}")
        return connection

    def join(self, entities: pa.Table, job: ViewJob, as_of_created: bool) -> pa.Table:
        wanted = present_features(job)
        if not wanted or entities.num_rows == 0:
            return empty_result(entities, job)
        connection = self._connect()
        try:
            connection.register("entity_rows", entities)
            # union_by_name: files of older versions may lack newer features, which read as null.
            files = ("[" + ", ".join("'" + f.replace("'", "''") + "'" for f in job.files) + "], union_by_name = true")
            sql = _window_join(job, files, wanted) if as_of_created else _asof_join(job, files, wanted)
            result = connection.sql(sql).to_arrow_table()
        finally:
            connection.close()
        return complete(result, entities, job)
