"""The alert lifecycle: PENDING -> FIRING -> RESOLVED, ACKNOWLEDGED and SILENCED by people.

At most one alert is open per dedup key (rule, model, version, feature): the table's unique
``open_dedup_key`` column holds the key while the alert is open and NULL once it resolved. Every
change is written with its AlertEvent to the outbox in the same transaction, which feeds
WatchAlerts, the webhook sinks and resumption after a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import grpc
import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.auth import current_principal
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound, SextantError
from services.common.events import EventOutbox
from services.monitoring import performance as perf
from services.monitoring import repository as repo
from services.monitoring.alerts.routing import Router
from services.monitoring.analysis import PERFORMANCE_NAMES, MeasuredValue
from services.monitoring.naming import now_us
from services.monitoring.peers import GuardedPeer
from sextant.monitoring.v1 import alerts_pb2
from sextant.training.v1 import training_service_pb2
from sextant.type.v1 import model_pb2

ALERT_EVENT = "monitoring.alert"
OPEN_STATES = frozenset({alerts_pb2.ALERT_STATE_PENDING, alerts_pb2.ALERT_STATE_FIRING,
                         alerts_pb2.ALERT_STATE_ACKNOWLEDGED, alerts_pb2.ALERT_STATE_SILENCED})
_MAX_SILENCE_US = 30 * 86_400 * 1_000_000
_COMPARE: dict[int, Callable[[float, float], bool]] = {
    model_pb2.COMPARISON_OPERATOR_GREATER_THAN: lambda v, t: v > t,
    model_pb2.COMPARISON_OPERATOR_GREATER_THAN_OR_EQUAL: lambda v, t: v >= t,
    model_pb2.COMPARISON_OPERATOR_LESS_THAN: lambda v, t: v < t,
    model_pb2.COMPARISON_OPERATOR_LESS_THAN_OR_EQUAL: lambda v, t: v <= t,
    model_pb2.COMPARISON_OPERATOR_EQUAL: lambda v, t: v == t,
}


@dataclass
class WindowContext:
    """The window an evaluation is about."""

    monitor: str
    model_name: str
    window: object  # resources_pb2.Window
    deployment_team: str
    report_uri: Callable[[int, str, int], str]


def baseline_value(rule: alerts_pb2.AlertRule, measured: MeasuredValue) -> float | None:
    """The value compared with the threshold, after the rule's baseline."""
    if measured.value is None:
        return None
    baseline = rule.baseline
    if baseline in (alerts_pb2.RULE_BASELINE_UNSPECIFIED, alerts_pb2.RULE_BASELINE_NONE):
        return measured.value
    if measured.training is None:
        return None
    name = PERFORMANCE_NAMES.get(rule.metric.performance_metric, "")
    drop = measured.value - measured.training if name in perf.ERROR_METRICS else measured.training - measured.value
    if baseline == alerts_pb2.RULE_BASELINE_DROP_FROM_TRAINING:
        return drop
    return drop / measured.training if measured.training else None


