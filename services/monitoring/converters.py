"""Conversions between the monitoring domain and its protobuf messages (the servicer's edge)."""

from __future__ import annotations

from services.monitoring.analysis import PERFORMANCE_NAMES, MeasuredValue
from services.monitoring.core import WindowReport, window_message
from services.monitoring.drift.report import ColumnDriftResult, DriftResult
from services.monitoring.ingest.rows import Rejection
from services.monitoring.monitors import METHOD_ENUMS
from services.monitoring.performance import PerformanceResult
from services.monitoring.quality import QualityResult
from services.monitoring.summaries.reference import BINARY_KIND, NUMERIC_KIND
from services.monitoring.windows import WindowRecord
from sextant.monitoring.v1 import logs_pb2, reports_pb2, resources_pb2
from sextant.type.v1 import types_pb2

_KINDS = {NUMERIC_KIND: reports_pb2.COLUMN_KIND_NUMERIC, BINARY_KIND: reports_pb2.COLUMN_KIND_BINARY}
_PERFORMANCE_ENUMS = {name: number for number, name in PERFORMANCE_NAMES.items()}
MAX_REJECTIONS = 1000


def rejections_to_proto(rejections: list[Rejection]) -> tuple[list[logs_pb2.Rejection], bool]:
    """At most 1000 rejections, and whether more were left out."""
    listed = [logs_pb2.Rejection(message_index=r.message_index, item_index=r.item_index, whole_message=r.whole_message,
                                 request_id=r.request_id, row_index=r.row_index,
                                 reason=logs_pb2.RejectionReason.Value(f"REJECTION_REASON_{r.reason}"),
                                 field=r.field, message=r.message)
              for r in rejections[:MAX_REJECTIONS]]
    return listed, len(rejections) > MAX_REJECTIONS


def reference_summary(report: WindowReport) -> reports_pb2.ReferenceSummary:
    """Which reference a report was computed against."""
    if report.reference is None:
        return reports_pb2.ReferenceSummary()
    return reports_pb2.ReferenceSummary(source=report.reference.source,
                                        row_count=report.reference.profile.row_count,
                                        create_time=report.reference.create_time)


def _column_drift(column: ColumnDriftResult, report: WindowReport, include_profile: bool,
                  definitions: dict[str, types_pb2.ResolvedFeature], output: bool) -> reports_pb2.ColumnDrift:
    message = reports_pb2.ColumnDrift(
        feature=column.feature, column_kind=_KINDS.get(column.kind, reports_pb2.COLUMN_KIND_CATEGORICAL),
        method=METHOD_ENUMS[column.method], overridden=column.overridden, statistic=column.statistic,
        psi=column.psi, threshold=column.threshold, drifted=column.drifted,
        reference_count=column.reference_count, current_count=column.current_count)
    if column.p_value is not None:
        message.p_value = column.p_value
    if column.feature in definitions and not output:
        message.definition.CopyFrom(definitions[column.feature])
    if include_profile:
        summaries = report.window.summary.outputs if output else report.window.summary.inputs
        layout = report.layout
        reference_columns = (layout.outputs if output else layout.inputs) if layout else {}
        summary = summaries.get(column.feature)
        if summary is not None:
            dtype = reference_columns[column.feature].dtype if column.feature in reference_columns else 0
            message.current_profile.CopyFrom(summary.to_profile(column.feature, dtype))
    return message


def drift_report(report: WindowReport, drift: DriftResult, include_profiles: bool,
                 definitions: dict[str, types_pb2.ResolvedFeature]) -> reports_pb2.DriftReport:
    """The DriftReport of a window."""
    message = reports_pb2.DriftReport(
        monitor=report.view.name, model_name=report.view.monitor.model_name, window=window_message(report.window),
        reference=reference_summary(report), insufficient_data=drift.insufficient_data,
        features=[_column_drift(c, report, include_profiles, definitions, False) for c in drift.features],
        predictions=[_column_drift(c, report, include_profiles, definitions, True) for c in drift.predictions],
        drifted_feature_count=drift.drifted_count, drift_share=drift.drift_share,
        drift_share_threshold=drift.drift_share_threshold, dataset_drifted=drift.dataset_drifted)
    message.update_time.FromMicroseconds(report.window.update_us)
    return message


