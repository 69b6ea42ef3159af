"""Spec validation and hyperparameter search: defaults, allow list, limits, seeded sampling."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.training.spec import validate_spec
from services.training.trials import trial_parameters
from sextant.training.v1 import spec_pb2
from sextant.type.v1 import model_pb2


def _spec(**model: object) -> spec_pb2.TrainingJobSpec:
    spec = spec_pb2.TrainingJobSpec(model_name="m", label_column="y", task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION)
    spec.dataset.entity_rows_digest = "a" * 64
    spec.features.references.references.add(feature_view="v", feature="x")
    spec.model.estimator = model.get("estimator", spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION)
    return spec


def test_defaults_are_filled_in() -> None:
    plan = validate_spec(_spec(), max_trials=10, target_opset=17)
    assert (plan.metric, plan.maximize, plan.cv_folds, plan.n_trials) == ("roc_auc", True, 5, 1)
    assert plan.preprocessing.scaling == "standard" and plan.preprocessing.numeric_imputation == "median"
    assert plan.split.kind == "time" and plan.split.fraction == 0.2
    assert plan.hyperparameters["random_state"] == 0


def test_random_search_is_reproducible_with_its_seed() -> None:
    spec = _spec(estimator=spec_pb2.ESTIMATOR_RANDOM_FOREST)
    spec.search.strategy = spec_pb2.SEARCH_STRATEGY_RANDOM
    spec.search.n_trials = 4
    spec.search.seed = 3
    spec.search.parameter_space["max_depth"].int_range.CopyFrom(spec_pb2.IntRange(min=1, max=50))
    spec.search.parameter_space["min_samples_leaf"].float_range.CopyFrom(spec_pb2.FloatRange(min=0.01, max=0.4))
    first = trial_parameters(validate_spec(spec, max_trials=10, target_opset=17))
    again = trial_parameters(validate_spec(spec, max_trials=10, target_opset=17))
    spec.search.seed = 4
    other = trial_parameters(validate_spec(spec, max_trials=10, target_opset=17))
    assert first == again and first != other and len(first) == 4
    assert all(1 <= p["max_depth"] <= 50 and 0.01 <= p["min_samples_leaf"] <= 0.4 for p in first)


def test_a_grid_is_the_product_of_its_dimensions_capped_by_n_trials() -> None:
    spec = _spec(estimator=spec_pb2.ESTIMATOR_GRADIENT_BOOSTING)
    spec.search.strategy = spec_pb2.SEARCH_STRATEGY_GRID
    spec.search.parameter_space["max_depth"].int_range.CopyFrom(spec_pb2.IntRange(min=1, max=3))
    spec.search.parameter_space["subsample"].values.values.add(double_value=0.5)
    spec.search.parameter_space["subsample"].values.values.add(double_value=1.0)
    assert len(trial_parameters(validate_spec(spec, max_trials=10, target_opset=17))) == 6
    spec.search.n_trials = 4
    assert len(trial_parameters(validate_spec(spec, max_trials=10, target_opset=17))) == 4
    spec.search.n_trials = 0
    with pytest.raises(InvalidArgument) as caught:
        validate_spec(spec, max_trials=5, target_opset=17)
    assert caught.value.reason == "TOO_MANY_TRIALS"


@pytest.mark.parametrize(("edit", "field"), [
    (lambda s: s.search.parameter_space["C"].float_range.CopyFrom(spec_pb2.FloatRange(min=0.1, max=1)) or
     setattr(s.search, "strategy", spec_pb2.SEARCH_STRATEGY_GRID), "spec.search.parameter_space[C].float_range"),
    (lambda s: setattr(s.search, "optimize_metric", "rmse") or setattr(s.search, "strategy",
                                                                        spec_pb2.SEARCH_STRATEGY_GRID),
     "spec.search.optimize_metric"),
    (lambda s: setattr(s.split.time, "validation_fraction", 1.5), "spec.split.time.validation_fraction"),
    (lambda s: setattr(s.model.preprocessing, "add_missing_indicators", True),
     "spec.model.preprocessing.add_missing_indicators"),
    (lambda s: setattr(s.model.preprocessing, "numeric_imputation", spec_pb2.NUMERIC_IMPUTATION_NONE),
     "spec.model.preprocessing.numeric_imputation"),
    (lambda s: setattr(s, "model_name", "Bad Name"), "spec.model_name"),
])
def test_bad_specs_name_the_field(edit, field: str) -> None:  # noqa: ANN001
    spec = _spec()
    edit(spec)
    with pytest.raises(InvalidArgument) as caught:
        validate_spec(spec, max_trials=10, target_opset=17)
    assert caught.value.field == field
