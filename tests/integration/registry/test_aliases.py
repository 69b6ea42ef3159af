"""Aliases: compare-and-set under concurrency, the policy gate of protected aliases, history at time T."""

from __future__ import annotations

import threading
from collections.abc import Callable

import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.server import RunningServer
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import resources_pb2
from sextant.type.v1 import governance_pb2
from tests.integration.registry.registry_kit import RegistryClient, tiny_onnx
from tests.integration.registry.standins import StandInPolicyServer


def _ready_versions(registry: RegistryClient, model: str, count: int) -> None:
    registry.create_model(model)
    for seed in range(count):
        registry.register(model, tiny_onnx(seed))


def test_concurrent_moves_exactly_one_wins(registry: RegistryClient) -> None:
    _ready_versions(registry, "m", 3)
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1))
    contenders = 8
    barrier = threading.Barrier(contenders)
    outcomes: list[grpc.StatusCode] = []
    lock = threading.Lock()

    def move(target: int) -> None:
        barrier.wait(timeout=10)
        try:
            registry.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="staging", version=target,
                                                        expected_version=1), timeout=30)
            code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            code = error.code()
        with lock:
            outcomes.append(code)

    threads = [threading.Thread(target=move, args=(2 + i % 2,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count(grpc.StatusCode.OK) == 1, outcomes
    assert outcomes.count(grpc.StatusCode.ABORTED) == contenders - 1, outcomes
    history = registry.stub.ListAliasHistory(pb.ListAliasHistoryRequest(model_name="m", alias="staging")).entries
    assert [(e.from_version, e.kind) for e in history] == [
        (1, resources_pb2.ALIAS_CHANGE_KIND_MOVED), (0, resources_pb2.ALIAS_CHANGE_KIND_CREATED)]
    alias = registry.stub.GetAlias(pb.GetAliasRequest(model_name="m", alias="staging")).alias
    assert alias.version == history[0].to_version


def _violations(error: grpc.RpcError) -> tuple[dict[str, str], list[error_details_pb2.PreconditionFailure.Violation]]:
    metadata: dict[str, str] = {}
    violations = []
    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            metadata = dict(info.metadata)
        elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            violations = list(failure.violations)
    return metadata, violations


def test_protected_alias_deny_then_allow_stores_the_decision(registry: RegistryClient,
                                                             policy: StandInPolicyServer) -> None:
    _ready_versions(registry, "m", 2)
    policy.deny("min-auc", "roc_auc 0.61 is below the required 0.75")
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="production", version=1, reason="go"))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    metadata, violations = _violations(caught.value)
    assert metadata["decision_id"] == "dec_standin_1"
    assert [(v.type, v.subject) for v in violations] == [("POLICY", "standin-policy/min-auc")]
    assert "0.75" in violations[0].description
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.GetAlias(pb.GetAliasRequest(model_name="m", alias="production"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    policy.allow()
    approved = registry.stub.ApproveModelVersion(pb.ApproveModelVersionRequest(
        model_name="m", version=1, alias="production", comment="looks good"))
    assert approved.approval.principal and [a.comment for a in approved.model_version.approvals] == ["looks good"]
    registry.stub.ApproveModelVersion(pb.ApproveModelVersionRequest(model_name="m", version=1, alias="production",
                                                                    comment="checked twice"))
    reply = registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="production", version=1, reason="go"))
    assert reply.verdict == governance_pb2.POLICY_VERDICT_ALLOW
    assert reply.alias.decision_id == reply.change.decision_id == "dec_standin_2" and reply.alias.protected
    request = policy.servicer.requests[-1]
    assert (request.model_name, request.model_version, request.target_alias, request.domain) == (
        "m", 1, "production", "credit")
    assert [a.comment for a in request.approvals] == ["checked twice"]
    registry.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="production", version=2))
    assert policy.servicer.requests[-1].current_alias_version == 1
    history = registry.stub.ListAliasHistory(pb.ListAliasHistoryRequest(model_name="m", alias="production")).entries
    assert [e.decision_id for e in history] == ["dec_standin_3", "dec_standin_2"]
    # WARN lets the move through and hands the warnings back.
    policy.servicer.verdict = governance_pb2.POLICY_VERDICT_WARN
    policy.servicer.violations = [governance_pb2.PolicyViolation(
        rule_id="fairness-watch", policy_name="standin-policy", effect=governance_pb2.POLICY_VERDICT_WARN)]
    warned = registry.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="production", version=1))
    assert warned.verdict == governance_pb2.POLICY_VERDICT_WARN
    assert [w.rule_id for w in warned.warnings] == ["fairness-watch"] and warned.alias.version == 1
    # Unprotected aliases never ask the policy service.
    asked = len(policy.servicer.requests)
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=2))
    assert len(policy.servicer.requests) == asked


