"""Helpers shared by the feature store tests: definitions, Arrow payloads and a client wrapper."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pyarrow as pa
import pytest
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services import catalog
from services.featurestore.arrow_schema import encode_ipc
from services.featurestore.settings import FeatureStoreSettings
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import features_pb2, types_pb2

T = types_pb2


def ipc(table: pa.Table) -> bytes:
    """A table as Arrow IPC stream bytes."""
    return encode_ipc(table)


def read_ipc(payload: bytes) -> pa.Table:
    """Arrow IPC stream bytes as a table."""
    with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
        return reader.read_all()


def entity(name: str = "customer", key: str = "customer_id", dtype: int = T.DATA_TYPE_INT64,
           team: str = "risk") -> resources_pb2.Entity:
    """An entity with one join key."""
    return resources_pb2.Entity(name=name, join_keys=[resources_pb2.JoinKey(name=key, dtype=dtype)],
                                description=f"a {name}", owner_team=team)


def feature(name: str, dtype: int = T.DATA_TYPE_FLOAT64, **kwargs: Any) -> resources_pb2.Feature:
    """One feature."""
    return resources_pb2.Feature(name=name, dtype=dtype, **kwargs)


def view(name: str, features: Sequence[resources_pb2.Feature], *, entities: Sequence[str] = ("customer",),
         ttl: timedelta | None = None, push: bool = False, team: str = "risk",
         tags: dict[str, str] | None = None) -> resources_pb2.FeatureView:
    """A feature view definition."""
    definition = resources_pb2.FeatureView(
        name=name, entities=list(entities), features=list(features), owner_team=team, tags=tags or {},
        source_kind=resources_pb2.SOURCE_KIND_PUSH if push else resources_pb2.SOURCE_KIND_BATCH,
        description=f"view {name}")
    if ttl is not None:
        definition.ttl.CopyFrom(duration_pb2.Duration(seconds=int(ttl.total_seconds()),
                                                      nanos=(ttl.microseconds % 1_000_000) * 1000))
    return definition


def refs(*texts: str) -> features_pb2.FeatureSelection:
    """A selection of `view:feature` / `view@vN:feature` references."""
    out = []
    for text in texts:
        head, _, feat = text.partition(":")
        name, _, version = head.partition("@v")
        out.append(T.FeatureReference(feature_view=name, feature=feat, version=int(version or 0)))
    return features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(references=out))


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    """The ErrorInfo of a failed call."""
    status = rpc_status.from_call(error)
    assert status is not None, "expected a rich status"
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return info


@dataclass
class Client:
    """A feature store stub with helpers."""

    stub: fs_grpc.FeatureStoreServiceStub

    def apply(self, *definitions: Any, dry_run: bool = False, **kwargs: Any) -> fs_pb2.ApplyDefinitionsResponse:
        request = fs_pb2.ApplyDefinitionsRequest(dry_run=dry_run, **kwargs)
        for item in definitions:
            if isinstance(item, resources_pb2.Entity):
                request.entities.append(item)
            elif isinstance(item, resources_pb2.FeatureView):
                request.feature_views.append(item)
            else:
                request.feature_services.append(item)
        return self.stub.ApplyDefinitions(request, timeout=30)

    def ingest(self, view_name: str, tables: Iterable[pa.Table], ingest_id: str, **header: Any
               ) -> fs_pb2.IngestBatchResponse:
        messages = [fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(
            feature_view=view_name, ingest_id=ingest_id, **header))]
        messages += [fs_pb2.IngestBatchRequest(chunk=T.ArrowTable(ipc_stream=ipc(t))) for t in tables]
        return self.stub.IngestBatch(iter(messages), timeout=60)

    def historical(self, entity_rows: pa.Table, selection: features_pb2.FeatureSelection, **kwargs: Any
                   ) -> tuple[fs_pb2.HistoricalFeaturesHeader, pa.Table]:
        request = fs_pb2.GetHistoricalFeaturesRequest(entity_rows=T.ArrowTable(ipc_stream=ipc(entity_rows)),
                                                      features=selection, **kwargs)
        header = None
        tables = []
        for message in self.stub.GetHistoricalFeatures(request, timeout=120):
            if message.WhichOneof("content") == "header":
                header = message.header
            else:
                tables.append(read_ipc(message.chunk.ipc_stream))
        assert header is not None
        return header, pa.concat_tables(tables)


def start_server(tmp_path: Any, database_url: str = "", **settings: Any) -> Any:
    """A real feature store server on port 0."""
    defaults = {"port": 0, "data_dir": str(tmp_path), "database_url": database_url, "log_level": "warning"}
    return catalog.start("featurestore", FeatureStoreSettings(**{**defaults, **settings}))


def connect(running: Any) -> tuple[grpc.Channel, Client]:
    """A channel and client for a running server."""
    channel = grpc.insecure_channel(running.address, options=[("grpc.max_receive_message_length", 64 << 20),
                                                              ("grpc.max_send_message_length", 64 << 20)])
    return channel, Client(fs_grpc.FeatureStoreServiceStub(channel))


REDIS_SERVER = "/usr/bin/redis-server"


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A throwaway redis-server on a unix socket in ``folder`` (skips when redis is not installed)."""
    binary = REDIS_SERVER if Path(REDIS_SERVER).exists() else shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed on this machine")
    socket = folder / "redis.sock"
    process = subprocess.Popen([binary, "--port", "0", "--unixsocket", str(socket), "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            if socket.exists():
                break
            time.sleep(0.025)
        yield f"unix://{socket}"
    finally:
        process.terminate()
        process.wait(timeout=10)
