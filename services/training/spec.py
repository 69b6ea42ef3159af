"""Validation of a TrainingJobSpec into a :class:`TrainingPlan` (plain Python, picklable).

Everything that can be judged without data is judged here, at submit, and answers INVALID_ARGUMENT
naming the spec field: an estimator outside the allow list, hyperparameter names it does not
accept, a search that is malformed or larger than the server allows, a setup known to export to
ONNX wrongly. What needs data (a label column missing from a feature view, a single-class training
set, values the estimator rejects) fails the job later with a reason code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.common.errors import InvalidArgument
from services.training import estimators
from services.training.estimators import CLASSIFICATION, REGRESSION, Preprocessing
from sextant.training.v1 import spec_pb2
from sextant.type.v1 import model_pb2, types_pb2

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")

TASKS = {model_pb2.MODEL_TASK_BINARY_CLASSIFICATION: "binary",
         model_pb2.MODEL_TASK_MULTICLASS_CLASSIFICATION: "multiclass",
         model_pb2.MODEL_TASK_REGRESSION: "regression"}

CLASSIFICATION_METRICS = {"roc_auc": True, "accuracy": True, "precision": True, "recall": True, "f1": True,
                          "log_loss": False, "brier": False}
REGRESSION_METRICS = {"rmse": False, "mae": False, "r2": True}

_ESTIMATOR_KEYS = {spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION: "logistic_regression",
                   spec_pb2.ESTIMATOR_RANDOM_FOREST: "random_forest",
                   spec_pb2.ESTIMATOR_GRADIENT_BOOSTING: "gradient_boosting",
                   spec_pb2.ESTIMATOR_HIST_GRADIENT_BOOSTING: "hist_gradient_boosting",
                   spec_pb2.ESTIMATOR_LINEAR_REGRESSION: "linear_regression",
                   spec_pb2.ESTIMATOR_RIDGE: "ridge"}
_NUMERIC_IMPUTATION = {spec_pb2.NUMERIC_IMPUTATION_UNSPECIFIED: "median", spec_pb2.NUMERIC_IMPUTATION_NONE: "none",
                       spec_pb2.NUMERIC_IMPUTATION_MEAN: "mean", spec_pb2.NUMERIC_IMPUTATION_MEDIAN: "median",
                       spec_pb2.NUMERIC_IMPUTATION_MOST_FREQUENT: "most_frequent",
                       spec_pb2.NUMERIC_IMPUTATION_CONSTANT: "constant"}
_SCALING = {spec_pb2.SCALING_NONE: "none", spec_pb2.SCALING_STANDARD: "standard",
            spec_pb2.SCALING_MIN_MAX: "min_max", spec_pb2.SCALING_ROBUST: "robust"}


@dataclass(frozen=True)
class ParameterDomain:
    """The values one hyperparameter may take: ``values`` or an int/float range."""

    kind: str  # values, int, float
    values: tuple[Any, ...] = ()
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    step: int = 1


@dataclass(frozen=True)
class SplitPlan:
    """How the held-out part is split off."""

    kind: str  # time, random
    fraction: float
    start_time: datetime | None = None
    seed: int = 0
    stratify: bool = False


@dataclass(frozen=True)
class TrainingPlan:
    """What the training code needs to know about a job, free of protobuf."""

    task: str  # binary, multiclass, regression
    estimator_path: str
    linear: bool
    accepts_missing: bool
    hyperparameters: dict[str, Any]
    strategy: str  # single, grid, random
    parameter_space: dict[str, ParameterDomain]
    n_trials: int
    seed: int
    metric: str
    maximize: bool
    cv_folds: int
    split: SplitPlan
    preprocessing: Preprocessing
    extra_categorical_columns: tuple[str, ...]
    target_opset: int
    favorable_label: str = ""
    max_parallel_trials: int = 0
    evaluation_bins: dict[str, tuple[float, ...]] = field(default_factory=dict)

    @property
    def is_classification(self) -> bool:
        """Whether the task is binary or multiclass classification."""
        return self.task != "regression"


def value_to_python(value: types_pb2.Value) -> Any:
    """A protobuf Value as a Python scalar (None when unset)."""
    kind = value.WhichOneof("kind")
    if kind is None:
        return None
    if kind == "timestamp_value":
        return value.timestamp_value.ToDatetime()
    return getattr(value, kind)


def python_to_value(item: Any) -> types_pb2.Value:
    """A Python scalar as a protobuf Value."""
    if item is None:
        return types_pb2.Value()
    if isinstance(item, bool):
        return types_pb2.Value(bool_value=item)
    if isinstance(item, int):
        return types_pb2.Value(int64_value=item)
    if isinstance(item, float):
        return types_pb2.Value(double_value=item)
    return types_pb2.Value(string_value=str(item))


def validate_spec(spec: spec_pb2.TrainingJobSpec, *, max_trials: int, target_opset: int) -> TrainingPlan:
    """Judge a spec and return the plan it describes; INVALID_ARGUMENT names the first bad field."""
    _validate_dataset(spec)
    if spec.features.WhichOneof("selection") is None:
        raise InvalidArgument("spec.features", "expected feature references or a feature service")
    if spec.features.WhichOneof("selection") == "references" and not spec.features.references.references:
        raise InvalidArgument("spec.features.references", "expected at least one feature reference")
    if not NAME_PATTERN.match(spec.model_name):
        raise InvalidArgument("spec.model_name", f"expected a name matching {NAME_PATTERN.pattern}, "
                                                 f"got {spec.model_name!r}")
    if spec.experiment and not NAME_PATTERN.match(spec.experiment):
        raise InvalidArgument("spec.experiment", f"expected a name matching {NAME_PATTERN.pattern}")
    if spec.task not in TASKS:
        raise InvalidArgument("spec.task", "expected binary or multiclass classification or regression")
    task = TASKS[spec.task]
    kind = REGRESSION if task == "regression" else CLASSIFICATION
    family, path = _estimator(spec.model, kind)
    hyperparameters = {name: value_to_python(v) for name, v in spec.model.hyperparameters.items()}
    accepted = estimators.accepted_parameters(path)
    for name in sorted(hyperparameters):
        if name not in accepted:
            raise InvalidArgument(f"spec.model.hyperparameters[{name}]",
                                  f"a parameter of {path} ({', '.join(sorted(accepted))})",
                                  reason="UNKNOWN_HYPERPARAMETER")
    if family.key == "hist_gradient_boosting":
        for name in ("categorical_features",):
            if name in hyperparameters or name in spec.search.parameter_space:
                raise InvalidArgument(f"spec.model.hyperparameters[{name}]",
                                      "no native categorical support: it exports to ONNX incorrectly; "
                                      "categorical columns are one-hot encoded instead",
                                      reason="UNSUPPORTED_ESTIMATOR_SETUP")
        if "categorical_features" in accepted:
            hyperparameters["categorical_features"] = None
    _check_values(path, hyperparameters)
    preprocessing = _preprocessing(spec.model.preprocessing, family)
    strategy, space, n_trials = _search(spec.search, accepted, hyperparameters, max_trials, path)
    seed = int(spec.search.seed)
    if "random_state" in accepted and "random_state" not in hyperparameters and "random_state" not in space:
        hyperparameters["random_state"] = seed % (2**32)
    metric, maximize = _metric(spec.search, task)
    folds = spec.search.cv_folds or 5
    if not 2 <= folds <= 20:
        raise InvalidArgument("spec.search.cv_folds", f"expected 0 (meaning 5) or 2 to 20, got {folds}")
    if spec.search.max_parallel_trials < 0:
        raise InvalidArgument("spec.search.max_parallel_trials", "expected 0 or a positive number")
    bins: dict[str, tuple[float, ...]] = {}
    names: set[str] = set()
    for i, attribute in enumerate(spec.evaluation_attributes):
        where = f"spec.evaluation_attributes[{i}]"
        if not attribute.name or attribute.name in names:
            raise InvalidArgument(f"{where}.name", "expected a unique non-empty name")
        names.add(attribute.name)
        if attribute.WhichOneof("source") is None:
            raise InvalidArgument(f"{where}.source", "expected a feature or an entity column")
        edges = tuple(attribute.bin_edges)
        if list(edges) != sorted(set(edges)):
            raise InvalidArgument(f"{where}.bin_edges", "expected strictly ascending edges")
        bins[attribute.name] = edges
    if spec.HasField("timeout") and spec.timeout.ToTimedelta().total_seconds() <= 0:
        raise InvalidArgument("spec.timeout", "expected a positive duration")
    if task == "regression" and spec.favorable_label:
        raise InvalidArgument("spec.favorable_label", "expected no favourable label for regression")
    return TrainingPlan(
        task=task, estimator_path=path, linear=family.linear, accepts_missing=family.accepts_missing,
        hyperparameters=hyperparameters, strategy=strategy, parameter_space=space, n_trials=n_trials, seed=seed,
        metric=metric, maximize=maximize, cv_folds=folds, split=_split(spec.split, task),
        preprocessing=preprocessing, extra_categorical_columns=tuple(spec.model.preprocessing.categorical_columns),
        target_opset=target_opset, favorable_label=spec.favorable_label,
        max_parallel_trials=spec.search.max_parallel_trials, evaluation_bins=bins)


def _check_values(path: str, hyperparameters: dict[str, Any]) -> None:
    """Let the estimator judge the fixed hyperparameters' values now rather than after fetching data."""
    from sklearn.utils._param_validation import InvalidParameterError

    try:
        estimator = estimators.estimator_class(path)(**hyperparameters)
        validate = getattr(estimator, "_validate_params", None)
        if validate is not None:
            validate()
    except (InvalidParameterError, TypeError, ValueError) as error:
        name = next((n for n in sorted(hyperparameters) if f"'{n}'" in str(error)), "")
        raise InvalidArgument(f"spec.model.hyperparameters[{name}]" if name else "spec.model.hyperparameters",
                              f"values {path} accepts: {str(error)[:300]}",
                              reason="ESTIMATOR_REJECTED_HYPERPARAMETERS") from None


