"""kill -9 of the feature store while batches are ingested (offline and online): after a restart on
the same database and data folder, every acknowledged batch is recorded (sending it again is a
duplicate of the original) and its rows are readable online."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import grpc
import pyarrow as pa

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.type.v1 import tabular_pb2, types_pb2
from tests.faults.processes import ServiceProcess, write_until_killed
from tests.integration.featurestore.helpers import entity, feature, ipc, refs, view
from tests.integration.serving.conftest import unused_address

ROWS = 10
NOW = datetime.now(UTC).replace(microsecond=0)


def batch(i: int) -> pa.Table:
    """Rows of customers i*ROWS .. i*ROWS+ROWS-1, each with score ``i``."""
    return pa.table({"customer_id": pa.array(range(i * ROWS, (i + 1) * ROWS), pa.int64()),
                     "event_timestamp": pa.array([NOW - timedelta(minutes=1)] * ROWS, pa.timestamp("us", tz="UTC")),
                     "score": pa.array([float(i)] * ROWS, pa.float64())})


def ingest(stub: fs_grpc.FeatureStoreServiceStub, i: int) -> fs_pb2.IngestBatchResponse:
    """Ingest batch ``i`` under ingest id ``batch-<i>``, offline and online."""
    header = fs_pb2.IngestBatchHeader(feature_view="scores", ingest_id=f"batch-{i}", write_online=True)
    return stub.IngestBatch(iter([fs_pb2.IngestBatchRequest(header=header), fs_pb2.IngestBatchRequest(
        chunk=types_pb2.ArrowTable(ipc_stream=ipc(batch(i))))]), timeout=30)


def test_acknowledged_ingests_survive_kill_9(spawn: Callable[..., ServiceProcess]) -> None:
    featurestore = spawn("featurestore", policy_address=unused_address())
    featurestore.start()
    acknowledged: dict[int, int] = {}
    with grpc.insecure_channel(featurestore.address) as channel:
        stub = fs_grpc.FeatureStoreServiceStub(channel)
        stub.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(
            entities=[entity()], feature_views=[view("scores", [feature("score")], ttl=timedelta(days=30))]),
            timeout=30)

        def write(i: int) -> None:
            answer = ingest(stub, i)
            assert answer.rows_written == ROWS and not answer.duplicate
            acknowledged[i] = answer.rows_written

        write_until_killed(featurestore, write, acknowledged)

    featurestore.start()
    with grpc.insecure_channel(featurestore.address) as channel:
        stub = fs_grpc.FeatureStoreServiceStub(channel)
        for i in acknowledged:
            again = ingest(stub, i)
            assert again.duplicate and again.rows_written == ROWS, i
        keys = [key for i in acknowledged for key in range(i * ROWS, (i + 1) * ROWS)]
        online = stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(
            features=refs("scores:score"), entity_keys=tabular_pb2.ColumnBatch(row_count=len(keys), columns=[
                tabular_pb2.Column(name="customer_id", int64_values=tabular_pb2.Int64Array(values=keys))])),
            timeout=30)
        assert list(online.columns[0].values.double_values.values) == [float(key // ROWS) for key in keys]