def quality_report(report: WindowReport, quality: QualityResult,
                   definitions: dict[str, types_pb2.ResolvedFeature]) -> reports_pb2.DataQualityReport:
    """The DataQualityReport of a window."""
    features = []
    for f in quality.features:
        message = reports_pb2.FeatureQuality(
            feature=f.feature, count=f.count, null_count=f.null_count, null_rate=f.null_rate,
            reference_null_rate=f.reference_null_rate, out_of_range_count=f.out_of_range_count,
            out_of_range_rate=f.out_of_range_rate, reference_min=f.reference_min, reference_max=f.reference_max,
            unseen_category_count=f.unseen_count, unseen_category_rate=f.unseen_rate,
            unseen_categories=[types_pb2.CategoryCount(value=v, count=c) for v, c in f.unseen],
            type_error_count=f.type_errors)
        if f.feature in definitions:
            message.definition.CopyFrom(definitions[f.feature])
        features.append(message)
    issues = [reports_pb2.SchemaIssue(kind=reports_pb2.SchemaIssueKind.Value(f"SCHEMA_ISSUE_KIND_{kind}"),
                                      column=column, count=count) for kind, column, count in quality.schema_issues]
    message = reports_pb2.DataQualityReport(
        monitor=report.view.name, model_name=report.view.monitor.model_name, window=window_message(report.window),
        reference=reference_summary(report), features=features, schema_issues=issues,
        schema_error_count=quality.schema_error_count, schema_error_rate=quality.schema_error_rate)
    message.update_time.FromMicroseconds(report.window.update_us)
    return message


def performance_report(report: WindowReport, result: PerformanceResult) -> reports_pb2.PerformanceReport:
    """The PerformanceReport of a window."""
    message = reports_pb2.PerformanceReport(
        monitor=report.view.name, model_name=report.view.monitor.model_name, window=window_message(report.window),
        task=result.task, positive_class=result.positive_class, prediction_count=result.prediction_count,
        labelled_count=result.labelled_count, label_coverage=result.label_coverage,
        insufficient_labels=result.insufficient_labels)
    for name, values in result.metrics.items():
        comparison = reports_pb2.MetricComparison(metric=_PERFORMANCE_ENUMS[name])
        if values.realised is not None:
            comparison.realised = values.realised
        if values.estimated is not None:
            comparison.estimated = values.estimated
        if values.training is not None:
            comparison.training = values.training
        message.metrics.append(comparison)
    if result.realised_confusion:
        message.realised_confusion.labels.extend(result.realised_confusion[0])
        message.realised_confusion.cells.extend(result.realised_confusion[1])
    if result.estimated_confusion:
        message.estimated_confusion.labels.extend(result.estimated_confusion[0])
        message.estimated_confusion.cells.extend(result.estimated_confusion[1])
    message.update_time.GetCurrentTime()
    return message


def metric_series(selector: resources_pb2.MetricSelector, windows: list[WindowRecord],
                  series: dict[str, list[MeasuredValue | None]]) -> list[reports_pb2.MetricSeries]:
    """One MetricSeries per feature (one in total for whole-window kinds)."""
    result = []
    for feature in sorted(series):
        metric = resources_pb2.MetricSelector()
        metric.CopyFrom(selector)
        metric.feature = feature
        points = []
        for window, measured in zip(windows, series[feature], strict=True):
            point = reports_pb2.MetricPoint(window_index=window.index, model_version=window.model_version,
                                            row_count=window.row_count)
            point.start_time.FromMicroseconds(window.start_us)
            point.end_time.FromMicroseconds(window.end_us)
            if measured is not None and measured.value is not None:
                point.value = measured.value
            points.append(point)
        result.append(reports_pb2.MetricSeries(metric=metric, points=points))
    return result
