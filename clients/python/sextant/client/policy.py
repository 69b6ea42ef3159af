"""The policy client: policies as code (YAML or JSON source) and the decision log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from google.protobuf import field_mask_pb2

from sextant.client._base import ServiceClient
from sextant.client.definitions import enum_value
from sextant.policy.v1 import decisions_pb2, resources_pb2
from sextant.policy.v1 import policy_service_pb2 as pb
from sextant.policy.v1 import policy_service_pb2_grpc as pb_grpc


def policy_format(value: str | int) -> int:
    """A ``PolicyFormat`` from ``yaml`` or ``json`` (or its number)."""
    return enum_value(resources_pb2.PolicyFormat, "POLICY_FORMAT_", value, "policy format")


class PolicyClient(ServiceClient):
    """Client of ``sextant.policy.v1.PolicyService``."""

    SERVICE = "policy"
    STUB = pb_grpc.PolicyServiceStub
    DESCRIPTOR = pb.DESCRIPTOR.services_by_name["PolicyService"]

    def apply_policy(self, name: str, source: str, *, format: str | int = "yaml", change_note: str = "",
                     validate_only: bool = False, timeout: float | None = None) -> pb.UpdatePolicyResponse:
        """Create the policy or store a new version of it from its source text (idempotent: the same
        source stores nothing); ``validate_only`` checks it without storing."""
        policy = resources_pb2.Policy(name=name, source=source, format=policy_format(format), change_note=change_note)
        request = pb.UpdatePolicyRequest(policy=policy, allow_missing=True, validate_only=validate_only,
                                         update_mask=field_mask_pb2.FieldMask(paths=["source", "format",
                                                                                     "change_note"]))
        return self._call("UpdatePolicy", request, timeout)

    def apply_policy_file(self, path: str | Path, *, name: str = "", change_note: str = "",
                          validate_only: bool = False, timeout: float | None = None) -> pb.UpdatePolicyResponse:
        """:meth:`apply_policy` from a ``.yaml``/``.yml``/``.json`` file; the name defaults to the file's stem."""
        source = Path(path)
        fmt = "json" if source.suffix.lower() == ".json" else "yaml"
        return self.apply_policy(name or source.stem, source.read_text(), format=fmt, change_note=change_note,
                                 validate_only=validate_only, timeout=timeout)

    def get_policy(self, name: str, version: int = 0, *, timeout: float | None = None) -> resources_pb2.Policy:
        """The latest (or a given) version of a policy."""
        return self._call("GetPolicy", pb.GetPolicyRequest(name=name, version=version), timeout).policy

    def iter_policies(self, *, domain: str = "", team: str = "", show_deleted: bool = False, page_size: int = 0,
                      timeout: float | None = None) -> Iterator[resources_pb2.Policy]:
        """The latest version of every policy, page after page."""
        request = pb.ListPoliciesRequest(domain=domain, team=team, show_deleted=show_deleted, page_size=page_size)
        return self._pages("ListPolicies", request, "policies", timeout)

    def delete_policy(self, name: str, *, change_note: str = "", timeout: float | None = None) -> resources_pb2.Policy:
        """Delete a policy (its versions stay readable)."""
        return self._call("DeletePolicy", pb.DeletePolicyRequest(name=name, change_note=change_note), timeout).policy

    def get_decision(self, decision_id: str, *, timeout: float | None = None) -> decisions_pb2.Decision:
        """One recorded decision."""
        return self._call("GetDecision", pb.GetDecisionRequest(decision_id=decision_id), timeout).decision

    def iter_decisions(self, *, model_name: str = "", training_job_id: str = "", deployment_name: str = "",
                       policy_name: str = "", page_size: int = 0,
                       timeout: float | None = None) -> Iterator[decisions_pb2.Decision]:
        """Recorded decisions matching the filters, newest first, page after page."""
        request = pb.ListDecisionsRequest(model_name=model_name, training_job_id=training_job_id,
                                          deployment_name=deployment_name, policy_name=policy_name,
                                          page_size=page_size)
        return self._pages("ListDecisions", request, "decisions", timeout)