def _validate_dataset(spec: spec_pb2.TrainingJobSpec) -> None:
    source = spec.dataset.WhichOneof("source")
    if source is None:
        raise InvalidArgument("spec.dataset.source", "expected entity_rows, entity_rows_digest or label_view")
    if source == "label_view":
        _validate_label_view(spec)
        return
    if source == "entity_rows_digest" and not re.fullmatch(r"[0-9a-f]{64}", spec.dataset.entity_rows_digest):
        raise InvalidArgument("spec.dataset.entity_rows_digest", "expected a sha256 hex digest")
    if not spec.label_column:
        raise InvalidArgument("spec.label_column", "expected the label column of the entity rows")


def _validate_label_view(spec: spec_pb2.TrainingJobSpec) -> None:
    source = spec.dataset.label_view
    if not source.label.feature_view or not source.label.feature:
        raise InvalidArgument("spec.dataset.label_view.label", "the label feature's view and name")
    if source.label.version < 0:
        raise InvalidArgument("spec.dataset.label_view.label.version", "0 (the latest) or a positive version")
    if spec.label_column and spec.label_column != source.label.feature:
        raise InvalidArgument("spec.label_column", f"empty or the label feature's name {source.label.feature!r} "
                                                   f"with a label view, got {spec.label_column!r}",
                              reason="LABEL_COLUMN_MISSING")
    start = _label_time(source, "start_time")
    end = _label_time(source, "end_time")
    if start is not None and end is not None and start >= end:
        raise InvalidArgument("spec.dataset.label_view.start_time", "a start before end_time")
    for i, attribute in enumerate(spec.evaluation_attributes):
        if attribute.WhichOneof("source") == "entity_column":
            raise InvalidArgument(f"spec.evaluation_attributes[{i}].entity_column", "a feature reference: the "
                                  "entity rows of a label view hold only join keys, timestamps and the label")


