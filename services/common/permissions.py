"""Who may call what: the permission table of every RPC, deny by default.

The request interceptor checks the table before any handler runs, so a caller without the role gets
PERMISSION_DENIED whether or not the resource exists. A rule names the roles allowed to call a
method and, for the prediction RPCs, the scope the credential must carry instead (a serving key:
``scopes: ["predict"]``). A method missing from the table is refused; a unit test fails when a
contract gains an RPC the table does not cover. Health checks and reflection are not in the table:
the interceptor never authenticates them.

Roles: ``data-engineer`` owns feature definitions and data, ``data-scientist`` trains, experiments
and registers, ``ml-engineer`` promotes, serves and operates, ``viewer`` reads, ``admin`` may do
everything (and alone edits policies and reads audit records), ``service`` is a Sextant service
calling another on a user's behalf.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.auth import PREDICT_SCOPE, ROLES, Principal
from services.common.errors import PermissionDenied

DE, DS, MLE, VIEWER, ADMIN, SERVICE = ROLES
#: Every role: reads of definitions, models, reports and decisions.
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Rule:
    """Roles that may call a method (any one suffices), or a scope the credential must carry."""

    roles: frozenset[str] = frozenset()
    scope: str | None = None
    #: Any authenticated caller, whatever its roles or scopes (health-like metadata reads).
    any_principal: bool = False

    def allows(self, principal: Principal) -> bool:
        """Whether ``principal`` may call the method."""
        if self.any_principal:
            return True
        if self.scope is not None:
            return self.scope in principal.scopes
        return not self.roles.isdisjoint(principal.roles)

    def requirement(self) -> str:
        """What a caller needs, for the PERMISSION_DENIED message."""
        if self.any_principal:
            return "a valid credential"
        if self.scope is not None:
            return f"scope {self.scope}"
        return "one of the roles " + ", ".join(r for r in ROLES if r in self.roles)


def roles(*names: str) -> Rule:
    """A rule allowing ``names`` and ``admin``."""
    unknown = set(names) - EVERYONE
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return Rule(frozenset({*names, ADMIN}))


READ = Rule(EVERYONE)
#: Any authenticated caller, including a key that may only predict.
AUTHENTICATED = Rule(any_principal=True)
PREDICT = Rule(scope=PREDICT_SCOPE)
AUDIT = roles()  # admin only

#: Service full name -> method -> rule. One entry per RPC of every contract.
TABLE: dict[str, dict[str, Rule]] = {
    "sextant.featurestore.v1.FeatureStoreService": {
        "ApplyDefinitions": roles(DE),
        "GetEntity": READ,
        "ListEntities": READ,
        "DeleteEntity": roles(DE),
        "GetFeatureView": READ,
        "ListFeatureViews": READ,
        "ListFeatureViewVersions": READ,
        "DeleteFeatureView": roles(DE),
        "GetFeatureService": READ,
        "ListFeatureServices": READ,
        "DeleteFeatureService": roles(DE),
        "ResolveFeatures": READ,
        "IngestBatch": roles(DE),
        "PushFeatures": roles(DE),
        # Feature values are data, not metadata: viewers see definitions and statistics only.
        "GetHistoricalFeatures": roles(DE, DS, MLE, SERVICE),
        "GetOnlineFeatures": roles(DE, DS, MLE, SERVICE),
        "MaterializeFeatures": roles(DE),
        "GetFeatureStatistics": READ,
        "WatchDefinitionChanges": READ,
        "ListAuditRecords": AUDIT,
    },
    "sextant.training.v1.TrainingService": {
        "SubmitTrainingJob": roles(DS, SERVICE),
        "RerunTrainingJob": roles(DS, MLE, SERVICE),
        "GetTrainingJob": READ,
        "ListTrainingJobs": READ,
        "CancelTrainingJob": roles(DS, MLE),
        "WatchTrainingJob": READ,
        "UploadEntityRows": roles(DS),
        "CreateExperiment": roles(DS),
        "GetExperiment": READ,
        "ListExperiments": READ,
        "GetRun": READ,
        "ListRuns": READ,
        "ListAuditRecords": AUDIT,
    },
    "sextant.registry.v1.RegistryService": {
        "CreateRegisteredModel": roles(DS, MLE, SERVICE),
        "GetRegisteredModel": READ,
        "ListRegisteredModels": READ,
        "UpdateRegisteredModel": roles(DS, MLE),
        "DeleteRegisteredModel": roles(MLE),
        "CreateModelVersion": roles(DS, MLE, SERVICE),
        "GetModelVersion": READ,
        "ListModelVersions": READ,
        "UpdateModelVersion": roles(DS, MLE),
        "UploadArtifact": roles(DS, MLE, SERVICE),
        "DownloadArtifact": roles(DS, MLE, SERVICE),
        # Aliases decide what serves: ML engineers move them (services relay a user's move).
        "SetAlias": roles(MLE, SERVICE),
        "MoveAlias": roles(MLE, SERVICE),
        "DeleteAlias": roles(MLE, SERVICE),
        "GetAlias": READ,
        "ListAliases": READ,
        "ListAliasHistory": READ,
        "MarkVersionStale": roles(MLE, SERVICE),
        "ClearVersionStale": roles(MLE),
        "ApproveModelVersion": roles(DE, DS, MLE),
        "WatchRegistryEvents": READ,
        "ListAuditRecords": AUDIT,
    },
    "sextant.serving.v1.ServingService": {
        "CreateDeployment": roles(MLE),
        "GetDeployment": READ,
        "ListDeployments": READ,
        "UpdateDeployment": roles(MLE),
        "DeleteDeployment": roles(MLE),
        "Predict": PREDICT,
        "PredictStream": PREDICT,
        "GetServingStatus": READ,
        "ListLoadedModels": READ,
        "ListAuditRecords": AUDIT,
    },
    "inference.GRPCInferenceService": {
        "ServerLive": AUTHENTICATED,
        "ServerReady": AUTHENTICATED,
        "ModelReady": AUTHENTICATED,
        "ServerMetadata": AUTHENTICATED,
        "ModelMetadata": AUTHENTICATED,
        "ModelInfer": PREDICT,
        "ModelStreamInfer": PREDICT,
        "ModelStatistics": READ,
        "RepositoryIndex": READ,
        "RepositoryModelLoad": roles(MLE),
        "RepositoryModelUnload": roles(MLE),
    },
    "sextant.monitoring.v1.MonitoringService": {
        "LogPredictions": roles(MLE, SERVICE),
        "LogOutcomes": roles(DE, MLE, SERVICE),
        "SetReference": roles(DS, MLE, SERVICE),
        "GetReference": READ,
        "ListReferences": READ,
        "CreateMonitor": roles(MLE),
        "GetMonitor": READ,
        "ListMonitors": READ,
        "UpdateMonitor": roles(MLE),
        "DeleteMonitor": roles(MLE),
        "GetDriftReport": READ,
        "ListDriftReports": READ,
        "GetDataQualityReport": READ,
        "GetPerformanceReport": READ,
        "GetMetricSeries": READ,
        "CreateAlertRule": roles(MLE),
        "GetAlertRule": READ,
        "ListAlertRules": READ,
        "UpdateAlertRule": roles(MLE),
        "DeleteAlertRule": roles(MLE),
        "GetAlert": READ,
        "ListAlerts": READ,
        # Alerts are routed to the owning team, which may be the data engineers of a feature.
        "AcknowledgeAlert": roles(DE, DS, MLE),
        "SilenceAlert": roles(DE, DS, MLE),
        "ResolveAlert": roles(DE, DS, MLE),
        "WatchAlerts": READ,
        "CreateWebhookSink": roles(MLE),
        "GetWebhookSink": READ,
        "ListWebhookSinks": READ,
        "UpdateWebhookSink": roles(MLE),
        "DeleteWebhookSink": roles(MLE),
        "ListAuditRecords": AUDIT,
    },
    "sextant.policy.v1.PolicyService": {
        "CreatePolicy": AUDIT,
        "GetPolicy": READ,
        "ListPolicies": READ,
        "ListPolicyVersions": READ,
        "UpdatePolicy": AUDIT,
        "DeletePolicy": AUDIT,
        # Services ask at their gates; people may ask ahead ("would this job be allowed?").
        "EvaluateTraining": roles(DS, MLE, SERVICE),
        "EvaluatePromotion": roles(DS, MLE, SERVICE),
        "EvaluateDeployment": roles(MLE, SERVICE),
        "GetDecision": READ,
        "ListDecisions": READ,
        "DetectProxies": roles(DE, DS, MLE, SERVICE),
        "ListAuditRecords": AUDIT,
    },
}

#: ``/<service>/<method>`` (the form gRPC hands the interceptor) -> rule.
PERMISSIONS: dict[str, Rule] = {f"/{service}/{method}": rule for service, methods in TABLE.items()
                          for method, rule in methods.items()}


def rule_for(method: str) -> Rule | None:
    """The rule of a full method name ``/<service>/<method>``, or None when the table has none."""
    return PERMISSIONS.get(method)


def describe_rule(rule: Rule) -> str:
    """Who may call, for the generated service pages: ``ml-engineer, admin`` or ``scope predict``."""
    if rule.any_principal:
        return "any authenticated caller"
    if rule.scope is not None:
        return f"scope {rule.scope}"
    if rule.roles == EVERYONE:
        return "any role"
    return ", ".join(r for r in ROLES if r in rule.roles)


def authorize(method: str, principal: Principal) -> None:
    """Raise PermissionDenied unless ``principal`` may call ``method`` (unknown methods are denied)."""
    rule = PERMISSIONS.get(method)
    if rule is None:
        raise PermissionDenied(f"{method} is not in the permission table; it is denied to everyone",
                               reason="METHOD_NOT_PERMITTED", metadata={"method": method})
    if not rule.allows(principal):
        needed = rule.requirement()
        held = ", ".join(sorted(principal.roles)) or "no roles"
        raise PermissionDenied(f"{method} needs {needed}; {principal.subject!r} has {held}",
                               reason="SCOPE_REQUIRED" if rule.scope else "ROLE_REQUIRED",
                               metadata={"method": method, "required": needed, "principal": principal.subject})
