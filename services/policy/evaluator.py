"""The policy service's core: evaluate training requests, promotions and deployments, and log them.

Transport-agnostic: the servicer converts protobuf requests into the request types below, and this
object resolves features, selects the policies in scope, runs the rules and appends the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.common.errors import InvalidArgument
from services.policy.decisions import DecisionLog
from services.policy.evaluation import ActivePolicy, Decision, DecisionSubject, evaluate
from services.policy.feature_resolution import FeatureResolver
from services.policy.policies import PolicyCatalog
from services.policy.proxies import ProxyOptions, ProxyReport, detect_proxies, read_sample
from services.policy.subjects import (
    AgeProbe,
    Approval,
    FairnessResult,
    FeatureRef,
    ModelInput,
    ParityEvidence,
    ResolvedFeature,
    ServedVersion,
    Subject,
)

#: An input as a caller gives it: a reference to resolve, a resolved feature, or a column name.
InputSpec = FeatureRef | ResolvedFeature | str


@dataclass(frozen=True)
class TrainingRequest:
    """A training job about to fetch data."""

    domain: str
    owner_team: str
    principal: str
    inputs: tuple[InputSpec, ...]
    evaluation_only: tuple[InputSpec, ...] = ()
    training_job_id: str = ""
    model_name: str = ""
    empirically_derived_scoring: bool = False
    sample_ipc: bytes = b""
    protected_attribute_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromotionRequest:
    """A model version about to move to an alias, with its lineage."""

    model_name: str
    model_version: int
    domain: str
    owner_team: str
    target_alias: str
    principal: str
    inputs: tuple[InputSpec, ...] = ()
    metrics: Mapping[str, float] = field(default_factory=dict)
    fairness_results: tuple[FairnessResult, ...] = ()
    parity: ParityEvidence = field(default_factory=lambda: ParityEvidence(False))
    approvals: tuple[Approval, ...] = ()
    age_probes: tuple[AgeProbe, ...] = ()
    empirically_derived_scoring: bool = False
    training_job_id: str = ""
    stale: bool = False


@dataclass(frozen=True)
class DeploymentRequest:
    """A deployment change with the versions it would serve."""

    deployment_name: str
    change: str
    model_name: str
    domain: str
    owner_team: str
    principal: str
    served_versions: tuple[ServedVersion, ...] = ()


@dataclass(frozen=True)
class CallInfo:
    """Who called and how the call is identified."""

    caller: str
    request_id: str
    input_digest: str


class Evaluator:
    """Evaluates the three moments and appends every decision to the log."""

    def __init__(self, catalog: PolicyCatalog, log: DecisionLog, resolver: FeatureResolver) -> None:
        self._catalog = catalog
        self._log = log
        self._resolver = resolver

    def _in_scope(self, domain: str, team: str) -> list[ActivePolicy]:
        return [p for p in self._catalog.active() if p.document.covers(domain, team)]

    def _model_inputs(self, specs: tuple[InputSpec, ...], resolve: bool) -> list[ModelInput]:
        references = [s for s in specs if isinstance(s, FeatureRef)]
        resolved, unknown = self._resolver.resolve(list(dict.fromkeys(references))) if resolve and references \
            else ({}, {})
        items: list[ModelInput] = []
        for spec in specs:
            if isinstance(spec, ResolvedFeature):
                items.append(ModelInput(resolved=spec))
            elif isinstance(spec, FeatureRef):
                if spec in resolved:
                    items.append(ModelInput(resolved=resolved[spec]))
                else:
                    items.append(ModelInput(unknown=spec, unknown_reason=unknown.get(spec, "")))
            else:
                items.append(ModelInput(column=spec))
        return items

    def _decide(self, policies: list[ActivePolicy], subject: Subject, kind: str, about: DecisionSubject,
                call: CallInfo, resolved: list[ResolvedFeature]) -> tuple[Decision, bytes]:
        decision = evaluate(policies, subject, kind=kind, about=about, input_digest=call.input_digest,
                            caller=call.caller, request_id=call.request_id, resolved_inputs=resolved)
        return decision, self._log.append(decision)

    def training(self, request: TrainingRequest, call: CallInfo) -> tuple[Decision, bytes]:
        """Evaluate a training request; returns the decision and its stored record."""
        sample = None
        if request.sample_ipc:
            sample = read_sample(request.sample_ipc, "sample.ipc_stream")
            names = set(sample.column_names)
            for i, column in enumerate(request.protected_attribute_columns):
                if column not in names:
                    raise InvalidArgument(f"protected_attribute_columns[{i}]",
                                          f"a column of the sample; {column!r} is not one",
                                          reason="UNKNOWN_SAMPLE_COLUMN")
        policies = self._in_scope(request.domain, request.owner_team)
        inputs = self._model_inputs(request.inputs, resolve=bool(policies))
        evaluation_only = self._model_inputs(request.evaluation_only, resolve=False)
        subject = Subject(stage="training", domain=request.domain, owner_team=request.owner_team,
                          principal=request.principal, inputs=tuple(inputs), evaluation_only=tuple(evaluation_only),
                          empirically_derived_scoring=request.empirically_derived_scoring, sample=sample,
                          protected_attribute_columns=request.protected_attribute_columns)
        about = DecisionSubject(domain=request.domain, owner_team=request.owner_team, model_name=request.model_name,
                                training_job_id=request.training_job_id)
        resolved = [item.resolved for item in inputs if item.resolved is not None]
        return self._decide(policies, subject, "training", about, call, resolved)

    def promotion(self, request: PromotionRequest, call: CallInfo) -> tuple[Decision, bytes]:
        """Evaluate a promotion from the version's recorded lineage and evidence."""
        policies = self._in_scope(request.domain, request.owner_team)
        inputs = self._model_inputs(request.inputs, resolve=False)
        subject = Subject(stage="promotion", domain=request.domain, owner_team=request.owner_team,
                          principal=request.principal, inputs=tuple(inputs),
                          empirically_derived_scoring=request.empirically_derived_scoring,
                          target_alias=request.target_alias, metrics=request.metrics,
                          fairness_results=request.fairness_results, parity=request.parity,
                          approvals=request.approvals, age_probes=request.age_probes, stale=request.stale)
        about = DecisionSubject(domain=request.domain, owner_team=request.owner_team, model_name=request.model_name,
                                model_version=request.model_version, training_job_id=request.training_job_id,
                                target_alias=request.target_alias)
        resolved = [item.resolved for item in inputs if item.resolved is not None]
        return self._decide(policies, subject, "promotion", about, call, resolved)

    def deployment(self, request: DeploymentRequest, call: CallInfo) -> tuple[Decision, bytes]:
        """Evaluate a deployment change from the versions it would serve."""
        policies = self._in_scope(request.domain, request.owner_team)
        subject = Subject(stage="deployment", domain=request.domain, owner_team=request.owner_team,
                          principal=request.principal, served_versions=request.served_versions,
                          decision_verdict=self._log.verdict_of)
        about = DecisionSubject(domain=request.domain, owner_team=request.owner_team, model_name=request.model_name,
                                deployment_name=request.deployment_name)
        return self._decide(policies, subject, "deployment", about, call, [])

    @staticmethod
    def detect_proxies(sample_ipc: bytes, protected: tuple[str, ...], features: tuple[str, ...],
                       options: ProxyOptions) -> ProxyReport:
        """A standalone proxy analysis of a sample, without policy or decision."""
        if not sample_ipc:
            raise InvalidArgument("sample.ipc_stream", "an Arrow IPC stream with the sample")
        if not protected:
            raise InvalidArgument("protected_attribute_columns", "at least one protected attribute column")
        sample = read_sample(sample_ipc, "sample.ipc_stream")
        if not features:
            features = tuple(c for c in sample.column_names if c not in protected)
        return detect_proxies(sample, protected, features, options)
