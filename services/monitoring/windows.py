"""Tumbling windows per monitor: by a fixed number of rows (arrival order) or by time (epoch-aligned).

Each window holds one model version. Rows are folded into the window's summary in the same
transaction that stores them; a window completes when it is full (count windows), when its end has
passed by the grace period (time windows), or early when the followed alias moves to another
version. On completion the ``on_complete`` callback evaluates the monitor's alert rules.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.monitoring import repository as repo
from services.monitoring.ingest.rows import PredictionRows
from services.monitoring.monitors import MonitorView
from services.monitoring.naming import now_us
from services.monitoring.summaries.reference import ReferenceLayout
from services.monitoring.summaries.window import WindowSummary


@dataclass
class WindowRecord:
    """One stored window."""

    monitor: str
    index: int
    model_version: int
    start_us: int
    end_us: int
    first_seq: int | None
    last_seq: int | None
    row_count: int
    complete: bool
    summary: WindowSummary
    update_us: int

    @classmethod
    def from_row(cls, row: object, summary: WindowSummary | None = None) -> WindowRecord:
        """A window from its table row (``summary`` in place of the row's, when given)."""
        return cls(row.monitor, int(row.window_index), int(row.model_version), int(row.start_us),  # type: ignore[attr-defined]
                   int(row.end_us), row.first_seq, row.last_seq, int(row.row_count),  # type: ignore[attr-defined]
                   bool(row.complete),
                   summary if summary is not None else WindowSummary.from_bytes(row.summary),  # type: ignore[attr-defined]
                   int(row.update_us))  # type: ignore[attr-defined]

    def key(self) -> tuple[object, ...]:
        """Everything stored of the window but its summary."""
        return (self.monitor, self.index, self.model_version, self.start_us, self.end_us, self.first_seq,
                self.last_seq, self.row_count, self.complete, self.update_us)

    def values(self) -> dict[str, object]:
        """The table row of this window."""
        return {"monitor": self.monitor, "window_index": self.index, "model_version": self.model_version,
                "start_us": self.start_us, "end_us": self.end_us, "first_seq": self.first_seq,
                "last_seq": self.last_seq, "row_count": self.row_count, "complete": self.complete,
                "summary": self.summary.to_bytes(), "update_us": self.update_us}


CompletionCallback = Callable[[Session, MonitorView, WindowRecord], None]
# The window columns but the summary: enough to tell whether a remembered summary is the stored one.
_WITHOUT_SUMMARY = [column for column in repo.windows.c if column.key != "summary"]
# Open windows whose summaries are remembered; beyond that the memory starts over.
_MAX_OPEN_SUMMARIES = 1_000


class WindowKeeper:
    """Assigns rows to windows and completes windows."""

    def __init__(self, *, exact_limit: int, exact_budget: int, max_categories: int, grace_us: int) -> None:
        self._exact_limit = exact_limit
        self._exact_budget = exact_budget
        self._max_categories = max_categories
        self._grace_us = grace_us
        self.on_complete: CompletionCallback = lambda _s, _m, _w: None
        # The summary of each open window as this process last saved it, keyed by (monitor, index),
        # with the rest of the row it was saved with: while the stored row still equals that, the
        # stored summary is this one, and the next message folds into it without reading and
        # parsing the blob again. An entry is taken out while in use, so a transaction that rolls
        # back leaves no summary behind that the database does not hold.
        self._open: dict[tuple[str, int], tuple[tuple[object, ...], WindowSummary]] = {}
        self._open_lock = threading.Lock()

    def _summarise(self, rows: PredictionRows, layout: ReferenceLayout | None) -> WindowSummary:
        summary = WindowSummary()
        summary.add(rows, layout, exact_limit=self._exact_limit, max_categories=self._max_categories,
                    exact_budget=self._exact_budget)
        return summary

    def _fold(self, summary: WindowSummary, rows: PredictionRows, layout: ReferenceLayout | None,
              whole: Callable[[], WindowSummary] | None) -> None:
        """Add ``rows`` to a window's summary: their own summary (``whole`` when given) merged in, or,
        when the window began under another layout (a reference set while it filled), counted straight
        into the window's column summaries, which keep the layout they began with until it completes."""
        part = whole() if whole is not None else self._summarise(rows, layout)
        if summary.same_layout(part):
            summary.merge(part)
        else:
            summary.add(rows, layout, exact_limit=self._exact_limit, max_categories=self._max_categories,
                        exact_budget=self._exact_budget)

    def assign(self, session: Session, view: MonitorView, rows: PredictionRows, seqs: np.ndarray,
               layout: ReferenceLayout | None, whole: Callable[[], WindowSummary] | None) -> None:
        """Fold rows (all of one version, in arrival order) into the monitor's windows.

        ``whole``, when given, makes the summary of all the rows, for rows that all fall in one
        window. That summary may become part of a window's summary, which this keeper remembers:
        it must be given to one monitor's windows only.
        """
        if view.monitor.window.WhichOneof("size") == "row_count":
            self._assign_by_count(session, view, rows, seqs, layout, whole)
        else:
            self._assign_by_time(session, view, rows, seqs, layout, whole)

    def _latest(self, session: Session, monitor: str) -> WindowRecord | None:
        """The monitor's latest window; the summary of a completed one is left empty (nothing adds to it)."""
        query = (sa.select(*_WITHOUT_SUMMARY).where(repo.windows.c.monitor == monitor)
                 .order_by(repo.windows.c.window_index.desc()).limit(1))
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        row = session.execute(query).first()
        return self._record(session, row, summary=not row.complete) if row is not None else None

    def _record(self, session: Session, row: object, *, summary: bool = True) -> WindowRecord:
        """The window of a row read without its summary, with the summary remembered or read and parsed."""
        window = WindowRecord.from_row(row, WindowSummary())
        with self._open_lock:
            remembered = self._open.pop((window.monitor, window.index), None)
        if remembered is not None and remembered[0] == window.key():
            window.summary = remembered[1]
        elif summary:
            full = repo.get_row(session, repo.windows, monitor=window.monitor, window_index=window.index)
            window = WindowRecord.from_row(full)
        return window

    def _save(self, session: Session, window: WindowRecord, new: bool) -> None:
        window.update_us = now_us()
        values = window.values()
        if new:
            repo.insert_row(session, repo.windows, **values)
        else:
            repo.update_window(session, values)
        with self._open_lock:
            if window.complete:
                self._open.pop((window.monitor, window.index), None)
                return
            if len(self._open) >= _MAX_OPEN_SUMMARIES:
                self._open.clear()
            self._open[(window.monitor, window.index)] = (window.key(), window.summary)

    def _complete(self, session: Session, view: MonitorView, window: WindowRecord, new: bool) -> None:
        window.complete = True
        self._save(session, window, new)
        self.on_complete(session, view, window)

    def _assign_by_count(self, session: Session, view: MonitorView, rows: PredictionRows, seqs: np.ndarray,
                         layout: ReferenceLayout | None, whole: Callable[[], WindowSummary] | None) -> None:
        capacity = int(view.monitor.window.row_count)
        latest = self._latest(session, view.name)
        position, total = 0, rows.size
        while position < total:
            new = False
            if latest is None or latest.complete or latest.model_version != rows.model_version:
                if latest is not None and not latest.complete:
                    self._complete(session, view, latest, new=False)
                index = latest.index + 1 if latest is not None else 1
                start = int(rows.prediction_us[position])
                latest = WindowRecord(view.name, index, rows.model_version, start, start + 1, int(seqs[position]),
                                      None, 0, False, WindowSummary(), 0)
                new = True
            take = min(capacity - latest.row_count, total - position)
            if position == 0 and take == total:
                self._fold(latest.summary, rows, layout, whole)
            else:
                self._fold(latest.summary, rows.take(np.arange(position, position + take)), layout, None)
            times = rows.prediction_us[position:position + take]
            latest.start_us = min(latest.start_us, int(times.min()))
            latest.end_us = max(latest.end_us, int(times.max()) + 1)
            latest.row_count += take
            latest.last_seq = int(seqs[position + take - 1])
            position += take
            if latest.row_count >= capacity:
                self._complete(session, view, latest, new)
            else:
                self._save(session, latest, new)

    def _assign_by_time(self, session: Session, view: MonitorView, rows: PredictionRows, seqs: np.ndarray,
                        layout: ReferenceLayout | None, whole: Callable[[], WindowSummary] | None) -> None:
        duration = view.monitor.window.duration.ToMicroseconds()
        starts = (rows.prediction_us // duration) * duration
        open_rows = session.execute(sa.select(repo.windows).where(
            repo.windows.c.monitor == view.name, sa.not_(repo.windows.c.complete),
            repo.windows.c.model_version < rows.model_version)).all()
        for row in open_rows:
            # The followed alias moved on: windows of the older version close early.
            self._complete(session, view, WindowRecord.from_row(row), new=False)
        unique_starts = np.unique(starts)
        for start in unique_starts.tolist():
            positions = np.flatnonzero(starts == start)
            row = session.execute(sa.select(*_WITHOUT_SUMMARY).where(
                repo.windows.c.monitor == view.name, repo.windows.c.start_us == start,
                repo.windows.c.model_version == rows.model_version)).first()
            new = row is None
            if new:
                highest = session.execute(sa.select(sa.func.max(repo.windows.c.window_index))
                                          .where(repo.windows.c.monitor == view.name)).scalar() or 0
                window = WindowRecord(view.name, int(highest) + 1, rows.model_version, int(start),
                                      int(start + duration), None, None, 0, False, WindowSummary(), 0)
            else:
                window = self._record(session, row)
            if unique_starts.size == 1:
                self._fold(window.summary, rows, layout, whole)
            else:
                self._fold(window.summary, rows.take(positions), layout, None)
            window.row_count += int(positions.size)
            self._save(session, window, new)

    def complete_due(self, session: Session, views: dict[str, MonitorView], now: int) -> int:
        """Complete the time windows whose end passed by the grace period; returns how many."""
        rows = session.execute(sa.select(repo.windows).where(
            sa.not_(repo.windows.c.complete), repo.windows.c.end_us + self._grace_us <= now)
            .order_by(repo.windows.c.monitor, repo.windows.c.window_index)).all()
        completed = 0
        for row in rows:
            view = views.get(row.monitor)
            if view is None or view.monitor.window.WhichOneof("size") != "duration":
                continue
            self._complete(session, view, WindowRecord.from_row(row), new=False)
            completed += 1
        return completed

    def get(self, session: Session, monitor: str, index: int) -> WindowRecord | None:
        """One window; index 0 means the latest completed one."""
        if index == 0:
            row = session.execute(sa.select(repo.windows).where(repo.windows.c.monitor == monitor,
                                                                repo.windows.c.complete)
                                  .order_by(repo.windows.c.window_index.desc()).limit(1)).first()
        else:
            row = repo.get_row(session, repo.windows, monitor=monitor, window_index=index)
        return WindowRecord.from_row(row) if row is not None else None

    def list(self, session: Session, monitor: str, model_version: int, start_us: int | None, end_us: int | None,
             after: tuple[object, ...] | None, size: int, descending: bool) -> list[WindowRecord]:
        """Windows of a monitor in index order, one keyset page."""
        where = [repo.windows.c.monitor == monitor]
        if model_version:
            where.append(repo.windows.c.model_version == model_version)
        if start_us is not None:
            where.append(repo.windows.c.start_us >= start_us)
        if end_us is not None:
            where.append(repo.windows.c.start_us < end_us)
        order = repo.windows.c.window_index.desc() if descending else repo.windows.c.window_index
        rows = repo.page(session, repo.windows, [order], ["window_index"], after, size, where, descending)
        return [WindowRecord.from_row(r) for r in rows]
