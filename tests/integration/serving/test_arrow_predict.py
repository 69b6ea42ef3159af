"""Sextant Predict with Arrow IPC: Arrow feature values in, Arrow outputs out, and bad Arrow payloads
refused as INVALID_ARGUMENT naming the column, against models loaded from the real registry."""

from __future__ import annotations

import hashlib
import json

import grpc
import numpy as np
import onnx
import pyarrow as pa
import pytest
from onnx import TensorProto, helper

from sextant.registry.v1 import registry_service_pb2 as reg
from sextant.registry.v1 import resources_pb2
from sextant.serving.v1 import serving_service_pb2 as pb
from sextant.type.v1 import model_pb2, tabular_pb2, types_pb2
from tests.integration.serving.conftest import Registry, Serving, tiny_onnx
from tests.integration.serving.test_entity_keys import predict
from tests.integration.serving.test_oip import error_info

CLASSIFIER = "arrow-fraud"
MIXED = "arrow-mixed"
COUNTRIES = ["de", "fr", "it"]


def mixed_onnx() -> bytes:
    """score = amount + 10 * count + 100 * code(country), code: de → 1, fr → 2, it → 3, else 0."""
    nodes = [
        helper.make_node("LabelEncoder", ["country"], ["code"], domain="ai.onnx.ml", keys_strings=COUNTRIES,
                         values_int64s=[1, 2, 3], default_int64=0),
        helper.make_node("Cast", ["count"], ["count_f"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["code"], ["code_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["count_f", "ten"], ["count_10"]),
        helper.make_node("Mul", ["code_f", "hundred"], ["code_100"]),
        helper.make_node("Add", ["amount", "count_10"], ["partial"]),
        helper.make_node("Add", ["partial", "code_100"], ["score"]),
    ]
    graph = helper.make_graph(
        nodes, "mixed",
        [helper.make_tensor_value_info("amount", TensorProto.FLOAT, [None, 1]),
         helper.make_tensor_value_info("count", TensorProto.INT64, [None, 1]),
         helper.make_tensor_value_info("country", TensorProto.STRING, [None, 1])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [None, 1])],
        initializer=[helper.make_tensor("ten", TensorProto.FLOAT, [], [10.0]),
                     helper.make_tensor("hundred", TensorProto.FLOAT, [], [100.0])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 2)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def mixed_signature() -> types_pb2.ModelSignature:
    """The signature of :func:`mixed_onnx`: three scalar inputs of three types."""
    return types_pb2.ModelSignature(
        inputs=[types_pb2.TensorSpec(name="amount", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 1]),
                types_pb2.TensorSpec(name="count", dtype=types_pb2.DATA_TYPE_INT64, shape=[-1, 1]),
                types_pb2.TensorSpec(name="country", dtype=types_pb2.DATA_TYPE_STRING, shape=[-1, 1])],
        outputs=[types_pb2.TensorSpec(name="score", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 1])])


def register_regressor(registry: Registry, model: str, data: bytes, signature: types_pb2.ModelSignature) -> int:
    """Register ONNX ``data`` with ``signature`` as a regression version of ``model``; returns its number."""
    digest = hashlib.sha256(data).hexdigest()
    created = registry.stub.CreateModelVersion(reg.CreateModelVersionRequest(model_name=model, model_version=(
        resources_pb2.ModelVersion(format=resources_pb2.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_REGRESSION,
                                   signature=signature, artifact_sha256=digest,
                                   artifact_size_bytes=len(data)))), timeout=10).model_version
    header = reg.UploadArtifactHeader(model_name=model, version=created.version, sha256=digest, size_bytes=len(data),
                                      wait_for_validation=True)
    registry.stub.UploadArtifact(iter([reg.UploadArtifactRequest(header=header),
                                       reg.UploadArtifactRequest(chunk=data)]), timeout=30)
    return created.version


@pytest.fixture(scope="module")
def models(registry: Registry, serving: Serving) -> Serving:
    """The classifier and the mixed-input model at `production`, loaded in the shared server."""
    registry.create_model(CLASSIFIER)
    registry.set_alias(CLASSIFIER, "production", registry.register(CLASSIFIER, tiny_onnx()))
    registry.create_model(MIXED)
    registry.set_alias(MIXED, "production", register_regressor(registry, MIXED, mixed_onnx(), mixed_signature()))
    for name, feature_values in ((CLASSIFIER, typed_features(np.zeros((1, 3), np.float32))),
                                 (MIXED, typed_mixed([0.0], [0], ["de"]))):
        predict(serving, pb.PredictRequest(model_name=name, feature_values=feature_values))
    return serving


def typed_features(rows: np.ndarray) -> tabular_pb2.TabularData:
    """The classifier's `features` as one typed column with element shape [3]."""
    return tabular_pb2.TabularData(columns=tabular_pb2.ColumnBatch(row_count=rows.shape[0], columns=[
        tabular_pb2.Column(name="features", dtype=types_pb2.DATA_TYPE_FLOAT32, element_shape=[3],
                           float_values=tabular_pb2.FloatArray(values=rows.reshape(-1).tolist()))]))


def typed_mixed(amount: list[float], count: list[int], country: list[str]) -> tabular_pb2.TabularData:
    """The mixed model's three inputs as typed columns."""
    return tabular_pb2.TabularData(columns=tabular_pb2.ColumnBatch(row_count=len(amount), columns=[
        tabular_pb2.Column(name="amount", float_values=tabular_pb2.FloatArray(values=amount)),
        tabular_pb2.Column(name="count", int64_values=tabular_pb2.Int64Array(values=count)),
        tabular_pb2.Column(name="country", string_values=tabular_pb2.StringArray(values=country))]))


def ipc(*batches: pa.RecordBatch | pa.Table, file: bool = False) -> bytes:
    """Record batches (or tables) as the bytes of one Arrow IPC stream, or of an IPC file."""
    sink = pa.BufferOutputStream()
    opener = pa.ipc.new_file if file else pa.ipc.new_stream
    with opener(sink, batches[0].schema) as writer:
        for batch in batches:
            writer.write(batch)
    return sink.getvalue().to_pybytes()


def arrow_values(payload: bytes) -> tabular_pb2.TabularData:
    """An Arrow IPC payload as feature values."""
    return tabular_pb2.TabularData(arrow=types_pb2.ArrowTable(ipc_stream=payload))


def read(data: tabular_pb2.TabularData) -> pa.Table:
    """The table of an Arrow answer."""
    assert data.WhichOneof("format") == "arrow"
    with pa.ipc.open_stream(pa.py_buffer(data.arrow.ipc_stream)) as reader:
        return reader.read_all()


def fixed_size(rows: np.ndarray) -> pa.Array:
    """Rows of a 2-D array as a fixed_size_list column."""
    return pa.FixedSizeListArray.from_arrays(pa.array(rows.reshape(-1)), rows.shape[1])


def test_arrow_input_gives_the_same_predictions_as_typed_columns(models: Serving) -> None:
    rows = np.random.default_rng(5).random((6, 3), dtype=np.float32)
    typed = predict(models, pb.PredictRequest(model_name=CLASSIFIER, feature_values=typed_features(rows)))
    one_batch = ipc(pa.record_batch({"features": fixed_size(rows)}))
    as_lists = pa.array(rows.astype(np.float64).tolist(), pa.list_(pa.float64()))  # converted to FP32
    two_batches = ipc(pa.record_batch({"features": as_lists[:4]}), pa.record_batch({"features": as_lists[4:]}))
    as_file = ipc(pa.record_batch({"features": fixed_size(rows)}), file=True)
    for payload in (one_batch, two_batches, as_file):
        answer = predict(models, pb.PredictRequest(model_name=CLASSIFIER, feature_values=arrow_values(payload),
                                                   output_format=pb.OUTPUT_FORMAT_COLUMNS))
        assert answer.outputs == typed.outputs
        assert answer.model_version == typed.model_version
    # Unspecified output format with Arrow input answers Arrow.
    answer = predict(models, pb.PredictRequest(model_name=CLASSIFIER, feature_values=arrow_values(one_batch)))
    assert read(answer.outputs).column("label").to_pylist() == list(typed.outputs.columns.columns[0].int64_values.values)

    # Scalar columns of other (convertible) types, dictionary-encoded text and two record batches.
    amount, count, country = [1.5, -2.0, 0.25], [1, 2, 3], ["fr", "it", "xx"]
    typed = predict(models, pb.PredictRequest(model_name=MIXED, feature_values=typed_mixed(amount, count, country)))
    table = pa.table({"country": pa.array(country).dictionary_encode(), "amount": pa.array(amount, pa.float64()),
                      "count": pa.array(count, pa.int32())})
    answer = predict(models, pb.PredictRequest(model_name=MIXED, feature_values=arrow_values(
        ipc(*table.to_batches(max_chunksize=2))), output_format=pb.OUTPUT_FORMAT_COLUMNS))
    assert answer.outputs == typed.outputs
    np.testing.assert_allclose(answer.outputs.columns.columns[0].float_values.values, [211.5, 318.0, 30.25])


def test_arrow_output_decodes_to_the_same_numbers(models: Serving) -> None:
    rows = np.random.default_rng(6).random((5, 3), dtype=np.float32)
    typed = predict(models, pb.PredictRequest(model_name=CLASSIFIER, feature_values=typed_features(rows)))
    answer = predict(models, pb.PredictRequest(model_name=CLASSIFIER, feature_values=typed_features(rows),
                                               output_format=pb.OUTPUT_FORMAT_ARROW, return_features=True,
                                               request_id="arrow-out"))
    assert answer.request_id == "arrow-out" and answer.model_version == typed.model_version
    assert list(answer.class_labels) == ["0", "1"]
    table = read(answer.outputs)
    assert table.column_names == ["label", "probabilities"]
    assert json.loads(table.schema.metadata[b"sextant.class_labels"]) == ["0", "1"]
    expected = {c.name: c for c in typed.outputs.columns.columns}
    assert table.column("label").type == pa.int64()
    assert table.column("label").to_pylist() == list(expected["label"].int64_values.values)
    assert table.column("probabilities").type == pa.list_(pa.float32(), 2)
    probabilities = np.array(table.column("probabilities").to_pylist(), dtype=np.float32)
    np.testing.assert_array_equal(probabilities.reshape(-1), np.array(expected["probabilities"].float_values.values,
                                                                      dtype=np.float32))
    features = read(answer.features.values)
    np.testing.assert_array_equal(np.array(features.column("features").to_pylist(), dtype=np.float32), rows)
    # Arrow in and out on the bidirectional stream too.
    stream = list(models.sextant.PredictStream(iter([pb.PredictStreamRequest(request=pb.PredictRequest(
        model_name=CLASSIFIER, feature_values=arrow_values(ipc(pa.record_batch({"features": fixed_size(rows)})))))]),
        timeout=10))
    assert read(stream[0].response.outputs).equals(table)


def bad_requests() -> dict[str, tuple[pb.PredictRequest, str, str]]:
    """Bad Arrow requests: name → (request, expected ErrorInfo reason, text the error must name)."""
    good = pa.table({"amount": pa.array([1.0], pa.float32()), "count": pa.array([1], pa.int64()),
                     "country": pa.array(["de"])})
    valid = ipc(good)

    def mixed(table: pa.Table | bytes) -> pb.PredictRequest:
        payload = table if isinstance(table, bytes) else ipc(table)
        return pb.PredictRequest(model_name=MIXED, feature_values=arrow_values(payload))

    def classifier(column: pa.Array) -> pb.PredictRequest:
        return pb.PredictRequest(model_name=CLASSIFIER, feature_values=arrow_values(ipc(pa.table({"features": column}))))

    return {
        "not arrow": (mixed(b"definitely not arrow"), "MALFORMED_ARROW", "feature_values.arrow.ipc_stream"),
        "truncated": (mixed(valid[:len(valid) // 2]), "MALFORMED_ARROW", "feature_values.arrow.ipc_stream"),
        "float for INT64": (mixed(good.set_column(1, "count", pa.array([1.5]))), "DATATYPE_MISMATCH", "'count'"),
        "text for FP32": (mixed(good.set_column(0, "amount", pa.array(["1"]))), "DATATYPE_MISMATCH", "'amount'"),
        "number for STRING": (mixed(good.set_column(2, "country", pa.array([7]))), "DATATYPE_MISMATCH", "'country'"),
        "out of range": (mixed(good.set_column(1, "count", pa.array([2**63], pa.uint64()))), "VALUE_OUT_OF_RANGE",
                         "'count'"),
        "missing column": (mixed(good.drop_columns(["country"])), "MISSING_INPUT", "'country'"),
        "unknown column": (mixed(good.append_column("age", pa.array([40]))), "UNKNOWN_INPUT", "'age'"),
        "null value": (mixed(good.set_column(0, "amount", pa.array([None], pa.float32()))), "MISSING_FEATURE",
                       "'amount'"),
        "NaN value": (mixed(good.set_column(0, "amount", pa.array([np.nan], pa.float32()))), "NAN_NOT_ALLOWED",
                      "'amount'"),
        "no rows": (mixed(good.slice(0, 0)), "EMPTY_BATCH", "feature_values.arrow"),
        "wrong width": (classifier(fixed_size(np.zeros((1, 2), np.float32))), "SHAPE_MISMATCH", "'features'"),
        "ragged lists": (classifier(pa.array([[1.0, 2.0, 3.0], [1.0]])), "SHAPE_MISMATCH", "'features'"),
        "scalar for a vector": (classifier(pa.array([1.0])), "DATATYPE_MISMATCH", "'features'"),
        "null list row": (classifier(pa.array([[1.0, 2.0, 3.0], None], pa.list_(pa.float32()))), "MISSING_FEATURE",
                          "'features'"),
        "all lists null": (classifier(pa.array([None, None], pa.list_(pa.float32()))), "MISSING_FEATURE",
                           "'features'"),
        "unknown output format": (pb.PredictRequest(model_name=MIXED, feature_values=arrow_values(valid),
                                                    output_format=7), "UNKNOWN_OUTPUT_FORMAT", "output_format"),
    }


def test_bad_arrow_is_invalid_argument_naming_the_column_and_the_server_serves_on(models: Serving) -> None:
    valid = pb.PredictRequest(model_name=MIXED, feature_values=arrow_values(ipc(pa.table({
        "amount": pa.array([1.0], pa.float32()), "count": pa.array([2], pa.int64()), "country": pa.array(["it"])}))))
    for name, (request, reason, named) in bad_requests().items():
        with pytest.raises(grpc.RpcError) as caught:
            models.sextant.Predict(request, timeout=10)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, name
        assert error_info(caught.value).reason == reason, (name, caught.value.details())
        assert named in caught.value.details(), (name, caught.value.details())
        after = models.sextant.Predict(valid, timeout=10)  # the next valid call is answered
        assert read(after.outputs).column("score").to_pylist() == [[321.0]], name
    # In a stream the bad request fails in band and the next one is answered.
    bad, _reason, _named = bad_requests()["float for INT64"]
    answers = list(models.sextant.PredictStream(iter([pb.PredictStreamRequest(request=bad),
                                                      pb.PredictStreamRequest(request=valid)]), timeout=10))
    assert [a.WhichOneof("result") for a in answers] == ["error", "response"]
    assert answers[0].error.reason == "DATATYPE_MISMATCH" and answers[0].error.metadata["column"] == "count"
