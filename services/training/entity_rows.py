"""Content-addressed storage of uploaded and inline entity rows (Arrow IPC files under ``data_dir``).

The address is the sha256 of the IPC stream bytes as received; identical uploads share one file.
Files are written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from services.common.errors import InvalidArgument, ResourceExhausted

MAX_PART_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True)
class StoredRows:
    """What was stored: its digest, row count, column names and size."""

    digest: str
    row_count: int
    column_names: list[str]
    size_bytes: int


def decode(payload: bytes, field: str) -> pa.Table:
    """Arrow IPC stream bytes as a table; INVALID_ARGUMENT naming ``field`` when malformed."""
    try:
        with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
            return reader.read_all()
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as error:
        raise InvalidArgument(field, f"an Arrow IPC stream ({str(error)[:200]})", reason="MALFORMED_ARROW") from None


class EntityRowsStore:
    """Entity row tables by digest."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._root.mkdir(parents=True, exist_ok=True)

    def put(self, payload: bytes, table: pa.Table) -> StoredRows:
        """Store IPC bytes (already decoded into ``table``) and return their address."""
        digest = hashlib.sha256(payload).hexdigest()
        path = self._root / f"{digest}.arrows"
        if not path.exists():
            handle, temporary = tempfile.mkstemp(dir=self._root, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, path)
        return StoredRows(digest, table.num_rows, table.column_names, len(payload))

    def put_parts(self, parts: Iterable[bytes], *, max_rows: int, max_bytes: int) -> StoredRows:
        """Store a client stream of Arrow IPC parts (same schema, each at most 3 MiB) as one IPC stream.

        Parts are decoded and appended to a temporary file one at a time (memory stays at one part);
        the address is the sha256 of the stored stream, so identical uploads share one file. Nothing is
        left behind when a part is refused.
        """
        handle, temporary = tempfile.mkstemp(dir=self._root, suffix=".upload")
        os.close(handle)
        try:
            rows, schema = 0, None
            with pa.OSFile(temporary, "wb") as sink:
                writer = None
                for index, payload in enumerate(parts):
                    field = f"rows[{index}].ipc_stream"
                    if len(payload) > MAX_PART_BYTES:
                        raise InvalidArgument(field, f"a part of at most {MAX_PART_BYTES} bytes, got {len(payload)}",
                                              reason="PART_TOO_LARGE")
                    table = decode(payload, field)
                    if schema is None:
                        schema = table.schema
                        writer = pa.ipc.new_stream(sink, schema)
                    elif not table.schema.equals(schema):
                        raise InvalidArgument(field, f"the schema of the first part ({_describe(schema)}), got "
                                                     f"{_describe(table.schema)}", reason="SCHEMA_MISMATCH")
                    rows += table.num_rows
                    if rows > max_rows:
                        raise InvalidArgument(field, f"at most {max_rows} rows in one upload",
                                              reason="TOO_MANY_ROWS")
                    writer.write_table(table)
                    if sink.tell() > max_bytes:
                        raise ResourceExhausted(f"the upload exceeds the limit of {max_bytes} bytes",
                                                reason="UPLOAD_TOO_LARGE", metadata={"limit_bytes": max_bytes})
                if writer is None or rows == 0:
                    raise InvalidArgument("rows", "at least one part with at least one row", reason="EMPTY_UPLOAD")
                writer.close()
            digest = hashlib.sha256()
            with open(temporary, "rb") as stored:
                for block in iter(lambda: stored.read(1024 * 1024), b""):
                    digest.update(block)
            size = os.path.getsize(temporary)
            os.replace(temporary, self._root / f"{digest.hexdigest()}.arrows")
            return StoredRows(digest.hexdigest(), rows, schema.names, size)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def exists(self, digest: str) -> bool:
        """Whether rows with this digest are stored."""
        return (self._root / f"{digest}.arrows").exists()

    def get(self, digest: str) -> pa.Table:
        """The stored table."""
        return decode((self._root / f"{digest}.arrows").read_bytes(), "spec.dataset.entity_rows_digest")


def _describe(schema: pa.Schema) -> str:
    return ", ".join(f"{field.name}: {field.type}" for field in schema)[:300]
