"""What an evaluation is about, in domain terms: features, evidence and the stage."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa


@dataclass(frozen=True)
class FeatureRef:
    """A feature of a feature view, optionally pinned to a view version (0 = latest)."""

    view: str
    feature: str
    version: int = 0

    @property
    def text(self) -> str:
        """``view:feature`` or ``view@v3:feature``."""
        return f"{self.view}@v{self.version}:{self.feature}" if self.version else f"{self.view}:{self.feature}"


@dataclass(frozen=True)
class ResolvedFeature:
    """A feature resolved to the definition it was read from."""

    reference: FeatureRef
    resolved_version: int = 0
    fingerprint: str = ""
    dtype: int = 0
    tags: Mapping[str, str] = field(default_factory=dict)
    owner_team: str = ""


@dataclass(frozen=True)
class ModelInput:
    """One model input or evaluation attribute, as the rules judge it.

    Exactly one of ``resolved`` (a feature store feature), ``unknown`` (a reference the feature
    store does not know) and ``column`` (a column outside the feature store) is set.
    """

    resolved: ResolvedFeature | None = None
    unknown: FeatureRef | None = None
    unknown_reason: str = ""
    column: str = ""

    @property
    def reference(self) -> FeatureRef | None:
        """The feature reference, for feature store inputs."""
        return self.resolved.reference if self.resolved else self.unknown

    @property
    def name(self) -> str:
        """The feature's name or the column's name."""
        reference = self.reference
        return reference.feature if reference else self.column

    @property
    def label(self) -> str:
        """How explanations name the input."""
        reference = self.reference
        return reference.text if reference else f"column {self.column}"

    def sample_columns(self) -> tuple[str, ...]:
        """The sample column names that may hold this input, most specific first."""
        reference = self.reference
        if reference:
            return (f"{reference.view}__{reference.feature}", reference.feature)
        return (self.column,)


@dataclass(frozen=True)
class GroupOutcome:
    """Outcome statistics of one group of a protected attribute."""

    group: str
    count: int
    selection_rate: float
    true_positive_rate: float
    positive_count: int = 0


@dataclass(frozen=True)
class FairnessResult:
    """A model's outcomes across the groups of one protected attribute."""

    attribute: str
    groups: tuple[GroupOutcome, ...]
    adverse_impact_ratio: float
    equal_opportunity_difference: float
    reference_group: str
    dataset: str


@dataclass(frozen=True)
class Approval:
    """One principal's sign-off on a model version."""

    principal: str
    roles: tuple[str, ...]
    alias: str


@dataclass(frozen=True)
class AgeProbe:
    """The contribution of an age input for applicants at or above the threshold age."""

    feature: str
    age_threshold: int
    rows_probed: int
    negative_contribution_rows: int
    min_contribution: float
    mean_contribution: float


@dataclass(frozen=True)
class ParityEvidence:
    """Whether an ONNX parity report was recorded, and whether it passed."""

    present: bool
    passed: bool = False
    rows_checked: int = 0


@dataclass(frozen=True)
class ServedVersion:
    """One version a deployment would serve."""

    alias: str
    model_version: int
    promotion_decision_id: str
    stale: bool
    inputs: tuple[ModelInput, ...]


@dataclass
class Subject:
    """Everything the rules of one stage may look at."""

    stage: str
    domain: str
    owner_team: str
    principal: str
    inputs: tuple[ModelInput, ...] = ()
    evaluation_only: tuple[ModelInput, ...] = ()
    empirically_derived_scoring: bool = False
    sample: pa.Table | None = None
    protected_attribute_columns: tuple[str, ...] = ()
    target_alias: str = ""
    metrics: Mapping[str, float] = field(default_factory=dict)
    fairness_results: tuple[FairnessResult, ...] = ()
    parity: ParityEvidence = field(default_factory=lambda: ParityEvidence(False))
    approvals: tuple[Approval, ...] = ()
    age_probes: tuple[AgeProbe, ...] = ()
    stale: bool = False
    served_versions: tuple[ServedVersion, ...] = ()
    #: The verdict of a recorded decision by id (``deny``…), or None when there is none.
    decision_verdict: Callable[[str], str | None] = lambda _decision_id: None
    seed: int = 0
