"""The entity-row store's uploads: one stream from many parts, content addressed, nothing left on refusal."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from services.common.errors import InvalidArgument, ResourceExhausted
from services.training.entity_rows import MAX_PART_BYTES, EntityRowsStore


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _table(start: int, n: int) -> pa.Table:
    return pa.table({"customer_id": pa.array(range(start, start + n), pa.int64()),
                     "approved": pa.array([i % 2 for i in range(n)], pa.int64())})


def test_parts_are_stored_as_one_table_under_their_digest(tmp_path: Path) -> None:
    store = EntityRowsStore(tmp_path)
    stored = store.put_parts([_ipc(_table(0, 3)), _ipc(_table(3, 4))], max_rows=100, max_bytes=1 << 20)
    assert (stored.row_count, stored.column_names) == (7, ["customer_id", "approved"])
    assert store.get(stored.digest).column("customer_id").to_pylist() == list(range(7))
    again = store.put_parts([_ipc(_table(0, 3)), _ipc(_table(3, 4))], max_rows=100, max_bytes=1 << 20)
    assert again == stored
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{stored.digest}.arrows"]


@pytest.mark.parametrize(("parts", "max_rows", "max_bytes", "error", "field"), [
    ([b"junk"], 100, 1 << 20, InvalidArgument, "rows[0].ipc_stream"),
    ([_ipc(_table(0, 2)), _ipc(_table(0, 2).rename_columns(["id", "approved"]))], 100, 1 << 20, InvalidArgument,
     "rows[1].ipc_stream"),
    ([], 100, 1 << 20, InvalidArgument, "rows"),
    ([_ipc(_table(0, 60)), _ipc(_table(60, 60))], 100, 1 << 20, InvalidArgument, "rows[1].ipc_stream"),
    ([b"x" * (MAX_PART_BYTES + 1)], 100, 1 << 20, InvalidArgument, "rows[0].ipc_stream"),
    ([_ipc(_table(0, 500))], 10_000, 1024, ResourceExhausted, None),
], ids=["malformed", "schema-differs", "empty", "too-many-rows", "part-too-large", "too-many-bytes"])
def test_refused_uploads_leave_nothing_behind(tmp_path: Path, parts: list[bytes], max_rows: int, max_bytes: int,
                                             error: type, field: str | None) -> None:
    store = EntityRowsStore(tmp_path)
    with pytest.raises(error) as caught:
        store.put_parts(parts, max_rows=max_rows, max_bytes=max_bytes)
    if field is not None:
        assert caught.value.field == field
    assert list(tmp_path.iterdir()) == []
