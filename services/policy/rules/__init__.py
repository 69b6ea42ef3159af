"""Rule kinds: one module per kind, each a function from (rule, subject) to findings.

A rule reports :class:`Finding`\\ s; the evaluator turns them into violations by adding the policy,
the rule's mode and the resulting effect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from services.policy.documents import Rule
from services.policy.subjects import FeatureRef, Subject


@dataclass(frozen=True)
class Finding:
    """One thing a rule objects to.

    ``severity`` is ``deny`` when the rule's mode applies in full and ``warn`` when the finding can at
    most warn (a proxy measure between the warn and deny thresholds).
    """

    reason: str
    explanation: str
    severity: str = "deny"
    feature: FeatureRef | None = None
    column: str = ""
    metric: str = ""
    protected_basis: str = ""
    protected_attribute: str = ""
    group: str = ""
    measured_value: float | None = None
    threshold: float | None = None


@dataclass
class RuleResult:
    """What one rule did: its findings, or why it was skipped."""

    findings: list[Finding] = field(default_factory=list)
    skipped: bool = False
    note: str = ""
    #: Anything the rule measured that the decision should carry (the proxy report).
    proxy_report: object | None = None


RuleFunction = Callable[[Rule, Subject], RuleResult]


def registry() -> Mapping[str, RuleFunction]:
    """The evaluation function of every rule kind."""
    from services.policy.rules import fairness_gate, prohibited_inputs, proxy_detection, required_evidence

    return {"prohibited_inputs": prohibited_inputs.evaluate, "proxy_detection": proxy_detection.evaluate,
            "fairness_gate": fairness_gate.evaluate, "required_evidence": required_evidence.evaluate}
