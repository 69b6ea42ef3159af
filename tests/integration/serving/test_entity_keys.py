"""Predict by entity keys against the REAL feature store: the server fetches the model's features
itself (one GetOnlineFeatures call) and applies the deployment's missing-feature policy."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime

import grpc
import numpy as np
import onnx
import pyarrow as pa
import pytest
from onnx import TensorProto, helper

from services import catalog
from services.featurestore.arrow_schema import encode_ipc
from services.featurestore.settings import FeatureStoreSettings
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.featurestore.v1 import resources_pb2 as fs_res
from sextant.registry.v1 import registry_service_pb2 as reg
from sextant.registry.v1 import resources_pb2
from sextant.serving.v1 import resources_pb2 as res
from sextant.serving.v1 import serving_service_pb2 as pb
from sextant.type.v1 import features_pb2, model_pb2, tabular_pb2, types_pb2
from tests.integration.serving.conftest import Registry, Serving

MODEL = "credit-score"
WEIGHTS = np.array([[1.0], [10.0], [100.0]], dtype=np.float32)


def scorer_onnx(weights: np.ndarray = WEIGHTS) -> bytes:
    """score = [f0, f1, f2] @ weights ([1, 10, 100]): three scalar inputs, each fed from a feature."""
    graph = helper.make_graph(
        [helper.make_node("Concat", ["f0", "f1", "f2"], ["x"], axis=1), helper.make_node("MatMul", ["x", "w"], ["score"])],
        "scorer", [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 1]) for n in ("f0", "f1", "f2")],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [None, 1])],
        initializer=[helper.make_tensor("w", TensorProto.FLOAT, [3, 1], weights.reshape(-1).tolist())])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


@pytest.fixture(scope="module")
def featurestore(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real feature store with entity `customer` and push view `live` (f0, f1, f2) for customers 1, 2."""
    running = catalog.start("featurestore", FeatureStoreSettings(
        port=0, data_dir=str(tmp_path_factory.mktemp("featurestore")), log_level="warning"))
    channel = grpc.insecure_channel(running.address)
    stub = fs_grpc.FeatureStoreServiceStub(channel)
    stub.ApplyDefinitions(fs_pb.ApplyDefinitionsRequest(
        entities=[fs_res.Entity(name="customer", owner_team="ml", join_keys=[
            fs_res.JoinKey(name="customer_id", dtype=types_pb2.DATA_TYPE_INT64)])],
        feature_views=[fs_res.FeatureView(name="live", entities=["customer"], owner_team="ml",
                                          source_kind=fs_res.SOURCE_KIND_PUSH,
                                          features=[fs_res.Feature(name=n, dtype=types_pb2.DATA_TYPE_FLOAT64)
                                                    for n in ("f0", "f1", "f2")])]), timeout=30)
    now = datetime.now(UTC)
    table = pa.table({"customer_id": pa.array([1, 2], pa.int64()),
                      "event_timestamp": pa.array([now, now], pa.timestamp("us", tz="UTC")),
                      "f0": pa.array([1.0, 2.0]), "f1": pa.array([0.5, 0.25]), "f2": pa.array([0.0, 0.01])})
    stub.PushFeatures(iter([fs_pb.PushFeaturesRequest(feature_view="live",
                                                      rows=types_pb2.ArrowTable(ipc_stream=encode_ipc(table)))]),
                      timeout=30)
    channel.close()
    yield running.address
    running.stop(0)


def register_scorer(registry: Registry, data: bytes, *, model: str = MODEL, view: str = "live",
                    features: tuple[str, ...] = ("f0", "f1", "f2")) -> int:
    """Register a scorer version whose inputs f0..f2 are fed from ``view``'s ``features``; returns its number."""
    signature = types_pb2.ModelSignature(
        inputs=[types_pb2.TensorSpec(name=f"f{i}", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 1],
                                     feature=types_pb2.FeatureReference(feature_view=view, feature=feature))
                for i, feature in enumerate(features)],
        outputs=[types_pb2.TensorSpec(name="score", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 1])])
    created = registry.stub.CreateModelVersion(reg.CreateModelVersionRequest(model_name=model, model_version=(
        resources_pb2.ModelVersion(format=resources_pb2.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_REGRESSION,
                                   signature=signature, artifact_sha256=hashlib.sha256(data).hexdigest(),
                                   artifact_size_bytes=len(data)))), timeout=10).model_version
    header = reg.UploadArtifactHeader(model_name=model, version=created.version,
                                      sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data),
                                      wait_for_validation=True)
    registry.stub.UploadArtifact(iter([reg.UploadArtifactRequest(header=header),
                                       reg.UploadArtifactRequest(chunk=data)]), timeout=30)
    return created.version


