"""Where offline rows live: one Parquet file per ingest, under a folder per feature view version.

    <offline_dir>/<view>/v<version>/<file id>.parquet

A file is written under a temporary name and renamed into place just before the ingest is recorded
in the database; readers take the list of files from the database, so a file whose ingest did not
commit is never read (and is removed by the writer that failed).

A view version reads its own files and those of earlier versions whose rows still fit it: the same
join key columns and types, and the same type for every feature both versions have (a feature the
older rows lack reads as null). So a new version made by a TTL, tag or added-feature change keeps
its history, while a retyped feature or changed keys start the new version empty.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


@dataclass(frozen=True)
class OfflineFile:
    """One committed offline file and the columns it holds."""

    path: str
    columns: frozenset[str]


class OfflineLayout:
    """The offline store's folder tree."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._schemas: dict[str, pa.Schema] = {}

    def readable_files(self, names: list[str], keys: dict[str, pa.DataType],
                       features: dict[str, pa.DataType]) -> list[OfflineFile]:
        """The files among ``names`` whose rows fit a version with these key and feature types:
        every key present with its type, and no feature stored with another type."""
        found = []
        for name in names:
            path = str(self.path(name))
            schema = self._schemas.get(path)
            if schema is None:
                schema = self._schemas[path] = pq.read_schema(path)  # files are immutable
            if any(schema.get_field_index(k) < 0 or schema.field(k).type != kind for k, kind in keys.items()):
                continue
            if any(schema.get_field_index(f) >= 0 and schema.field(f).type != kind for f, kind in features.items()):
                continue
            found.append(OfflineFile(path, frozenset(schema.names)))
        return found

    def version_dir(self, view: str, version: int) -> Path:
        """The folder of one view version."""
        return self.root / view / f"v{version}"

    def path(self, file_name: str) -> Path:
        """The absolute path of a recorded file name (relative to the root)."""
        return self.root / file_name

    def write_temp(self, view: str, version: int, table: pa.Table) -> tuple[Path, str]:
        """Write ``table`` under a temporary name; returns (temp path, final relative name)."""
        folder = self.version_dir(view, version)
        folder.mkdir(parents=True, exist_ok=True)
        file_id = uuid.uuid4().hex
        temp = folder / f".{file_id}.parquet.tmp"
        pq.write_table(table, temp, compression="zstd", row_group_size=1 << 20)
        return temp, f"{view}/v{version}/{file_id}.parquet"

    def publish(self, temp: Path, file_name: str) -> Path:
        """Rename a temporary file to its final name (atomic on one file system)."""
        final = self.path(file_name)
        os.replace(temp, final)
        return final

    @staticmethod
    def discard(path: Path) -> None:
        """Remove a file written by a call that failed."""
        path.unlink(missing_ok=True)