def _label_time(source: spec_pb2.LabelViewSource, name: str) -> datetime | None:
    if not source.HasField(name):
        return None
    try:
        return getattr(source, name).ToDatetime()
    except ValueError as error:
        raise InvalidArgument(f"spec.dataset.label_view.{name}", f"a valid timestamp ({error})") from None


def _estimator(model: spec_pb2.ModelSpec, kind: str) -> tuple[estimators.EstimatorFamily, str]:
    choice = model.WhichOneof("estimator_choice")
    if choice == "estimator":
        key = _ESTIMATOR_KEYS.get(model.estimator)
        if key is None:
            raise InvalidArgument("spec.model.estimator", "an allow-listed estimator",
                                  reason="ESTIMATOR_NOT_ALLOWED")
        family = estimators.FAMILIES[key]
        path = family.classifier if kind == CLASSIFICATION else family.regressor
        if path is None:
            raise InvalidArgument("spec.model.estimator", f"an estimator that supports {kind} "
                                                          f"({key} does not)", reason="ESTIMATOR_TASK_MISMATCH")
        return family, path
    if choice == "estimator_class":
        allowed = estimators.ALLOWED_CLASSES.get(model.estimator_class)
        if allowed is None:
            raise InvalidArgument("spec.model.estimator_class",
                                  f"a class on the allow list ({', '.join(sorted(estimators.ALLOWED_CLASSES))}); "
                                  f"got {model.estimator_class!r}", reason="ESTIMATOR_NOT_ALLOWED")
        family, class_kind = allowed
        if class_kind != kind:
            raise InvalidArgument("spec.model.estimator_class", f"a {kind} estimator",
                                  reason="ESTIMATOR_TASK_MISMATCH")
        return family, model.estimator_class
    raise InvalidArgument("spec.model.estimator", "an allow-listed estimator", reason="ESTIMATOR_NOT_ALLOWED")


