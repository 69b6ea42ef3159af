"""The age probe on real fitted models, and the spec checks of label-view datasets."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from services.common.errors import InvalidArgument
from services.training import age_probe, work
from services.training.dataset import build_training_data
from services.training.spec import validate_spec
from sextant.training.v1 import spec_pb2
from sextant.type.v1 import model_pb2

T0 = datetime(2025, 3, 1)
AGE = age_probe.AgeInput("age", "applicants:age")


def _plan(estimator: int) -> object:
    spec = spec_pb2.TrainingJobSpec(model_name="m", label_column="y", task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION)
    spec.dataset.entity_rows_digest = "a" * 64
    spec.features.references.references.add(feature_view="applicants", feature="income")
    spec.model.estimator = estimator
    spec.split.random.seed = 3
    return validate_spec(spec, max_trials=10, target_opset=17)


def _data(plan: object, older_label: str) -> object:
    """Applicants aged 20 to 85; ``older_label`` says how being 62+ moves the label: down, up or none."""
    rng = np.random.default_rng(7)
    n = 600
    income = rng.normal(0, 1, n)
    age = rng.integers(20, 86, n).astype(np.int64)
    shift = {"down": -3.0, "up": 3.0, "none": 0.0}[older_label] * (age >= 62)
    label = (income + shift + rng.normal(0, 0.3, n) > 0).astype(np.int64)
    table = pa.table({"event_timestamp": pa.array([T0 + timedelta(hours=i) for i in range(n)], pa.timestamp("us")),
                      "income": income, "age": age, "y": label})
    return build_training_data(table, feature_columns=["income", "age"], string_columns=set(), label_column="y",
                               timestamp_column="event_timestamp", evaluation_columns={}, plan=plan)


@pytest.mark.parametrize("estimator", [spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION, spec_pb2.ESTIMATOR_GRADIENT_BOOSTING])
def test_a_model_that_penalises_applicants_aged_62_or_older_fails_the_probe(estimator: int) -> None:
    plan = _plan(estimator)
    data = _data(plan, "down")
    evaluated = work.refit_and_evaluate(data, plan, {}, 1, (AGE,))
    [probe] = evaluated.age_probes
    older_holdout = int((data.features.iloc[data.holdout_index]["age"] >= 62).sum())
    assert probe.feature == "applicants:age" and probe.dataset == "holdout"
    assert probe.rows_probed == older_holdout > 0
    assert probe.negative_contribution_rows > probe.rows_probed // 2
    assert probe.min_contribution < -0.1 and probe.mean_contribution < 0
    assert not probe.passed


def test_a_model_that_favours_older_applicants_passes_the_probe() -> None:
    plan = _plan(spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION)
    data = _data(plan, "up")
    evaluated = work.refit_and_evaluate(data, plan, {}, 1, (AGE,))
    [probe] = evaluated.age_probes
    assert probe.rows_probed > 0 and probe.negative_contribution_rows == 0
    assert probe.min_contribution > 0 and probe.passed
    younger = data.features.iloc[data.train_index]["age"]
    assert probe.method == f"counterfactual_reference_age_{int(round(float(np.median(younger[younger < 62]))))}"


def test_the_probe_scores_the_favourable_class() -> None:
    # With the unfavourable class as the favourable one, favouring older applicants is penalising them.
    plan = _plan(spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION)
    evaluated = work.refit_and_evaluate(_data(plan, "up"), plan, {}, 0, (AGE,))
    assert not evaluated.age_probes[0].passed


def test_without_older_applicants_nothing_is_probed() -> None:
    plan = _plan(spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION)
    data = _data(plan, "none")
    young = data.features.assign(age=np.minimum(data.features["age"], 61).astype(np.float32))
    data.features = young
    [probe] = work.refit_and_evaluate(data, plan, {}, 1, (AGE,)).age_probes
    assert probe.rows_probed == 0 and not probe.passed


@pytest.mark.parametrize(("name", "is_age"), [("age", True), ("applicant_age", True), ("ApplicantAge", True),
                                              ("AGE_YEARS", True), ("agency_code", False), ("page", False),
                                              ("mileage", False)])
def test_age_inputs_are_recognised_by_the_word_age(name: str, is_age: bool) -> None:
    assert age_probe.is_age_name(name) is is_age


def _label_view_spec(**fields: object) -> spec_pb2.TrainingJobSpec:
    spec = spec_pb2.TrainingJobSpec(model_name="m", task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION, **fields)
    spec.dataset.label_view.label.feature_view = "outcomes"
    spec.dataset.label_view.label.feature = "defaulted"
    spec.features.references.references.add(feature_view="applicants", feature="income")
    spec.model.estimator = spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION
    return spec


def test_a_label_view_spec_is_accepted_with_or_without_the_label_column() -> None:
    assert validate_spec(_label_view_spec(), max_trials=10, target_opset=17).task == "binary"
    assert validate_spec(_label_view_spec(label_column="defaulted"), max_trials=10, target_opset=17)


@pytest.mark.parametrize(("change", "field"), [
    (lambda s: setattr(s, "label_column", "approved"), "spec.label_column"),
    (lambda s: s.dataset.label_view.label.ClearField("feature"), "spec.dataset.label_view.label"),
    (lambda s: setattr(s.dataset.label_view.label, "version", -1), "spec.dataset.label_view.label.version"),
    (lambda s: (s.dataset.label_view.start_time.FromDatetime(T0 + timedelta(days=2)),
                s.dataset.label_view.end_time.FromDatetime(T0)), "spec.dataset.label_view.start_time"),
    (lambda s: s.evaluation_attributes.add(name="sex", entity_column="sex"), "spec.evaluation_attributes[0].entity_column"),
    (lambda s: setattr(s.dataset.label_view.end_time, "seconds", 10**13), "spec.dataset.label_view.end_time"),
])
def test_a_malformed_label_view_spec_names_the_field(change: object, field: str) -> None:
    spec = _label_view_spec()
    change(spec)
    with pytest.raises(InvalidArgument) as caught:
        validate_spec(spec, max_trials=10, target_opset=17)
    assert caught.value.field == field