class AlertBook:
    """Opens, advances and closes alerts, and answers queries about them."""

    def __init__(self, outbox: EventOutbox, router: Router, training: GuardedPeer) -> None:
        self._outbox = outbox
        self._router = router
        self._training = training

    # --- evaluation --------------------------------------------------------------------------------

    def evaluate(self, session: Session, rule: alerts_pb2.AlertRule, context: WindowContext,
                 values: list[MeasuredValue]) -> None:
        """Advance the rule's alerts with one completed window's values."""
        for measured in values:
            value = baseline_value(rule, measured)
            if value is None:
                continue
            holds = _COMPARE[rule.comparison](value, rule.threshold)
            key = f"{rule.name}|{context.model_name}|{context.window.model_version}|{measured.feature}"  # type: ignore[attr-defined]
            row = session.execute(sa.select(repo.alerts).where(repo.alerts.c.open_dedup_key == key)).first()
            if row is None:
                if holds:
                    self._open(session, rule, context, measured, value, key)
                continue
            alert = alerts_pb2.Alert.FromString(row.body)
            previous = alert.state
            alert.measured_value = value
            alert.window.CopyFrom(context.window)  # type: ignore[arg-type]
            alert.report.window_index = context.window.index  # type: ignore[attr-defined]
            alert.report.uri = context.report_uri(alert.report.kind, context.monitor, context.window.index)  # type: ignore[attr-defined]
            if measured.training is not None:
                alert.training_value = measured.training
            stamp = now_us()
            silence_over = (alert.state == alerts_pb2.ALERT_STATE_SILENCED
                            and alert.silenced_until.ToMicroseconds() <= stamp)
            if holds:
                alert.consecutive_windows += 1
                false_streak = 0
                if alert.state == alerts_pb2.ALERT_STATE_PENDING and alert.consecutive_windows >= max(rule.for_windows, 1):
                    self._fire(alert, rule, stamp)
                    kind = alerts_pb2.ALERT_EVENT_KIND_FIRING
                elif silence_over:
                    alert.state = alerts_pb2.ALERT_STATE_FIRING
                    alert.ClearField("silenced_until")
                    kind = alerts_pb2.ALERT_EVENT_KIND_FIRING
                else:
                    kind = alerts_pb2.ALERT_EVENT_KIND_UPDATED
            else:
                alert.consecutive_windows = 0
                false_streak = int(row.false_streak) + 1
                if alert.state == alerts_pb2.ALERT_STATE_PENDING or false_streak >= max(rule.resolve_after_windows, 1):
                    alert.state = alerts_pb2.ALERT_STATE_RESOLVED
                    alert.resolve_time.FromMicroseconds(stamp)
                    kind = alerts_pb2.ALERT_EVENT_KIND_RESOLVED
                else:
                    kind = alerts_pb2.ALERT_EVENT_KIND_UPDATED
            alert.summary = _summary(rule, context, measured.feature, value, alert.consecutive_windows)
            self._save(session, alert, stamp, false_streak, previous, kind, actor="")

    def _open(self, session: Session, rule: alerts_pb2.AlertRule, context: WindowContext, measured: MeasuredValue,
              value: float, key: str) -> None:
        route = self._router.route(rule, context.model_name, context.window.model_version,  # type: ignore[attr-defined]
                                   measured.feature, context.deployment_team)
        stamp = now_us()
        kind_of_report = _report_kind(rule)
        alert = alerts_pb2.Alert(
            name=f"al-{uuid.uuid4().hex[:16]}", source=alerts_pb2.ALERT_SOURCE_RULE, alert_rule=rule.name,
            alert_rule_revision=rule.revision, state=alerts_pb2.ALERT_STATE_PENDING,
            severity=rule.severity or alerts_pb2.SEVERITY_WARNING, dedup_key=key, model_name=context.model_name,
            model_version=context.window.model_version, monitor=context.monitor,  # type: ignore[attr-defined]
            metric=rule.metric, measured_value=value, comparison=rule.comparison, threshold=rule.threshold,
            window=context.window, consecutive_windows=1, routed_team=route.team, routing_reason=route.reason,
            routing_detail=route.detail, labels=dict(rule.labels),
            report=alerts_pb2.ReportLink(kind=kind_of_report, monitor=context.monitor,
                                         window_index=context.window.index,  # type: ignore[attr-defined]
                                         uri=context.report_uri(kind_of_report, context.monitor,
                                                                context.window.index)))  # type: ignore[attr-defined]
        alert.metric.feature = measured.feature
        if route.feature is not None:
            alert.feature.CopyFrom(route.feature)
        if measured.training is not None:
            alert.training_value = measured.training
        alert.create_time.FromMicroseconds(stamp)
        alert.summary = _summary(rule, context, measured.feature, value, 1)
        kind = alerts_pb2.ALERT_EVENT_KIND_OPENED
        if rule.for_windows <= 1:
            self._fire(alert, rule, stamp)
            kind = alerts_pb2.ALERT_EVENT_KIND_FIRING
        repo.insert_row(session, repo.alerts, name=alert.name, dedup_key=key, open_dedup_key=key, state=alert.state,
                        model_name=alert.model_name, model_version=alert.model_version, monitor=alert.monitor,
                        alert_rule=alert.alert_rule, feature=measured.feature, metric_kind=rule.metric.kind,
                        routed_team=alert.routed_team, severity=alert.severity, false_streak=0, create_us=stamp,
                        update_us=stamp, body=b"")
        self._save(session, alert, stamp, 0, alerts_pb2.ALERT_STATE_UNSPECIFIED, kind, actor="")

    def _fire(self, alert: alerts_pb2.Alert, rule: alerts_pb2.AlertRule, stamp: int) -> None:
        alert.state = alerts_pb2.ALERT_STATE_FIRING
        alert.firing_time.FromMicroseconds(stamp)
        if rule.action == alerts_pb2.RULE_ACTION_RETRAIN and not alert.retrain_job_id:
            self._retrain(alert)

    def _retrain(self, alert: alerts_pb2.Alert) -> None:
        request = training_service_pb2.RerunTrainingJobRequest(
            model_version=model_pb2.ModelVersionReference(model_name=alert.model_name, version=alert.model_version),
            idempotency_key=f"monitoring-{alert.name}", alert_id=alert.name,
            reason=f"monitoring alert {alert.name}: {alert.summary}")
        try:
            answer = self._training.call("RerunTrainingJob", request)
        except SextantError as error:
            alert.retrain_error = error.message
            return
        except grpc.RpcError as error:
            alert.retrain_error = f"{error.code().name}: {error.details()}"  # type: ignore[attr-defined]
            return
        alert.retrain_job_id = answer.job.name
        alert.retrain_error = ""

    def _save(self, session: Session, alert: alerts_pb2.Alert, stamp: int, false_streak: int, previous: int,
              kind: int, actor: str) -> None:
        alert.update_time.FromMicroseconds(stamp)
        event = alerts_pb2.AlertEvent(kind=kind, alert_change=alerts_pb2.AlertChange(
            alert=alert, previous_state=previous, actor=actor))
        event.event_time.FromMicroseconds(stamp)
        revision = self._outbox.append(session, ALERT_EVENT, alert.name, event.SerializeToString())
        alert.revision = revision
        is_open = alert.state in OPEN_STATES
        repo.update_row(session, repo.alerts, {"name": alert.name}, state=alert.state,
                        open_dedup_key=alert.dedup_key if is_open else None, false_streak=false_streak,
                        update_us=stamp, routed_team=alert.routed_team, body=alert.SerializeToString())

    def save_system(self, session: Session, alert: alerts_pb2.Alert, kind: int, previous: int, *, new: bool) -> None:
        """Store a system alert (not opened by a rule) and its event."""
        stamp = now_us()
        if new:
            repo.insert_row(session, repo.alerts, name=alert.name, dedup_key=alert.dedup_key,
                            open_dedup_key=alert.dedup_key, state=alert.state, model_name=alert.model_name,
                            model_version=alert.model_version, monitor="", alert_rule="", feature="",
                            metric_kind=alert.metric.kind, routed_team=alert.routed_team, severity=alert.severity,
                            false_streak=0, create_us=stamp, update_us=stamp, body=b"")
        self._save(session, alert, stamp, 0, previous, kind, actor="")

    # --- people ------------------------------------------------------------------------------------

    def _load(self, session: Session, name: str) -> tuple[alerts_pb2.Alert, object]:
        row = repo.get_row_for_update(session, repo.alerts, name=name)
        if row is None:
            raise NotFound("alert", name)
        return alerts_pb2.Alert.FromString(row.body), row

    def acknowledge(self, session: Session, name: str, comment: str) -> alerts_pb2.Alert:
        """A person is working on a firing or silenced alert."""
        alert, row = self._load(session, name)
        if alert.state not in (alerts_pb2.ALERT_STATE_FIRING, alerts_pb2.ALERT_STATE_SILENCED,
                               alerts_pb2.ALERT_STATE_ACKNOWLEDGED):
            raise _state_error(alert, "acknowledged", "FIRING or SILENCED")
        previous, stamp = alert.state, now_us()
        alert.state = alerts_pb2.ALERT_STATE_ACKNOWLEDGED
        alert.acknowledged_by = current_principal().subject
        alert.acknowledge_time.FromMicroseconds(stamp)
        alert.comment = comment or alert.comment
        self._save(session, alert, stamp, int(row.false_streak), previous,  # type: ignore[attr-defined]
                   alerts_pb2.ALERT_EVENT_KIND_ACKNOWLEDGED, alert.acknowledged_by)
        return alert

    def silence(self, session: Session, name: str, until_us: int, comment: str) -> alerts_pb2.Alert:
        """Suppress notifications until a time; a time not after now lifts the silence."""
        alert, row = self._load(session, name)
        if alert.state not in OPEN_STATES:
            raise _state_error(alert, "silenced", "open")
        previous, stamp = alert.state, now_us()
        if until_us > stamp + _MAX_SILENCE_US:
            raise InvalidArgument("silence_until", "expected a time at most 30 days ahead")
        if until_us <= stamp:
            if alert.state == alerts_pb2.ALERT_STATE_SILENCED:
                alert.state = alerts_pb2.ALERT_STATE_FIRING
            alert.ClearField("silenced_until")
        else:
            alert.state = alerts_pb2.ALERT_STATE_SILENCED
            alert.silenced_until.FromMicroseconds(until_us)
        alert.silenced_by = current_principal().subject
        alert.comment = comment or alert.comment
        self._save(session, alert, stamp, int(row.false_streak), previous,  # type: ignore[attr-defined]
                   alerts_pb2.ALERT_EVENT_KIND_SILENCED, alert.silenced_by)
        return alert

    def resolve(self, session: Session, name: str, comment: str, actor: str | None = None) -> alerts_pb2.Alert:
        """Close an open alert by hand (or because its rule went away)."""
        alert, row = self._load(session, name)
        if alert.state not in OPEN_STATES:
            raise _state_error(alert, "resolved", "open")
        previous, stamp = alert.state, now_us()
        alert.state = alerts_pb2.ALERT_STATE_RESOLVED
        alert.resolve_time.FromMicroseconds(stamp)
        alert.resolved_by = current_principal().subject if actor is None else actor
        alert.comment = comment or alert.comment
        self._save(session, alert, stamp, int(row.false_streak), previous,  # type: ignore[attr-defined]
                   alerts_pb2.ALERT_EVENT_KIND_RESOLVED, alert.resolved_by)
        return alert

    def resolve_rule(self, session: Session, rule_name: str, comment: str) -> None:
        """Resolve every open alert of a rule (disabled or deleted)."""
        names = session.execute(sa.select(repo.alerts.c.name).where(
            repo.alerts.c.alert_rule == rule_name, repo.alerts.c.open_dedup_key.is_not(None))).scalars().all()
        for name in names:
            self.resolve(session, name, comment, actor="")

    def resolve_monitor(self, session: Session, monitor: str, comment: str) -> None:
        """Resolve every open alert of a monitor."""
        names = session.execute(sa.select(repo.alerts.c.name).where(
            repo.alerts.c.monitor == monitor, repo.alerts.c.open_dedup_key.is_not(None))).scalars().all()
        for name in names:
            self.resolve(session, name, comment, actor="")


