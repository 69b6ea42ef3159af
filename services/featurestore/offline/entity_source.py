"""Entity rows taken from a feature view's stored rows (for example a view that holds labels)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from services.featurestore.arrow_schema import EVENT_TS
from services.featurestore.offline.layout import OfflineFile


def rows_from_view(files: list[OfflineFile], keys: list[str], columns: list[str], start: datetime | None,
                   end: datetime | None, event_column: str, empty_schema: pa.Schema) -> pa.Table:
    """Every stored row with ``start <= event_ts <= end`` as an entity row: keys, time, columns.

    A column no file holds (a feature newer than every stored row) is all null.
    """
    if not files:
        return empty_schema.empty_table()
    held = frozenset().union(*(f.columns for f in files))
    listed = "[" + ", ".join("'" + f.path.replace("'", "''") + "'" for f in files) + "], union_by_name = true"
    select = [f'"{k}"' for k in keys] + [f'{EVENT_TS} AS "{event_column}"']
    select += [f'"{c}"' if c in held else f'NULL AS "{c}"' for c in columns]
    where, params = [], {}
    if start is not None:
        where.append(f"{EVENT_TS} >= $start")
        params["start"] = start
    if end is not None:
        where.append(f"{EVENT_TS} <= $end")
        params["end"] = end
    sql = f"SELECT {', '.join(select)} FROM read_parquet({listed})"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {EVENT_TS}, " + ", ".join(f'"{k}"' for k in keys)
    connection = duckdb.connect(":memory:")
    try:
        connection.execute("SET TimeZone = 'UTC'")
        table = connection.sql(sql, params=params).to_arrow_table()
    finally:
        connection.close()
    return table.cast(empty_schema)
