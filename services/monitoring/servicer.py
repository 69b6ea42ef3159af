"""The gRPC edge of the monitoring service: validate, convert, delegate to :class:`Monitoring`, convert back.

ListAuditRecords is not defined here: the common kit attaches it to every service (services/common/audit.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import grpc

from services.common.app import ServiceContext
from services.common.errors import InvalidArgument
from services.common.logging import bind_request
from services.common.pagination import next_page_token, page_request
from services.monitoring import converters
from services.monitoring.core import Monitoring, WindowReport
from services.monitoring.ingest.decode import decode_message, decode_outcomes
from services.monitoring.ingest.logbook import LogCounts
from sextant.monitoring.v1 import alerts_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb

SERVICE_NAME = "sextant.monitoring.v1.MonitoringService"
MAX_OUTCOMES = 10_000


def _micros(message: Any, field: str) -> int | None:
    if not message.HasField(field):
        return None
    try:
        return getattr(message, field).ToMicroseconds()
    except ValueError as error:
        raise InvalidArgument(field, f"a valid timestamp ({error})") from None


def _token(rows: list[Any], size: int, key: Any, filters: dict[str, Any]) -> str:
    return next_page_token(key(rows[size - 1]) if len(rows) > size else None, filters)


class MonitoringServicer:
    """sextant.monitoring.v1.MonitoringService."""

    def __init__(self, core: Monitoring) -> None:
        self._core = core

    # --- logs --------------------------------------------------------------------------------------

    def LogPredictions(self, request_iterator: Iterator[pb.LogPredictionsRequest],
                       context: grpc.ServicerContext) -> pb.LogPredictionsResponse:
        counts = LogCounts()
        messages = 0
        for index, request in enumerate(request_iterator):
            messages += 1
            groups, rejections, rejected = decode_message(request, index, self._core.settings.max_rows_per_message)
            counts.rejected += rejected
            counts.rejections.extend(rejections)
            if groups:
                self._core.log_message(groups, counts, index)
        listed, truncated = converters.rejections_to_proto(counts.rejections)
        return pb.LogPredictionsResponse(message_count=messages, accepted_count=counts.accepted,
                                         duplicate_count=counts.duplicates, rejected_count=counts.rejected,
                                         data_quality_error_count=counts.quality_errors, rejections=listed,
                                         rejections_truncated=truncated)

    def LogOutcomes(self, request: pb.LogOutcomesRequest, context: grpc.ServicerContext) -> pb.LogOutcomesResponse:
        if len(request.outcomes) > MAX_OUTCOMES:
            raise InvalidArgument("outcomes", f"expected at most {MAX_OUTCOMES} outcomes, got {len(request.outcomes)}")
        valid, rejections = decode_outcomes(request.outcomes)
        counts = self._core.log_outcomes(valid)
        listed, truncated = converters.rejections_to_proto(rejections)
        return pb.LogOutcomesResponse(accepted_count=counts.accepted, duplicate_count=counts.duplicates,
                                      updated_count=counts.updated, unmatched_count=counts.unmatched,
                                      rejected_count=len(rejections), rejections=listed,
                                      rejections_truncated=truncated)

    # --- references --------------------------------------------------------------------------------

    def SetReference(self, request: pb.SetReferenceRequest, context: grpc.ServicerContext) -> pb.SetReferenceResponse:
        bind_request(model=request.model_name, version=request.model_version)
        references = self._core.references
        source = request.WhichOneof("source")
        if source == "from_profile":
            reference = references.set_from_profile(request.model_name, request.model_version,
                                                    request.from_profile.profile,
                                                    list(request.from_profile.prediction_columns))
        elif source == "from_traffic":
            traffic = request.from_traffic
            if not traffic.HasField("start_time") or not traffic.HasField("end_time"):
                raise InvalidArgument("from_traffic.start_time", "expected both start_time and end_time")
            reference = references.set_from_traffic(request.model_name, request.model_version, traffic.start_time,
                                                    traffic.end_time, traffic.deployment)
        elif source == "from_registry":
            reference = references.set_from_registry(request.model_name, request.model_version)
        else:
            raise InvalidArgument("source", "expected from_registry, from_traffic or from_profile")
        return pb.SetReferenceResponse(reference=reference)

    def GetReference(self, request: pb.GetReferenceRequest, context: grpc.ServicerContext) -> pb.GetReferenceResponse:
        return pb.GetReferenceResponse(reference=self._core.references.get(request.model_name, request.model_version))

    def ListReferences(self, request: pb.ListReferencesRequest,
                       context: grpc.ServicerContext) -> pb.ListReferencesResponse:
        filters = {"model_name": request.model_name}
        page = page_request(request.page_size, request.page_token, filters, default=100)
        rows = self._core.references.list(request.model_name, page.after, page.size)
        return pb.ListReferencesResponse(
            references=rows[:page.size],
            next_page_token=_token(rows, page.size, lambda r: (r.model_name, r.model_version), filters))

    # --- monitors ----------------------------------------------------------------------------------

    def CreateMonitor(self, request: pb.CreateMonitorRequest, context: grpc.ServicerContext) -> pb.CreateMonitorResponse:
        return pb.CreateMonitorResponse(monitor=self._core.monitors.create(request.monitor))

    def GetMonitor(self, request: pb.GetMonitorRequest, context: grpc.ServicerContext) -> pb.GetMonitorResponse:
        return pb.GetMonitorResponse(monitor=self._core.monitors.get(request.name))

    def ListMonitors(self, request: pb.ListMonitorsRequest, context: grpc.ServicerContext) -> pb.ListMonitorsResponse:
        if request.order_by not in ("", "name"):
            raise InvalidArgument("order_by", "only `name` ordering is supported")
        filters = {"model_name": request.model_name, "deployment": request.deployment}
        page = page_request(request.page_size, request.page_token, filters, default=100)
        rows = self._core.monitors.list(request.model_name, request.deployment, page.after, page.size)
        return pb.ListMonitorsResponse(monitors=rows[:page.size],
                                       next_page_token=_token(rows, page.size, lambda m: (m.name,), filters))

    def UpdateMonitor(self, request: pb.UpdateMonitorRequest, context: grpc.ServicerContext) -> pb.UpdateMonitorResponse:
        return pb.UpdateMonitorResponse(monitor=self._core.monitors.update(request.monitor,
                                                                           list(request.update_mask.paths)))

    def DeleteMonitor(self, request: pb.DeleteMonitorRequest, context: grpc.ServicerContext) -> pb.DeleteMonitorResponse:
        self._core.delete_monitor(request.name, request.etag, request.force)
        return pb.DeleteMonitorResponse()

    # --- reports -----------------------------------------------------------------------------------

    def _definitions(self, report: Any) -> dict[str, Any]:
        return self._core.references.facts(report.view.monitor.model_name, report.window.model_version).features

    def GetDriftReport(self, request: pb.GetDriftReportRequest, context: grpc.ServicerContext) -> pb.GetDriftReportResponse:
        report = self._core.window_report(request.monitor, request.window_index)
        drift = self._core.drift(report)
        return pb.GetDriftReportResponse(report=converters.drift_report(report, drift, request.include_profiles,
                                                                        self._definitions(report)))

    def ListDriftReports(self, request: pb.ListDriftReportsRequest,
                         context: grpc.ServicerContext) -> pb.ListDriftReportsResponse:
        if not request.monitor:
            raise InvalidArgument("monitor", "expected the monitor's name")
        if request.order_by not in ("", "window_index desc", "window_index"):
            raise InvalidArgument("order_by", "expected `window_index desc` or `window_index`")
        filters = {"monitor": request.monitor, "model_version": request.model_version,
                   "start": _micros(request, "start_time"), "end": _micros(request, "end_time"),
                   "drifted_only": request.drifted_only, "order_by": request.order_by}
        page = page_request(request.page_size, request.page_token, filters, default=50, maximum=500)
        view, windows = self._core.list_windows(request.monitor, request.model_version, filters["start"],
                                                filters["end"], page.after, page.size,
                                                request.order_by != "window_index")
        reports = []
        for window in windows[:page.size]:
            cached = self._core.references.cached(view.monitor.model_name, window.model_version)
            report = WindowReport(view, window, cached[0] if cached else None, cached[1] if cached else None)
            drift = self._core.drift(report)
            if request.drifted_only and not drift.dataset_drifted:
                continue
            reports.append(converters.drift_report(report, drift, request.include_profiles, self._definitions(report)))
        return pb.ListDriftReportsResponse(reports=reports,
                                           next_page_token=_token(windows, page.size, lambda w: (w.index,), filters))

    def GetDataQualityReport(self, request: pb.GetDataQualityReportRequest,
                             context: grpc.ServicerContext) -> pb.GetDataQualityReportResponse:
        report = self._core.window_report(request.monitor, request.window_index)
        return pb.GetDataQualityReportResponse(report=converters.quality_report(
            report, self._core.quality(report), self._definitions(report)))

    def GetPerformanceReport(self, request: pb.GetPerformanceReportRequest,
                             context: grpc.ServicerContext) -> pb.GetPerformanceReportResponse:
        report = self._core.window_report(request.monitor, request.window_index)
        return pb.GetPerformanceReportResponse(report=converters.performance_report(
            report, self._core.performance(report)))

    def GetMetricSeries(self, request: pb.GetMetricSeriesRequest,
                        context: grpc.ServicerContext) -> pb.GetMetricSeriesResponse:
        if not 0 <= request.max_points <= 10_000:
            raise InvalidArgument("max_points", "expected 0 (1000) up to 10000")
        windows, series = self._core.series(request.monitor, request.metric, _micros(request, "start_time"),
                                            _micros(request, "end_time"), request.max_points or 1000)
        return pb.GetMetricSeriesResponse(series=converters.metric_series(request.metric, windows, series))

    # --- rules -------------------------------------------------------------------------------------

    def CreateAlertRule(self, request: pb.CreateAlertRuleRequest,
                        context: grpc.ServicerContext) -> pb.CreateAlertRuleResponse:
        return pb.CreateAlertRuleResponse(alert_rule=self._core.create_rule(request.alert_rule))

    def GetAlertRule(self, request: pb.GetAlertRuleRequest, context: grpc.ServicerContext) -> pb.GetAlertRuleResponse:
        return pb.GetAlertRuleResponse(alert_rule=self._core.rules.get(request.name))

    def ListAlertRules(self, request: pb.ListAlertRulesRequest,
                       context: grpc.ServicerContext) -> pb.ListAlertRulesResponse:
        filters = {"monitor": request.monitor, "model_name": request.model_name, "kind": request.metric_kind,
                   "order_by": request.order_by}
        page = page_request(request.page_size, request.page_token, filters, default=100)
        rows = self._core.rules.list(request.monitor, request.model_name, request.metric_kind, request.order_by,
                                     page.after, page.size)

        def key(rule: alerts_pb2.AlertRule) -> tuple[Any, ...]:
            if request.order_by == "create_time":
                return (rule.create_time.ToMicroseconds(), rule.name)
            if request.order_by == "severity desc":
                return (rule.severity, rule.name)
            return (rule.name,)
        return pb.ListAlertRulesResponse(alert_rules=rows[:page.size],
                                         next_page_token=_token(rows, page.size, key, filters))

    def UpdateAlertRule(self, request: pb.UpdateAlertRuleRequest,
                        context: grpc.ServicerContext) -> pb.UpdateAlertRuleResponse:
        return pb.UpdateAlertRuleResponse(alert_rule=self._core.update_rule(request.alert_rule,
                                                                            list(request.update_mask.paths)))

    def DeleteAlertRule(self, request: pb.DeleteAlertRuleRequest,
                        context: grpc.ServicerContext) -> pb.DeleteAlertRuleResponse:
        self._core.delete_rule(request.name, request.etag)
        return pb.DeleteAlertRuleResponse()

    # --- alerts ------------------------------------------------------------------------------------

    def GetAlert(self, request: pb.GetAlertRequest, context: grpc.ServicerContext) -> pb.GetAlertResponse:
        return pb.GetAlertResponse(alert=self._core.get_alert(request.name))

    def ListAlerts(self, request: pb.ListAlertsRequest, context: grpc.ServicerContext) -> pb.ListAlertsResponse:
        filters = {"states": sorted(request.states), "model_name": request.model_name,
                   "model_version": request.model_version, "routed_team": request.routed_team,
                   "min_severity": request.min_severity, "feature": request.feature,
                   "alert_rule": request.alert_rule, "monitor": request.monitor, "metric_kind": request.metric_kind,
                   "start_us": _micros(request, "start_time"), "end_us": _micros(request, "end_time"),
                   "order_by": request.order_by}
        page = page_request(request.page_size, request.page_token, filters, default=100)
        alerts, last = self._core.list_alerts(filters, request.order_by, page.after, page.size)
        return pb.ListAlertsResponse(alerts=alerts, next_page_token=next_page_token(last, filters))

    def AcknowledgeAlert(self, request: pb.AcknowledgeAlertRequest,
                         context: grpc.ServicerContext) -> pb.AcknowledgeAlertResponse:
        return pb.AcknowledgeAlertResponse(alert=self._core.change_alert("acknowledge", request.name, request.comment))

    def SilenceAlert(self, request: pb.SilenceAlertRequest, context: grpc.ServicerContext) -> pb.SilenceAlertResponse:
        if not request.HasField("silence_until"):
            raise InvalidArgument("silence_until", "expected the time until which the alert is silenced")
        return pb.SilenceAlertResponse(alert=self._core.change_alert(
            "silence", request.name, request.comment, _micros(request, "silence_until")))

    def ResolveAlert(self, request: pb.ResolveAlertRequest, context: grpc.ServicerContext) -> pb.ResolveAlertResponse:
        return pb.ResolveAlertResponse(alert=self._core.change_alert("resolve", request.name, request.comment))

    def WatchAlerts(self, request: pb.WatchAlertsRequest,
                    context: grpc.ServicerContext) -> Iterator[pb.WatchAlertsResponse]:
        kinds = set(request.kinds)
        for stored in self._core.watch(request.after_revision, context.is_active):
            event = alerts_pb2.AlertEvent.FromString(stored.payload)
            event.revision = stored.revision
            alert = event.alert_change.alert
            alert.revision = stored.revision
            if request.model_name and alert.model_name != request.model_name:
                continue
            if request.routed_team and alert.routed_team != request.routed_team:
                continue
            if request.min_severity and alert.severity < request.min_severity:
                continue
            if kinds and event.kind not in kinds:
                continue
            yield pb.WatchAlertsResponse(event=event)

    # --- webhook sinks -----------------------------------------------------------------------------

    def CreateWebhookSink(self, request: pb.CreateWebhookSinkRequest,
                          context: grpc.ServicerContext) -> pb.CreateWebhookSinkResponse:
        return pb.CreateWebhookSinkResponse(webhook_sink=self._core.sinks.create(request.webhook_sink))

    def GetWebhookSink(self, request: pb.GetWebhookSinkRequest,
                       context: grpc.ServicerContext) -> pb.GetWebhookSinkResponse:
        return pb.GetWebhookSinkResponse(webhook_sink=self._core.sinks.get(request.name))

    def ListWebhookSinks(self, request: pb.ListWebhookSinksRequest,
                         context: grpc.ServicerContext) -> pb.ListWebhookSinksResponse:
        filters = {"team": request.team}
        page = page_request(request.page_size, request.page_token, filters, default=100)
        sinks, last = self._core.sinks.list(request.team, page.after, page.size)
        return pb.ListWebhookSinksResponse(webhook_sinks=sinks, next_page_token=next_page_token(last, filters))

    def UpdateWebhookSink(self, request: pb.UpdateWebhookSinkRequest,
                          context: grpc.ServicerContext) -> pb.UpdateWebhookSinkResponse:
        return pb.UpdateWebhookSinkResponse(webhook_sink=self._core.sinks.update(request.webhook_sink,
                                                                                 list(request.update_mask.paths)))

    def DeleteWebhookSink(self, request: pb.DeleteWebhookSinkRequest,
                          context: grpc.ServicerContext) -> pb.DeleteWebhookSinkResponse:
        self._core.sinks.delete(request.name)
        return pb.DeleteWebhookSinkResponse()


def build_servicers(ctx: ServiceContext) -> dict[str, object]:
    """The monitoring servicer, with its background threads registered for shutdown."""
    core = Monitoring(ctx)
    core.start()
    ctx.closers.append(core.close)
    # A full collection now, over what start-up left behind: otherwise the first ingest pays it (the
    # first batch's allocations trigger the collector's first full pass over ~200k import-time objects).
    gc.collect()
    return {SERVICE_NAME: MonitoringServicer(core)}
