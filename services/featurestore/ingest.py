"""Writing feature rows: batch ingest (offline, optionally online) and streaming push (online + offline).

A call validates every chunk first, then writes one Parquet file per view under a temporary name,
renames it into place and records the ingest and the merged statistics in one database transaction;
if that transaction fails the file is removed, so a failed call leaves nothing behind. An ingest id
that was already recorded returns the original result and writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.exc import IntegrityError

from services.common.db import Database
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.featurestore import repository, statistics
from services.featurestore.arrow_schema import ARROW_TYPES, EVENT_TS, conform_rows, decode_ipc
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from services.featurestore.offline.layout import OfflineFile, OfflineLayout
from services.featurestore.online.store import OnlineStore, latest_rows
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2


@dataclass(frozen=True)
class _Prepared:
    view: resources_pb2.FeatureView
    keys: list[str]
    table: pa.Table


class FeatureWriter:
    """Writes validated rows to the offline store, the statistics and the online store."""

    def __init__(self, database: Database, layout: OfflineLayout, online: OnlineStore, *, max_rows: int) -> None:
        self._db = database
        self._layout = layout
        self._online = online
        self._max_rows = max_rows

    def files_of(self, view: resources_pb2.FeatureView, keys: list[resources_pb2.JoinKey]) -> list[OfflineFile]:
        """The committed files a view version reads: its own and its predecessors' whose rows fit it."""
        with self._db.read() as session:
            names = repository.ingested_files(session, view.name, view.version)
        return self._layout.readable_files(names, {k.name: ARROW_TYPES[k.dtype] for k in keys},
                                           {f.name: ARROW_TYPES[f.dtype] for f in view.features})

    def _live_view(self, snapshot: DefinitionSnapshot, name: str, field: str) -> resources_pb2.FeatureView:
        if not name:
            raise InvalidArgument(field, "expected a feature view name")
        view = snapshot.latest_view(name)
        if view is None:
            raise NotFound("feature_view", name, metadata={"field": field})
        return view

    def _conform(self, snapshot: DefinitionSnapshot, view: resources_pb2.FeatureView,
                 tables: list[tuple[pa.Table, str]], commit: datetime) -> _Prepared:
        keys = snapshot.join_keys(view)
        parts = [conform_rows(table, view, keys, commit, field) for table, field in tables]
        rows = sum(p.num_rows for p in parts)
        if rows > self._max_rows:
            raise InvalidArgument(tables[0][1].split(".")[0], f"at most {self._max_rows} rows per call, got {rows}",
                                  reason="TOO_MANY_ROWS", metadata={"rows": rows})
        table = pa.concat_tables(parts)
        return _Prepared(view, [k.name for k in keys], table)

    def _commit(self, prepared: list[tuple[_Prepared, str]], record: Iterable[tuple[str, bytes]] = ()
                ) -> list[Path]:
        """Write files and record them with statistics in one transaction; returns the published paths."""
        written: list[tuple[Path, str]] = []
        published: list[Path] = []
        try:
            for item, _ingest_id in prepared:
                written.append(self._layout.write_temp(item.view.name, item.view.version, item.table))
            now = datetime.now(UTC)
            with self._db.write() as session:
                for (item, ingest_id), (temp, name), (_id, response) in zip(prepared, written, record, strict=True):
                    if repository.find_ingest(session, ingest_id) is not None:
                        raise _Duplicate(ingest_id)
                    state = repository.load_statistics(session, item.view.name, item.view.version)
                    merged = statistics.merge_rows(state, item.table, item.view, item.table.column(EVENT_TS))
                    repository.save_statistics(session, item.view.name, item.view.version, merged, now,
                                               state is not None)
                    repository.record_ingest(session, ingest_id, item.view.name, item.view.version, name,
                                             item.table.num_rows, response, now)
                    published.append(self._layout.publish(temp, name))
            return published
        except IntegrityError as error:
            # A concurrent call recorded the same ingest id first (its primary key won the race).
            for temp, _name in written:
                self._layout.discard(temp)
            for path in published:
                self._layout.discard(path)
            raise _Duplicate(prepared[0][1]) from error
        except BaseException:
            for temp, _name in written:
                self._layout.discard(temp)
            for path in published:
                self._layout.discard(path)
            raise

    def ingest(self, snapshot: DefinitionSnapshot, header: fs_pb2.IngestBatchHeader,
               chunks: list[bytes]) -> fs_pb2.IngestBatchResponse:
        """Apply one IngestBatch stream atomically."""
        if not header.ingest_id:
            raise InvalidArgument("header.ingest_id", "expected a non-empty ingest id")
        if len(header.ingest_id) > 256:
            raise InvalidArgument("header.ingest_id", "expected at most 256 characters")
        with self._db.read() as session:
            previous = repository.find_ingest(session, header.ingest_id)
        if previous is not None:
            return _duplicate(previous, len(chunks))
        view = self._live_view(snapshot, header.feature_view, "header.feature_view")
        if header.feature_view_version and header.feature_view_version != view.version:
            raise FailedPrecondition(
                f"feature view {view.name!r} is at version {view.version}, not {header.feature_view_version}",
                reason="FEATURE_VIEW_VERSION_NOT_LATEST",
                metadata={"feature_view": view.name, "latest_version": view.version,
                          "requested_version": header.feature_view_version})
        if not chunks:
            raise InvalidArgument("chunk", "expected at least one Arrow chunk after the header")
        commit = datetime.now(UTC)
        tables = [(decode_ipc(chunk, f"chunk[{i}]"), f"chunk[{i}]") for i, chunk in enumerate(chunks)]
        prepared = self._conform(snapshot, view, tables, commit)
        response = fs_pb2.IngestBatchResponse(ingest_id=header.ingest_id, feature_view=view.name,
                                              feature_view_version=view.version,
                                              rows_written=prepared.table.num_rows, chunks_received=len(chunks))
        _fill_times(response, prepared.table, commit)
        try:
            self._commit([(prepared, header.ingest_id)], [(header.ingest_id, response.SerializeToString())])
        except _Duplicate:
            with self._db.read() as session:
                return _duplicate(repository.find_ingest(session, header.ingest_id) or b"", len(chunks))
        if header.write_online:
            response.online_rows_written = self._write_online(prepared)
        return response

    def push(self, snapshot: DefinitionSnapshot, messages: list[fs_pb2.PushFeaturesRequest]) -> fs_pb2.PushFeaturesResponse:
        """Apply one PushFeatures stream: offline append and online write of every row."""
        commit = datetime.now(UTC)
        grouped: dict[str, list[tuple[pa.Table, str]]] = {}
        for index, message in enumerate(messages):
            view = self._live_view(snapshot, message.feature_view, f"messages[{index}].feature_view")
            if view.source_kind != resources_pb2.SOURCE_KIND_PUSH:
                raise FailedPrecondition(f"feature view {view.name!r} is a BATCH view; use IngestBatch",
                                         reason="NOT_A_PUSH_VIEW", metadata={"feature_view": view.name})
            grouped.setdefault(view.name, []).append(
                (decode_ipc(message.rows.ipc_stream, f"messages[{index}].rows"), f"messages[{index}].rows"))
        prepared = [self._conform(snapshot, snapshot.latest_view(name), tables, commit)  # type: ignore[arg-type]
                    for name, tables in grouped.items()]
        ids = [f"push-{uuid.uuid4().hex}" for _ in prepared]
        self._commit(list(zip(prepared, ids, strict=True)), [(i, b"") for i in ids])
        response = fs_pb2.PushFeaturesResponse(messages_received=len(messages))
        response.commit_time.FromDatetime(commit)
        for item in prepared:
            self._write_online(item)
            response.rows_written_by_view[item.view.name] = item.table.num_rows
            response.rows_written += item.table.num_rows
        return response

    def _write_online(self, item: _Prepared) -> int:
        rows = latest_rows(item.table, item.keys, [f.name for f in item.view.features], item.view.version)
        return self._online.write(item.view.name, rows)


class _Duplicate(Exception):
    pass


def _duplicate(stored: bytes, chunks: int) -> fs_pb2.IngestBatchResponse:
    response = fs_pb2.IngestBatchResponse.FromString(stored)
    response.duplicate = True
    response.chunks_received = chunks
    return response


def _fill_times(response: fs_pb2.IngestBatchResponse, table: pa.Table, commit: datetime) -> None:
    response.commit_time.FromDatetime(commit)
    if table.num_rows:
        low, high = pc.min(table.column(EVENT_TS)).as_py(), pc.max(table.column(EVENT_TS)).as_py()
        response.min_event_time.FromDatetime(low)
        response.max_event_time.FromDatetime(high)