@pytest.fixture(scope="module")
def serving_fs(registry: Registry, featurestore: str, start_serving: Callable[..., Serving]) -> Serving:
    """A serving server wired to the feature store; the scorer at production and stable, twice its weights
    at canary."""
    registry.create_model(MODEL)
    primary = register_scorer(registry, scorer_onnx())
    registry.set_alias(MODEL, "production", primary)
    registry.set_alias(MODEL, "stable", primary)
    registry.set_alias(MODEL, "canary", register_scorer(registry, scorer_onnx(WEIGHTS * 2)))
    return start_serving(featurestore_address=featurestore)


def keys(*ids: int) -> pb.EntityKeys:
    """The `customer_id` key column."""
    return pb.EntityKeys(keys=tabular_pb2.ColumnBatch(row_count=len(ids), columns=[
        tabular_pb2.Column(name="customer_id", dtype=types_pb2.DATA_TYPE_INT64,
                           int64_values=tabular_pb2.Int64Array(values=list(ids)))]))


def predict(serving: Serving, request: pb.PredictRequest) -> pb.PredictResponse:
    """Predict, waiting while the version loads (bounded)."""
    for _ in range(400):
        try:
            return serving.sextant.Predict(request, timeout=10)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE:
                raise
            time.sleep(0.05)
    raise AssertionError("the model never loaded")


def test_predict_by_entity_keys_fetches_features(serving_fs: Serving) -> None:
    response = predict(serving_fs, pb.PredictRequest(model_name=MODEL, entity_keys=keys(1, 2), return_features=True))
    scores = response.outputs.columns.columns[0].float_values.values
    np.testing.assert_allclose(scores, [1.0 + 5.0, 2.0 + 2.5 + 1.0], rtol=1e-6)
    provenance = {p.input_name: p for p in response.features.provenance}
    assert provenance["f1"].feature.reference.feature_view == "live"
    assert list(provenance["f1"].statuses) == [features_pb2.FEATURE_VALUE_STATUS_PRESENT] * 2


def test_missing_entity_rejected_or_defaulted_by_deployment_policy(serving_fs: Serving) -> None:
    with pytest.raises(grpc.RpcError) as rejected:
        predict(serving_fs, pb.PredictRequest(model_name=MODEL, entity_keys=keys(1, 99)))
    assert rejected.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "row 1" in rejected.value.details()
    serving_fs.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
        name="credit-defaults", model_name=MODEL,
        missing_feature_policy=res.MISSING_FEATURE_POLICY_USE_DEFAULT,
        default_values={"f0": types_pb2.Value(double_value=3.0), "f1": types_pb2.Value(double_value=0.0),
                        "f2": types_pb2.Value(double_value=0.0)})), timeout=10)
    response = predict(serving_fs, pb.PredictRequest(deployment="credit-defaults", entity_keys=keys(1, 99),
                                                     return_features=True))
    np.testing.assert_allclose(response.outputs.columns.columns[0].float_values.values, [6.0, 3.0], rtol=1e-6)
    statuses = {p.input_name: list(p.statuses) for p in response.features.provenance}
    assert statuses["f0"] == [features_pb2.FEATURE_VALUE_STATUS_PRESENT, features_pb2.FEATURE_VALUE_STATUS_DEFAULTED]


