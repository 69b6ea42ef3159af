"""Alert rules: a metric of a monitor's windows, a condition, `for` N windows, severity, action."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from services.common.auth import current_principal
from services.common.db import Database
from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.common.fieldmask import checked_paths
from services.monitoring import repository as repo
from services.monitoring.analysis import PER_FEATURE_KINDS
from services.monitoring.naming import check_etag, check_name, etag_of, now_us
from sextant.monitoring.v1 import alerts_pb2, resources_pb2
from sextant.type.v1 import model_pb2

_PERFORMANCE_KINDS = {resources_pb2.METRIC_KIND_PERFORMANCE_REALISED, resources_pb2.METRIC_KIND_PERFORMANCE_ESTIMATED}
_UPDATABLE = {"description", "metric", "comparison", "threshold", "baseline", "for_windows",
              "resolve_after_windows", "severity", "action", "route_team", "disabled", "labels"}


def validate_selector(selector: resources_pb2.MetricSelector, field: str, *, in_rule: bool) -> None:
    """INVALID_ARGUMENT naming the first incomplete part of a metric selector."""
    if selector.kind == resources_pb2.METRIC_KIND_UNSPECIFIED or selector.kind not in resources_pb2.MetricKind.values():
        raise InvalidArgument(f"{field}.kind", "expected a metric kind")
    if selector.kind == resources_pb2.METRIC_KIND_MODEL_STALE:
        raise InvalidArgument(f"{field}.kind", "METRIC_KIND_MODEL_STALE is only used by system alerts")
    if selector.kind in _PERFORMANCE_KINDS and selector.performance_metric == resources_pb2.PERFORMANCE_METRIC_UNSPECIFIED:
        raise InvalidArgument(f"{field}.performance_metric", "expected the performance metric")
    if selector.feature and selector.kind not in PER_FEATURE_KINDS | {resources_pb2.METRIC_KIND_PREDICTION_DRIFT}:
        raise InvalidArgument(f"{field}.feature", "only per-column metric kinds take a feature")
    if not 0 <= selector.latency_quantile < 1:
        raise InvalidArgument(f"{field}.latency_quantile", "expected a quantile between 0 and 1")


def validate_rule(rule: alerts_pb2.AlertRule) -> None:
    """INVALID_ARGUMENT naming the first bad field of a rule."""
    check_name("alert_rule.name", rule.name)
    if not rule.monitor:
        raise InvalidArgument("alert_rule.monitor", "expected the monitor the rule evaluates")
    validate_selector(rule.metric, "alert_rule.metric", in_rule=True)
    if rule.comparison == model_pb2.COMPARISON_OPERATOR_UNSPECIFIED:
        raise InvalidArgument("alert_rule.comparison", "expected a comparison operator")
    if rule.for_windows < 0:
        raise InvalidArgument("alert_rule.for_windows", "expected 0 or more windows")
    if rule.resolve_after_windows < 0:
        raise InvalidArgument("alert_rule.resolve_after_windows", "expected 0 or more windows")
    if rule.threshold != rule.threshold:
        raise InvalidArgument("alert_rule.threshold", "expected a number")
    if rule.route_team and len(rule.route_team) > 200:
        raise InvalidArgument("alert_rule.route_team", "expected at most 200 characters")


class RuleCatalog:
    """Create, read, change and delete alert rules."""

    def __init__(self, database: Database, monitor_exists: Callable[[str], str]) -> None:
        self._db = database
        # Returns the monitor's model name or raises NotFound.
        self._monitor_model = monitor_exists

    def create(self, rule: alerts_pb2.AlertRule, *, default_created: bool = False) -> alerts_pb2.AlertRule:
        """Store a new rule at revision 1."""
        validate_rule(rule)
        model_name = self._monitor_model(rule.monitor)
        stored = alerts_pb2.AlertRule()
        stored.CopyFrom(rule)
        for output_only in ("revision", "etag", "create_time", "update_time", "creator", "updated_by"):
            stored.ClearField(output_only)
        stored.default_created = default_created
        stored.revision = 1
        stamp = now_us()
        stored.create_time.FromMicroseconds(stamp)
        stored.update_time.FromMicroseconds(stamp)
        stored.creator = stored.updated_by = current_principal().subject
        with self._db.write() as session:
            if repo.get_row(session, repo.alert_rules, name=stored.name) is not None:
                raise AlreadyExists(f"alert rule {stored.name!r} already exists", reason="ALERT_RULE_EXISTS",
                                    metadata={"name": stored.name})
            body = stored.SerializeToString()
            repo.insert_row(session, repo.alert_rules, name=stored.name, monitor=stored.monitor,
                            model_name=model_name, metric_kind=stored.metric.kind, severity=stored.severity,
                            body=body, create_us=stamp)
        stored.etag = etag_of(body)
        return stored

    def get(self, name: str) -> alerts_pb2.AlertRule:
        """One rule."""
        with self._db.read() as session:
            row = repo.get_row(session, repo.alert_rules, name=name)
        if row is None:
            raise NotFound("alert_rule", name)
        return _decode(row)

    def for_monitor(self, session: sa.orm.Session, monitor: str) -> list[alerts_pb2.AlertRule]:
        """The rules of a monitor inside the caller's transaction."""
        rows = session.execute(sa.select(repo.alert_rules).where(repo.alert_rules.c.monitor == monitor)
                               .order_by(repo.alert_rules.c.name)).all()
        return [_decode(r) for r in rows]

    def list(self, monitor: str, model_name: str, metric_kind: int, order_by: str,
             after: tuple[object, ...] | None, size: int) -> list[alerts_pb2.AlertRule]:
        """Rules, filtered and ordered (`name`, `create_time` or `severity desc`)."""
        table = repo.alert_rules
        where = []
        if monitor:
            where.append(table.c.monitor == monitor)
        if model_name:
            where.append(table.c.model_name == model_name)
        if metric_kind:
            where.append(table.c.metric_kind == metric_kind)
        if order_by in ("", "name"):
            keys, order, descending = ["name"], [table.c.name], False
        elif order_by == "create_time":
            keys, order, descending = ["create_us", "name"], [table.c.create_us, table.c.name], False
        elif order_by == "severity desc":
            keys, order, descending = ["severity", "name"], [table.c.severity.desc(), table.c.name.desc()], True
        else:
            raise InvalidArgument("order_by", "expected `name`, `create_time` or `severity desc`")
        with self._db.read() as session:
            rows = repo.page(session, table, order, keys, after, size, where, descending)
        return [_decode(r) for r in rows]

    def update(self, rule: alerts_pb2.AlertRule, paths: list[str]) -> alerts_pb2.AlertRule:
        """Change the fields named in ``paths`` and increment the revision."""
        checked_paths(paths, _UPDATABLE, nested=True)
        with self._db.write() as session:
            row = repo.get_row_for_update(session, repo.alert_rules, name=rule.name)
            if row is None:
                raise NotFound("alert_rule", rule.name)
            check_etag("alert_rule", rule.name, rule.etag, etag_of(row.body))
            stored = alerts_pb2.AlertRule.FromString(row.body)
            for path in {p.split(".")[0] for p in paths}:
                field = stored.DESCRIPTOR.fields_by_name[path]
                if path == "labels":
                    stored.labels.clear()
                    stored.labels.update(rule.labels)
                elif field.message_type is not None:
                    getattr(stored, path).CopyFrom(getattr(rule, path))
                else:
                    setattr(stored, path, getattr(rule, path))
            validate_rule(stored)
            stored.revision += 1
            stamp = now_us()
            stored.update_time.FromMicroseconds(stamp)
            stored.updated_by = current_principal().subject
            body = stored.SerializeToString()
            repo.update_row(session, repo.alert_rules, {"name": stored.name}, body=body,
                            metric_kind=stored.metric.kind, severity=stored.severity)
        stored.etag = etag_of(body)
        return stored

    def delete(self, session: sa.orm.Session, name: str, etag: str) -> alerts_pb2.AlertRule:
        """Delete a rule inside the caller's transaction; returns it."""
        row = repo.get_row_for_update(session, repo.alert_rules, name=name)
        if row is None:
            raise NotFound("alert_rule", name)
        check_etag("alert_rule", name, etag, etag_of(row.body))
        repo.delete_rows(session, repo.alert_rules, name=name)
        return _decode(row)


def _decode(row: object) -> alerts_pb2.AlertRule:
    rule = alerts_pb2.AlertRule.FromString(row.body)  # type: ignore[attr-defined]
    rule.etag = etag_of(row.body)  # type: ignore[attr-defined]
    return rule
