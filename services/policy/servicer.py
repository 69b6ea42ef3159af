"""gRPC edge of the policy service: validate and convert, call the domain objects, convert back.

ListAuditRecords is not defined here: services.common.app adds it to every service, answered from the
service's audit log (services.common.audit).
"""

from __future__ import annotations

from typing import Any

import grpc

from services.common.app import ServiceContext
from services.common.auth import current_principal
from services.common.errors import InvalidArgument
from services.common.fieldmask import checked_paths
from services.common.interceptors import request_id_var
from services.policy import converters
from services.policy.decisions import DecisionLog
from services.policy.evaluator import CallInfo, Evaluator
from services.policy.feature_resolution import FeatureResolver
from services.policy.policies import UPDATABLE, PolicyCatalog
from services.policy.presets import seed_presets
from sextant.policy.v1 import policy_service_pb2 as pb

SERVICE_NAME = "sextant.policy.v1.PolicyService"


def _call(request: Any) -> CallInfo:
    principal = current_principal()
    # The caller is the service relaying a user's request (the user is the decision's principal).
    return CallInfo(caller=principal.via or principal.subject, request_id=request_id_var.get(),
                    input_digest=converters.input_digest(request))


def _on_behalf_of() -> str:
    """The original user of a call: the principal a service acts for, else the caller itself."""
    principal = current_principal()
    return principal.on_behalf_of or principal.subject


def _format(number: int, field: str) -> str:
    fmt = converters.policy_format(number)
    if not fmt:
        raise InvalidArgument(field, "POLICY_FORMAT_YAML or POLICY_FORMAT_JSON")
    return fmt


