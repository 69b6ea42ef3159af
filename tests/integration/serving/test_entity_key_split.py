"""Predict by entity keys above the feature store's per-call row limit: serving splits the lookup into
chunks of `featurestore_lookup_rows` keys and reassembles values, statuses and nulls in request order,
against a REAL feature store configured with a small `max_online_rows`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
from sextant.serving.v1 import resources_pb2 as res
from sextant.serving.v1 import serving_service_pb2 as pb
from sextant.type.v1 import features_pb2, types_pb2
from tests.integration.serving.conftest import Registry, Serving
from tests.integration.serving.test_arrow_predict import register_regressor
from tests.integration.serving.test_entity_keys import keys, predict

MODEL = "split-scorer"
VIEW = "customer_stats"
LIMIT = 4
#: Customers with pushed features; every other key is NOT_FOUND.
KNOWN = range(1, 12)


def features_of(customer: int) -> tuple[float, float]:
    """The pushed (balance, visits) of a known customer."""
    return float(customer), float(customer % 3)


def scorer_onnx() -> bytes:
    """score = balance + 1000 * visits, two scalar inputs fed from features."""
    graph = helper.make_graph(
        [helper.make_node("Mul", ["visits", "thousand"], ["scaled"]),
         helper.make_node("Add", ["balance", "scaled"], ["score"])],
        "split_scorer", [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 1]) for n in ("balance", "visits")],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [None, 1])],
        initializer=[helper.make_tensor("thousand", TensorProto.FLOAT, [], [1000.0])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


@pytest.fixture(scope="module")
def featurestore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real feature store answering at most LIMIT entity rows per GetOnlineFeatures call."""
    running = catalog.start("featurestore", FeatureStoreSettings(
        port=0, data_dir=str(tmp_path_factory.mktemp("featurestore-split")), max_online_rows=LIMIT,
        log_level="warning"))
    channel = grpc.insecure_channel(running.address)
    stub = fs_grpc.FeatureStoreServiceStub(channel)
    stub.ApplyDefinitions(fs_pb.ApplyDefinitionsRequest(
        entities=[fs_res.Entity(name="customer", owner_team="ml", join_keys=[
            fs_res.JoinKey(name="customer_id", dtype=types_pb2.DATA_TYPE_INT64)])],
        feature_views=[fs_res.FeatureView(name=VIEW, entities=["customer"], owner_team="ml",
                                          source_kind=fs_res.SOURCE_KIND_PUSH,
                                          features=[fs_res.Feature(name=n, dtype=types_pb2.DATA_TYPE_FLOAT64)
                                                    for n in ("balance", "visits")])]), timeout=30)
    now = datetime.now(UTC)
    table = pa.table({"customer_id": pa.array(list(KNOWN), pa.int64()),
                      "event_timestamp": pa.array([now] * len(KNOWN), pa.timestamp("us", tz="UTC")),
                      "balance": pa.array([features_of(c)[0] for c in KNOWN]),
                      "visits": pa.array([features_of(c)[1] for c in KNOWN])})
    stub.PushFeatures(iter([fs_pb.PushFeaturesRequest(feature_view=VIEW,
                                                      rows=types_pb2.ArrowTable(ipc_stream=encode_ipc(table)))]),
                      timeout=30)
    # The limit is real: one call with more keys is refused.
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetOnlineFeatures(fs_pb.GetOnlineFeaturesRequest(
            features=features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(references=[
                types_pb2.FeatureReference(feature_view=VIEW, feature="balance")])),
            entity_keys=keys(*range(1, LIMIT + 2)).keys), timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    channel.close()
    yield running.address
    running.stop(0)


