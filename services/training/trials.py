"""Trial configurations of a search, and the cross-validated score of one configuration."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from services.training.spec import ParameterDomain, TrainingPlan, grid_values


def trial_parameters(plan: TrainingPlan) -> list[dict[str, Any]]:
    """The hyperparameters of every trial, fixed ones included, in trial order."""
    if plan.strategy == "single":
        return [dict(plan.hyperparameters)]
    names = sorted(plan.parameter_space)
    if plan.strategy == "grid":
        combos = itertools.product(*(grid_values(plan.parameter_space[n]) for n in names))
        chosen = list(itertools.islice(combos, plan.n_trials))
    else:
        rng = np.random.default_rng(plan.seed)
        chosen = [tuple(_sample(plan.parameter_space[n], rng) for n in names) for _ in range(plan.n_trials)]
    return [{**plan.hyperparameters, **dict(zip(names, combo, strict=True))} for combo in chosen]


def _sample(domain: ParameterDomain, rng: np.random.Generator) -> Any:
    if domain.kind == "values":
        item = domain.values[int(rng.integers(len(domain.values)))]
        return item.item() if hasattr(item, "item") else item
    if domain.log:
        value = math.exp(rng.uniform(math.log(domain.low), math.log(domain.high)))
    else:
        value = rng.uniform(domain.low, domain.high)
    if domain.kind == "int":
        return int(min(domain.high, max(domain.low, round(value))))
    return float(value)


def is_better(score: float, best: float | None, maximize: bool) -> bool:
    """Whether ``score`` beats ``best`` in the metric's direction."""
    if best is None:
        return True
    return score > best if maximize else score < best


def metric_of(plan: TrainingPlan, y_true: np.ndarray, output: np.ndarray, n_classes: int) -> dict[str, float]:
    """Every metric of the task on some rows (``output``: probabilities or predictions)."""
    from services.training.evaluation import classification_metrics, regression_metrics

    if plan.is_classification:
        return classification_metrics(y_true, output, n_classes)
    return regression_metrics(y_true, output)
