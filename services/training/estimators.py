"""The allow list of estimators and the scikit-learn pipeline a job trains.

A pipeline is a ``ColumnTransformer`` (numeric columns: imputation then scaling; categorical
columns: missing values to a fill category then one-hot encoding with unknown categories as all
zeros) followed by one allow-listed estimator. Every step has an skl2onnx converter; setups that
export wrong (hist gradient boosting's native categorical support, missing-value indicator columns)
are refused when the spec is validated.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

CLASSIFICATION = "classification"
REGRESSION = "regression"


@dataclass(frozen=True)
class EstimatorFamily:
    """One allow-listed estimator family: its classifier and regressor classes (None: not offered)."""

    key: str
    classifier: str | None
    regressor: str | None
    linear: bool
    accepts_missing: bool = False


FAMILIES = {
    "logistic_regression": EstimatorFamily("logistic_regression", "sklearn.linear_model.LogisticRegression",
                                           None, linear=True),
    "random_forest": EstimatorFamily("random_forest", "sklearn.ensemble.RandomForestClassifier",
                                     "sklearn.ensemble.RandomForestRegressor", linear=False),
    "gradient_boosting": EstimatorFamily("gradient_boosting", "sklearn.ensemble.GradientBoostingClassifier",
                                         "sklearn.ensemble.GradientBoostingRegressor", linear=False),
    "hist_gradient_boosting": EstimatorFamily(
        "hist_gradient_boosting", "sklearn.ensemble.HistGradientBoostingClassifier",
        "sklearn.ensemble.HistGradientBoostingRegressor", linear=False, accepts_missing=True),
    "linear_regression": EstimatorFamily("linear_regression", None, "sklearn.linear_model.LinearRegression",
                                         linear=True),
    "ridge": EstimatorFamily("ridge", None, "sklearn.linear_model.Ridge", linear=True),
}

#: Fully qualified class names accepted through ``ModelSpec.estimator_class``.
ALLOWED_CLASSES = {name: (family, kind) for family in FAMILIES.values()
                   for kind, name in ((CLASSIFICATION, family.classifier), (REGRESSION, family.regressor)) if name}


def estimator_class(path: str) -> type:
    """The class named by a fully qualified name from the allow list."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def accepted_parameters(path: str) -> set[str]:
    """The constructor parameters the estimator accepts."""
    return set(estimator_class(path)().get_params(deep=False))


@dataclass(frozen=True)
class Preprocessing:
    """The preprocessing steps of a pipeline, with the server defaults applied."""

    numeric_imputation: str  # none, mean, median, most_frequent, constant
    numeric_fill_value: float
    categorical_fill_value: str
    scaling: str  # none, standard, min_max, robust


def build_pipeline(estimator_path: str, params: dict[str, Any], preprocessing: Preprocessing,
                   numeric_columns: list[str], categorical_columns: list[str]) -> Any:
    """A fresh unfitted pipeline for one trial or the refit."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, RobustScaler, StandardScaler

    transformers = []
    if numeric_columns:
        steps: list[tuple[str, Any]] = []
        if preprocessing.numeric_imputation == "constant":
            steps.append(("impute", SimpleImputer(strategy="constant", fill_value=preprocessing.numeric_fill_value)))
        elif preprocessing.numeric_imputation != "none":
            steps.append(("impute", SimpleImputer(strategy=preprocessing.numeric_imputation)))
        scaler = {"standard": StandardScaler, "min_max": MinMaxScaler, "robust": RobustScaler}.get(
            preprocessing.scaling)
        if scaler is not None:
            steps.append(("scale", scaler()))
        transformers.append(("numeric", Pipeline(steps) if steps else "passthrough", list(numeric_columns)))
    if categorical_columns:
        # Missing categories arrive as "" (ONNX strings cannot be null) and become their own category.
        transformers.append(("categorical", Pipeline([
            ("impute", SimpleImputer(missing_values="", strategy="constant",
                                     fill_value=preprocessing.categorical_fill_value)),
            ("onehot", OneHotEncoder(handle_unknown="ignore")),
        ]), list(categorical_columns)))
    estimator = estimator_class(estimator_path)(**params)
    return Pipeline([("preprocess", ColumnTransformer(transformers, sparse_threshold=0.0)),
                     ("estimator", estimator)])
