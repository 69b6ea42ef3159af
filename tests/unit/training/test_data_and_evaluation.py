"""Splits, metrics, fairness, trials and the parity gate, in process on small data."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from services.training import evaluation, export, work
from services.training.dataset import DatasetProblem, build_training_data
from services.training.spec import validate_spec
from services.training.trials import trial_parameters
from sextant.training.v1 import spec_pb2
from sextant.type.v1 import model_pb2

T0 = datetime(2025, 3, 1)


def _plan(task: int = model_pb2.MODEL_TASK_BINARY_CLASSIFICATION, estimator: int = spec_pb2.ESTIMATOR_GRADIENT_BOOSTING,
          **split: object) -> object:
    spec = spec_pb2.TrainingJobSpec(model_name="m", label_column="y", task=task)
    spec.dataset.entity_rows_digest = "a" * 64
    spec.features.references.references.add(feature_view="v", feature="x")
    spec.model.estimator = estimator
    if estimator == spec_pb2.ESTIMATOR_GRADIENT_BOOSTING:
        spec.model.hyperparameters["n_estimators"].int64_value = 5
    spec.search.cv_folds = 2
    if split.get("random"):
        spec.split.random.seed = 9
        spec.split.random.stratify = True
    return validate_spec(spec, max_trials=10, target_opset=17)


def _table(n: int = 120, *, ties: bool = False, labels: object = None) -> pa.Table:
    rng = np.random.default_rng(1)
    x = rng.normal(size=n)
    stamps = [T0 + timedelta(days=(i // 10) if ties else i) for i in range(n)]
    rng.shuffle(stamps)
    return pa.table({"event_timestamp": pa.array(stamps, pa.timestamp("us")), "x": x,
                     "c": rng.choice(["a", "b", None], n),
                     "y": labels if labels is not None else (x > 0).astype(np.int64),
                     "group": rng.choice([30, 70], n)})


def _data(plan: object, table: pa.Table) -> object:
    return build_training_data(table, feature_columns=["x", "c"], string_columns={"c"}, label_column="y",
                               timestamp_column="event_timestamp", evaluation_columns={"age": "group"}, plan=plan)


@pytest.mark.parametrize("ties", [False, True])
def test_the_time_split_holds_out_the_most_recent_rows(ties: bool) -> None:
    data = _data(_plan(), _table(ties=ties))
    assert data.times[data.train_index].max() < data.times[data.holdout_index].min()
    assert 0.15 <= len(data.holdout_index) / len(data.times) <= 0.3


def test_the_random_split_is_seeded_and_stratified() -> None:
    first, again = _data(_plan(random=True), _table()), _data(_plan(random=True), _table())
    assert (first.holdout_index == again.holdout_index).all()
    share = first.label[first.holdout_index].mean()
    assert abs(share - first.label.mean()) < 0.05


def test_unusable_training_sets_fail_with_a_reason_code() -> None:
    with pytest.raises(DatasetProblem) as caught:
        _data(_plan(), _table(labels=np.zeros(120, dtype=np.int64)))
    assert caught.value.code == "SINGLE_CLASS_TRAINING_SET"
    with pytest.raises(DatasetProblem) as caught:
        build_training_data(_table(), feature_columns=["x"], string_columns=set(), label_column="missing",
                            timestamp_column="event_timestamp", evaluation_columns={}, plan=_plan())
    assert caught.value.code == "LABEL_COLUMN_MISSING"


def test_fairness_measures_selection_rates_and_true_positive_rates_per_group() -> None:
    groups = evaluation.group_of(np.array([30.0, 30, 30, 30, 70, 70, 70, 70]), (62.0,))
    assert groups[:1] + groups[-1:] == ["<62", "62+"]
    y_true = np.array([1, 1, 0, 0, 1, 1, 0, 0])
    predicted = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    result = evaluation.fairness("age", groups, y_true, predicted, favorable=1)
    by_group = {g.group: g for g in result.groups}
    assert by_group["<62"].selection_rate == 0.75 and by_group["62+"].selection_rate == 0.25
    assert by_group["<62"].true_positive_rate == 1.0 and by_group["62+"].true_positive_rate == 0.5
    assert result.reference_group == "<62"
    assert result.adverse_impact_ratio == pytest.approx(1 / 3) and result.equal_opportunity_difference == 0.5


def test_regression_metrics() -> None:
    out = evaluation.regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
    assert out["mae"] == pytest.approx(1 / 3) and out["rmse"] == pytest.approx(np.sqrt(1 / 3))
    assert out["r2"] == pytest.approx(0.5)


def test_a_trial_with_a_rejected_value_fails_with_the_estimator_message() -> None:
    plan = _plan()
    data = _data(plan, _table())
    outcome = work.run_trial(data, plan, {**plan.hyperparameters, "max_depth": -2})
    assert outcome.score is None and outcome.error_code == "ESTIMATOR_REJECTED_HYPERPARAMETERS"
    assert "max_depth" in outcome.error
    good = work.run_trial(data, plan, trial_parameters(plan)[0])
    assert good.score is not None and "roc_auc" in good.metrics


@pytest.mark.parametrize(("task", "estimator"), [
    (model_pb2.MODEL_TASK_REGRESSION, spec_pb2.ESTIMATOR_RIDGE),
    (model_pb2.MODEL_TASK_BINARY_CLASSIFICATION, spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION),
])
def test_the_parity_gate_passes_on_exports_and_reports_numbers_on_mismatch(task: int, estimator: int) -> None:
    plan = _plan(task, estimator)
    table = _table().set_column(3, "y", pa.array(np.random.default_rng(2).normal(size=120))) \
        if task == model_pb2.MODEL_TASK_REGRESSION else _table()
    data = _data(plan, table)
    evaluated = work.refit_and_evaluate(data, plan, trial_parameters(plan)[0], 1)
    exported = work.export_and_check(data, plan, evaluated.model)
    assert exported.parity.passed and exported.parity.edge_rows_checked >= 4, exported.parity
    # The gate compares against the given estimator: another model's ONNX must fail with numbers.
    other = pickle.loads(evaluated.model)
    other.fit(data.features, data.fit_target(data.label[::-1].copy()))
    x_hold, _ = data.part(data.holdout_index)
    edges = export.edge_rows(x_hold, data.numeric_columns, data.categorical_columns)
    failed = export.parity_check(exported.onnx, other, x_hold.reset_index(drop=True), edges,
                                 data.categorical_columns, plan.is_classification, 17)
    assert not failed.passed and failed.failing_rows > 0 and "parity gate failed" in failed.summary()
