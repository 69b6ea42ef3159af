"""Batch ingest over gRPC: schema checks that name the column, atomicity, idempotency, statistics."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import grpc
import pyarrow as pa
import pytest

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from tests.integration.featurestore.helpers import (
    Client,
    T,
    connect,
    entity,
    error_info,
    feature,
    read_ipc,
    refs,
    start_server,
    view,
)

T0 = datetime(2026, 2, 1)


def _rows(n: int = 3, **overrides: object) -> pa.Table:
    columns = {"customer_id": pa.array(range(n), pa.int64()),
               "event_timestamp": pa.array([T0 + timedelta(hours=i) for i in range(n)], pa.timestamp("us")),
               "income": pa.array([float(i) for i in range(n)]), "segment": pa.array(["a", "b", None][:n] * 1)}
    columns.update(overrides)
    return pa.table({k: v for k, v in columns.items() if v is not None})


def _setup(client: Client) -> None:
    client.apply(entity(), view("credit", [feature("income"), feature("segment", T.DATA_TYPE_STRING)]))


def _stats(client: Client) -> fs_pb2.GetFeatureStatisticsResponse:
    return client.stub.GetFeatureStatistics(fs_pb2.GetFeatureStatisticsRequest(feature_view="credit"))


def test_ingest_is_idempotent_and_profiles_the_rows(client: Client) -> None:
    _setup(client)
    first = client.ingest("credit", [_rows(), _rows()], ingest_id="job-1")
    assert (first.rows_written, first.chunks_received, first.duplicate) == (6, 2, False)
    assert first.min_event_time.ToDatetime() == T0
    retry = client.ingest("credit", [_rows()], ingest_id="job-1")
    assert retry.duplicate and retry.rows_written == 6
    stats = _stats(client)
    assert stats.profile.row_count == 6 and stats.version == 1
    income, segment = stats.profile.columns
    assert (income.count, income.null_count, income.mean, income.min, income.max) == (6, 0, 1.0, 0.0, 2.0)
    assert len(income.quantiles) == len(income.quantile_probabilities) > 0
    assert sum(b.count for b in income.histogram) == 6
    assert segment.null_count == 2 and {c.value: c.count for c in segment.top_categories} == {"a": 2, "b": 2}
    _, out = client.historical(pa.table({"customer_id": pa.array([2], pa.int64()),
                                         "event_timestamp": pa.array([T0 + timedelta(days=1)], pa.timestamp("us"))}),
                               refs("credit:income"))
    assert out.column("income").to_pylist() == [2.0]


@pytest.mark.parametrize(("table", "column", "reason"), [
    (_rows(income=pa.array(["x", "y", "z"])), "income", "WRONG_TYPE"),
    (_rows(customer_id=None), "customer_id", "MISSING_COLUMN"),
    (_rows(surprise=pa.array([1, 2, 3])), "surprise", "UNKNOWN_COLUMN"),
    (_rows(customer_id=pa.array([1, None, 3], pa.int64())), "customer_id", "NULL_KEY"),
    (_rows(event_timestamp=pa.array([datetime(1800, 1, 1)] * 3, pa.timestamp("us"))), "event_timestamp",
     "TIMESTAMP_OUT_OF_RANGE"),
    (_rows(event_timestamp=pa.array([1, 2, 3])), "event_timestamp", "WRONG_TYPE"),
])
def test_bad_chunks_name_the_column_and_write_nothing(sqlite_client: Client, table: pa.Table, column: str,
                                                      reason: str) -> None:
    _setup(sqlite_client)
    with pytest.raises(grpc.RpcError) as failure:
        sqlite_client.ingest("credit", [_rows(), table], ingest_id="bad")
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(failure.value)
    assert info.reason == reason and info.metadata["field"] == f"chunk[1].{column}"
    assert _stats(sqlite_client).profile.row_count == 0
    # The failed id was not recorded: the same id now ingests normally.
    assert not sqlite_client.ingest("credit", [_rows()], ingest_id="bad").duplicate


def test_stream_shape_and_unknown_view(sqlite_client: Client) -> None:
    _setup(sqlite_client)
    cases = [
        ([fs_pb2.IngestBatchRequest(chunk=T.ArrowTable(ipc_stream=b"x"))], "MISSING_HEADER",
         grpc.StatusCode.INVALID_ARGUMENT),
        ([fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(feature_view="credit", ingest_id="m")),
          fs_pb2.IngestBatchRequest(chunk=T.ArrowTable(ipc_stream=b"garbage"))], "MALFORMED_ARROW",
         grpc.StatusCode.INVALID_ARGUMENT),
        ([fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(feature_view="ghost", ingest_id="g"))],
         "FEATURE_VIEW_NOT_FOUND", grpc.StatusCode.NOT_FOUND),
        ([fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(feature_view="credit", ingest_id="v",
                                                                    feature_view_version=7))],
         "FEATURE_VIEW_VERSION_NOT_LATEST", grpc.StatusCode.FAILED_PRECONDITION),
    ]
    for messages, reason, code in cases:
        with pytest.raises(grpc.RpcError) as failure:
            sqlite_client.stub.IngestBatch(iter(messages), timeout=30)
        assert failure.value.code() == code
        assert error_info(failure.value).reason == reason


def test_a_batch_over_the_configured_size_is_refused(tmp_path: Path) -> None:
    running = start_server(tmp_path, max_ingest_rows=4)
    channel, client = connect(running)
    try:
        _setup(client)
        with pytest.raises(grpc.RpcError) as failure:
            client.ingest("credit", [_rows(), _rows()], ingest_id="big")
        assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error_info(failure.value).reason == "TOO_MANY_ROWS"
        assert _stats(client).profile.row_count == 0
        assert not list((tmp_path / "offline").rglob("*.parquet*"))
    finally:
        channel.close()
        running.stop(0)


def test_entity_rows_can_come_from_a_label_view(sqlite_client: Client) -> None:
    _setup(sqlite_client)
    sqlite_client.apply(entity(), view("labels", [feature("defaulted", T.DATA_TYPE_BOOL)]))
    sqlite_client.ingest("credit", [_rows()], ingest_id="c")
    labels = pa.table({"customer_id": pa.array([0, 2, 1], pa.int64()),
                       "event_timestamp": pa.array([T0 + timedelta(days=1), T0 + timedelta(days=2), T0 - timedelta(days=1)],
                                                   pa.timestamp("us")),
                       "defaulted": [True, False, None]})
    sqlite_client.ingest("labels", [labels], ingest_id="l")
    request = fs_pb2.GetHistoricalFeaturesRequest(
        entity_feature_view=fs_pb2.EntityRowsFromFeatureView(feature_view="labels"), features=refs("credit:income"))
    tables = [read_ipc(m.chunk.ipc_stream) for m in sqlite_client.stub.GetHistoricalFeatures(request, timeout=30)
              if m.WhichOneof("content") == "chunk"]
    out = pa.concat_tables(tables)
    assert out.column_names == ["customer_id", "event_timestamp", "defaulted", "income"]
    assert out.column("customer_id").to_pylist() == [1, 0, 2]
    assert out.column("defaulted").to_pylist() == [None, True, False]
    assert out.column("income").to_pylist() == [None, 0.0, 2.0]


def test_concurrent_retries_of_one_ingest_write_once(client: Client) -> None:
    _setup(client)
    results: list[fs_pb2.IngestBatchResponse] = []
    threads = [threading.Thread(target=lambda: results.append(client.ingest("credit", [_rows()], ingest_id="race")))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.duplicate for r in results) == [False, True, True]
    assert _stats(client).profile.row_count == 3
