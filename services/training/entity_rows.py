"""Content-addressed storage of uploaded and inline entity rows (Arrow IPC files under ``data_dir``).

The address is the sha256 of the IPC stream bytes as received; identical uploads share one file.
Files are written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from services.common.errors import InvalidArgument


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

    def exists(self, digest: str) -> bool:
        """Whether rows with this digest are stored."""
        return (self._root / f"{digest}.arrows").exists()

    def get(self, digest: str) -> pa.Table:
        """The stored table."""
        return decode((self._root / f"{digest}.arrows").read_bytes(), "spec.dataset.entity_rows_digest")
