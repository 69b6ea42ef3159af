"""The age probe of an empirically derived scoring system (Regulation B, 12 CFR 1002.6(b)(2)).

A policy may allow age as an input of such a system only if applicants aged 62 or older are never
assigned a negative factor for their age. The probe measures that counterfactually: every probe
applicant at or above the threshold is scored with their actual age and again with the age set to
a reference younger age (the median age of the training part's applicants under the threshold),
everything else unchanged. The difference in the favourable score (the favourable class's
probability, or the predicted value for regression) is the age's contribution; the policy service
denies the promotion when any contribution is negative. Probe rows are the held-out part's
applicants at or above the threshold, or the training part's when the held-out part has none.

Age inputs are the numeric inputs tagged ``protected_basis=age`` in the feature store or whose name
has the word ``age`` (``age``, ``applicant_age``, ``ApplicantAge``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Regulation B's elderly applicant age.
AGE_THRESHOLD = 62
#: The reference age when the training part has no applicant under the threshold.
FALLBACK_REFERENCE_AGE = 40
#: Contributions this close to zero are float rounding, not an effect of age.
NOISE = 1e-9


@dataclass(frozen=True)
class AgeInput:
    """A model input that holds an age: its column and the name the policy knows it by."""

    column: str
    feature: str


@dataclass(frozen=True)
class AgeProbe:
    """The age contributions measured for one age input."""

    feature: str
    age_threshold: int
    rows_probed: int
    negative_contribution_rows: int
    min_contribution: float
    mean_contribution: float
    method: str
    dataset: str

    @property
    def passed(self) -> bool:
        """Whether rows were probed and none got a negative contribution."""
        return self.rows_probed > 0 and self.negative_contribution_rows == 0 and self.min_contribution >= 0


def is_age_name(name: str) -> bool:
    """Whether a column or feature name has the word ``age``."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+", name)
    return "age" in (w.lower() for w in words)


def is_age_basis(tag: str) -> bool:
    """Whether a ``protected_basis`` tag value names age (text or enum form)."""
    return tag.strip().lower().removeprefix("protected_basis_") == "age"


def probe(score: Callable[[pd.DataFrame], np.ndarray], holdout: pd.DataFrame, training: pd.DataFrame,
          age: AgeInput, threshold: int = AGE_THRESHOLD) -> AgeProbe:
    """Probe one age input of a fitted model; ``score`` maps an input frame to the favourable score per row."""
    train_ages = training[age.column].to_numpy(dtype=np.float64)
    younger = train_ages[~np.isnan(train_ages) & (train_ages < threshold)]
    reference = int(round(float(np.median(younger)))) if len(younger) else FALLBACK_REFERENCE_AGE
    method = f"counterfactual_reference_age_{reference}"
    rows, dataset = _older(holdout, age.column, threshold), "holdout"
    if rows.empty:
        rows, dataset = _older(training, age.column, threshold), "training"
    if rows.empty:
        return AgeProbe(age.feature, threshold, 0, 0, 0.0, 0.0, method, dataset)
    counterfactual = rows.copy()
    counterfactual[age.column] = np.asarray(reference, dtype=rows[age.column].dtype)
    contributions = np.asarray(score(rows), dtype=np.float64) - np.asarray(score(counterfactual), dtype=np.float64)
    contributions[np.abs(contributions) <= NOISE] = 0.0
    return AgeProbe(age.feature, threshold, len(rows), int((contributions < 0).sum()),
                    float(contributions.min()), float(contributions.mean()), method, dataset)


def probe_all(score: Callable[[pd.DataFrame], np.ndarray], holdout: pd.DataFrame, training: pd.DataFrame,
              ages: Sequence[AgeInput]) -> list[AgeProbe]:
    """One probe per age input."""
    return [probe(score, holdout, training, age) for age in ages]


def _older(frame: pd.DataFrame, column: str, threshold: int) -> pd.DataFrame:
    ages = frame[column].to_numpy(dtype=np.float64)
    return frame[~np.isnan(ages) & (ages >= threshold)].reset_index(drop=True)
