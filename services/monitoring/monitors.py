"""Monitors: which model traffic is cut into which windows, and how drift is measured."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from services.common.auth import current_principal
from services.common.db import Database, RawTransaction
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.fieldmask import checked_paths
from services.monitoring import repository as repo
from services.monitoring.drift.report import DriftOverride
from services.monitoring.naming import check_etag, check_name, etag_of, now_us
from sextant.monitoring.v1 import resources_pb2

DEFAULT_ALIAS = "production"
DEFAULT_MIN_ROWS = 30
_METHOD_NAMES = {
    resources_pb2.DRIFT_METHOD_KOLMOGOROV_SMIRNOV: "ks",
    resources_pb2.DRIFT_METHOD_CHI_SQUARE: "chi_square",
    resources_pb2.DRIFT_METHOD_Z_TEST: "z_test",
    resources_pb2.DRIFT_METHOD_WASSERSTEIN_NORMED: "wasserstein_normed",
    resources_pb2.DRIFT_METHOD_JENSEN_SHANNON: "jensen_shannon",
    resources_pb2.DRIFT_METHOD_PSI: "psi",
}
METHOD_ENUMS = {name: number for number, name in _METHOD_NAMES.items()}
# Models whose parsed monitors are remembered for ingest; beyond that the memory starts over.
_MAX_REMEMBERED_MODELS = 1_000
_UPDATABLE = {"description", "deployment", "window", "features", "drift", "paused", "labels", "drift.overrides",
              "drift.drift_share_threshold", "window.min_rows", "alias", "model_version"}


@dataclass(frozen=True)
class MonitorView:
    """A stored monitor with what the windows say about it."""

    monitor: resources_pb2.Monitor

    @property
    def name(self) -> str:
        """The monitor's name."""
        return self.monitor.name

    @property
    def min_rows(self) -> int:
        """The fewest rows a window needs for drift and performance."""
        return self.monitor.window.min_rows or DEFAULT_MIN_ROWS

    @property
    def alias(self) -> str | None:
        """The followed alias, or None when a fixed version is watched."""
        target = self.monitor.WhichOneof("target")
        if target == "model_version":
            return None
        return self.monitor.alias if target == "alias" else DEFAULT_ALIAS

    def overrides(self) -> dict[str, DriftOverride]:
        """Drift overrides by column."""
        return {o.feature: DriftOverride(_METHOD_NAMES.get(o.method),
                                         o.threshold if o.HasField("threshold") else None)
                for o in self.monitor.drift.overrides}

    def watches(self, model_name: str, version: int, alias: str, deployment: str) -> bool:
        """Whether a logged row belongs to this monitor's traffic."""
        monitor = self.monitor
        if monitor.paused or monitor.model_name != model_name:
            return False
        if monitor.deployment and monitor.deployment != deployment:
            return False
        followed = self.alias
        return version == monitor.model_version if followed is None else alias == followed


def validate_monitor(monitor: resources_pb2.Monitor, prefix: str = "monitor") -> None:
    """INVALID_ARGUMENT naming the first bad field of a monitor."""
    check_name(f"{prefix}.name", monitor.name)
    if not monitor.model_name:
        raise InvalidArgument(f"{prefix}.model_name", "expected the registered model to watch")
    target = monitor.WhichOneof("target")
    if target == "model_version" and monitor.model_version <= 0:
        raise InvalidArgument(f"{prefix}.model_version", "expected a version number of 1 or more")
    if target == "alias" and not monitor.alias:
        raise InvalidArgument(f"{prefix}.alias", "expected an alias name")
    size = monitor.window.WhichOneof("size")
    if size is None:
        raise InvalidArgument(f"{prefix}.window", "expected a window size: duration or row_count")
    if size == "duration" and monitor.window.duration.ToMicroseconds() <= 0:
        raise InvalidArgument(f"{prefix}.window.duration", "expected a positive duration")
    if size == "row_count" and monitor.window.row_count <= 0:
        raise InvalidArgument(f"{prefix}.window.row_count", "expected a positive number of rows")
    if monitor.window.min_rows < 0:
        raise InvalidArgument(f"{prefix}.window.min_rows", "expected 0 (server default) or a positive number")
    share = monitor.drift.drift_share_threshold
    if not 0 <= share <= 1:
        raise InvalidArgument(f"{prefix}.drift.drift_share_threshold", "expected a share between 0 and 1")
    seen = set()
    for i, override in enumerate(monitor.drift.overrides):
        field = f"{prefix}.drift.overrides[{i}]"
        if not override.feature or override.feature in seen:
            raise InvalidArgument(f"{field}.feature", "expected a column named once")
        seen.add(override.feature)
        if override.method not in _METHOD_NAMES and override.method != resources_pb2.DRIFT_METHOD_UNSPECIFIED:
            raise InvalidArgument(f"{field}.method", "expected a known drift method")
        if override.HasField("threshold") and override.threshold < 0:
            raise InvalidArgument(f"{field}.threshold", "expected a non-negative threshold")


