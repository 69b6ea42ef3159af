"""The audit log over gRPC: real servers on port 0, on SQLite and on PostgreSQL.

Mutating calls leave a record with principal, method, resource, outcome and request id whether they
succeed or fail; a read of a `pii` or protected feature is recorded with the features it returned, a
read of plain features is not; ListAuditRecords pages and filters the log on every service.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pyarrow as pa
import pytest
from google.protobuf import message_factory, timestamp_pb2

from services import catalog
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import audit_pb2, tabular_pb2, types_pb2
from tests.integration.featurestore.helpers import (
    Client,
    connect,
    entity,
    error_info,
    feature,
    ipc,
    refs,
    view,
)
from tests.integration.security.security_kit import start_service

FS = "/sextant.featurestore.v1.FeatureStoreService/"


def who(principal: str, request_id: str) -> tuple[tuple[str, str], ...]:
    """Call metadata naming the principal (honoured in development mode) and the request id."""
    return (("x-sextant-principal", principal), ("x-request-id", request_id))


@pytest.fixture
def store(tmp_path: Path, database_url: str) -> Iterator[Client]:
    """A feature store with a `customer` entity and a push view holding a plain, a pii and a protected feature."""
    running = start_service("featurestore", tmp_path, database_url)
    channel, client = connect(running)
    try:
        client.stub.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(
            entities=[entity()],
            feature_views=[view("profile", [feature("score"),
                                            feature("ssn_hash", sensitivity=resources_pb2.SENSITIVITY_PII),
                                            feature("age", protected_basis=1)], push=True)]),
            metadata=who("setup", "setup-1"))
        yield client
    finally:
        channel.close()
        running.stop(0)


def records(client: Client, **filters: Any) -> list[audit_pb2.AuditRecord]:
    """Every audit record matching ``filters``, oldest first, following page tokens."""
    found: list[audit_pb2.AuditRecord] = []
    token = ""
    for _ in range(100):
        page = client.stub.ListAuditRecords(fs_pb2.ListAuditRecordsRequest(
            page_token=token, order_by="record_time", **filters))
        found.extend(page.audit_records)
        token = page.next_page_token
        if not token:
            return found
    raise AssertionError("pagination did not end")


def online_read(client: Client, *features: str, metadata: Any = ()) -> fs_pb2.GetOnlineFeaturesResponse:
    """Read ``features`` online for customers 1 and 2."""
    keys = tabular_pb2.ColumnBatch(row_count=2, columns=[
        tabular_pb2.Column(name="customer_id", int64_values=tabular_pb2.Int64Array(values=[1, 2]))])
    return client.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(features=refs(*features), entity_keys=keys),
                                         metadata=metadata)


def test_a_mutating_call_is_recorded_with_principal_method_resources_outcome_and_request_id(store: Client) -> None:
    store.stub.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(
        entities=[entity()], feature_views=[view("daily", [feature("balance")])], dry_run=True),
        metadata=who("alice", "req-apply-1"))
    [record] = records(store, principal="alice")
    assert record.method == FS + "ApplyDefinitions"
    assert record.kind == audit_pb2.AUDIT_KIND_MUTATION
    assert record.status_code == "OK" and record.error_reason == ""
    assert record.request_id == "req-apply-1"
    assert [(r.type, r.name) for r in record.resources] == [("entity", "customer"), ("feature_view", "daily")]
    assert record.details["dry_run"] == "true"
    assert record.peer.startswith("ipv4:127.0.0.1:")
    assert record.record_time.seconds > 0 and record.sequence > 0


def test_a_failed_mutating_call_is_recorded_with_its_error_code_and_reason(store: Client) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        store.stub.DeleteFeatureView(fs_pb2.DeleteFeatureViewRequest(name="missing"), metadata=who("bob", "req-del"))
    [record] = records(store, principal="bob")
    assert record.status_code == caught.value.code().name == "NOT_FOUND"
    assert record.error_reason == error_info(caught.value).reason
    assert [(r.type, r.name) for r in record.resources] == [("feature_view", "missing")]
    assert record.request_id == "req-del"


def test_reading_pii_or_protected_features_is_recorded_and_plain_reads_are_not(store: Client) -> None:
    online_read(store, "profile:score", metadata=who("carol", "plain-read"))
    assert records(store, principal="carol") == []
    online_read(store, "profile:score", "profile:ssn_hash", "profile:age", metadata=who("carol", "pii-read"))
    [record] = records(store, principal="carol")
    assert record.kind == audit_pb2.AUDIT_KIND_SENSITIVE_READ
    assert record.method == FS + "GetOnlineFeatures"
    assert record.request_id == "pii-read" and record.status_code == "OK"
    assert [(f.feature_view, f.feature, f.version) for f in record.sensitive_features] == [
        ("profile", "ssn_hash", 1), ("profile", "age", 1)]
    assert record.row_count == 2


def test_a_one_entity_read_of_pii_features_is_recorded_like_a_batch_read(store: Client) -> None:
    """One entity with every value present takes the store's one-entity path (its response assembled as
    wire bytes); reading pii or protected features that way is audited all the same."""
    now = datetime.now(UTC)
    rows = pa.table({"customer_id": pa.array([1], pa.int64()), "event_timestamp": pa.array([now], pa.timestamp(
        "us", tz="UTC")), "score": [0.5], "ssn_hash": [17.0], "age": [42.0]})
    store.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="profile", rows=types_pb2.ArrowTable(
        ipc_stream=ipc(rows)))]), metadata=who("setup", "push-1"))
    keys = tabular_pb2.ColumnBatch(row_count=1, columns=[
        tabular_pb2.Column(name="customer_id", int64_values=tabular_pb2.Int64Array(values=[1]))])

    def read_one(*features: str, request_id: str) -> fs_pb2.GetOnlineFeaturesResponse:
        return store.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(features=refs(*features), entity_keys=keys),
                                            metadata=who("frank", request_id))

    plain = read_one("profile:score", request_id="one-plain")
    assert plain.row_count == 1 and list(plain.columns[0].values.double_values.values) == [0.5]
    assert records(store, principal="frank") == []
    sensitive = read_one("profile:score", "profile:ssn_hash", "profile:age", request_id="one-pii")
    assert [list(c.values.double_values.values) for c in sensitive.columns] == [[0.5], [17.0], [42.0]]
    [record] = records(store, principal="frank")
    assert record.kind == audit_pb2.AUDIT_KIND_SENSITIVE_READ and record.request_id == "one-pii"
    assert [(f.feature_view, f.feature) for f in record.sensitive_features] == [("profile", "ssn_hash"),
                                                                                 ("profile", "age")]
    assert record.row_count == 1


def test_list_audit_records_pages_in_both_orders_without_gaps_or_repeats(store: Client) -> None:
    for index in range(5):
        with pytest.raises(grpc.RpcError):
            store.stub.DeleteEntity(fs_pb2.DeleteEntityRequest(name=f"gone-{index}"), metadata=who("dave", f"d{index}"))
    pages = []
    token = ""
    for _ in range(10):
        page = store.stub.ListAuditRecords(fs_pb2.ListAuditRecordsRequest(page_size=2, page_token=token,
                                                                          principal="dave"))
        pages.append([r.request_id for r in page.audit_records])
        token = page.next_page_token
        if not token:
            break
    assert pages == [["d4", "d3"], ["d2", "d1"], ["d0"]]
    assert [r.request_id for r in records(store, principal="dave")] == ["d0", "d1", "d2", "d3", "d4"]
    with pytest.raises(grpc.RpcError) as caught:
        first = store.stub.ListAuditRecords(fs_pb2.ListAuditRecordsRequest(page_size=2, principal="dave"))
        store.stub.ListAuditRecords(fs_pb2.ListAuditRecordsRequest(page_token=first.next_page_token,
                                                                   principal="someone else"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_list_audit_records_filters_combine(store: Client) -> None:
    with pytest.raises(grpc.RpcError):
        store.stub.DeleteEntity(fs_pb2.DeleteEntityRequest(name="ghost"), metadata=who("erin", "e1"))
    store.stub.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(
        entities=[entity()], feature_views=[view("weekly", [feature("spend")])]), metadata=who("erin", "e2"))
    online_read(store, "profile:ssn_hash", metadata=who("erin", "e3"))

    def ids(**filters: Any) -> list[str]:
        return [r.request_id for r in records(store, principal="erin", **filters)]

    assert ids() == ["e1", "e2", "e3"]
    assert ids(method=FS + "ApplyDefinitions") == ["e2"]
    assert ids(kind=audit_pb2.AUDIT_KIND_SENSITIVE_READ) == ["e3"]
    assert ids(kind=audit_pb2.AUDIT_KIND_MUTATION) == ["e1", "e2"]
    assert ids(status_code="NOT_FOUND") == ["e1"]
    assert ids(resource_type="entity") == ["e1", "e2"]
    assert ids(resource_type="entity", resource_name="ghost") == ["e1"]
    assert ids(resource_name="weekly") == ["e2"]
    assert records(store, method=FS + "DeleteEntity", resource_name="weekly") == []
    all_records = records(store, principal="erin")
    cut = all_records[1].record_time
    assert ids(start_time=cut) == ["e2", "e3"]
    assert ids(end_time=cut) == ["e1"]
    setup = records(store, principal="setup")
    assert [r.request_id for r in setup] == ["setup-1"]


BAD_LISTINGS = [{"order_by": "principal"}, {"page_size": -1}, {"status_code": "FINE"}, {"page_token": "not-a-token"},
                {"start_time": timestamp_pb2.Timestamp(seconds=20), "end_time": timestamp_pb2.Timestamp(seconds=10)}]


def test_bad_list_requests_are_invalid_arguments_naming_the_field(store: Client) -> None:
    for bad in BAD_LISTINGS:
        with pytest.raises(grpc.RpcError) as caught:
            store.stub.ListAuditRecords(fs_pb2.ListAuditRecordsRequest(**bad))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error_info(caught.value).metadata["field"] in bad


#: A mutating call per service that fails on an empty database, with the resource it names.
FAILING_MUTATIONS = {
    "featurestore": ("DeleteEntity", {"name": "nobody"}),
    "training": ("CancelTrainingJob", {"name": "no-such-job"}),
    "registry": ("DeleteRegisteredModel", {"name": "no-such-model"}),
    "serving": ("DeleteDeployment", {"name": "no-such-deployment"}),
    "monitoring": ("DeleteMonitor", {"name": "no-such-monitor"}),
    "policy": ("DeletePolicy", {"name": "no-such-policy"}),
}


def _call(channel: grpc.Channel, service: Any, method_name: str) -> Any:
    method = service.methods_by_name[method_name]
    request_cls = message_factory.GetMessageClass(method.input_type)
    response_cls = message_factory.GetMessageClass(method.output_type)
    stub = channel.unary_unary(f"/{service.full_name}/{method_name}", request_serializer=request_cls.SerializeToString,
                               response_deserializer=response_cls.FromString)
    return stub, request_cls


@pytest.mark.parametrize("name", sorted(FAILING_MUTATIONS))
def test_every_service_audits_its_mutations_and_lists_them(name: str, tmp_path: Path, database_url: str) -> None:
    running = start_service(name, tmp_path, database_url)
    channel = grpc.insecure_channel(running.address)
    try:
        service = catalog.app_for(name).services[0]
        method_name, fields = FAILING_MUTATIONS[name]
        mutate, request_cls = _call(channel, service, method_name)
        with pytest.raises(grpc.RpcError) as caught:
            mutate(request_cls(**fields), metadata=who("frank", f"{name}-1"), timeout=20)
        listing, list_cls = _call(channel, service, "ListAuditRecords")
        page = listing(list_cls(principal="frank"), timeout=20)
        [record] = page.audit_records
        assert record.method == f"/{service.full_name}/{method_name}"
        assert record.status_code == caught.value.code().name != "OK"
        assert record.request_id == f"{name}-1"
        assert [r.name for r in record.resources] == [fields["name"]]
        assert listing(list_cls(principal="someone else"), timeout=20).audit_records == []
    finally:
        channel.close()
        running.stop(0)


def test_each_policy_evaluation_leaves_exactly_one_record_naming_its_decision(tmp_path: Path,
                                                                             database_url: str) -> None:
    """The decision and its EVALUATION record commit together; a refused evaluation is recorded with its error."""
    from sextant.policy.v1 import policy_service_pb2 as policy_pb2
    from sextant.policy.v1 import policy_service_pb2_grpc

    running = start_service("policy", tmp_path, database_url, reg_b_preset="on")
    channel = grpc.insecure_channel(running.address)
    stub = policy_service_pb2_grpc.PolicyServiceStub(channel)
    try:
        request = policy_pb2.EvaluateTrainingRequest(
            domain="credit", owner_team="risk", model_name="credit-risk", training_job_id="job-1",
            input_features=[policy_pb2.FeatureInput(column="income"), policy_pb2.FeatureInput(column="age")])
        decision = stub.EvaluateTraining(request, metadata=who("alice", "eval-1"), timeout=10).decision
        with pytest.raises(grpc.RpcError) as refused:
            stub.EvaluateTraining(policy_pb2.EvaluateTrainingRequest(domain="credit"),
                                 metadata=who("bob", "eval-2"), timeout=10)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT

        found = []
        token = ""
        for _ in range(20):
            page = stub.ListAuditRecords(policy_pb2.ListAuditRecordsRequest(
                page_token=token, order_by="record_time", kind=audit_pb2.AUDIT_KIND_EVALUATION), timeout=10)
            found.extend(page.audit_records)
            token = page.next_page_token
            if not token:
                break
        assert [(r.request_id, r.principal, r.status_code) for r in found] == [
            ("eval-1", "alice", "OK"), ("eval-2", "bob", "INVALID_ARGUMENT")]
        ok = found[0]
        assert ok.method.endswith("/EvaluateTraining")
        assert [(r.type, r.name) for r in ok.resources] == [("decision", decision.decision_id)]
        assert decision.decision_id
        assert stub.GetDecision(policy_pb2.GetDecisionRequest(decision_id=decision.decision_id),
                                timeout=10).decision.decision_id == decision.decision_id
    finally:
        channel.close()
        running.stop(0)
