"""The evaluator: runs the rules of every policy in scope over a subject and makes a decision.

Each rule that applies to the stage (and, at promotion, to the target alias) reports findings; a
finding becomes a violation carrying the policy, its version, the rule's mode and the effect: DENY
when an enforced finding is at full severity, WARN in warn mode or for a proxy measure between the
thresholds, ALLOW when the rule only records (dry-run). The verdict is the strongest effect.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from services.policy.documents import PolicyDocument
from services.policy.proxies import ProxyReport
from services.policy.rules import Finding, registry
from services.policy.subjects import ResolvedFeature, Subject

_VERDICT_ORDER = {"allow": 0, "warn": 1, "deny": 2}


@dataclass(frozen=True)
class ActivePolicy:
    """One policy version in force."""

    name: str
    version: int
    document: PolicyDocument


@dataclass(frozen=True)
class Violation:
    """A finding of one rule of one policy version, with its mode and effect."""

    rule_kind: str
    rule_id: str
    policy_name: str
    policy_version: int
    mode: str
    effect: str
    finding: Finding


@dataclass(frozen=True)
class RuleEvaluation:
    """What one rule did in an evaluation."""

    rule_id: str
    kind: str
    mode: str
    outcome: str  # passed, violated, skipped, not_applicable
    note: str = ""


@dataclass(frozen=True)
class EvaluatedPolicy:
    """One policy version in scope and what its rules did."""

    policy_name: str
    policy_version: int
    rules: tuple[RuleEvaluation, ...]


@dataclass(frozen=True)
class DecisionSubject:
    """What a decision is about; fields that do not apply are empty."""

    domain: str = ""
    owner_team: str = ""
    model_name: str = ""
    model_version: int = 0
    training_job_id: str = ""
    target_alias: str = ""
    deployment_name: str = ""


@dataclass(frozen=True)
class Decision:
    """The immutable record of one evaluation."""

    decision_id: str
    kind: str
    subject: DecisionSubject
    verdict: str
    violations: tuple[Violation, ...]
    input_digest: str
    evaluated_policies: tuple[EvaluatedPolicy, ...]
    principal: str
    caller: str
    create_time: datetime
    request_id: str
    summary: str
    resolved_inputs: tuple[ResolvedFeature, ...] = ()
    proxy_report: ProxyReport | None = None


def new_decision_id() -> str:
    """A unique, roughly time-ordered decision id such as ``dec_018c2f5a3b1e4f0a9d7c21b6``."""
    return f"dec_{int(time.time() * 1000):012x}{secrets.token_hex(6)}"


def effect_of(mode: str, severity: str) -> str:
    """The verdict one finding leads to under a rule mode."""
    if mode == "dry_run":
        return "allow"
    if mode == "warn":
        return "warn"
    return "deny" if severity == "deny" else "warn"


def _applies(stages: Sequence[str], aliases: Sequence[str], subject: Subject) -> bool:
    if subject.stage not in stages:
        return False
    if not aliases:
        return True
    if subject.stage == "promotion":
        return subject.target_alias in aliases
    if subject.stage == "deployment":
        return any(version.alias in aliases for version in subject.served_versions)
    return True


def _label(finding: Finding) -> str:
    if finding.feature is not None:
        return finding.feature.text
    return finding.column or finding.metric or finding.protected_attribute or finding.reason


def _summary(verdict: str, violations: Sequence[Violation], policies: int) -> str:
    if not violations:
        return f"ALLOW: no violations ({policies} polic{'y' if policies == 1 else 'ies'} in scope)"
    strongest = [v for v in violations if v.effect == verdict] or list(violations)
    first = strongest[0]
    what = {"protected_basis_tag": "is a protected input", "protected_basis_name": "is a protected input",
            "unknown_feature": "is unknown to the feature store"}.get(first.finding.reason,
                                                                     first.finding.reason.replace("_", " "))
    more = f" (+{len(violations) - 1} more)" if len(violations) > 1 else ""
    recorded = " (dry-run, recorded only)" if verdict == "allow" else ""
    return (f"{verdict.upper()}: {_label(first.finding)} {what} ({first.policy_name} v{first.policy_version}, "
            f"rule {first.rule_id}){recorded}{more}")


def evaluate(policies: Sequence[ActivePolicy], subject: Subject, *, kind: str, about: DecisionSubject,
             input_digest: str, caller: str, request_id: str,
             resolved_inputs: Sequence[ResolvedFeature] = ()) -> Decision:
    """Run every applicable rule of ``policies`` over ``subject`` and build the decision."""
    functions = registry()
    violations: list[Violation] = []
    evaluated: list[EvaluatedPolicy] = []
    proxy_report: ProxyReport | None = None
    for policy in policies:
        outcomes: list[RuleEvaluation] = []
        for rule in policy.document.rules:
            if not _applies(rule.stages, rule.target_aliases, subject):
                outcomes.append(RuleEvaluation(rule.id, rule.kind, rule.mode, "not_applicable"))
                continue
            result = functions[rule.kind](rule, subject)
            if isinstance(result.proxy_report, ProxyReport) and proxy_report is None:
                proxy_report = result.proxy_report
            for finding in result.findings:
                violations.append(Violation(rule.kind, rule.id, policy.name, policy.version, rule.mode,
                                            effect_of(rule.mode, finding.severity), finding))
            outcome = "violated" if result.findings else ("skipped" if result.skipped else "passed")
            outcomes.append(RuleEvaluation(rule.id, rule.kind, rule.mode, outcome, result.note))
        evaluated.append(EvaluatedPolicy(policy.name, policy.version, tuple(outcomes)))
    verdict = max((v.effect for v in violations), key=_VERDICT_ORDER.__getitem__, default="allow")
    return Decision(
        decision_id=new_decision_id(), kind=kind, subject=about, verdict=verdict, violations=tuple(violations),
        input_digest=input_digest, evaluated_policies=tuple(evaluated), principal=subject.principal,
        caller=caller, create_time=datetime.now(UTC), request_id=request_id,
        summary=_summary(verdict, violations, len(policies)), resolved_inputs=tuple(resolved_inputs),
        proxy_report=proxy_report)