class MonitorCatalog:
    """Create, read, change and delete monitors."""

    def __init__(self, database: Database) -> None:
        self._db = database
        # The last views_for_model answer per model with the stored bodies it was parsed from.
        self._views: dict[str, tuple[list[bytes], list[MonitorView]]] = {}

    def create(self, monitor: resources_pb2.Monitor, *, default_created: bool = False) -> resources_pb2.Monitor:
        """Store a new monitor."""
        validate_monitor(monitor)
        stored = resources_pb2.Monitor()
        stored.CopyFrom(monitor)
        for output_only in ("default_created", "current_model_version", "last_window_index", "etag",
                            "create_time", "update_time", "creator", "updated_by"):
            stored.ClearField(output_only)
        stamp = now_us()
        stored.create_time.FromMicroseconds(stamp)
        stored.update_time.FromMicroseconds(stamp)
        stored.creator = stored.updated_by = current_principal().subject
        stored.default_created = default_created
        with self._db.write() as session:
            if repo.get_row(session, repo.monitors, name=stored.name) is not None:
                raise AlreadyExists(f"monitor {stored.name!r} already exists", reason="MONITOR_EXISTS",
                                    metadata={"name": stored.name})
            repo.insert_row(session, repo.monitors, name=stored.name, model_name=stored.model_name,
                            deployment=stored.deployment, body=stored.SerializeToString(), create_us=stamp,
                            update_us=stamp)
        return self.get(stored.name)

    def get(self, name: str) -> resources_pb2.Monitor:
        """One monitor with its output-only fields filled in."""
        with self._db.read() as session:
            row = repo.get_row(session, repo.monitors, name=name)
            if row is None:
                raise NotFound("monitor", name)
            return self._decorate(session, row)

    def _decorate(self, session: sa.orm.Session, row: object) -> resources_pb2.Monitor:
        monitor = resources_pb2.Monitor.FromString(row.body)  # type: ignore[attr-defined]
        monitor.etag = etag_of(row.body)  # type: ignore[attr-defined]
        latest = session.execute(sa.select(repo.windows.c.model_version).where(repo.windows.c.monitor == monitor.name)
                                 .order_by(repo.windows.c.window_index.desc()).limit(1)).scalar()
        complete = session.execute(sa.select(sa.func.max(repo.windows.c.window_index))
                                   .where(repo.windows.c.monitor == monitor.name, repo.windows.c.complete)).scalar()
        monitor.current_model_version = int(latest or (monitor.model_version if monitor.WhichOneof("target")
                                                       == "model_version" else 0))
        monitor.last_window_index = int(complete or 0)
        return monitor

    def views_for_model(self, connection: sa.Connection | RawTransaction, model_name: str) -> list[MonitorView]:
        """Every monitor of a model, inside the caller's transaction (a session's connection or a raw one).

        Ingest asks for every message: the stored bodies are read each time (so a monitor created,
        changed or deleted by any replica counts from the next message on), but parsed only when
        they differ from the last answer for the model.
        """
        bodies = repo.monitor_bodies(connection, model_name)
        known = self._views.get(model_name)
        if known is not None and known[0] == bodies:
            return list(known[1])
        views = [MonitorView(resources_pb2.Monitor.FromString(body)) for body in bodies]
        if len(self._views) >= _MAX_REMEMBERED_MODELS:
            self._views.clear()
        self._views[model_name] = (bodies, views)
        return list(views)

    def view(self, session: sa.orm.Session, name: str) -> MonitorView:
        """One monitor inside the caller's transaction."""
        row = repo.get_row(session, repo.monitors, name=name)
        if row is None:
            raise NotFound("monitor", name)
        return MonitorView(resources_pb2.Monitor.FromString(row.body))

    def list(self, model_name: str, deployment: str, after: tuple[object, ...] | None, size: int
             ) -> list[resources_pb2.Monitor]:
        """Monitors ordered by name."""
        where = []
        if model_name:
            where.append(repo.monitors.c.model_name == model_name)
        if deployment:
            where.append(repo.monitors.c.deployment == deployment)
        with self._db.read() as session:
            rows = repo.page(session, repo.monitors, [repo.monitors.c.name], ["name"], after, size, where)
            return [self._decorate(session, r) for r in rows]

    def update(self, monitor: resources_pb2.Monitor, paths: list[str]) -> resources_pb2.Monitor:
        """Change the fields named in ``paths``."""
        checked_paths(paths, _UPDATABLE)
        with self._db.write() as session:
            row = repo.get_row_for_update(session, repo.monitors, name=monitor.name)
            if row is None:
                raise NotFound("monitor", monitor.name)
            check_etag("monitor", monitor.name, monitor.etag, etag_of(row.body))
            stored = resources_pb2.Monitor.FromString(row.body)
            for path in paths:
                top = path.split(".")[0]
                if path == "drift.overrides":
                    del stored.drift.overrides[:]
                    stored.drift.overrides.extend(monitor.drift.overrides)
                elif path == "drift.drift_share_threshold":
                    stored.drift.drift_share_threshold = monitor.drift.drift_share_threshold
                elif path == "window.min_rows":
                    stored.window.min_rows = monitor.window.min_rows
                elif top in ("alias", "model_version"):
                    setattr(stored, top, getattr(monitor, top))
                elif top in ("features",):
                    del stored.features[:]
                    stored.features.extend(monitor.features)
                elif top == "labels":
                    stored.labels.clear()
                    stored.labels.update(monitor.labels)
                else:
                    field = stored.DESCRIPTOR.fields_by_name[top]
                    if field.message_type is not None:
                        getattr(stored, top).CopyFrom(getattr(monitor, top))
                    else:
                        setattr(stored, top, getattr(monitor, top))
            validate_monitor(stored)
            stamp = now_us()
            stored.update_time.FromMicroseconds(stamp)
            stored.updated_by = current_principal().subject
            repo.update_row(session, repo.monitors, {"name": stored.name}, body=stored.SerializeToString(),
                            deployment=stored.deployment, update_us=stamp)
        return self.get(monitor.name)

    def delete(self, name: str, etag: str, force: bool) -> list[str]:
        """Delete a monitor and its windows; returns the names of the rules deleted with it."""
        with self._db.write() as session:
            row = repo.get_row_for_update(session, repo.monitors, name=name)
            if row is None:
                raise NotFound("monitor", name)
            check_etag("monitor", name, etag, etag_of(row.body))
            rules = session.execute(sa.select(repo.alert_rules.c.name)
                                    .where(repo.alert_rules.c.monitor == name)).scalars().all()
            if rules and not force:
                raise FailedPrecondition(f"alert rules use monitor {name!r}; delete them or pass force",
                                         reason="MONITOR_IN_USE", metadata={"name": name, "rules": ",".join(rules)})
            repo.delete_rows(session, repo.windows, monitor=name)
            repo.delete_rows(session, repo.monitors, name=name)
        return list(rules)
