"""Tensor and column codecs against a real onnxruntime session of a tiny model."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

from inference import grpc_service_pb2 as oip
from services.common.errors import InvalidArgument
from services.serving import converters
from services.serving.sessions import ModelSession
from sextant.type.v1 import features_pb2, tabular_pb2, types_pb2
from tests.unit.serving.onnx_sessions import load_session


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> ModelSession:
    """A graph y = x + 1 over float[-1, 2] and a string passthrough."""
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "one"], ["y"]), helper.make_node("Identity", ["s"], ["t"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2]),
         helper.make_tensor_value_info("s", TensorProto.STRING, [None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2]),
         helper.make_tensor_value_info("t", TensorProto.STRING, [None])],
        initializer=[helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])])
    return load_session(tmp_path_factory, graph, "m")


def test_raw_and_bytes_round_trip(session: ModelSession) -> None:
    request = oip.ModelInferRequest(model_name="m", id="r")
    request.inputs.add(name="x", datatype="FP32", shape=[2, 2])
    request.inputs.add(name="s", datatype="BYTES", shape=[2])
    request.raw_input_contents.extend([np.arange(4, dtype=np.float32).tobytes(),
                                       converters.encode_bytes_tensor(np.array(["a", "bc"], dtype=object))])
    feeds, rows = converters.infer_feeds(request, session, 100)
    assert rows == 2
    names = converters.requested_outputs(["t", "y"], session, "outputs[{}].name")
    response = converters.infer_response(request, session, names, session.run(names, feeds, rows))
    assert [o.name for o in response.outputs] == ["t", "y"]
    assert converters.decode_bytes_tensor(response.raw_output_contents[0], 2, "f", "t").tolist() == ["a", "bc"]
    assert np.frombuffer(response.raw_output_contents[1], dtype=np.float32).tolist() == [1, 2, 3, 4]


def test_bad_bytes_length_is_named(session: ModelSession) -> None:
    with pytest.raises(InvalidArgument) as caught:
        converters.decode_bytes_tensor(b"\x05\x00\x00\x00ab", 1, "raw_input_contents[1]", "s")
    assert caught.value.field == "raw_input_contents[1]"


def test_columns_with_defaults(session: ModelSession) -> None:
    batch = tabular_pb2.ColumnBatch(row_count=2, columns=[
        tabular_pb2.Column(name="x", element_shape=[2], double_values=tabular_pb2.DoubleArray(values=[1, 2, 0, 0]),
                           null_rows=[1]),
        tabular_pb2.Column(name="s", string_values=tabular_pb2.StringArray(values=["p", "q"]))])
    with pytest.raises(InvalidArgument) as rejected:
        converters.column_feeds(batch, session, 10, field="feature_values.columns", use_defaults=False, defaults={})
    assert rejected.value.reason == "MISSING_FEATURE"
    feeds, rows, defaulted = converters.column_feeds(
        batch, session, 10, field="feature_values.columns", use_defaults=True,
        defaults={"x": types_pb2.Value(double_value=7.0)})
    assert feeds["x"].dtype == np.float32 and feeds["x"].tolist() == [[1, 2], [7, 7]]
    assert defaulted == [("x", [1])]


@pytest.fixture(scope="module")
def scalars(tmp_path_factory: pytest.TempPathFactory) -> ModelSession:
    """A graph y = a + b + c + d over four float[-1, 1] inputs and an int64[-1] passthrough."""
    graph = helper.make_graph(
        [helper.make_node("Sum", ["a", "b", "c", "d"], ["y"]), helper.make_node("Identity", ["k"], ["k_out"])], "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 1]) for n in "abcd"]
        + [helper.make_tensor_value_info("k", TensorProto.INT64, [None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1]),
         helper.make_tensor_value_info("k_out", TensorProto.INT64, [None])])
    return load_session(tmp_path_factory, graph, "s")


def _fetched(name: str, values: list[float], statuses: list[int]) -> converters.InputColumn:
    column = tabular_pb2.Column(name=name, double_values=tabular_pb2.DoubleArray(values=values))
    return converters.InputColumn(f"entity_keys.columns[{name}]", column, statuses)


def test_scalar_columns_are_converted_together_with_status_masks(scalars: ModelSession) -> None:
    present, not_found = features_pb2.FEATURE_VALUE_STATUS_PRESENT, features_pb2.FEATURE_VALUE_STATUS_NOT_FOUND
    columns = [_fetched("a", [1.0, 2.0, 3.0], [present] * 3),
               _fetched("b", [10.0, float("nan"), 30.0], [present, not_found, present]),  # placeholder ignored
               converters.InputColumn("supplied[0]", tabular_pb2.Column(
                   name="c", float_values=tabular_pb2.FloatArray(values=[0.5, 0.5, 0.5]))),
               converters.InputColumn("supplied[1]", tabular_pb2.Column(
                   name="d", int64_values=tabular_pb2.Int64Array(values=[1, 2, 3]), null_rows=[2])),
               converters.InputColumn("supplied[2]", tabular_pb2.Column(
                   name="k", int64_values=tabular_pb2.Int64Array(values=[7, 8, 9])))]
    with pytest.raises(InvalidArgument) as rejected:
        converters.input_feeds(columns, 3, scalars, 100, field="entity_keys", use_defaults=False, defaults={})
    assert rejected.value.metadata["tensor"] in ("b", "d")
    assert rejected.value.reason == "MISSING_FEATURE"
    feeds, rows, defaulted = converters.input_feeds(
        columns, 3, scalars, 100, field="entity_keys", use_defaults=True,
        defaults={"b": types_pb2.Value(double_value=-1.0), "d": types_pb2.Value(double_value=100.0)})
    assert rows == 3 and dict(defaulted) == {"b": [1], "d": [2]}
    assert all(feeds[n].shape == (3, 1) and feeds[n].dtype == np.float32 and feeds[n].flags.c_contiguous
               for n in "abcd")
    assert feeds["k"].tolist() == [7, 8, 9] and feeds["k"].dtype == np.int64
    (y,) = scalars.run(["y"], feeds, rows)
    np.testing.assert_allclose(y.reshape(-1), [1 + 10 + 0.5 + 1, 2 - 1 + 0.5 + 2, 3 + 30 + 0.5 + 100])


def test_scalar_columns_name_the_nan_and_the_length_mismatch(scalars: ModelSession) -> None:
    present = features_pb2.FEATURE_VALUE_STATUS_PRESENT
    good = [_fetched(n, [1.0, 2.0], [present] * 2) for n in "abcd"] + [converters.InputColumn(
        "k", tabular_pb2.Column(name="k", int64_values=tabular_pb2.Int64Array(values=[1, 2])))]
    nan = [*good[:2], _fetched("c", [1.0, float("nan")], [present] * 2), *good[3:]]
    with pytest.raises(InvalidArgument) as caught:
        converters.input_feeds(nan, 2, scalars, 100, field="entity_keys", use_defaults=False, defaults={})
    assert caught.value.reason == "NAN_NOT_ALLOWED" and (caught.value.metadata["tensor"], caught.value.metadata["row"]) == ("c", "1")
    short = [*good[:3], _fetched("d", [1.0], [present]), good[4]]
    with pytest.raises(InvalidArgument) as caught:
        converters.input_feeds(short, 2, scalars, 100, field="entity_keys", use_defaults=False, defaults={})
    assert caught.value.reason == "CONTENT_SIZE_MISMATCH" and caught.value.field == "entity_keys.columns[d].double_values"


@pytest.fixture(scope="module")
def one_input(tmp_path_factory: pytest.TempPathFactory) -> ModelSession:
    """A graph y = x + 1 over float[-1, 2]: one input, as most tabular models take."""
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "one"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])],
        initializer=[helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])])
    return load_session(tmp_path_factory, graph, "one", 3)


def _one_row(values: list[float], request_id: str = "") -> oip.ModelInferRequest:
    request = oip.ModelInferRequest(model_name="one", id=request_id)
    request.inputs.add(name="x", datatype="FP32", shape=[len(values) // 2, 2])
    request.raw_input_contents.append(np.array(values, dtype=np.float32).tobytes())
    return request


def test_a_known_request_layout_is_still_checked_for_nan(one_input: ModelSession) -> None:
    feeds, rows = converters.infer_feeds(_one_row([1, 2]), one_input, 100)
    assert rows == 1 and feeds["x"].tolist() == [[1, 2]]
    assert len(one_input.feed_layouts) == 1  # the layout is known from now on
    feeds, rows = converters.infer_feeds(_one_row([3, 4]), one_input, 100)
    assert rows == 1 and feeds["x"].tolist() == [[3, 4]]
    with pytest.raises(InvalidArgument) as caught:
        converters.infer_feeds(_one_row([5, float("nan")]), one_input, 100)
    assert (caught.value.field, caught.value.reason) == ("inputs[0]", "NAN_NOT_ALLOWED")
    short = _one_row([1, 2])
    short.raw_input_contents[0] = short.raw_input_contents[0][:6]
    with pytest.raises(InvalidArgument) as caught:
        converters.infer_feeds(short, one_input, 100)
    assert (caught.value.field, caught.value.reason) == ("raw_input_contents[0]", "RAW_CONTENT_SIZE_MISMATCH")


@pytest.mark.parametrize("request_id", ["", "req-7"])
def test_encoded_response_is_the_message_on_the_wire(one_input: ModelSession, request_id: str) -> None:
    for values in ([1, 2], [1, 2, 3, 4, 5, 6]):  # two row counts: two output shapes
        request = _one_row(values, request_id)
        feeds, rows = converters.infer_feeds(request, one_input, 100)
        results = one_input.run(["y"], feeds, rows)
        expected = converters.infer_response(request, one_input, ["y"], results)
        for _ in range(2):  # the first call serializes the prefix, the second reuses it
            encoded = converters.encoded_infer_response(request, one_input, ["y"], results)
            assert oip.ModelInferResponse.FromString(encoded.data) == expected
    assert expected.id == request_id and expected.model_version == "3"
    assert np.frombuffer(expected.raw_output_contents[0], dtype=np.float32).tolist() == [2, 3, 4, 5, 6, 7]


def test_group_feeds_are_rows_of_the_matrices_handed_back(scalars: ModelSession) -> None:
    batch = tabular_pb2.ColumnBatch(row_count=2, columns=[
        tabular_pb2.Column(name=name, float_values=tabular_pb2.FloatArray(values=[j, j + 0.5]))
        for j, name in enumerate("abcd")] + [
        tabular_pb2.Column(name="k", int64_values=tabular_pb2.Int64Array(values=[7, 8]))])
    matrices: list = []
    feeds, rows, _ = converters.column_feeds(batch, scalars, 10, field="feature_values.columns", use_defaults=False,
                                             defaults={}, matrices=matrices)
    assert rows == 2
    handed = {name: matrix[j] for names, matrix in matrices for j, name in enumerate(names)}
    assert sorted(handed) == ["a", "b", "c", "d", "k"]
    for name, values in handed.items():
        assert values.tolist() == feeds[name].reshape(-1).tolist()