def test_policy_unreachable_blocks_only_protected_aliases(start_registry: Callable[..., RunningServer],
                                                          database_url: str) -> None:
    client = RegistryClient(start_registry(database_url).address)  # the policy address has no listener
    try:
        _ready_versions(client, "m", 1)
        with pytest.raises(grpc.RpcError) as caught:
            client.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="production", version=1))
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        assert client.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="canary", version=1)).alias.version == 1
        assert [a.alias for a in client.stub.ListAliases(pb.ListAliasesRequest(model_name="m")).aliases] == ["canary"]
    finally:
        client.close()


def _just_before(stamp: timestamp_pb2.Timestamp) -> timestamp_pb2.Timestamp:
    earlier = timestamp_pb2.Timestamp()
    earlier.FromNanoseconds(stamp.ToNanoseconds() - 1000)
    return earlier


def test_alias_history_answers_which_version_served_at_time_t(registry: RegistryClient) -> None:
    _ready_versions(registry, "m", 3)
    created = registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1)).change
    moved = registry.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="staging", version=2)).change
    other = registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="canary", version=3)).change
    rolled = registry.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="staging", to_previous=True))
    assert rolled.change.kind == resources_pb2.ALIAS_CHANGE_KIND_ROLLED_BACK and rolled.alias.version == 1
    deleted = registry.stub.DeleteAlias(pb.DeleteAliasRequest(model_name="m", alias="staging",
                                                              expected_version=1)).change
    assert deleted.to_version == 0 and deleted.revision > rolled.change.revision > other.revision

    def at(stamp: timestamp_pb2.Timestamp) -> list[tuple[str, int]]:
        reply = registry.stub.ListAliasHistory(pb.ListAliasHistoryRequest(model_name="m", at_time=stamp))
        return [(e.alias, e.to_version) for e in reply.entries]

    assert at(_just_before(created.change_time)) == []
    assert at(created.change_time) == [("staging", 1)]
    assert at(moved.change_time) == [("staging", 2)]
    assert at(other.change_time) == [("canary", 3), ("staging", 2)]
    assert at(rolled.change.change_time) == [("canary", 3), ("staging", 1)]
    assert at(deleted.change_time) == [("canary", 3)]
    everything = registry.stub.ListAliasHistory(pb.ListAliasHistoryRequest(model_name="m", order_by="change_time"))
    assert [e.revision for e in everything.entries] == sorted(e.revision for e in everything.entries)
    assert len(everything.entries) == 5
    paged, token = [], ""
    for _ in range(5):
        page = registry.stub.ListAliasHistory(pb.ListAliasHistoryRequest(model_name="m", page_size=2,
                                                                         page_token=token))
        paged += [e.revision for e in page.entries]
        token = page.next_page_token
        if not token:
            break
    assert paged == sorted((e.revision for e in everything.entries), reverse=True)
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=2))
    first = registry.stub.ListAliases(pb.ListAliasesRequest(page_size=1))
    rest = registry.stub.ListAliases(pb.ListAliasesRequest(page_size=1, page_token=first.next_page_token))
    assert [a.alias for a in [*first.aliases, *rest.aliases]] == ["canary", "staging"] and not rest.next_page_token
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="canary", version=1, expected_version=2))
    assert caught.value.code() == grpc.StatusCode.ABORTED
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="gone", version=1))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
