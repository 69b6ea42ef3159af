"""Prometheus metrics of the serving service (exported on the kit's /metrics endpoint)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0)

REQUEST_SECONDS = Histogram("sextant_serving_request_seconds", "Time in the serving domain per request, by "
                            "model, version and alias.", ["model", "version", "alias"], buckets=_BUCKETS)
COMPUTE_SECONDS = Histogram("sextant_serving_compute_seconds", "onnxruntime execution time per request, by "
                            "model, version and alias.", ["model", "version", "alias"], buckets=_BUCKETS)
REQUESTS = Counter("sextant_serving_requests_total", "Prediction requests by model and status code.",
                   ["model", "code"])
IN_FLIGHT = Gauge("sextant_serving_in_flight", "Prediction requests being scored now.")
LOADED_MODELS = Gauge("sextant_serving_loaded_models", "Model sessions held by this replica.")
LOADED_MEMORY = Gauge("sextant_serving_loaded_model_bytes", "Approximate memory of the loaded sessions (artifact "
                      "bytes).")
SHADOW_DROPPED = Counter("sextant_serving_shadow_dropped_total", "Shadow scorings dropped because the shadow "
                         "queue was full.")
