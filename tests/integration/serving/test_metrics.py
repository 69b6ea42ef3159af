"""The serving service's Prometheus metrics, scraped from a real server's /metrics endpoint."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

import grpc
import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sextant.serving.v1 import resources_pb2 as res
from sextant.serving.v1 import serving_service_pb2 as pb
from tests.integration.serving.conftest import N_FEATURES, Registry, Serving, tiny_onnx
from tests.integration.serving.test_deployments_and_predict import columns, wait_deployment_ready

MODEL = "metered"


def scrape(serving: Serving) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the endpoint, keyed by (sample name, sorted labels)."""
    port = serving.running.metrics_port
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body) for sample in family.samples}


def series(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_predictions_fill_the_time_histograms_code_counters_and_in_flight_gauge(
        start_serving: Callable[..., Serving], registry: Registry) -> None:
    registry.create_model(MODEL)
    version = registry.register(MODEL, tiny_onnx())
    registry.set_alias(MODEL, "production", version)
    registry.set_alias(MODEL, "batched", version)
    serving = start_serving(metrics_port=0)
    serving.wait_ready(MODEL)
    serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
        name="metered-batched", model_name=MODEL, alias="batched",
        micro_batching=res.MicroBatchingConfig(enabled=True, max_batch_size=4, max_queue_delay_us=20_000))),
        timeout=10)
    wait_deployment_ready(serving, "metered-batched")
    before = scrape(serving)

    rows = np.random.default_rng(1).random((2, N_FEATURES), dtype=np.float32)
    for _ in range(3):
        serving.infer(MODEL, rows)
    serving.sextant.Predict(pb.PredictRequest(model_name=MODEL, feature_values=columns(rows)), timeout=10)
    serving.sextant.Predict(pb.PredictRequest(deployment="metered-batched", feature_values=columns(rows)), timeout=10)
    with pytest.raises(grpc.RpcError) as refused:
        serving.infer(MODEL, np.zeros((1, N_FEATURES + 1), dtype=np.float32))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    after = scrape(serving)

    def delta(name: str, **labels: str) -> float:
        return series(after, name, **labels) - series(before, name, **labels)

    labels = {"model": MODEL, "version": str(version), "alias": "production"}
    batched = {**labels, "alias": "batched"}
    # Four scored requests straight to the model (three ModelInfer, one Predict), one through the
    # micro-batched deployment; the refused one is counted by its code only.
    for histogram in ("request", "queue", "compute"):
        name = f"sextant_serving_{histogram}_seconds"
        assert (delta(f"{name}_count", **labels), delta(f"{name}_count", **batched)) == (4, 1)
        assert (delta(f"{name}_bucket", **labels, le="+Inf"), delta(f"{name}_bucket", **batched, le="+Inf")) == (4, 1)
        counts = [value for (sample, key), value in sorted(after.items(), key=lambda item: _bound(item[0][1]))
                  if sample == f"{name}_bucket" and dict(key)["model"] == MODEL and dict(key)["alias"] == "production"]
        assert len(counts) == 14 and counts == sorted(counts)  # cumulative, +Inf last
    # Requests that are not micro-batched never queue; the batch's only request waited for company.
    assert delta("sextant_serving_queue_seconds_bucket", **labels, le="5e-05") == 4
    assert delta("sextant_serving_queue_seconds_bucket", **batched, le="5e-05") == 0
    assert delta("sextant_serving_queue_seconds_sum", **labels) == 0
    assert delta("sextant_serving_request_seconds_sum", **labels) >= delta("sextant_serving_compute_seconds_sum",
                                                                         **labels) > 0
    assert delta("sextant_serving_requests_total", model=MODEL, code="OK") == 5
    assert delta("sextant_serving_requests_total", model=MODEL, code="INVALID_ARGUMENT") == 1
    assert series(after, "sextant_serving_in_flight") == 0


def _bound(labels: tuple[tuple[str, str], ...]) -> float:
    return float(dict(labels).get("le", "nan"))
