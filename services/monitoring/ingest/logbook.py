"""Idempotent storage of prediction logs and outcomes.

Each stream message is stored in one transaction together with its windows' summaries, so an
acknowledged message is durable and a replayed one is recognised by (request_id, row_index) and
counted as duplicate, never twice. Outcomes join their prediction by the same key, in either order
of arrival.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection

from services.common.db import Database, RawTransaction
from services.monitoring import repository as repo
from services.monitoring.ingest.rows import OutcomeRecord, PredictionRows, Rejection
from services.monitoring.monitors import MonitorCatalog, MonitorView
from services.monitoring.naming import now_us
from services.monitoring.references import ReferenceBook
from services.monitoring.summaries.column import ColumnValues
from services.monitoring.summaries.reference import ReferenceLayout
from services.monitoring.summaries.window import WindowSummary, schema_errors
from services.monitoring.windows import WindowKeeper


@dataclass
class LogCounts:
    """What happened to the rows of one or more messages."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    quality_errors: int = 0
    rejections: list[Rejection] = field(default_factory=list)


@dataclass
class OutcomeCounts:
    """What happened to the outcomes of one call."""

    accepted: int = 0
    duplicates: int = 0
    updated: int = 0
    unmatched: int = 0


def _arrow_column(values: ColumnValues) -> pa.Array:
    if values.strings is not None and values.is_string.any():
        texts = [s if t else (repr(float(n)) if k else None)
                 for s, t, n, k in zip(values.strings.tolist(), values.is_string.tolist(), values.numbers.tolist(),
                                       values.is_number.tolist(), strict=True)]
        return pa.array(texts, pa.string())
    return pa.array(values.numbers, pa.float64(), mask=~values.is_number)


def _text_column(texts: list[str | None]) -> pa.Array:
    # One value in every row (a table message's deployment, labels never set) is repeated without
    # converting each row; the column's IPC bytes are the same.
    if texts and texts.count(texts[0]) == len(texts):
        if texts[0] is None:
            return pa.nulls(len(texts), pa.string())
        return pa.repeat(pa.scalar(texts[0], pa.string()), len(texts))
    return pa.array(texts, pa.string())


def batch_ipc(rows: PredictionRows) -> bytes:
    """All the rows' columns as an Arrow IPC stream: inputs ("in:"), outputs ("out:") and the payload.

    The payload columns (repository.PAYLOAD_COLUMNS) hold what performance reports and time-range
    reads need per row, so the database keeps only a key row per prediction.
    """
    arrays = {f"in:{k}": _arrow_column(v) for k, v in rows.inputs.items()}
    arrays.update({f"out:{k}": _arrow_column(v) for k, v in rows.outputs.items()})
    value = rows.predicted_value
    arrays.update({
        "__prediction_us": pa.array(rows.prediction_us, pa.int64()),
        "__deployment": _text_column(rows.deployment),
        "__predicted_label": _text_column(rows.predicted_label),
        "__predicted_value": pa.array(value, pa.float64(), mask=np.isnan(value)),
        "__probabilities": (pa.nulls(rows.size, pa.string()) if rows.probabilities.count(None) == rows.size
                            else pa.array([json.dumps(p) if p else None for p in rows.probabilities], pa.string())),
        "__status_code": pa.array(rows.status_code, pa.int64()),
    })
    table = pa.table(arrays)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


class _MessageSummary:
    """The summary of all of a message's rows, made when a window first asks for it.

    A window takes it when the rows all fall in it (not when they start a new window part way),
    so a message split over two windows is summarised once per part only; the schema-error mask
    the summary yields also counts the message's data-quality errors.
    """

    def __init__(self, rows: PredictionRows, layout: ReferenceLayout | None, *, exact_limit: int,
                 max_categories: int, exact_budget: int) -> None:
        self._rows = rows
        self._layout = layout
        self._exact_limit = exact_limit
        self._max_categories = max_categories
        self._exact_budget = exact_budget
        self.made: WindowSummary | None = None
        self.schema_error = np.zeros(0, bool)

    def __call__(self) -> WindowSummary:
        if self.made is None:
            self.made = WindowSummary()
            self.schema_error = self.made.add(self._rows, self._layout, exact_limit=self._exact_limit,
                                              max_categories=self._max_categories, exact_budget=self._exact_budget)
        return self.made


def _watched_rows(view: MonitorView, rows: PredictionRows) -> np.ndarray:
    """Which rows belong to the monitor's traffic (by their alias and deployment)."""
    accepted = {combo: view.watches(rows.model_name, rows.model_version, *combo)
                for combo in set(zip(rows.alias, rows.deployment, strict=True))}
    if all(accepted.values()):
        return np.ones(rows.size, bool)
    return np.asarray([accepted[combo] for combo in zip(rows.alias, rows.deployment, strict=True)], dtype=bool)


