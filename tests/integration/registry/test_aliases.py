"""Aliases: compare-and-set under concurrency, the gate of protected aliases by the real policy service (deny,
allow, warn, approvals, unreachable), history at time T."""

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
from tests.integration.registry.registry_kit import (
    PolicyService,
    RegistryClient,
    promotable_lineage,
    tiny_onnx,
)


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


def _as(principal: str) -> tuple[tuple[str, str]]:
    return (("x-sextant-principal", principal),)


_TWO_EYES = """\
description: Production needs one approval from someone other than the requester.
scope:
  domains: [credit]
rules:
  - id: second-approver
    kind: required_evidence
    target_aliases: [production]
    required_evidence:
      min_approvals: 1
"""

_AUC_WATCH = """\
description: Warn when a production candidate's roc_auc is below 0.8.
scope:
  domains: [credit]
default_mode: warn
rules:
  - id: auc-floor
    kind: required_evidence
    target_aliases: [production]
    required_evidence:
      metric_minimums: {roc_auc: 0.8}
"""


def _denied(registry: RegistryClient, policy: PolicyService, version: int, principal: str = "bob"
            ) -> tuple[object, list[error_details_pb2.PreconditionFailure.Violation]]:
    """Try to point `production` at ``version``; returns the logged DENY decision and the violations."""
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="production", version=version, reason="go"),
                               metadata=_as(principal))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    metadata, violations = _violations(caught.value)
    decision = policy.decision(metadata["decision_id"])
    assert decision.verdict == governance_pb2.POLICY_VERDICT_DENY
    assert (decision.subject.model_name, decision.subject.model_version, decision.subject.target_alias,
            decision.subject.domain, decision.principal) == ("m", version, "production", "credit", principal)
    return decision, violations


def test_protected_alias_deny_then_allow_stores_the_decision(gated_registry: RegistryClient,
                                                             policy: PolicyService) -> None:
    registry = gated_registry
    registry.create_model("m")
    registry.register("m", tiny_onnx(0), lineage=promotable_lineage(ratio=0.6))  # fails the four-fifths gate
    registry.register("m", tiny_onnx(1), lineage=promotable_lineage(parity=False))  # no parity report
    registry.register("m", tiny_onnx(2), lineage=promotable_lineage(), metrics={"roc_auc": 0.9})
    registry.register("m", tiny_onnx(3), lineage=promotable_lineage(), metrics={"roc_auc": 0.7})

    # reg-b denies: the violations come back on the FAILED_PRECONDITION, the decision is in the policy log.
    decision, violations = _denied(registry, policy, 1)
    assert [(v.type, v.subject) for v in violations] == [("POLICY", "reg-b/four-fifths")]
    assert "0.8" in violations[0].description and "female" in violations[0].description
    assert [(v.rule_id, v.group) for v in decision.violations] == [("four-fifths", "female")]
    _, violations = _denied(registry, policy, 2)
    assert [(v.type, v.subject) for v in violations] == [("POLICY", "reg-b/parity-evidence")]
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.GetAlias(pb.GetAliasRequest(model_name="m", alias="production"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    # Approvals reach the policy service: a second-approver rule counts only someone other than the requester.
    policy.create_policy("two-eyes", _TWO_EYES)
    _, violations = _denied(registry, policy, 3)
    assert [v.subject for v in violations] == ["two-eyes/second-approver"]
    registry.stub.ApproveModelVersion(pb.ApproveModelVersionRequest(
        model_name="m", version=3, alias="production", comment="my own"), metadata=_as("bob"))
    _, violations = _denied(registry, policy, 3)
    assert [v.subject for v in violations] == ["two-eyes/second-approver"]
    approved = registry.stub.ApproveModelVersion(pb.ApproveModelVersionRequest(
        model_name="m", version=3, alias="production", comment="looks good"), metadata=_as("alice"))
    assert approved.approval.principal == "alice"
    assert [a.comment for a in approved.model_version.approvals] == ["my own", "looks good"]
    reply = registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="production", version=3, reason="go"),
                                   metadata=_as("bob"))
    assert reply.verdict == governance_pb2.POLICY_VERDICT_ALLOW and reply.alias.protected
    assert reply.alias.decision_id == reply.change.decision_id
    allowed = policy.decision(reply.alias.decision_id)
    assert allowed.verdict == governance_pb2.POLICY_VERDICT_ALLOW and list(allowed.violations) == []
    assert (allowed.subject.model_version, allowed.principal) == (3, "bob")
    assert {p.policy_name for p in allowed.evaluated_policies} == {"reg-b", "two-eyes"}

    # WARN (a warn-mode policy) lets the move through and hands the warnings back.
    policy.create_policy("auc-watch", _AUC_WATCH)
    registry.stub.ApproveModelVersion(pb.ApproveModelVersionRequest(model_name="m", version=4, alias="production"),
                                      metadata=_as("alice"))
    warned = registry.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="production", version=4,
                                                         expected_version=3), metadata=_as("bob"))
    assert warned.verdict == governance_pb2.POLICY_VERDICT_WARN and warned.alias.version == 4
    assert [(w.policy_name, w.rule_id) for w in warned.warnings] == [("auc-watch", "auc-floor")]
    warning = policy.decision(warned.alias.decision_id)
    assert warning.verdict == governance_pb2.POLICY_VERDICT_WARN and warning.subject.model_version == 4
    assert [v.measured_value for v in warning.violations] == [0.7]
    history = registry.stub.ListAliasHistory(pb.ListAliasHistoryRequest(model_name="m", alias="production")).entries
    assert [(e.to_version, e.decision_id) for e in history] == [
        (4, warned.alias.decision_id), (3, reply.alias.decision_id)]
    for entry in history:
        assert policy.decision(entry.decision_id).subject.model_version == entry.to_version

    # Unprotected aliases never ask the policy service.
    asked = policy.decisions_about("m")
    assert asked == 6
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1))
    assert policy.decisions_about("m") == asked


def test_policy_unreachable_blocks_only_protected_aliases(start_registry: Callable[..., RunningServer],
                                                          start_policy: Callable[[], PolicyService],
                                                          database_url: str) -> None:
    policy = start_policy()
    client = RegistryClient(start_registry(database_url, policy_address=policy.address).address)
    try:
        client.create_model("m")
        client.register("m", tiny_onnx(0), lineage=promotable_lineage())
        client.register("m", tiny_onnx(1), lineage=promotable_lineage())
        promoted = client.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="production", version=1)).alias
        assert policy.decision(promoted.decision_id).verdict == governance_pb2.POLICY_VERDICT_ALLOW
        policy.stop()  # the policy service goes away
        with pytest.raises(grpc.RpcError) as caught:
            client.stub.MoveAlias(pb.MoveAliasRequest(model_name="m", alias="production", version=2))
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        assert client.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="canary", version=2)).alias.version == 2
        aliases = client.stub.ListAliases(pb.ListAliasesRequest(model_name="m")).aliases
        assert [(a.alias, a.version) for a in aliases] == [("canary", 2), ("production", 1)]
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
