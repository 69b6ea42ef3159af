"""Policy documents over gRPC: create, versions, update, delete, and sources that do not validate."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sextant.policy.v1 import policy_service_pb2 as pb
from sextant.policy.v1 import policy_service_pb2_grpc
from sextant.type.v1 import governance_pb2 as gov
from tests.integration.policy.conftest import StartPolicy

SOURCE_V1 = """\
description: Marital status stays out of marketing models.
scope: {domains: [marketing], teams: [growth]}
rules:
  - id: no-marital-status
    kind: prohibited_inputs
    prohibited_inputs: {bases: [marital_status]}
"""
SOURCE_V2 = SOURCE_V1.replace("[marital_status]", "[marital_status, sex]")


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    status = rpc_status.from_call(error)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return info


def create(stub: policy_service_pb2_grpc.PolicyServiceStub, name: str, source: str,
           fmt: str = "POLICY_FORMAT_YAML") -> pb.CreatePolicyResponse:
    return stub.CreatePolicy(pb.CreatePolicyRequest(policy={"name": name, "format": fmt, "source": source}))


def test_policy_versions_are_kept(start_policy: StartPolicy, database_url: str) -> None:
    _, stub = start_policy(database_url=database_url)
    created = create(stub, "marketing", SOURCE_V1).policy
    assert (created.version, created.latest_version, created.builtin) == (1, 1, False)
    assert created.document.scope.domains == ["marketing"]
    assert created.document.rules[0].prohibited_inputs.bases == [gov.PROTECTED_BASIS_MARITAL_STATUS]
    assert created.document.rules[0].mode == gov.POLICY_RULE_MODE_ENFORCE

    updated = stub.UpdatePolicy(pb.UpdatePolicyRequest(
        policy={"name": "marketing", "version": 1, "source": SOURCE_V2, "change_note": "add sex"},
        update_mask=field_mask_pb2.FieldMask(paths=["source", "change_note"])))
    assert updated.version_created and updated.policy.version == 2
    unchanged = stub.UpdatePolicy(pb.UpdatePolicyRequest(
        policy={"name": "marketing", "source": SOURCE_V2}, update_mask=field_mask_pb2.FieldMask(paths=["source"])))
    assert not unchanged.version_created and unchanged.policy.version == 2
    with pytest.raises(grpc.RpcError) as caught:
        stub.UpdatePolicy(pb.UpdatePolicyRequest(policy={"name": "marketing", "version": 1, "disabled": True},
                                                 update_mask=field_mask_pb2.FieldMask(paths=["disabled"])))
    assert caught.value.code() == grpc.StatusCode.ABORTED

    old = stub.GetPolicy(pb.GetPolicyRequest(name="marketing", version=1)).policy
    assert old.source == SOURCE_V1 and old.latest_version == 2
    versions = stub.ListPolicyVersions(pb.ListPolicyVersionsRequest(name="marketing", page_size=1))
    assert [p.version for p in versions.policies] == [2]
    rest = stub.ListPolicyVersions(pb.ListPolicyVersionsRequest(name="marketing", page_size=1,
                                                                page_token=versions.next_page_token))
    assert [p.version for p in rest.policies] == [1] and rest.next_page_token == ""

    names = [p.name for p in stub.ListPolicies(pb.ListPoliciesRequest()).policies]
    assert names == ["marketing", "reg-b"]
    assert [p.name for p in stub.ListPolicies(pb.ListPoliciesRequest(domain="credit")).policies] == ["reg-b"]

    deleted = stub.DeletePolicy(pb.DeletePolicyRequest(name="marketing")).policy
    assert deleted.HasField("delete_time")
    assert [p.name for p in stub.ListPolicies(pb.ListPoliciesRequest()).policies] == ["reg-b"]
    assert stub.GetPolicy(pb.GetPolicyRequest(name="marketing", version=1)).policy.source == SOURCE_V1
    with pytest.raises(grpc.RpcError) as caught:
        create(stub, "marketing", SOURCE_V1)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.RpcError) as caught:
        stub.UpdatePolicy(pb.UpdatePolicyRequest(policy={"name": "marketing", "disabled": True},
                                                 update_mask=field_mask_pb2.FieldMask(paths=["disabled"])))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_reg_b_preset_is_seeded_once_and_enabled(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    reg_b = stub.GetPolicy(pb.GetPolicyRequest(name="reg-b")).policy
    assert reg_b.builtin and not reg_b.disabled and reg_b.document.scope.domains == ["credit"]
    kinds = [rule.kind for rule in reg_b.document.rules]
    assert kinds == [gov.POLICY_RULE_KIND_PROHIBITED_INPUTS, gov.POLICY_RULE_KIND_PROXY_DETECTION,
                     gov.POLICY_RULE_KIND_FAIRNESS_GATE, gov.POLICY_RULE_KIND_REQUIRED_EVIDENCE]
    assert reg_b.document.rules[1].proxy_detection.warn_threshold == 0.3
    _, again = start_policy()  # a restart on the same database does not store a second version
    assert again.GetPolicy(pb.GetPolicyRequest(name="reg-b")).policy.latest_version == 1


@pytest.mark.parametrize(("fmt", "source", "line", "column", "path", "reason"), [
    ("POLICY_FORMAT_YAML", "rules:\n  - id: a\n    kind: prohibited_input\n", 3, 11, "rules[0].kind",
     "POLICY_UNKNOWN_RULE_KIND"),
    ("POLICY_FORMAT_YAML", "rules:\n  - id: a\n    kind: fairness_gate\n    fairness_gate: {min_ratio: 0.8}\n",
     4, 21, "rules[0].fairness_gate.min_ratio", "POLICY_UNKNOWN_KEY"),
    ("POLICY_FORMAT_YAML", "rules: [\n  {id: a, kind: proxy_detection\n", 3, 1, "", "POLICY_SOURCE_UNPARSABLE"),
    ("POLICY_FORMAT_JSON", '{"rules": [\n  {"id": "a", "kind": "prohibited_inputs",}\n]}', 2, 43, "",
     "POLICY_SOURCE_UNPARSABLE"),
    ("POLICY_FORMAT_JSON", '{"rules": [\n  {"id": "a", "kind": "magic"}\n]}', 2, 23, "rules[0].kind",
     "POLICY_UNKNOWN_RULE_KIND"),
])
def test_invalid_source_is_invalid_argument_with_its_location(start_policy: StartPolicy, fmt: str, source: str,
                                                              line: int, column: int, path: str,
                                                              reason: str) -> None:
    _, stub = start_policy()
    with pytest.raises(grpc.RpcError) as caught:
        create(stub, "broken", source, fmt)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(caught.value)
    assert info.reason == reason
    assert (info.metadata["line"], info.metadata["column"]) == (str(line), str(column))
    assert info.metadata["path"] == path and info.metadata["field"] == "policy.source"
    assert f"line {line}, column {column}" in caught.value.details()
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetPolicy(pb.GetPolicyRequest(name="broken"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_validate_only_stores_nothing_and_bad_names_are_refused(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    checked = stub.CreatePolicy(pb.CreatePolicyRequest(
        policy={"name": "draft", "format": "POLICY_FORMAT_YAML", "source": SOURCE_V1}, validate_only=True))
    assert checked.policy.document.rules[0].id == "no-marital-status"
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetPolicy(pb.GetPolicyRequest(name="draft"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    for policy, field in (({"name": "Bad Name", "format": "POLICY_FORMAT_YAML", "source": SOURCE_V1}, "policy.name"),
                          ({"name": "ok", "source": SOURCE_V1}, "policy.format")):
        with pytest.raises(grpc.RpcError) as caught:
            stub.CreatePolicy(pb.CreatePolicyRequest(policy=policy))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error_info(caught.value).metadata["field"] == field
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListPolicies(pb.ListPoliciesRequest(page_size=-1))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_update_with_allow_missing_creates_and_listing_pages(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    applied = stub.UpdatePolicy(pb.UpdatePolicyRequest(
        policy={"name": "applied", "format": "POLICY_FORMAT_YAML", "source": SOURCE_V1}, allow_missing=True))
    assert applied.version_created and applied.policy.version == 1
    disabled = stub.UpdatePolicy(pb.UpdatePolicyRequest(
        policy={"name": "applied", "disabled": True}, update_mask=field_mask_pb2.FieldMask(paths=["disabled"])))
    assert disabled.policy.version == 2 and disabled.policy.disabled and disabled.policy.source == SOURCE_V1
    enabled = stub.ListPolicies(pb.ListPoliciesRequest(enabled_only=True)).policies
    assert [p.name for p in enabled] == ["reg-b"]
    first = stub.ListPolicies(pb.ListPoliciesRequest(page_size=1))
    second = stub.ListPolicies(pb.ListPoliciesRequest(page_size=1, page_token=first.next_page_token))
    assert [p.name for p in first.policies] + [p.name for p in second.policies] == ["applied", "reg-b"]
    assert second.next_page_token == ""
    with pytest.raises(grpc.RpcError) as caught:
        stub.UpdatePolicy(pb.UpdatePolicyRequest(policy={"name": "applied", "disabled": False},
                                                 update_mask=field_mask_pb2.FieldMask(paths=["owner"])))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(caught.value).metadata["field"] == "update_mask.paths[0]"
    with pytest.raises(grpc.RpcError) as caught:
        stub.UpdatePolicy(pb.UpdatePolicyRequest(policy={"name": "nobody", "source": SOURCE_V1}))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

