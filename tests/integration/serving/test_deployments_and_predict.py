"""Deployments (stored in the service's database, allowed by the real policy service) and Sextant
Predict by feature values."""

from __future__ import annotations

import time
from collections.abc import Callable

import grpc
import numpy as np
import pytest
from google.protobuf import field_mask_pb2

from sextant.serving.v1 import resources_pb2 as res
from sextant.serving.v1 import serving_service_pb2 as pb
from sextant.type.v1 import features_pb2, model_pb2, tabular_pb2, types_pb2
from tests.integration.serving.conftest import Registry, Serving, tiny_onnx

MODEL = "fraud"


@pytest.fixture(scope="module")
def versions(registry: Registry) -> tuple[int, int]:
    """`fraud` v1 at production and v2 at canary/shadow."""
    registry.create_model(MODEL)
    v1 = registry.register(MODEL, tiny_onnx())
    v2 = registry.register(MODEL, tiny_onnx(flip=True), tags={"serving.allow_nan_inputs": "*"})
    registry.set_alias(MODEL, "production", v1)
    registry.set_alias(MODEL, "canary", v2)
    return v1, v2


def columns(rows: np.ndarray, null_rows: tuple[int, ...] = ()) -> tabular_pb2.TabularData:
    """One `features` column with element shape [3]."""
    column = tabular_pb2.Column(name="features", dtype=types_pb2.DATA_TYPE_FLOAT32, element_shape=[3],
                                float_values=tabular_pb2.FloatArray(values=rows.reshape(-1).tolist()),
                                null_rows=list(null_rows))
    return tabular_pb2.TabularData(columns=tabular_pb2.ColumnBatch(row_count=rows.shape[0], columns=[column]))


def wait_deployment_ready(serving: Serving, name: str) -> res.Deployment:
    """Poll GetDeployment until READY (bounded)."""
    for _ in range(600):
        deployment = serving.sextant.GetDeployment(pb.GetDeploymentRequest(name=name), timeout=10).deployment
        if deployment.state == res.DEPLOYMENT_STATE_READY:
            return deployment
        time.sleep(0.05)
    raise AssertionError(f"deployment {name} never became ready: {deployment}")


def test_deployment_lifecycle_on_each_database(start_serving: Callable[..., Serving], database_url: str,
                                               versions: tuple[int, int]) -> None:
    serving = start_serving(database_url=database_url)
    name = f"fraud-{database_url.split(':')[0].split('+')[0]}"
    created = serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
        name=name, model_name=MODEL, owner_team="ml",
        canary=res.CanaryConfig(alias="canary", traffic_percent=0))), timeout=10)
    assert created.deployment.alias == "production"
    assert created.deployment.policy_decision_id
    assert created.deployment.etag
    ready = wait_deployment_ready(serving, name)
    assert [(v.role, v.model_version) for v in ready.served_versions] == [
        (model_pb2.DEPLOYMENT_ROLE_PRIMARY, versions[0]), (model_pb2.DEPLOYMENT_ROLE_CANARY, versions[1])]
    with pytest.raises(grpc.RpcError) as taken:
        serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
            name=name + "-2", model_name=MODEL)), timeout=10)
    assert taken.value.code() == grpc.StatusCode.ALREADY_EXISTS
    listed = serving.sextant.ListDeployments(pb.ListDeploymentsRequest(model_name=MODEL), timeout=10)
    assert [d.name for d in listed.deployments] == [name]
    updated = serving.sextant.UpdateDeployment(pb.UpdateDeploymentRequest(
        deployment=res.Deployment(name=name, etag=ready.etag, canary=res.CanaryConfig(traffic_percent=30)),
        update_mask=field_mask_pb2.FieldMask(paths=["canary.traffic_percent"])), timeout=10).deployment
    assert updated.canary.traffic_percent == 30 and updated.canary.alias == "canary"
    with pytest.raises(grpc.RpcError) as stale:
        serving.sextant.UpdateDeployment(pb.UpdateDeploymentRequest(
            deployment=res.Deployment(name=name, etag=ready.etag, description="x"),
            update_mask=field_mask_pb2.FieldMask(paths=["description"])), timeout=10)
    assert stale.value.code() == grpc.StatusCode.ABORTED
    with pytest.raises(grpc.RpcError) as immutable:
        serving.sextant.UpdateDeployment(pb.UpdateDeploymentRequest(
            deployment=res.Deployment(name=name, model_name="other"),
            update_mask=field_mask_pb2.FieldMask(paths=["model_name"])), timeout=10)
    assert immutable.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    serving.sextant.DeleteDeployment(pb.DeleteDeploymentRequest(name=name), timeout=10)
    with pytest.raises(grpc.RpcError) as gone:
        serving.sextant.GetDeployment(pb.GetDeploymentRequest(name=name), timeout=10)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND


