"""Reports of one window (drift, quality, performance) and the metric values rules and plots read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.monitoring import performance as perf
from services.monitoring import repository as repo
from services.monitoring.drift.report import DEFAULT_DRIFT_SHARE, DriftResult, column_drift
from services.monitoring.monitors import MonitorView
from services.monitoring.quality import QualityResult, window_quality
from services.monitoring.references import ReferenceBook
from services.monitoring.summaries.column import NumericSummary
from services.monitoring.summaries.reference import ReferenceLayout
from services.monitoring.summaries.window import aligned
from services.monitoring.windows import WindowRecord
from sextant.monitoring.v1 import resources_pb2

PERFORMANCE_NAMES = {
    resources_pb2.PERFORMANCE_METRIC_ROC_AUC: perf.ROC_AUC,
    resources_pb2.PERFORMANCE_METRIC_ACCURACY: perf.ACCURACY,
    resources_pb2.PERFORMANCE_METRIC_PRECISION: perf.PRECISION,
    resources_pb2.PERFORMANCE_METRIC_RECALL: perf.RECALL,
    resources_pb2.PERFORMANCE_METRIC_F1: perf.F1,
    resources_pb2.PERFORMANCE_METRIC_LOG_LOSS: perf.LOG_LOSS,
    resources_pb2.PERFORMANCE_METRIC_CALIBRATION_ERROR: perf.CALIBRATION_ERROR,
    resources_pb2.PERFORMANCE_METRIC_BRIER: perf.BRIER,
    resources_pb2.PERFORMANCE_METRIC_RMSE: perf.RMSE,
    resources_pb2.PERFORMANCE_METRIC_MAE: perf.MAE,
    resources_pb2.PERFORMANCE_METRIC_R2: perf.R2,
}
PER_FEATURE_KINDS = frozenset({resources_pb2.METRIC_KIND_FEATURE_DRIFT, resources_pb2.METRIC_KIND_NULL_RATE,
                               resources_pb2.METRIC_KIND_OUT_OF_RANGE_RATE,
                               resources_pb2.METRIC_KIND_UNSEEN_CATEGORY_RATE})


@dataclass
class MeasuredValue:
    """One metric value of a window; ``feature`` is set for per-column kinds."""

    feature: str
    value: float | None
    training: float | None = None


class WindowAnalyst:
    """Computes a window's reports from its summary and the reference (and outcomes for performance)."""

    def __init__(self, references: ReferenceBook) -> None:
        self._references = references

    def layout(self, model_name: str, version: int) -> ReferenceLayout | None:
        """The reference layout of a version, or None."""
        cached = self._references.cached(model_name, version)
        return cached[0] if cached else None

    def features_of(self, view: MonitorView, window: WindowRecord, layout: ReferenceLayout | None) -> list[str]:
        """The monitored inputs: the monitor's list, or every reference input (or logged input)."""
        if view.monitor.features:
            return list(view.monitor.features)
        if layout is not None:
            return list(layout.inputs)
        return sorted(window.summary.inputs)

    def drift(self, view: MonitorView, window: WindowRecord, layout: ReferenceLayout | None) -> DriftResult:
        """The drift of every monitored input and prediction column."""
        share = view.monitor.drift.drift_share_threshold or DEFAULT_DRIFT_SHARE
        result = DriftResult(drift_share_threshold=share)
        if layout is None or window.row_count < view.min_rows:
            result.insufficient_data = True
            return result
        overrides = view.overrides()
        for names, references, summaries, target in (
                (self.features_of(view, window, layout), layout.inputs, window.summary.inputs, result.features),
                (list(layout.outputs), layout.outputs, window.summary.outputs, result.predictions)):
            for name in names:
                reference, summary = references.get(name), summaries.get(name)
                if reference is None or summary is None:
                    continue
                if reference.numeric != isinstance(summary, NumericSummary):
                    continue
                if isinstance(summary, NumericSummary):
                    summary = aligned(summary, reference)
                target.append(column_drift(name, reference, summary, overrides.get(name)))
        if result.features:
            result.drift_share = result.drifted_count / len(result.features)
        return result

    def quality(self, view: MonitorView, window: WindowRecord, layout: ReferenceLayout | None) -> QualityResult:
        """The data quality of the monitored inputs."""
        return window_quality(window.summary, layout, self.features_of(view, window, layout))

    def performance(self, session: Session, view: MonitorView, window: WindowRecord) -> perf.PerformanceResult:
        """Realised metrics from the outcomes that have arrived, estimated ones, training values."""
        facts = self._references.facts(view.monitor.model_name, window.model_version)
        count_window = view.monitor.window.WhichOneof("size") == "row_count"
        rows = repo.window_predictions(session, view.monitor.model_name, window.model_version,
                                       view.monitor.deployment, window.start_us, window.end_us,
                                       window.first_seq if count_window else None,
                                       window.last_seq if count_window else None, labelled_only=True)
        rows = [r for r in rows if r.status_code == 0]
        realised, positive, confusion = perf.realised(rows, facts.task, facts.class_labels)
        insufficient = len(rows) < view.min_rows
        labels_seen = sorted({label for cells in window.summary.expected.values() for label in cells})
        positive = positive or perf.positive_class_of(labels_seen, facts.class_labels)
        estimated = perf.estimate(window.summary.expected, facts.task, positive)
        result = perf.PerformanceResult(
            task=facts.task, positive_class=positive, prediction_count=window.row_count - window.summary.failed,
            labelled_count=len(rows), insufficient_labels=insufficient,
            realised_confusion=confusion if not insufficient else None,
            estimated_confusion=estimated[1] if estimated else None)
        regression = bool(realised) and perf.RMSE in realised
        names = perf.REGRESSION_METRICS if regression else perf.CLASSIFICATION_METRICS
        for name in names:
            values = perf.MetricValues(realised=None if insufficient else realised.get(name),
                                       estimated=estimated[0].get(name) if estimated else None,
                                       training=facts.metrics.get(name))
            if values.realised is not None or values.estimated is not None or values.training is not None:
                result.metrics[name] = values
        return result

    def measure(self, session: Session, view: MonitorView, window: WindowRecord,
                selector: resources_pb2.MetricSelector) -> list[MeasuredValue]:
        """The values of one metric in one window (one per input for per-feature kinds)."""
        kind = selector.kind
        layout = self.layout(view.monitor.model_name, window.model_version)
        if kind in (resources_pb2.METRIC_KIND_FEATURE_DRIFT, resources_pb2.METRIC_KIND_PREDICTION_DRIFT,
                    resources_pb2.METRIC_KIND_DATASET_DRIFT_SHARE):
            drift = self.drift(view, window, layout)
            if kind == resources_pb2.METRIC_KIND_DATASET_DRIFT_SHARE:
                return [MeasuredValue("", None if drift.insufficient_data else drift.drift_share)]
            columns = drift.features if kind == resources_pb2.METRIC_KIND_FEATURE_DRIFT else drift.predictions
            if drift.insufficient_data:
                names = ([selector.feature] if selector.feature else self.features_of(view, window, layout)
                         if kind == resources_pb2.METRIC_KIND_FEATURE_DRIFT else [])
                return [MeasuredValue(n, None) for n in names]
            return [MeasuredValue(c.feature, _drift_measure(c, selector.drift_measure)) for c in columns
                    if not selector.feature or c.feature == selector.feature]
        if kind in (resources_pb2.METRIC_KIND_NULL_RATE, resources_pb2.METRIC_KIND_OUT_OF_RANGE_RATE,
                    resources_pb2.METRIC_KIND_UNSEEN_CATEGORY_RATE):
            quality = self.quality(view, window, layout)
            result = []
            for feature in quality.features:
                if selector.feature and feature.feature != selector.feature:
                    continue
                if kind == resources_pb2.METRIC_KIND_NULL_RATE:
                    value: float | None = feature.null_rate
                elif kind == resources_pb2.METRIC_KIND_OUT_OF_RANGE_RATE:
                    value = feature.out_of_range_rate if feature.numeric else None
                else:
                    value = feature.unseen_rate if not feature.numeric else None
                result.append(MeasuredValue(feature.feature, value))
            return result
        summary = window.summary
        if kind == resources_pb2.METRIC_KIND_SCHEMA_ERROR_RATE:
            return [MeasuredValue("", summary.schema_errors / summary.rows if summary.rows else None)]
        if kind == resources_pb2.METRIC_KIND_PREDICTION_COUNT:
            return [MeasuredValue("", float(window.row_count))]
        if kind == resources_pb2.METRIC_KIND_SERVING_ERROR_RATE:
            return [MeasuredValue("", summary.failed / summary.rows if summary.rows else None)]
        if kind == resources_pb2.METRIC_KIND_SERVING_LATENCY:
            quantile = selector.latency_quantile or 0.99
            values = summary.latency_ms.quantiles([quantile])
            return [MeasuredValue("", values[0] if values else None)]
        if kind in (resources_pb2.METRIC_KIND_PERFORMANCE_REALISED, resources_pb2.METRIC_KIND_PERFORMANCE_ESTIMATED,
                    resources_pb2.METRIC_KIND_LABEL_COVERAGE):
            report = self.performance(session, view, window)
            if kind == resources_pb2.METRIC_KIND_LABEL_COVERAGE:
                return [MeasuredValue("", report.label_coverage)]
            metric = report.metrics.get(PERFORMANCE_NAMES.get(selector.performance_metric, ""))
            if metric is None:
                return [MeasuredValue("", None)]
            realised = kind == resources_pb2.METRIC_KIND_PERFORMANCE_REALISED
            return [MeasuredValue("", metric.realised if realised else metric.estimated, metric.training)]
        return []


def _drift_measure(column: object, measure: int) -> float | None:
    if measure == resources_pb2.DRIFT_MEASURE_STATISTIC:
        return column.statistic  # type: ignore[attr-defined]
    if measure == resources_pb2.DRIFT_MEASURE_P_VALUE:
        return column.p_value  # type: ignore[attr-defined]
    if measure == resources_pb2.DRIFT_MEASURE_PSI:
        return column.psi  # type: ignore[attr-defined]
    return 1.0 if column.drifted else 0.0  # type: ignore[attr-defined]
