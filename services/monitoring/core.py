"""The monitoring service's transport-agnostic core: one object behind the gRPC servicer.

It wires the parts together (references, prediction log, monitors and windows, analysis, alert
rules and alerts, webhook sinks, gauges), runs the background evaluator of time windows, and holds
the operations the servicer calls. A future REST gateway or batch job would reuse it unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.app import ServiceContext
from services.common.dependencies import Dependency
from services.common.errors import AlreadyExists, InvalidArgument, NotFound, OutOfRange
from services.common.events import StoredEvent
from services.common.logging import get_logger
from services.monitoring import repository as repo
from services.monitoring.alerts.lifecycle import ALERT_EVENT, AlertBook, WindowContext, decode
from services.monitoring.alerts.registry_events import RegistryEventFollower
from services.monitoring.alerts.routing import Router
from services.monitoring.alerts.rules import RuleCatalog, validate_selector
from services.monitoring.analysis import PER_FEATURE_KINDS, MeasuredValue, WindowAnalyst
from services.monitoring.delivery.prometheus import DriftGauges
from services.monitoring.delivery.webhook import WebhookSinks
from services.monitoring.drift.report import DriftResult
from services.monitoring.ingest.logbook import LogCounts, OutcomeCounts, PredictionLog
from services.monitoring.ingest.rows import OutcomeRecord, PredictionRows
from services.monitoring.monitors import MonitorCatalog, MonitorView
from services.monitoring.naming import now_us
from services.monitoring.peers import GuardedPeer
from services.monitoring.performance import PerformanceResult
from services.monitoring.quality import QualityResult
from services.monitoring.references import ReferenceBook
from services.monitoring.settings import MonitoringSettings
from services.monitoring.summaries.reference import ReferenceLayout
from services.monitoring.windows import WindowKeeper, WindowRecord
from sextant.featurestore.v1 import featurestore_service_pb2, featurestore_service_pb2_grpc
from sextant.monitoring.v1 import alerts_pb2, resources_pb2
from sextant.registry.v1 import registry_service_pb2, registry_service_pb2_grpc
from sextant.training.v1 import training_service_pb2, training_service_pb2_grpc
from sextant.type.v1 import model_pb2

_log = get_logger("monitoring")
_REPORT_PATHS = {alerts_pb2.REPORT_KIND_DRIFT: "drift", alerts_pb2.REPORT_KIND_DATA_QUALITY: "quality",
                 alerts_pb2.REPORT_KIND_PERFORMANCE: "performance"}


@dataclass
class WindowReport:
    """A window with what its reports are computed against."""

    view: MonitorView
    window: WindowRecord
    layout: ReferenceLayout | None
    reference: resources_pb2.Reference | None


class Monitoring:
    """Everything the monitoring service does."""

    def __init__(self, ctx: ServiceContext) -> None:
        settings: MonitoringSettings = ctx.settings
        self.settings = settings
        self._db = ctx.database
        self._outbox = ctx.outbox
        timeout = settings.dependency_timeout_seconds
        self.registry = GuardedPeer(Dependency(
            "registry", settings.registry_address, registry_service_pb2_grpc.RegistryServiceStub,
            registry_service_pb2.DESCRIPTOR.services_by_name["RegistryService"], timeout=timeout))
        self.featurestore = GuardedPeer(Dependency(
            "featurestore", settings.featurestore_address, featurestore_service_pb2_grpc.FeatureStoreServiceStub,
            featurestore_service_pb2.DESCRIPTOR.services_by_name["FeatureStoreService"], timeout=timeout))
        self.training = GuardedPeer(Dependency(
            "training", settings.training_address, training_service_pb2_grpc.TrainingServiceStub,
            training_service_pb2.DESCRIPTOR.services_by_name["TrainingService"], timeout=timeout))
        self.references = ReferenceBook(self._db, self.registry, exact_values_limit=settings.exact_values_limit,
                                        histogram_bins=settings.reference_histogram_bins)
        self.monitors = MonitorCatalog(self._db)
        self.windows = WindowKeeper(exact_limit=settings.exact_values_limit,
                                    exact_budget=settings.exact_values_budget, max_categories=settings.max_categories,
                                    grace_us=int(settings.window_grace_seconds * 1_000_000))
        self.windows.on_complete = self._on_window_complete
        self.log = PredictionLog(self._db, self.references, self.monitors, self.windows,
                                 exact_limit=settings.exact_values_limit, exact_budget=settings.exact_values_budget,
                                 max_categories=settings.max_categories)
        self.analyst = WindowAnalyst(self.references)
        self.rules = RuleCatalog(self._db, lambda name: self.monitors.get(name).model_name)
        self.router = Router(self.references, self.registry, self.featurestore, settings.default_team)
        self.alerts = AlertBook(self._outbox, self.router, self.training)
        self.sinks = WebhookSinks(self._db, self._outbox, allow_http=settings.webhook_allow_http,
                                  initial_backoff=settings.webhook_initial_backoff_seconds,
                                  max_backoff=settings.webhook_max_backoff_seconds,
                                  timeout=settings.webhook_timeout_seconds)
        self.gauges = DriftGauges(settings.max_gauge_series)
        self.staleness = RegistryEventFollower(self._db, self.registry, self.alerts, settings.default_team,
                                               settings.registry_retry_seconds, self.create_default_monitor)
        self._stop = threading.Event()
        self._evaluator = threading.Thread(target=self._evaluate_time_windows, name="monitoring-windows", daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background threads."""
        self.sinks.start()
        self._evaluator.start()
        if self.settings.follow_registry_events:
            self.staleness.start()

    def close(self) -> None:
        """Stop the background threads and close the dependency channels."""
        self._stop.set()
        self.staleness.stop()
        self.sinks.stop()
        if self._evaluator.is_alive():
            self._evaluator.join(timeout=10)
        for dependency in (self.registry, self.featurestore, self.training):
            dependency.close()

    def _evaluate_time_windows(self) -> None:
        while not self._stop.wait(self.settings.window_check_seconds):
            try:
                self.complete_due_windows()
            except Exception as error:  # noqa: BLE001 - the evaluator must survive a bad moment (db restart)
                _log.warning("time window evaluation failed", error=str(error))

    def complete_due_windows(self) -> int:
        """Complete every time window whose end passed by the grace period."""
        with self._db.write() as session:
            views = {r.name: MonitorView(resources_pb2.Monitor.FromString(r.body))
                     for r in session.execute(sa.select(repo.monitors))}
            return self.windows.complete_due(session, views, now_us())

    # --- ingest ------------------------------------------------------------------------------------

    def log_message(self, groups: list[PredictionRows], counts: LogCounts, message_index: int) -> None:
        """Store one LogPredictions message durably (the groups of its valid rows)."""
        self.log.log(groups, counts, message_index)

    def log_outcomes(self, outcomes: list[OutcomeRecord]) -> OutcomeCounts:
        """Store outcomes; reports of affected windows reflect them from now on."""
        return self.log.log_outcomes(outcomes)

    # --- windows and alerts ------------------------------------------------------------------------

    def report_uri(self, kind: int, monitor: str, index: int) -> str:
        """The link of a report for people."""
        path = _REPORT_PATHS.get(kind, "drift")
        base = self.settings.console_url.rstrip("/")
        return f"{base}/monitors/{monitor}/{path}/{index}" if base else f"sextant://monitoring/{path}/{monitor}/{index}"

    def _on_window_complete(self, session: Session, view: MonitorView, window: WindowRecord) -> None:
        layout = self.analyst.layout(view.monitor.model_name, window.model_version)
        drift = self.analyst.drift(view, window, layout)
        self.gauges.record(view.monitor.model_name, drift)
        teams = window.summary.teams
        deployment_team = teams.get(view.monitor.deployment) or (next(iter(teams.values())) if teams else "")
        context = WindowContext(view.name, view.monitor.model_name, window_message(window), deployment_team,
                                self.report_uri)
        for rule in self.rules.for_monitor(session, view.name):
            if rule.disabled:
                continue
            values = self.analyst.measure(session, view, window, rule.metric)
            self.alerts.evaluate(session, rule, context, values)

    # --- monitors ----------------------------------------------------------------------------------

    def create_default_monitor(self, model_name: str, version: int) -> None:
        """For a model whose `production` alias moved: a monitor following it, with the default rules.

        Created once per model (the monitor follows the alias to every new production version);
        existing monitors and rules are left as they are.
        """
        name = f"{model_name}-production"[:63]
        monitor = resources_pb2.Monitor(
            name=name, model_name=model_name, alias="production",
            description="Created by monitoring for the production alias.",
            window=resources_pb2.WindowSpec(row_count=self.settings.default_window_rows))
        try:
            self.monitors.create(monitor, default_created=True)
        except AlreadyExists:
            pass
        facts = self.references.facts(model_name, version)
        regression = facts.task == model_pb2.MODEL_TASK_REGRESSION
        performance = (resources_pb2.PERFORMANCE_METRIC_RMSE if regression
                       else resources_pb2.PERFORMANCE_METRIC_ACCURACY)
        greater_or_equal = model_pb2.COMPARISON_OPERATOR_GREATER_THAN_OR_EQUAL
        rules = [
            alerts_pb2.AlertRule(name=f"{name[:50]}-drift-share", monitor=name, threshold=0.5, for_windows=2,
                                 description="Half or more of the inputs drifted.", comparison=greater_or_equal,
                                 metric=resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_DATASET_DRIFT_SHARE),
                                 severity=alerts_pb2.SEVERITY_WARNING),
            alerts_pb2.AlertRule(name=f"{name[:50]}-pred-drift", monitor=name, threshold=1.0, for_windows=2,
                                 description="The prediction drifted.", comparison=greater_or_equal,
                                 metric=resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_PREDICTION_DRIFT),
                                 severity=alerts_pb2.SEVERITY_WARNING),
            alerts_pb2.AlertRule(name=f"{name[:50]}-perf-drop", monitor=name, threshold=0.1, for_windows=1,
                                 description="Performance dropped 10% or more below training.",
                                 comparison=greater_or_equal,
                                 baseline=alerts_pb2.RULE_BASELINE_RELATIVE_DROP_FROM_TRAINING,
                                 metric=resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_PERFORMANCE_REALISED,
                                                                     performance_metric=performance),
                                 severity=alerts_pb2.SEVERITY_CRITICAL),
        ]
        for rule in rules:
            try:
                self.rules.create(rule, default_created=True)
            except AlreadyExists:
                pass

    def delete_monitor(self, name: str, etag: str, force: bool) -> None:
        """Delete a monitor; with force, its rules go too and their alerts resolve."""
        if force:
            with self._db.write() as session:
                for rule in self.rules.for_monitor(session, name):
                    self.alerts.resolve_rule(session, rule.name, "the monitor was deleted")
                    self.rules.delete(session, rule.name, "")
        self.monitors.delete(name, etag, force)
        with self._db.write() as session:
            self.alerts.resolve_monitor(session, name, "the monitor was deleted")

    # --- rules -------------------------------------------------------------------------------------

    def create_rule(self, rule: alerts_pb2.AlertRule) -> alerts_pb2.AlertRule:
        """Create a rule; a named feature must be one the monitor watches."""
        if rule.metric.feature and rule.metric.kind in PER_FEATURE_KINDS and rule.monitor:
            monitor = self.monitors.get(rule.monitor)
            if monitor.features and rule.metric.feature not in monitor.features:
                raise NotFound("feature", rule.metric.feature, metadata={"monitor": rule.monitor})
        return self.rules.create(rule)

    def update_rule(self, rule: alerts_pb2.AlertRule, paths: list[str]) -> alerts_pb2.AlertRule:
        """Update a rule; disabling it resolves its open alerts."""
        updated = self.rules.update(rule, paths)
        if updated.disabled:
            with self._db.write() as session:
                self.alerts.resolve_rule(session, updated.name, "the rule was disabled")
        return updated

    def delete_rule(self, name: str, etag: str) -> None:
        """Delete a rule and resolve its open alerts."""
        with self._db.write() as session:
            self.rules.delete(session, name, etag)
            self.alerts.resolve_rule(session, name, "the rule was deleted")

    # --- reports -----------------------------------------------------------------------------------

    def window_report(self, monitor: str, index: int) -> WindowReport:
        """The window a report is about; index 0 is the latest completed window."""
        if index < 0:
            raise InvalidArgument("window_index", "expected 0 (latest completed) or a window index")
        with self._db.read() as session:
            view = self.monitors.view(session, monitor)
            window = self.windows.get(session, monitor, index)
        if window is None:
            raise NotFound("window", f"{monitor}/{index}")
        cached = self.references.cached(view.monitor.model_name, window.model_version)
        return WindowReport(view, window, cached[0] if cached else None, cached[1] if cached else None)

    def drift(self, report: WindowReport) -> DriftResult:
        """The drift of a window."""
        return self.analyst.drift(report.view, report.window, report.layout)

    def quality(self, report: WindowReport) -> QualityResult:
        """The data quality of a window."""
        return self.analyst.quality(report.view, report.window, report.layout)

    def performance(self, report: WindowReport) -> PerformanceResult:
        """The performance of a window, with the outcomes that have arrived so far."""
        with self._db.read() as session:
            return self.analyst.performance(session, report.view, report.window)

    def list_windows(self, monitor: str, model_version: int, start_us: int | None, end_us: int | None,
                     after: tuple[object, ...] | None, size: int, descending: bool
                     ) -> tuple[MonitorView, list[WindowRecord]]:
        """A page of a monitor's windows."""
        with self._db.read() as session:
            view = self.monitors.view(session, monitor)
            return view, self.windows.list(session, monitor, model_version, start_us, end_us, after, size, descending)

    def series(self, monitor: str, selector: resources_pb2.MetricSelector, start_us: int | None, end_us: int | None,
               max_points: int) -> tuple[list[WindowRecord], dict[str, list[MeasuredValue | None]]]:
        """(windows oldest first, values per feature aligned with them) of one metric."""
        validate_selector(selector, "metric", in_rule=False)
        with self._db.read() as session:
            view = self.monitors.view(session, monitor)
            newest_first = self.windows.list(session, monitor, 0, start_us, end_us, None, max_points, True)
            windows = list(reversed(newest_first[:max_points]))
            series: dict[str, list[MeasuredValue | None]] = {}
            for position, window in enumerate(windows):
                for measured in self.analyst.measure(session, view, window, selector):
                    series.setdefault(measured.feature, [None] * len(windows))[position] = measured
        if selector.feature and selector.kind in PER_FEATURE_KINDS and not series and windows:
            raise NotFound("feature", selector.feature, metadata={"monitor": monitor})
        return windows, series

    # --- alerts ------------------------------------------------------------------------------------

    def get_alert(self, name: str) -> alerts_pb2.Alert:
        """One alert with its deliveries."""
        with self._db.read() as session:
            row = repo.get_row(session, repo.alerts, name=name)
        if row is None:
            raise NotFound("alert", name)
        alert = decode(row)
        alert.deliveries.extend(self.sinks.deliveries_of(name))
        return alert

    def change_alert(self, verb: str, name: str, comment: str, until_us: int = 0) -> alerts_pb2.Alert:
        """Acknowledge, silence or resolve an alert."""
        with self._db.write() as session:
            if verb == "acknowledge":
                alert = self.alerts.acknowledge(session, name, comment)
            elif verb == "silence":
                alert = self.alerts.silence(session, name, until_us, comment)
            else:
                alert = self.alerts.resolve(session, name, comment)
        return alert

    def list_alerts(self, filters: dict[str, object], order_by: str, after: tuple[object, ...] | None, size: int
                    ) -> tuple[list[alerts_pb2.Alert], tuple[object, ...] | None]:
        """Alerts filtered and ordered, one keyset page: (alerts, key of the last one when more follow)."""
        table = repo.alerts
        where = []
        for column in ("model_name", "model_version", "routed_team", "feature", "alert_rule", "monitor",
                       "metric_kind"):
            if filters.get(column):
                where.append(table.c[column] == filters[column])
        if filters.get("states"):
            where.append(table.c.state.in_(list(filters["states"])))  # type: ignore[call-overload]
        if filters.get("min_severity"):
            where.append(table.c.severity >= filters["min_severity"])
        if filters.get("start_us") is not None:
            where.append(table.c.create_us >= filters["start_us"])
        if filters.get("end_us") is not None:
            where.append(table.c.create_us < filters["end_us"])
        orders = {"": (["create_us", "name"], True), "create_time desc": (["create_us", "name"], True),
                  "create_time": (["create_us", "name"], False), "update_time desc": (["update_us", "name"], True),
                  "severity desc": (["severity", "name"], True)}
        if order_by not in orders:
            raise InvalidArgument("order_by", "expected `create_time desc`, `create_time`, `update_time desc` "
                                              "or `severity desc`")
        keys, descending = orders[order_by]
        order = [table.c[k].desc() if descending else table.c[k] for k in keys]
        with self._db.read() as session:
            rows = repo.page(session, table, order, keys, after, size, where, descending)
        more = len(rows) > size
        rows = rows[:size]
        last = tuple(getattr(rows[-1], k) for k in keys) if more else None
        return [decode(r) for r in rows], last

    def watch(self, after_revision: int, is_active: object) -> Iterator[StoredEvent]:
        """Alert events after a revision, then live."""
        if after_revision < 0:
            raise InvalidArgument("after_revision", "expected 0 or a revision")
        latest = self._outbox.latest_revision()
        if after_revision > latest:
            raise OutOfRange(f"revision {after_revision} is newer than the latest revision {latest}",
                             reason="REVISION_OUT_OF_RANGE",
                             metadata={"after_revision": after_revision, "latest_revision": latest})
        return self._outbox.follow(after_revision, kinds=[ALERT_EVENT], is_active=is_active)  # type: ignore[arg-type]


def window_message(window: WindowRecord) -> resources_pb2.Window:
    """The Window message of a stored window."""
    message = resources_pb2.Window(index=window.index, model_version=window.model_version, row_count=window.row_count,
                                   complete=window.complete)
    message.start_time.FromMicroseconds(window.start_us)
    message.end_time.FromMicroseconds(window.end_us)
    return message