def test_create_rejects_bad_input_and_unknown_alias(serving: Serving, versions: tuple[int, int]) -> None:
    cases = [
        (res.Deployment(name="Bad Name", model_name=MODEL), grpc.StatusCode.INVALID_ARGUMENT),
        (res.Deployment(name="x", model_name=MODEL, canary=res.CanaryConfig(alias="canary", traffic_percent=101)),
         grpc.StatusCode.INVALID_ARGUMENT),
        (res.Deployment(name="x", model_name="no-such-model"), grpc.StatusCode.NOT_FOUND),
        (res.Deployment(name="x", model_name=MODEL, alias="no-such-alias"), grpc.StatusCode.NOT_FOUND),
    ]
    for deployment, code in cases:
        with pytest.raises(grpc.RpcError) as caught:
            serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=deployment), timeout=10)
        assert caught.value.code() == code, deployment


def test_predict_by_feature_values_batched(serving: Serving, versions: tuple[int, int]) -> None:
    import onnxruntime as ort

    rows = np.random.default_rng(2).random((4, 3), dtype=np.float32)
    request = pb.PredictRequest(model_name=MODEL, feature_values=columns(rows), request_id="p-1",
                                return_features=True)
    response = None
    for _ in range(600):
        try:
            response = serving.sextant.Predict(request, timeout=10)
            break
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.UNAVAILABLE
            time.sleep(0.05)
    assert response is not None
    assert response.request_id == "p-1"
    assert response.model_version == versions[0] and response.alias == "production"
    assert response.route == model_pb2.PREDICTION_ROUTE_DIRECT
    assert list(response.class_labels) == ["0", "1"]
    out = {c.name: c for c in response.outputs.columns.columns}
    expected = ort.InferenceSession(tiny_onnx()).run(None, {"features": rows})
    assert list(out["label"].int64_values.values) == expected[0].tolist()
    np.testing.assert_allclose(np.array(out["probabilities"].float_values.values).reshape(4, 2), expected[1],
                               rtol=1e-6)
    assert list(out["probabilities"].element_shape) == [2]
    assert response.features.provenance[0].statuses == [features_pb2.FEATURE_VALUE_STATUS_SUPPLIED] * 4


