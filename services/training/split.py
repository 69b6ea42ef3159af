"""Splitting rows into the training part and the held-out part, and cross-validation folds.

The default split is by time: the most recent rows are held out, so no held-out row is older than
any training row (rows sharing the boundary instant all go to the held-out part). A random split
uses the job's seed and can keep class proportions.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from services.training.spec import TrainingPlan


def split_rows(times: np.ndarray, label: np.ndarray, plan: TrainingPlan) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the training part and of the held-out part (both non-empty)."""
    from services.training.dataset import DatasetProblem

    n = len(times)
    if n < 2:
        raise DatasetProblem("TRAINING_SET_TOO_SMALL", f"{n} row; at least 2 are needed to hold some out")
    split = plan.split
    if split.kind == "random":
        from sklearn.model_selection import train_test_split

        stratify = label if split.stratify and plan.is_classification else None
        try:
            train, holdout = train_test_split(np.arange(n), test_size=split.fraction, random_state=split.seed % 2**32,
                                              stratify=stratify)
        except ValueError as error:
            raise DatasetProblem("SPLIT_IMPOSSIBLE", f"random split failed: {error}") from None
        return np.sort(train), np.sort(holdout)
    order = np.argsort(times, kind="stable")
    if split.start_time is not None:
        boundary = np.datetime64(split.start_time.replace(tzinfo=None), "us")
    else:
        boundary = times[order[min(n - 1, int(np.floor(n * (1 - split.fraction))))]]
    holdout = np.flatnonzero(times >= boundary)
    train = np.flatnonzero(times < boundary)
    if len(train) == 0 or len(holdout) == 0:
        raise DatasetProblem("SPLIT_IMPOSSIBLE", f"the time split at {boundary} leaves {len(train)} training and "
                                                 f"{len(holdout)} held-out rows")
    return train, holdout


def cv_folds(times: np.ndarray, label: np.ndarray, plan: TrainingPlan) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds over the training part (positions into the given arrays)."""
    n = len(times)
    if plan.split.kind == "time":
        from sklearn.model_selection import TimeSeriesSplit

        order = np.argsort(times, kind="stable")
        for train, test in TimeSeriesSplit(n_splits=plan.cv_folds).split(order):
            yield order[train], order[test]
        return
    from sklearn.model_selection import KFold, StratifiedKFold

    seed = plan.split.seed % 2**32
    if plan.is_classification:
        splitter = StratifiedKFold(n_splits=plan.cv_folds, shuffle=True, random_state=seed)
        yield from splitter.split(np.zeros(n), label)
    else:
        yield from KFold(n_splits=plan.cv_folds, shuffle=True, random_state=seed).split(np.zeros(n))
