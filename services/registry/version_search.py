"""ListModelVersions: filters, ordering and keyset pagination over model versions.

Every ordering ends with the version's row id, so the keyset is total; a metric ordering sorts
versions without the metric last whatever the direction (a "missing" flag before the value).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.common.db import Database
from services.common.errors import InvalidArgument
from services.common.pagination import next_page_token, page_request
from services.registry.model_catalog import ModelCatalog, decode_times, parse_order
from services.registry.records import ModelVersion, check_name
from services.registry.repository import (
    RegistryRepository,
    aliases_t,
    keyset_after,
    models_t,
    tag_exists,
    version_features_t,
    version_metrics_t,
    version_select,
    versions_t,
)

_ORDER_KEYS = ("create_time", "version", "model_name", "metrics.")
_OPERATORS = {
    "GREATER_THAN": lambda c, v: c > v,
    "GREATER_THAN_OR_EQUAL": lambda c, v: c >= v,
    "LESS_THAN": lambda c, v: c < v,
    "LESS_THAN_OR_EQUAL": lambda c, v: c <= v,
    "EQUAL": lambda c, v: c == v,
}


@dataclass(frozen=True)
class VersionQuery:
    """The filters of a version search; empty values filter nothing."""

    model_name: str = ""
    statuses: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    alias: str = ""
    stale: bool | None = None
    #: (metric, operator name such as ``GREATER_THAN``, threshold)
    metrics: tuple[tuple[str, str, float], ...] = ()
    create_time_start: datetime | None = None
    create_time_end: datetime | None = None
    feature_view: str = ""
    training_job_id: str = ""
    order_by: str = ""

    def digest_fields(self) -> dict[str, Any]:
        """What a page token must have been issued for."""
        return {"model_name": self.model_name, "statuses": sorted(self.statuses), "tags": sorted(self.tags),
                "alias": self.alias, "stale": self.stale, "metrics": sorted(self.metrics),
                "start": str(self.create_time_start), "end": str(self.create_time_end),
                "feature_view": self.feature_view, "training_job_id": self.training_job_id,
                "order_by": self.order_by}


class VersionSearch:
    """Searches model versions across one or all models."""

    def __init__(self, database: Database, repository: RegistryRepository, catalog: ModelCatalog) -> None:
        self._db = database
        self._repo = repository
        self._catalog = catalog

    def search(self, query: VersionQuery, *, page_size: int, page_token: str) -> tuple[list[ModelVersion], str]:
        """One page of matching versions, with their aliases, tags and metrics."""
        order = parse_order(query.order_by, _ORDER_KEYS) or [("create_time", True)]
        filters = query.digest_fields()
        page = page_request(page_size, page_token, filters, default=100)
        select = version_select()
        conditions: list[Any] = []
        with self._db.read() as session:
            if query.model_name:
                check_name(query.model_name, "model_name")
                conditions.append(models_t.c.name == query.model_name)
            if query.statuses:
                conditions.append(versions_t.c.status.in_(query.statuses))
            conditions.extend(tag_exists(key, value) for key, value in query.tags)
            if query.alias:
                check_name(query.alias, "alias")
                conditions.append(sa.exists().where(aliases_t.c.model_id == versions_t.c.model_id,
                                                    aliases_t.c.version == versions_t.c.version,
                                                    aliases_t.c.alias == query.alias))
            if query.stale is not None:
                conditions.append(versions_t.c.stale == query.stale)
            for i, (metric, operator, threshold) in enumerate(query.metrics):
                if not metric:
                    raise InvalidArgument(f"metrics[{i}].metric", "expected a metric name")
                compare = _OPERATORS.get(operator)
                if compare is None:
                    raise InvalidArgument(f"metrics[{i}].comparison", "expected a comparison operator")
                conditions.append(sa.exists().where(version_metrics_t.c.version_id == versions_t.c.id,
                                                    version_metrics_t.c.name == metric,
                                                    compare(version_metrics_t.c.value, threshold)))
            if query.create_time_start is not None:
                conditions.append(versions_t.c.create_time >= query.create_time_start)
            if query.create_time_end is not None:
                conditions.append(versions_t.c.create_time < query.create_time_end)
            if query.feature_view:
                conditions.append(sa.exists().where(version_features_t.c.version_id == versions_t.c.id,
                                                    version_features_t.c.feature_view == query.feature_view))
            if query.training_job_id:
                conditions.append(versions_t.c.training_job_id == query.training_job_id)
            filtered = {metric for metric, _, _ in query.metrics}
            keys, time_positions, select = _order_keys(order, select, filtered)
            after = decode_times(page.after, time_positions) if page.after else None
            if after is not None:
                conditions.append(keyset_after(keys, after))
            labelled = [expr.label(f"k{i}") for i, (expr, _) in enumerate(keys)]
            statement = (select.add_columns(*labelled).where(*conditions)
                         .order_by(*[expr.desc() if desc else expr.asc() for expr, desc in keys])
                         .limit(page.size + 1))
            rows = session.execute(statement).all()
            if not rows and query.model_name:
                self._catalog.model_row(session, query.model_name)  # NOT_FOUND for an unknown model
            versions = self._repo.versions_from_rows(session, rows[:page.size])
        token = ""
        if len(rows) > page.size:
            last = rows[page.size - 1]
            token = next_page_token(tuple(_plain(getattr(last, f"k{i}")) for i in range(len(keys))), filters)
        return versions, token


def _order_keys(order: list[tuple[str, bool]], select: sa.Select,
                filtered_metrics: set[str]) -> tuple[list[tuple[Any, bool]], list[int], sa.Select]:
    keys: list[tuple[Any, bool]] = []
    times: list[int] = []
    for key, descending in order:
        if key == "create_time":
            times.append(len(keys))
            keys.append((versions_t.c.create_time, descending))
        elif key == "version":
            keys.append((versions_t.c.version, descending))
        elif key == "model_name":
            keys.append((models_t.c.name, descending))
        else:
            metric = key.removeprefix("metrics.")
            joined = version_metrics_t.alias(f"order_{len(keys)}")
            on = sa.and_(joined.c.version_id == versions_t.c.id, joined.c.name == metric)
            if metric in filtered_metrics:
                # Every match has the metric (a filter requires it): an inner join lets the database walk
                # the (name, value) index in order and stop after one page.
                select = select.join(joined, on)
                keys.append((joined.c.value, descending))
                continue
            select = select.outerjoin(joined, on)
            keys.append((sa.case((joined.c.value.is_(None), 1), else_=0), False))
            keys.append((sa.func.coalesce(joined.c.value, 0.0), descending))
    keys.append((versions_t.c.id, False))
    return keys, times, select


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