def test_predict_bad_input(serving: Serving, versions: tuple[int, int]) -> None:
    good = np.zeros((2, 3), dtype=np.float32)
    serving.wait_ready(MODEL)
    cases = {
        "MISSING_FEATURE": pb.PredictRequest(model_name=MODEL, feature_values=columns(good, null_rows=(1,))),
        "UNKNOWN_INPUT": pb.PredictRequest(model_name=MODEL, feature_values=tabular_pb2.TabularData(
            columns=tabular_pb2.ColumnBatch(row_count=1, columns=[tabular_pb2.Column(
                name="age", int64_values=tabular_pb2.Int64Array(values=[3]))]))),
        "CONTENT_SIZE_MISMATCH": pb.PredictRequest(model_name=MODEL, feature_values=tabular_pb2.TabularData(
            columns=tabular_pb2.ColumnBatch(row_count=2, columns=[tabular_pb2.Column(
                name="features", element_shape=[3], float_values=tabular_pb2.FloatArray(values=[1, 2, 3]))]))),
        "NAN_NOT_ALLOWED": pb.PredictRequest(model_name=MODEL, feature_values=columns(
            np.array([[np.nan, 0, 0]], dtype=np.float32))),
        "BATCH_TOO_LARGE": pb.PredictRequest(model_name=MODEL, feature_values=columns(
            np.zeros((10_001, 3), dtype=np.float32))),
    }
    for reason, request in cases.items():
        with pytest.raises(grpc.RpcError) as caught:
            serving.sextant.Predict(request, timeout=10)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, reason
        assert reason in caught.value.debug_error_string() or caught.value.details(), reason
    with pytest.raises(grpc.RpcError) as unknown:
        serving.sextant.Predict(pb.PredictRequest(model_name="ghost", feature_values=columns(good)), timeout=10)
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as by_keys:
        serving.sextant.Predict(pb.PredictRequest(model_name=MODEL, entity_keys=pb.EntityKeys()), timeout=10)
    assert by_keys.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # no key columns


def test_canary_split_is_sticky_and_shadow_never_changes_answers(serving: Serving, versions: tuple[int, int]
                                                                 ) -> None:
    serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
        name="fraud-split", model_name=MODEL, canary=res.CanaryConfig(alias="canary", traffic_percent=30),
        shadow=res.ShadowConfig(alias="canary"))), timeout=10)
    wait_deployment_ready(serving, "fraud-split")
    rows = np.full((1, 3), 0.9, dtype=np.float32)
    routes = {}
    for i in range(200):
        response = serving.sextant.Predict(pb.PredictRequest(deployment="fraud-split", feature_values=columns(rows),
                                                             routing_key=f"customer-{i}"), timeout=10)
        routes[i] = (response.route, response.model_version)
    canary = sum(1 for route, _v in routes.values() if route == model_pb2.PREDICTION_ROUTE_CANARY)
    assert 30 <= canary <= 90  # 30 % of 200 keys, with a wide binomial tolerance
    assert all(v == versions[1] for route, v in routes.values() if route == model_pb2.PREDICTION_ROUTE_CANARY)
    for i in (0, 1, 2, 3, 4):
        again = serving.sextant.Predict(pb.PredictRequest(deployment="fraud-split", feature_values=columns(rows),
                                                          routing_key=f"customer-{i}"), timeout=10)
        assert (again.route, again.model_version) == routes[i]
    primary = [i for i, (route, _v) in routes.items() if route == model_pb2.PREDICTION_ROUTE_PRIMARY]
    direct = serving.sextant.Predict(pb.PredictRequest(model_name=MODEL, model_version=versions[0],
                                                       feature_values=columns(rows)), timeout=10)
    shadowed = serving.sextant.Predict(pb.PredictRequest(deployment="fraud-split", feature_values=columns(rows),
                                                         routing_key=f"customer-{primary[0]}"), timeout=10)
    assert shadowed.outputs == direct.outputs and shadowed.model_version == versions[0]


