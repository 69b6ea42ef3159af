"""The offline engine interface: a point-in-time join of entity rows with one view's history.

Every engine receives the same inputs and must return the same answer (the conformance suite in
tests/conformance checks them case by case): for each entity row (``__row``, join keys,
``__event_ts``) the view row of that entity with ``ts - ttl <= event_ts <= ts`` (no lower bound
without TTL; with ``as_of_created`` also ``created_ts <= ts``) that has the latest event time,
ties broken by the latest created time; all features from that one row; nulls when none qualifies.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import pyarrow as pa

ROW = "__row"


@dataclass(frozen=True)
class ViewJob:
    """One view's part of a historical retrieval."""

    view: str
    files: tuple[str, ...]
    #: The columns each file holds (older versions' files may lack newer features: those read as null).
    file_columns: tuple[frozenset[str], ...]
    keys: tuple[str, ...]
    features: tuple[str, ...]
    feature_types: tuple[pa.DataType, ...]
    ttl_micros: int


class OfflineEngine(ABC):
    """Computes point-in-time joins over Parquet files."""

    name: str

    @abstractmethod
    def join(self, entities: pa.Table, job: ViewJob, as_of_created: bool) -> pa.Table:
        """The job's features for every entity row, in ``__row`` order (one row per entity row).

        ``entities`` holds ``__row`` (0..n-1, int64), the job's key columns and ``__event_ts``.
        """

    def close(self) -> None:  # noqa: B027 - an optional hook, not every backend holds resources
        """Release the engine's resources."""


def present_features(job: ViewJob) -> list[str]:
    """The job's features that at least one of its files holds."""
    held = frozenset().union(*job.file_columns) if job.file_columns else frozenset()
    return [f for f in job.features if f in held]


def complete(result: pa.Table, entities: pa.Table, job: ViewJob) -> pa.Table:
    """``result`` with every job feature, typed; features no file holds are all null."""
    n = entities.num_rows
    arrays = [result.column(f).cast(t) if f in result.column_names else pa.nulls(n, t)
              for f, t in zip(job.features, job.feature_types, strict=True)]
    return pa.table(arrays, names=list(job.features))


def empty_result(entities: pa.Table, job: ViewJob) -> pa.Table:
    """All-null features for every entity row (the view has no data)."""
    n = entities.num_rows
    return pa.table({f: pa.nulls(n, t) for f, t in zip(job.features, job.feature_types, strict=True)})