@pytest.fixture(scope="module")
def serving_split(registry: Registry, featurestore: str, start_serving: Callable[..., Serving]) -> Serving:
    """A serving server looking up at most LIMIT keys per call, with the scorer at `production` and a
    deployment that fills missing features with defaults."""
    registry.create_model(MODEL)
    signature = types_pb2.ModelSignature(
        inputs=[types_pb2.TensorSpec(name=n, dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 1],
                                     feature=types_pb2.FeatureReference(feature_view=VIEW, feature=n))
                for n in ("balance", "visits")],
        outputs=[types_pb2.TensorSpec(name="score", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 1])])
    registry.set_alias(MODEL, "production", register_regressor(registry, MODEL, scorer_onnx(), signature))
    serving = start_serving(featurestore_address=featurestore, featurestore_lookup_rows=LIMIT)
    serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
        name="split-defaults", model_name=MODEL, missing_feature_policy=res.MISSING_FEATURE_POLICY_USE_DEFAULT,
        default_values={"balance": types_pb2.Value(double_value=-1.0),
                        "visits": types_pb2.Value(double_value=0.0)})), timeout=10)
    return serving


def expected_score(customer: int) -> float:
    """The score of a known customer, or of the deployment's defaults (-1, 0) for an unknown one."""
    if customer not in KNOWN:
        return -1.0
    balance, visits = features_of(customer)
    return balance + 1000.0 * visits


def test_lookup_above_the_limit_is_split_and_reassembled_in_order(serving_split: Serving) -> None:
    ids = [9, 3, 11, 1, 7, 2, 10, 5, 8, 4, 6]  # all known, 11 rows: three chunks of at most LIMIT
    answer = predict(serving_split, pb.PredictRequest(model_name=MODEL, entity_keys=keys(*ids), return_features=True))
    scores = answer.outputs.columns.columns[0].float_values.values
    np.testing.assert_allclose(scores, [expected_score(i) for i in ids], rtol=1e-6)
    used = {c.name: list(c.float_values.values) for c in answer.features.values.columns.columns}
    assert used["balance"] == [features_of(i)[0] for i in ids]
    provenance = {p.input_name: p for p in answer.features.provenance}
    assert list(provenance["visits"].statuses) == [features_pb2.FEATURE_VALUE_STATUS_PRESENT] * len(ids)
    assert len(provenance["visits"].event_time_micros) == len(ids)


def test_missing_keys_in_later_chunks_keep_their_rows(serving_split: Serving) -> None:
    # Unknown keys (99, 98, 97) sit in the second and third chunks: their null rows and statuses must be
    # shifted to their place in the whole request, or the defaults would land on the wrong rows.
    ids = [1, 2, 3, 4, 5, 99, 6, 7, 8, 98, 97]
    answer = predict(serving_split, pb.PredictRequest(deployment="split-defaults", entity_keys=keys(*ids),
                                                      return_features=True, output_format=pb.OUTPUT_FORMAT_ARROW))
    with pa.ipc.open_stream(pa.py_buffer(answer.outputs.arrow.ipc_stream)) as reader:
        scores = np.array(reader.read_all().column("score").to_pylist(), dtype=np.float32).reshape(-1)
    np.testing.assert_allclose(scores, [expected_score(i) for i in ids], rtol=1e-6)
    statuses = list({p.input_name: p for p in answer.features.provenance}["balance"].statuses)
    defaulted = [i for i, s in enumerate(statuses) if s == features_pb2.FEATURE_VALUE_STATUS_DEFAULTED]
    assert defaulted == [ids.index(99), ids.index(98), ids.index(97)]
    assert all(s == features_pb2.FEATURE_VALUE_STATUS_PRESENT for i, s in enumerate(statuses) if i not in defaulted)
    # Without defaults (an explicit version answers directly) the first missing row is named by its place
    # in the whole request.
    with pytest.raises(grpc.RpcError) as rejected:
        predict(serving_split, pb.PredictRequest(model_name=MODEL, model_version=answer.model_version,
                                                 entity_keys=keys(*ids)))
    assert rejected.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f"row {ids.index(99)}" in rejected.value.details()