def test_supplying_a_feature_fed_input_is_invalid(serving_fs: Serving) -> None:
    request = pb.PredictRequest(model_name=MODEL, entity_keys=keys(1))
    request.entity_keys.supplied_values.columns.add(name="f0", double_values=tabular_pb2.DoubleArray(values=[1.0]))
    with pytest.raises(grpc.RpcError) as caught:
        predict(serving_fs, request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_canary_split_per_row_by_entity_key_is_sticky_and_reassembled_in_order(serving_fs: Serving) -> None:
    # Customers 1 and 2 have features; every other key is NOT_FOUND and gets the defaults (f0 = 3), so
    # the primary answers 3 for them and the canary (twice the weights) 6.
    serving_fs.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
        name="credit-rows", model_name=MODEL, alias="stable", missing_feature_policy=res.MISSING_FEATURE_POLICY_USE_DEFAULT,
        default_values={n: types_pb2.Value(double_value=v) for n, v in (("f0", 3.0), ("f1", 0.0), ("f2", 0.0))},
        canary=res.CanaryConfig(alias="canary", traffic_percent=30,
                                split_key=res.CANARY_SPLIT_KEY_ENTITY_KEY))), timeout=10)
    for _ in range(400):  # bounded wait until both versions are loaded
        state = serving_fs.sextant.GetDeployment(pb.GetDeploymentRequest(name="credit-rows"), timeout=10)
        if state.deployment.state == res.DEPLOYMENT_STATE_READY:
            break
        time.sleep(0.05)
    assert state.deployment.state == res.DEPLOYMENT_STATE_READY
    ids = list(range(1, 2001))
    canary: list[bool] = []
    base = {1: 1.0 + 5.0, 2: 2.0 + 2.5 + 1.0}
    for chunk in (ids[:1000], ids[1000:]):  # the feature store looks up at most 1000 rows per call
        answer = predict(serving_fs, pb.PredictRequest(deployment="credit-rows", entity_keys=keys(*chunk)))
        assert answer.route == model_pb2.PREDICTION_ROUTE_PRIMARY and answer.alias == "stable"
        routes = [r == model_pb2.PREDICTION_ROUTE_CANARY for r in answer.row_routing.routes]
        assert len(routes) == len(chunk)
        primary_version = answer.model_version
        versions = list(answer.row_routing.model_versions)
        assert {v for v, c in zip(versions, routes, strict=True) if not c} == {primary_version}
        assert {v for v, c in zip(versions, routes, strict=True) if c} == {primary_version + 1}
        # Outputs come back in request order: each row's score is its side's answer for its key.
        expected = [base.get(i, 3.0) * (2 if c else 1) for i, c in zip(chunk, routes, strict=True)]
        np.testing.assert_allclose(answer.outputs.columns.columns[0].float_values.values, expected, rtol=1e-6)
        canary.extend(routes)
    assert 500 <= sum(canary) <= 700  # 30 % of 2000 = 600, binomial sd ~20
    # Sticky per key: the same keys in another order and in a smaller request take the same sides.
    side = dict(zip(ids, canary, strict=True))
    shuffled = ids[::-1][:500]
    again = predict(serving_fs, pb.PredictRequest(deployment="credit-rows", entity_keys=keys(*shuffled)))
    assert [r == model_pb2.PREDICTION_ROUTE_CANARY for r in again.row_routing.routes] == [side[i] for i in shuffled]
    # A request whose keys all fall on one side is answered by that side alone, without row_routing.
    only_canary = [i for i in ids if side[i]][:3]
    single = predict(serving_fs, pb.PredictRequest(deployment="credit-rows", entity_keys=keys(*only_canary)))
    assert single.route == model_pb2.PREDICTION_ROUTE_CANARY and not single.HasField("row_routing")
    assert single.model_version == primary_version + 1


def test_dense_and_column_lookups_feed_the_model_alike(serving_fs: Serving, featurestore: str, registry: Registry,
                                                       start_serving: Callable[..., Serving]) -> None:
    """One key per lookup call (featurestore_lookup_rows=1) takes the column layout, a whole request
    the DENSE one: the same scores, features used, provenance and refusals."""
    version = register_scorer(registry, scorer_onnx(WEIGHTS * 3))
    registry.set_alias(MODEL, "alike", version)
    one_per_call = start_serving(featurestore_address=featurestore, featurestore_lookup_rows=1)
    defaults = {"f0": types_pb2.Value(double_value=3.0), "f1": types_pb2.Value(double_value=0.5),
                "f2": types_pb2.Value(double_value=0.0)}
    answers = []
    for server in (serving_fs, one_per_call):
        server.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
            name="credit-alike", model_name=MODEL, alias="alike",
            missing_feature_policy=res.MISSING_FEATURE_POLICY_USE_DEFAULT, default_values=defaults)), timeout=10)
        answers.append(predict(server, pb.PredictRequest(deployment="credit-alike", entity_keys=keys(2, 99, 1),
                                                         return_features=True)))
        with pytest.raises(grpc.RpcError) as refused:
            predict(server, pb.PredictRequest(model_name=MODEL, model_version=version, entity_keys=keys(2, 1, 99, 98)))
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        answers.append(refused.value.details())
    dense, dense_refusal, columns, column_refusal = answers
    np.testing.assert_allclose(dense.outputs.columns.columns[0].float_values.values,
                               [3 * (2.0 + 2.5 + 1.0), 3 * (3.0 + 5.0), 3 * (1.0 + 5.0)], rtol=1e-6)
    assert dense.outputs == columns.outputs and dense.features == columns.features
    statuses = {p.input_name: list(p.statuses) for p in dense.features.provenance}
    assert statuses["f1"] == [features_pb2.FEATURE_VALUE_STATUS_PRESENT, features_pb2.FEATURE_VALUE_STATUS_DEFAULTED,
                              features_pb2.FEATURE_VALUE_STATUS_PRESENT]
    assert all(p.event_time_micros[0] > 0 and p.event_time_micros[1] == 0 for p in dense.features.provenance)
    assert dense_refusal == column_refusal and "row 2" in dense_refusal
