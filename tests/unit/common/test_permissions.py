"""The permission table covers every RPC of every contract, and says what the issue asks."""

from __future__ import annotations

import importlib
from pathlib import Path

import grpc
import pytest

from services.common.auth import PREDICT_SCOPE, ROLES, Principal
from services.common.errors import PermissionDenied
from services.common.permissions import PERMISSIONS, authorize, rule_for

ROOT = Path(__file__).resolve().parents[3]


def _contract_methods() -> set[str]:
    """``/<service>/<method>`` of every RPC in protos/sextant/*/v1/*_service.proto and the inference protocol."""
    modules = [f"sextant.{p.parent.parent.name}.v1.{p.stem}_pb2"
               for p in (ROOT / "protos" / "sextant").glob("*/v1/*_service.proto")]
    modules.append("inference.grpc_service_pb2")
    methods = set()
    for module in modules:
        for service in importlib.import_module(module).DESCRIPTOR.services_by_name.values():
            methods.update(f"/{service.full_name}/{method.name}" for method in service.methods)
    return methods


def _as(*roles: str, scopes: tuple[str, ...] = ()) -> Principal:
    return Principal("someone", frozenset(roles), frozenset(scopes))


def test_every_rpc_of_every_contract_has_exactly_one_rule() -> None:
    contracts = _contract_methods()
    assert len(contracts) > 100
    assert sorted(contracts - set(PERMISSIONS)) == [], "RPCs without a permission rule (add them to TABLE)"
    assert sorted(set(PERMISSIONS) - contracts) == [], "rules for RPCs that no contract declares"


def test_rules_only_name_known_roles_and_admin_holds_every_role_rule() -> None:
    for method, rule in PERMISSIONS.items():
        assert rule.roles <= set(ROLES), method
        if rule.scope is None and not rule.any_principal:
            assert "admin" in rule.roles, f"{method}: admin may do everything that needs a role"


@pytest.mark.parametrize(("method", "allowed"), [
    ("/sextant.featurestore.v1.FeatureStoreService/ApplyDefinitions", {"data-engineer", "admin"}),
    ("/sextant.featurestore.v1.FeatureStoreService/IngestBatch", {"data-engineer", "admin"}),
    ("/sextant.training.v1.TrainingService/SubmitTrainingJob", {"data-scientist", "admin", "service"}),
    ("/sextant.registry.v1.RegistryService/MoveAlias", {"ml-engineer", "admin", "service"}),
    ("/sextant.policy.v1.PolicyService/UpdatePolicy", {"admin"}),
    ("/sextant.policy.v1.PolicyService/CreatePolicy", {"admin"}),
    ("/sextant.registry.v1.RegistryService/GetRegisteredModel", set(ROLES)),
])
def test_roles_allowed_per_method(method: str, allowed: set[str]) -> None:
    granted = {role for role in ROLES if rule_for(method).allows(_as(role))}
    assert granted == allowed


@pytest.mark.parametrize("method", ["/sextant.serving.v1.ServingService/Predict",
                                    "/sextant.serving.v1.ServingService/PredictStream",
                                    "/inference.GRPCInferenceService/ModelInfer",
                                    "/inference.GRPCInferenceService/ModelStreamInfer"])
def test_predictions_need_the_serving_scope_whatever_the_roles(method: str) -> None:
    with pytest.raises(PermissionDenied) as denied:
        authorize(method, _as(*ROLES))
    assert denied.value.reason == "SCOPE_REQUIRED" and denied.value.metadata["required"] == f"scope {PREDICT_SCOPE}"
    authorize(method, _as(scopes=(PREDICT_SCOPE,)))


def test_denial_names_the_roles_needed() -> None:
    with pytest.raises(PermissionDenied) as denied:
        authorize("/sextant.policy.v1.PolicyService/UpdatePolicy", _as("ml-engineer", "viewer"))
    error = denied.value
    assert error.code == grpc.StatusCode.PERMISSION_DENIED and error.reason == "ROLE_REQUIRED"
    assert error.metadata["required"] == "one of the roles admin"
    assert "ml-engineer, viewer" in error.message


def test_methods_outside_the_table_are_denied_even_to_admin() -> None:
    with pytest.raises(PermissionDenied) as denied:
        authorize("/sextant.registry.v1.RegistryService/Unknown", _as(*ROLES, scopes=(PREDICT_SCOPE,)))
    assert denied.value.reason == "METHOD_NOT_PERMITTED"


def test_a_predict_only_key_may_ask_whether_the_inference_server_is_ready_but_not_change_it() -> None:
    serving_key = Principal("svc-serving-client", frozenset(), frozenset({PREDICT_SCOPE}))
    for method in ("ServerLive", "ServerReady", "ModelReady", "ModelMetadata", "ModelInfer"):
        assert rule_for(f"/inference.GRPCInferenceService/{method}").allows(serving_key), method
    assert not rule_for("/inference.GRPCInferenceService/RepositoryModelLoad").allows(serving_key)
    assert not rule_for("/sextant.serving.v1.ServingService/CreateDeployment").allows(serving_key)