def decode(row: object) -> alerts_pb2.Alert:
    """An alert from its table row."""
    return alerts_pb2.Alert.FromString(row.body)  # type: ignore[attr-defined]


def _state_error(alert: alerts_pb2.Alert, verb: str, needed: str) -> FailedPrecondition:
    state = alerts_pb2.AlertState.Name(alert.state)
    return FailedPrecondition(f"alert {alert.name} is {state}; only {needed} alerts can be {verb}",
                              reason="ALERT_STATE", metadata={"name": alert.name, "state": state})


def _report_kind(rule: alerts_pb2.AlertRule) -> int:
    from sextant.monitoring.v1 import resources_pb2

    kind = rule.metric.kind
    if kind in (resources_pb2.METRIC_KIND_FEATURE_DRIFT, resources_pb2.METRIC_KIND_PREDICTION_DRIFT,
                resources_pb2.METRIC_KIND_DATASET_DRIFT_SHARE):
        return alerts_pb2.REPORT_KIND_DRIFT
    if kind in (resources_pb2.METRIC_KIND_PERFORMANCE_REALISED, resources_pb2.METRIC_KIND_PERFORMANCE_ESTIMATED,
                resources_pb2.METRIC_KIND_LABEL_COVERAGE):
        return alerts_pb2.REPORT_KIND_PERFORMANCE
    return alerts_pb2.REPORT_KIND_DATA_QUALITY


_OPERATORS = {1: ">", 2: ">=", 3: "<", 4: "<=", 5: "=="}


def _summary(rule: alerts_pb2.AlertRule, context: WindowContext, feature: str, value: float, windows: int) -> str:
    from sextant.monitoring.v1 import resources_pb2

    metric = resources_pb2.MetricKind.Name(rule.metric.kind).removeprefix("METRIC_KIND_").lower()
    subject = f"{feature} {metric}" if feature else metric
    return (f"{subject} {value:.4g} {_OPERATORS.get(rule.comparison, '?')} {rule.threshold:g} for {windows} "
            f"window(s) in {context.model_name} v{context.window.model_version}")  # type: ignore[attr-defined]
