"""Histograms updated on every call, kept as plain numbers and turned into Prometheus families only
when /metrics is scraped.

prometheus_client's metric objects take a lock and go through several Python method layers per
update (a histogram observation is two value updates after a Python search of its buckets); a
call that updates a latency histogram, a counter and an in-flight gauge pays more for them than
for the rest of its bookkeeping. Owners of these histograms update them under one lock of their
own, once per call, and register a collector that reads them at scrape time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from prometheus_client.core import Metric
from prometheus_client.utils import floatToGoString


class ScrapeTimeCollector:
    """Base of a collector whose families are built only when /metrics is scraped (its ``collect``)."""

    def describe(self) -> list[Metric]:
        """Nothing up front: the registry then never calls collect() at registration."""
        return []


class CallHistogram:
    """Counts per bucket (the last one is +Inf) and the sum of the observations; not thread-safe on
    its own (its owner holds a lock around updates and reads)."""

    __slots__ = ("_bounds", "counts", "total")

    def __init__(self, bounds: Sequence[float]) -> None:
        self._bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        """Add one observation."""
        # bisect_left finds the first bound >= value: Prometheus buckets are "less than or equal".
        self.counts[bisect_left(self._bounds, value)] += 1
        self.total += value

    @property
    def count(self) -> int:
        """The number of observations."""
        return sum(self.counts)

    def buckets(self) -> list[tuple[str, int]]:
        """The cumulative buckets as HistogramMetricFamily takes them, +Inf last."""
        out = []
        running = 0
        for bound, count in zip((*map(floatToGoString, self._bounds), "+Inf"), self.counts, strict=True):
            running += count
            out.append((bound, running))
        return out