class PredictionLog:
    """Stores predictions and outcomes and folds predictions into the monitors' windows."""

    def __init__(self, database: Database, references: ReferenceBook, monitors: MonitorCatalog,
                 windows: WindowKeeper, *, exact_limit: int, exact_budget: int, max_categories: int) -> None:
        self._db = database
        self._references = references
        self._monitors = monitors
        self._windows = windows
        self._exact_limit = exact_limit
        self._exact_budget = exact_budget
        self._max_categories = max_categories

    def log(self, groups: list[PredictionRows], counts: LogCounts, message_index: int = 0) -> None:
        """Store the row groups of one message in one transaction and update ``counts``.

        Rows of a model version the registry answered does not exist are rejected; while the
        registry cannot be reached they are accepted.
        """
        layouts = {}
        known = []
        for group in groups:
            cached = self._references.cached(group.model_name, group.model_version)
            if cached is None and self._references.unknown(group.model_name, group.model_version):
                counts.rejected += group.size
                counts.rejections.extend(Rejection(
                    message_index, int(group.positions[i]), "UNKNOWN_MODEL_VERSION", "model_version",
                    f"the registry has no version {group.model_version} of {group.model_name}",
                    request_id=group.request_id[i], row_index=int(group.row_index[i])) for i in range(group.size))
                continue
            known.append(group)
            layouts[(group.model_name, group.model_version)] = cached[0] if cached else None
        groups = known
        if not groups:
            return
        # A message no monitor watches needs only its keys and batch stored, which a raw driver
        # transaction does for a fraction of a session's cost. When a monitor watches it, nothing is
        # written there and a session (which the windows and their alert rules need) stores it all.
        with self._db.append_transaction() as transaction:
            if not any(self._watching(transaction, group) for group in groups):
                for group in groups:
                    stored = self._store(transaction, group, counts)
                    if stored is not None:
                        layout = layouts[(group.model_name, group.model_version)]
                        self._count(stored[0], schema_errors(stored[0], layout), counts)
                return
        with self._db.write() as session:
            connection = session.connection()
            for group in groups:
                stored = self._store(connection, group, counts)
                if stored is None:
                    continue
                rows, seqs = stored
                layout = layouts[(group.model_name, group.model_version)]
                whole = _MessageSummary(rows, layout, exact_limit=self._exact_limit,
                                        max_categories=self._max_categories, exact_budget=self._exact_budget)
                taker: _MessageSummary | None = whole
                for view, watched in self._watching(connection, rows):
                    if watched.all():
                        # A window may take over the objects of the summary it merges, so the
                        # summary of the whole message serves one monitor; others summarise anew.
                        self._windows.assign(session, view, rows, seqs, layout, taker)
                        taker = None
                    else:
                        picked = np.flatnonzero(watched)
                        self._windows.assign(session, view, rows.take(picked), seqs[picked], layout, None)
                self._count(rows, whole.schema_error if whole.made else schema_errors(rows, layout), counts)

    def _watching(self, connection: Connection | RawTransaction, rows: PredictionRows
                  ) -> list[tuple[MonitorView, np.ndarray]]:
        """(monitor, which rows it watches) of every monitor watching some of the rows."""
        watching = []
        for view in self._monitors.views_for_model(connection, rows.model_name):
            watched = _watched_rows(view, rows)
            if watched.any():
                watching.append((view, watched))
        return watching

    @staticmethod
    def _store(connection: Connection | RawTransaction, group: PredictionRows, counts: LogCounts
               ) -> tuple[PredictionRows, np.ndarray] | None:
        """Store the group's new keys and its batch: (the rows new, their sequence numbers), None if none is."""
        size = group.size
        first, fresh = repo.insert_new_keys(connection, group.request_id, group.row_index.tolist())
        counts.duplicates += size - fresh.size
        if not fresh.size:
            return None
        rows = group if fresh.size == size else group.take(fresh)
        seqs = fresh + first
        repo.insert_batch(connection, group.model_name, group.model_version, now_us(), batch_ipc(group), first,
                          seqs, rows.prediction_us)
        return rows, seqs

    @staticmethod
    def _count(rows: PredictionRows, schema_error: np.ndarray, counts: LogCounts) -> None:
        """Count the accepted rows and their data-quality errors (rows with a schema error)."""
        counts.accepted += rows.size
        counts.quality_errors += int(schema_error.sum())

    def log_outcomes(self, outcomes: list[OutcomeRecord]) -> OutcomeCounts:
        """Store outcomes, replacing a different earlier outcome of the same prediction."""
        counts = OutcomeCounts()
        keys = [(o.request_id, o.row_index) for o in outcomes]
        with self._db.write() as session:
            existing = repo.existing_outcomes(session, keys)
            matched = repo.matched_prediction_keys(session, keys)
            for outcome, key in zip(outcomes, keys, strict=True):
                previous = existing.get(key)
                values = {"request_id": outcome.request_id, "row_index": outcome.row_index,
                          "class_label": outcome.class_label, "value": outcome.value,
                          "outcome_us": outcome.outcome_us}
                if previous is not None and (previous.class_label, previous.value) == (outcome.class_label,
                                                                                       outcome.value):
                    counts.duplicates += 1
                    continue
                repo.upsert_outcome(session, values, exists=previous is not None)
                existing[key] = SimpleNamespace(**values)
                if previous is not None:
                    counts.updated += 1
                else:
                    counts.accepted += 1
                    if key not in matched:
                        counts.unmatched += 1
        return counts
