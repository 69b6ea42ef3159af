"""Prometheus gauges of drift per model x feature x method, with bounded label cardinality.

The gauges live in the process's default registry, which the server's /metrics endpoint serves.
At most ``max_series`` label sets are ever created; further ones are not exported and are counted in
``sextant_monitoring_drift_series_dropped_total`` so the cap is visible.
"""

from __future__ import annotations

import threading

from prometheus_client import Counter, Gauge

from services.monitoring.drift.report import DriftResult

_lock = threading.Lock()
_metrics: dict[str, object] = {}


def _shared() -> dict[str, object]:
    # Process-wide singletons: the default registry refuses a second metric of the same name.
    with _lock:
        if not _metrics:
            _metrics["statistic"] = Gauge("sextant_monitoring_feature_drift_statistic",
                                          "Drift statistic of a column in the latest completed window.",
                                          ["model", "feature", "method"])
            _metrics["psi"] = Gauge("sextant_monitoring_feature_drift_psi",
                                    "Population stability index of a column in the latest completed window.",
                                    ["model", "feature"])
            _metrics["share"] = Gauge("sextant_monitoring_dataset_drift_share",
                                      "Share of drifted inputs in the latest completed window.", ["model"])
            _metrics["dropped"] = Counter("sextant_monitoring_drift_series_dropped",
                                          "Drift gauge updates not exported because the label-set cap was reached.")
        return _metrics


class DriftGauges:
    """Exports the drift of completed windows."""

    def __init__(self, max_series: int) -> None:
        self._max = max_series
        self._series: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()

    def _admit(self, labels: tuple[str, ...]) -> bool:
        with self._lock:
            if labels in self._series:
                return True
            if len(self._series) >= self._max:
                return False
            self._series.add(labels)
            return True

    def record(self, model_name: str, drift: DriftResult) -> None:
        """Set the gauges from one window's drift."""
        metrics = _shared()
        if drift.insufficient_data:
            return
        if self._admit(("share", model_name)):
            metrics["share"].labels(model=model_name).set(drift.drift_share)  # type: ignore[attr-defined]
        for column in [*drift.features, *drift.predictions]:
            if self._admit(("statistic", model_name, column.feature, column.method)):
                metrics["statistic"].labels(model=model_name, feature=column.feature,  # type: ignore[attr-defined]
                                            method=column.method).set(column.statistic)
            else:
                metrics["dropped"].inc()  # type: ignore[attr-defined]
            if self._admit(("psi", model_name, column.feature)):
                metrics["psi"].labels(model=model_name, feature=column.feature).set(column.psi)  # type: ignore[attr-defined]
            else:
                metrics["dropped"].inc()  # type: ignore[attr-defined]