def _preprocessing(spec: spec_pb2.PreprocessingSpec, family: estimators.EstimatorFamily) -> Preprocessing:
    imputation = _NUMERIC_IMPUTATION.get(spec.numeric_imputation)
    if imputation is None:
        raise InvalidArgument("spec.model.preprocessing.numeric_imputation", "a known imputation")
    if imputation == "none" and not family.accepts_missing:
        raise InvalidArgument("spec.model.preprocessing.numeric_imputation",
                              f"an imputation: {family.key} does not accept missing values")
    if spec.add_missing_indicators:
        raise InvalidArgument("spec.model.preprocessing.add_missing_indicators",
                              "false: missing-value indicator columns do not export to ONNX with this server's "
                              "skl2onnx", reason="UNSUPPORTED_ESTIMATOR_SETUP")
    if spec.categorical_imputation == spec_pb2.CATEGORICAL_IMPUTATION_MOST_FREQUENT:
        raise InvalidArgument("spec.model.preprocessing.categorical_imputation",
                              "CONSTANT or unspecified: most-frequent categorical imputation is not supported "
                              "yet", reason="UNSUPPORTED_ESTIMATOR_SETUP")
    scaling = _SCALING.get(spec.scaling) or ("standard" if family.linear else "none")
    return Preprocessing(numeric_imputation=imputation, numeric_fill_value=spec.numeric_fill_value,
                         categorical_fill_value=spec.categorical_fill_value or "__missing__", scaling=scaling)


