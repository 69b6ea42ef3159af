"""Prometheus metrics of the serving service (exported on the kit's /metrics endpoint).

The per-prediction series (request, queue and compute time by model, version and alias; requests
by model and code; requests in flight) are plain numbers updated under one lock and turned into
Prometheus families only when /metrics is scraped (see services.common.call_metrics): nine
prometheus_client updates per prediction cost about as much as the rest of the handler's
bookkeeping, on a path whose whole budget is a tenth of a millisecond.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from prometheus_client import REGISTRY, Counter, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from services.common.call_metrics import CallHistogram, ScrapeTimeCollector

_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0)
_LABELS = ["model", "version", "alias"]

LOADED_MODELS = Gauge("sextant_serving_loaded_models", "Model sessions held by this replica.")
LOADED_MEMORY = Gauge("sextant_serving_loaded_model_bytes", "Approximate memory of the loaded sessions (artifact "
                      "bytes).")
SHADOW_DROPPED = Counter("sextant_serving_shadow_dropped_total", "Shadow scorings dropped because the shadow "
                         "queue was full.")


class _Series:
    """The time histograms of one (model, version, alias)."""

    __slots__ = ("compute", "queue", "request")

    def __init__(self) -> None:
        self.request = CallHistogram(_BUCKETS)
        self.queue = CallHistogram(_BUCKETS)
        self.compute = CallHistogram(_BUCKETS)


class PredictionMetrics(ScrapeTimeCollector):
    """What every prediction updates; registered once with the default Prometheus registry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._series: dict[tuple[str, str, str], _Series] = {}
        self._codes: dict[tuple[str, str], int] = {}
        self._in_flight = 0

    def started(self) -> None:
        """A prediction request began."""
        with self._lock:
            self._in_flight += 1

    def finished(self) -> None:
        """A prediction request ended, however it ended."""
        with self._lock:
            self._in_flight -= 1

    def succeeded(self, model: str, version: str, alias: str, request: float, queue: float, compute: float) -> None:
        """A scored request: its times in seconds (queue is the micro-batch wait, 0 without batching)."""
        key = (model, version, alias)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Series()
            series.request.observe(request)
            series.queue.observe(queue)
            series.compute.observe(compute)
            code = (model, "OK")
            self._codes[code] = self._codes.get(code, 0) + 1

    def failed(self, model: str, code: str) -> None:
        """A refused or failed request, by the canonical code it was answered with."""
        key = (model, code)
        with self._lock:
            self._codes[key] = self._codes.get(key, 0) + 1

    def in_flight(self) -> int:
        """Requests being handled now."""
        with self._lock:
            return self._in_flight

    def collect(self) -> Iterator[Metric]:
        """The Prometheus families (called by the registry on every scrape)."""
        with self._lock:
            series = [(key, [(h.buckets(), h.total) for h in (s.request, s.queue, s.compute)])
                      for key, s in self._series.items()]
            codes = dict(self._codes)
            in_flight = self._in_flight
        families = [
            HistogramMetricFamily("sextant_serving_request_seconds", "Time in the serving domain per request, by "
                                  "model, version and alias.", labels=_LABELS),
            HistogramMetricFamily("sextant_serving_queue_seconds", "Time a request waited for its micro-batch to "
                                  "run (0 without micro-batching), by model, version and alias.", labels=_LABELS),
            HistogramMetricFamily("sextant_serving_compute_seconds", "onnxruntime execution time per request, by "
                                  "model, version and alias.", labels=_LABELS),
        ]
        for key, histograms in series:
            for family, (buckets, total) in zip(families, histograms, strict=True):
                family.add_metric(list(key), buckets, total)
        yield from families
        requests = CounterMetricFamily("sextant_serving_requests", "Prediction requests by model and status code.",
                                       labels=["model", "code"])
        for (model, code), count in codes.items():
            requests.add_metric([model, code], count)
        yield requests
        yield GaugeMetricFamily("sextant_serving_in_flight", "Prediction requests being scored now.", value=in_flight)


PREDICTIONS = PredictionMetrics()
REGISTRY.register(PREDICTIONS)