class PolicyServicer:
    """PolicyService: policies, evaluations, decisions and proxy detection."""

    def __init__(self, catalog: PolicyCatalog, log: DecisionLog, evaluator: Evaluator) -> None:
        self._catalog = catalog
        self._log = log
        self._evaluator = evaluator

    # --- policies --------------------------------------------------------------------------------

    def CreatePolicy(self, request: pb.CreatePolicyRequest, context: grpc.ServicerContext) -> pb.CreatePolicyResponse:
        policy = request.policy
        created = self._catalog.create(policy.name, _format(policy.format, "policy.format"), policy.source,
                                       disabled=policy.disabled, change_note=policy.change_note,
                                       created_by=current_principal().subject, validate_only=request.validate_only)
        return pb.CreatePolicyResponse(policy=converters.policy_to_proto(created))

    def GetPolicy(self, request: pb.GetPolicyRequest, context: grpc.ServicerContext) -> pb.GetPolicyResponse:
        if not request.name:
            raise InvalidArgument("name", "the policy's name")
        return pb.GetPolicyResponse(policy=converters.policy_to_proto(self._catalog.get(request.name,
                                                                                         request.version)))

    def ListPolicies(self, request: pb.ListPoliciesRequest, context: grpc.ServicerContext) -> pb.ListPoliciesResponse:
        kind = converters.from_enum(converters.governance_pb2.PolicyRuleKind, "POLICY_RULE_KIND_", request.rule_kind)
        policies, token = self._catalog.list(page_size=request.page_size, page_token=request.page_token,
                                             domain=request.domain, team=request.team, rule_kind=kind,
                                             enabled_only=request.enabled_only, show_deleted=request.show_deleted)
        return pb.ListPoliciesResponse(policies=[converters.policy_to_proto(p) for p in policies],
                                       next_page_token=token)

    def ListPolicyVersions(self, request: pb.ListPolicyVersionsRequest,
                           context: grpc.ServicerContext) -> pb.ListPolicyVersionsResponse:
        if not request.name:
            raise InvalidArgument("name", "the policy's name")
        versions, token = self._catalog.versions(request.name, page_size=request.page_size,
                                                 page_token=request.page_token)
        return pb.ListPolicyVersionsResponse(policies=[converters.policy_to_proto(p) for p in versions],
                                             next_page_token=token)

    def UpdatePolicy(self, request: pb.UpdatePolicyRequest, context: grpc.ServicerContext) -> pb.UpdatePolicyResponse:
        policy = request.policy
        # An empty mask means every updatable field.
        paths = checked_paths(list(request.update_mask.paths) or list(UPDATABLE), UPDATABLE)
        changes: dict[str, Any] = {}
        for path in paths:
            if path == "format":
                if policy.format or request.update_mask.paths:
                    changes["format"] = _format(policy.format, "policy.format")
            else:
                changes[path] = getattr(policy, path)
        if "source" in changes and not changes["source"]:
            raise InvalidArgument("policy.source", "the policy document's source text")
        if "source" in changes and "format" not in changes and policy.format:
            changes["format"] = _format(policy.format, "policy.format")
        if policy.version < 0:
            raise InvalidArgument("policy.version", "0 or the version expected to be the latest")
        stored, created = self._catalog.update(policy.name, changes, expected_version=policy.version,
                                               allow_missing=request.allow_missing,
                                               validate_only=request.validate_only,
                                               created_by=current_principal().subject)
        return pb.UpdatePolicyResponse(policy=converters.policy_to_proto(stored), version_created=created)

    def DeletePolicy(self, request: pb.DeletePolicyRequest, context: grpc.ServicerContext) -> pb.DeletePolicyResponse:
        if not request.name:
            raise InvalidArgument("name", "the policy's name")
        return pb.DeletePolicyResponse(policy=converters.policy_to_proto(self._catalog.delete(request.name)))

    # --- evaluations -----------------------------------------------------------------------------

    def EvaluateTraining(self, request: pb.EvaluateTrainingRequest,
                         context: grpc.ServicerContext) -> pb.EvaluateTrainingResponse:
        domain_request = converters.training_request(request, _on_behalf_of())
        _, record = self._evaluator.training(domain_request, _call(request))
        return pb.EvaluateTrainingResponse(decision=converters.decision_from_record(record))

    def EvaluatePromotion(self, request: pb.EvaluatePromotionRequest,
                          context: grpc.ServicerContext) -> pb.EvaluatePromotionResponse:
        domain_request = converters.promotion_request(request, _on_behalf_of())
        _, record = self._evaluator.promotion(domain_request, _call(request))
        return pb.EvaluatePromotionResponse(decision=converters.decision_from_record(record))

    def EvaluateDeployment(self, request: pb.EvaluateDeploymentRequest,
                           context: grpc.ServicerContext) -> pb.EvaluateDeploymentResponse:
        domain_request = converters.deployment_request(request, _on_behalf_of())
        _, record = self._evaluator.deployment(domain_request, _call(request))
        return pb.EvaluateDeploymentResponse(decision=converters.decision_from_record(record))

    # --- decisions and proxies -------------------------------------------------------------------

    def GetDecision(self, request: pb.GetDecisionRequest, context: grpc.ServicerContext) -> pb.GetDecisionResponse:
        return pb.GetDecisionResponse(decision=converters.decision_from_record(self._log.get(request.decision_id)))

    def ListDecisions(self, request: pb.ListDecisionsRequest,
                      context: grpc.ServicerContext) -> pb.ListDecisionsResponse:
        records, token = self._log.page(converters.decision_filter(request), page_size=request.page_size,
                                        page_token=request.page_token)
        return pb.ListDecisionsResponse(decisions=[converters.decision_from_record(r) for r in records],
                                        next_page_token=token)

    def DetectProxies(self, request: pb.DetectProxiesRequest,
                      context: grpc.ServicerContext) -> pb.DetectProxiesResponse:
        options = converters.proxy_options(request)
        report = self._evaluator.detect_proxies(request.sample.ipc_stream, tuple(request.protected_attribute_columns),
                                                tuple(request.feature_columns), options)
        return pb.DetectProxiesResponse(report=converters.proxy_report_to_proto(report))


def build_servicers(ctx: ServiceContext) -> dict[str, object]:
    """The policy servicer, with the built-in presets seeded."""
    catalog = PolicyCatalog(ctx.database, refresh_seconds=ctx.settings.policy_refresh_seconds)
    seed_presets(catalog, ctx.settings.reg_b_preset)
    resolver = FeatureResolver(ctx.settings.featurestore_address, timeout=ctx.settings.dependency_timeout_seconds)
    ctx.closers.append(resolver.close)
    log = DecisionLog(ctx.database, converters.encode_decision)
    return {SERVICE_NAME: PolicyServicer(catalog, log, Evaluator(catalog, log, resolver))}