def _search(search: spec_pb2.SearchSpec, accepted: set[str], fixed: dict[str, Any], max_trials: int,
            path: str) -> tuple[str, dict[str, ParameterDomain], int]:
    if not search.parameter_space and search.strategy == spec_pb2.SEARCH_STRATEGY_UNSPECIFIED:
        return "single", {}, 1
    if search.strategy not in (spec_pb2.SEARCH_STRATEGY_GRID, spec_pb2.SEARCH_STRATEGY_RANDOM):
        raise InvalidArgument("spec.search.strategy", "GRID or RANDOM")
    strategy = "grid" if search.strategy == spec_pb2.SEARCH_STRATEGY_GRID else "random"
    space: dict[str, ParameterDomain] = {}
    for name in sorted(search.parameter_space):
        where = f"spec.search.parameter_space[{name}]"
        if name not in accepted:
            raise InvalidArgument(where, f"a parameter of {path}", reason="UNKNOWN_HYPERPARAMETER")
        if name in fixed:
            raise InvalidArgument(where, "a parameter not also fixed in spec.model.hyperparameters")
        space[name] = _domain(search.parameter_space[name], where, strategy)
    if search.n_trials < 0:
        raise InvalidArgument("spec.search.n_trials", "expected 0 or a positive number")
    if strategy == "random":
        if search.n_trials == 0:
            raise InvalidArgument("spec.search.n_trials", "expected the number of random trials")
        n_trials = search.n_trials
    else:
        grid = 1
        for domain in space.values():
            grid *= len(grid_values(domain))
        n_trials = min(grid, search.n_trials) if search.n_trials else grid
    if n_trials > max_trials:
        raise InvalidArgument("spec.search.n_trials", f"at most {max_trials} trials (the server's limit), "
                                                      f"got {n_trials}", reason="TOO_MANY_TRIALS")
    return strategy, space, n_trials


def _domain(domain: spec_pb2.ParameterDomain, where: str, strategy: str) -> ParameterDomain:
    kind = domain.WhichOneof("domain")
    if kind == "values":
        if not domain.values.values:
            raise InvalidArgument(f"{where}.values", "at least one value")
        return ParameterDomain("values", values=tuple(value_to_python(v) for v in domain.values.values))
    if kind == "int_range":
        r = domain.int_range
        if r.max < r.min or r.step < 0 or (r.log and r.min <= 0):
            raise InvalidArgument(f"{where}.int_range", "min <= max, step >= 0, and min > 0 with log")
        return ParameterDomain("int", low=r.min, high=r.max, log=r.log, step=r.step or 1)
    if kind == "float_range":
        r = domain.float_range
        if strategy == "grid":
            raise InvalidArgument(f"{where}.float_range", "values or an int range in a GRID search")
        if not r.max > r.min or (r.log and r.min <= 0):
            raise InvalidArgument(f"{where}.float_range", "min < max, and min > 0 with log")
        return ParameterDomain("float", low=r.min, high=r.max, log=r.log)
    raise InvalidArgument(where, "values, an int range or a float range")


def grid_values(domain: ParameterDomain) -> list[Any]:
    """Every value of a grid dimension."""
    if domain.kind == "values":
        return list(domain.values)
    return list(range(int(domain.low), int(domain.high) + 1, domain.step))


def _metric(search: spec_pb2.SearchSpec, task: str) -> tuple[str, bool]:
    table = REGRESSION_METRICS if task == "regression" else CLASSIFICATION_METRICS
    default = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}[task]
    metric = search.optimize_metric or default
    if metric not in table:
        raise InvalidArgument("spec.search.optimize_metric", f"one of {', '.join(table)} for {task}, got {metric!r}",
                              reason="UNKNOWN_METRIC")
    if search.direction == spec_pb2.OPTIMIZATION_DIRECTION_MAXIMIZE:
        return metric, True
    if search.direction == spec_pb2.OPTIMIZATION_DIRECTION_MINIMIZE:
        return metric, False
    return metric, table[metric]


def _split(split: spec_pb2.SplitSpec, task: str) -> SplitPlan:
    method = split.WhichOneof("method")
    if method == "random":
        fraction = _fraction(split.random.validation_fraction, "spec.split.random.validation_fraction")
        if split.random.stratify and task == "regression":
            raise InvalidArgument("spec.split.random.stratify", "false for regression")
        return SplitPlan("random", fraction, seed=split.random.seed, stratify=split.random.stratify)
    fraction = _fraction(split.time.validation_fraction, "spec.split.time.validation_fraction")
    start = split.time.validation_start_time.ToDatetime() if split.time.HasField("validation_start_time") else None
    return SplitPlan("time", fraction, start_time=start)


def _fraction(value: float, where: str) -> float:
    if value == 0:
        return 0.2
    if not 0 < value < 1:
        raise InvalidArgument(where, f"a fraction strictly between 0 and 1, got {value}")
    return value
