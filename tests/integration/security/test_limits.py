"""Limits over gRPC: rows per call and per-principal rate limits, on real servers (SQLite and PostgreSQL).

Too many rows answer INVALID_ARGUMENT with reason TOO_MANY_ROWS naming the field and the limit, and
the server serves the next valid call; an expensive RPC called past its per-minute limit answers
RESOURCE_EXHAUSTED with a RetryInfo, and other principals are unaffected.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import grpc
import pyarrow as pa
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.policy.v1 import policy_service_pb2 as policy_pb2
from sextant.policy.v1 import policy_service_pb2_grpc as policy_grpc
from sextant.type.v1 import tabular_pb2
from tests.integration.featurestore.helpers import (
    Client,
    T,
    connect,
    entity,
    error_info,
    feature,
    ipc,
    refs,
    view,
)
from tests.integration.security.security_kit import start_service

LIMIT = 5
T0 = datetime(2026, 2, 1)


def who(principal: str) -> tuple[tuple[str, str], ...]:
    """Call metadata naming the principal (honoured in development mode)."""
    return (("x-sextant-principal", principal),)


@pytest.fixture
def store(tmp_path: Path, database_url: str) -> Iterator[Client]:
    """A feature store allowing LIMIT rows per call and 2 historical retrievals per principal and minute."""
    running = start_service("featurestore", tmp_path, database_url, max_rows_per_call=LIMIT, rate_limit_per_minute=2)
    channel, client = connect(running)
    try:
        client.apply(entity(), view("daily", [feature("balance")]), view("live", [feature("score")], push=True))
        yield client
    finally:
        channel.close()
        running.stop(0)


def rows(n: int, value_column: str = "balance") -> pa.Table:
    """``n`` rows of customers 0..n-1."""
    return pa.table({"customer_id": pa.array(range(n), pa.int64()),
                     "event_timestamp": pa.array([T0 + timedelta(hours=i) for i in range(n)], pa.timestamp("us")),
                     value_column: pa.array([float(i) for i in range(n)])})


def keys(n: int) -> tabular_pb2.ColumnBatch:
    """``n`` entity keys."""
    return tabular_pb2.ColumnBatch(row_count=n, columns=[
        tabular_pb2.Column(name="customer_id", int64_values=tabular_pb2.Int64Array(values=list(range(n))))])


def assert_too_many_rows(error: grpc.RpcError, field: str, rows_sent: int) -> None:
    """The documented answer to too many rows: INVALID_ARGUMENT, TOO_MANY_ROWS, field and limit named."""
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(error)
    assert info.reason == "TOO_MANY_ROWS"
    assert dict(info.metadata) == {"field": field, "limit": str(LIMIT), "rows": str(rows_sent)}
    assert str(LIMIT) in error.details()


def test_too_many_entity_keys_are_refused_and_the_next_call_is_served(store: Client) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        store.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(features=refs("daily:balance"),
                                                                     entity_keys=keys(LIMIT + 1)))
    assert_too_many_rows(caught.value, "entity_keys", LIMIT + 1)
    served = store.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(features=refs("daily:balance"),
                                                                          entity_keys=keys(LIMIT)))
    assert served.row_count == LIMIT


def test_an_ingest_stream_is_limited_over_all_its_chunks_and_the_refusal_is_audited(store: Client) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        store.ingest("daily", [rows(3), rows(3)], ingest_id="too-big")
    assert_too_many_rows(caught.value, "messages[2].chunk", 6)
    accepted = store.ingest("daily", [rows(3), rows(2)], ingest_id="fits")
    assert accepted.rows_written == LIMIT
    listing = store.stub.ListAuditRecords(fs_pb2.ListAuditRecordsRequest(
        method="/sextant.featurestore.v1.FeatureStoreService/IngestBatch", order_by="record_time"))
    assert [(r.status_code, r.error_reason, r.row_count) for r in listing.audit_records] == [
        ("INVALID_ARGUMENT", "TOO_MANY_ROWS", 6), ("OK", "", LIMIT)]
    assert [r.name for r in listing.audit_records[0].resources] == ["daily"]


def test_pushes_and_historical_retrievals_are_limited_too(store: Client) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        store.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="live", rows=T.ArrowTable(
            ipc_stream=ipc(rows(LIMIT + 2, "score"))))]))
    assert_too_many_rows(caught.value, "messages[0].rows", LIMIT + 2)
    entity_rows = rows(LIMIT + 1).drop_columns(["balance"])
    with pytest.raises(grpc.RpcError) as caught:
        store.historical(entity_rows, refs("daily:balance"))
    assert_too_many_rows(caught.value, "entity_rows", LIMIT + 1)
    pushed = store.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="live", rows=T.ArrowTable(
        ipc_stream=ipc(rows(LIMIT, "score"))))]))
    assert pushed.rows_written == LIMIT


def retry_delay(error: grpc.RpcError) -> float:
    """The RetryInfo delay of a failed call, in seconds."""
    status = rpc_status.from_call(error)
    assert status is not None
    retry = error_details_pb2.RetryInfo()
    assert any(detail.Unpack(retry) for detail in status.details), "expected a RetryInfo"
    return retry.retry_delay.seconds + retry.retry_delay.nanos / 1e9


def historical_code(client: Client, principal: str) -> grpc.StatusCode:
    """The code of a historical retrieval with no entity rows (refused by the handler when admitted)."""
    try:
        list(client.stub.GetHistoricalFeatures(fs_pb2.GetHistoricalFeaturesRequest(), metadata=who(principal)))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
            assert error_info(error).reason == "RATE_LIMITED"
            assert 0 < retry_delay(error) <= 60
        return error.code()
    return grpc.StatusCode.OK


def test_historical_retrievals_are_rate_limited_per_principal(store: Client) -> None:
    codes = [historical_code(store, "grace") for _ in range(3)]
    assert codes == [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INVALID_ARGUMENT,
                     grpc.StatusCode.RESOURCE_EXHAUSTED]
    assert historical_code(store, "heidi") == grpc.StatusCode.INVALID_ARGUMENT


def test_proxy_detection_is_rate_limited_per_principal_with_retry_info(tmp_path: Path, database_url: str) -> None:
    running = start_service("policy", tmp_path, database_url, rate_limit_per_minute=3)
    channel = grpc.insecure_channel(running.address)
    stub = policy_grpc.PolicyServiceStub(channel)

    def detect(principal: str) -> grpc.StatusCode:
        try:
            stub.DetectProxies(policy_pb2.DetectProxiesRequest(), metadata=who(principal), timeout=20)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
                info = error_info(error)
                assert info.reason == "RATE_LIMITED" and info.metadata["principal"] == principal
                assert info.metadata["limit_per_minute"] == "3"
                assert 0 < retry_delay(error) <= 20
            return error.code()
        return grpc.StatusCode.OK

    try:
        admitted = [detect("ivan") for _ in range(3)]
        assert grpc.StatusCode.RESOURCE_EXHAUSTED not in admitted
        assert detect("ivan") == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert detect("judy") == admitted[0]
    finally:
        channel.close()
        running.stop(0)