def test_status_and_loaded_models(serving: Serving, versions: tuple[int, int]) -> None:
    serving.wait_ready(MODEL)
    status = serving.sextant.GetServingStatus(pb.GetServingStatusRequest(), timeout=10)
    assert status.ready and status.loaded_model_count >= 1
    loaded = serving.sextant.ListLoadedModels(pb.ListLoadedModelsRequest(model_name=MODEL), timeout=10)
    first = loaded.loaded_models[0]
    assert first.model_version == versions[0] and "production" in first.aliases
    assert first.artifact_sha256 and first.memory_bytes > 0
    with pytest.raises(grpc.RpcError) as negative:
        serving.sextant.ListLoadedModels(pb.ListLoadedModelsRequest(page_size=-1), timeout=10)
    assert negative.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_predict_stream_answers_in_order_and_in_band_errors(serving: Serving, versions: tuple[int, int]) -> None:
    serving.wait_ready(MODEL)
    rows = np.zeros((1, 3), dtype=np.float32)
    requests = [pb.PredictStreamRequest(request=pb.PredictRequest(request_id="a", model_name=MODEL,
                                                                  feature_values=columns(rows))),
                pb.PredictStreamRequest(request=pb.PredictRequest(request_id="b", model_name="ghost",
                                                                  feature_values=columns(rows))),
                pb.PredictStreamRequest(request=pb.PredictRequest(request_id="c", model_name=MODEL,
                                                                  feature_values=columns(rows)))]
    answers = list(serving.sextant.PredictStream(iter(requests), timeout=10))
    assert [a.WhichOneof("result") for a in answers] == ["response", "error", "response"]
    assert answers[1].error.code == grpc.StatusCode.NOT_FOUND.value[0] and answers[1].error.request_id == "b"
    assert answers[2].response.request_id == "c"


def test_micro_batched_deployment_answers_every_caller_with_its_rows(serving: Serving,
                                                                     versions: tuple[int, int]) -> None:
    import threading

    serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
        name="fraud-batched", model_name=MODEL, alias="canary",
        micro_batching=res.MicroBatchingConfig(enabled=True, max_batch_size=16, max_queue_delay_us=2000))),
        timeout=10)
    wait_deployment_ready(serving, "fraud-batched")
    import onnxruntime as ort

    reference = ort.InferenceSession(tiny_onnx(flip=True))
    answers: dict[int, list[int]] = {}
    expected: dict[int, list[int]] = {}

    def call(i: int) -> None:
        rows = np.random.default_rng(i).random((i % 3 + 1, 3), dtype=np.float32)
        expected[i] = reference.run(None, {"features": rows})[0].tolist()
        response = serving.sextant.Predict(pb.PredictRequest(deployment="fraud-batched",
                                                             feature_values=columns(rows)), timeout=10)
        answers[i] = list(response.outputs.columns.columns[0].int64_values.values)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == expected


def test_a_replica_applies_deployment_changes_made_through_another(start_serving: Callable[..., Serving],
                                                                   database_url: str, versions: tuple[int, int]
                                                                   ) -> None:
    # Two replicas on one database: B re-reads the stored deployments on its refresh timer (on SQLite
    # only when something was committed since its last refresh), so A's updates reach B's routing.
    first = start_serving(database_url=database_url)
    second = start_serving(database_url=database_url, deployment_refresh_seconds=0.1)
    name = f"fraud-shared-{database_url.split(':')[0].split('+')[0]}"
    first.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
        name=name, model_name=MODEL, canary=res.CanaryConfig(alias="canary", traffic_percent=0))), timeout=10)
    wait_deployment_ready(first, name)
    rows = np.full((1, 3), 0.9, dtype=np.float32)

    def versions_from_second() -> set[int]:
        return {second.sextant.Predict(pb.PredictRequest(deployment=name, feature_values=columns(rows),
                                                         routing_key=f"key-{i}"), timeout=10).model_version
                for i in range(20)}

    def until_second_serves(expected: set[int]) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if versions_from_second() == expected:
                    return
            except grpc.RpcError as error:  # not refreshed yet, or the canary's version still loading
                assert error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNAVAILABLE), error
            time.sleep(0.1)
        raise AssertionError(f"the second replica never served only {expected}")

    until_second_serves({versions[0]})
    for percent, expected in ((100, {versions[1]}), (0, {versions[0]}), (100, {versions[1]})):
        etag = first.sextant.GetDeployment(pb.GetDeploymentRequest(name=name), timeout=10).deployment.etag
        first.sextant.UpdateDeployment(pb.UpdateDeploymentRequest(
            deployment=res.Deployment(name=name, etag=etag, canary=res.CanaryConfig(traffic_percent=percent)),
            update_mask=field_mask_pb2.FieldMask(paths=["canary.traffic_percent"])), timeout=10)
        until_second_serves(expected)
