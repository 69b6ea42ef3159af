"""The wire-format scanner of ONNX files: it reads a graph's inputs and outputs like onnxruntime
describes them, refuses what is not a ModelProto, and steps over initializers without copying them."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from services.registry.onnx_check import check_structure
from services.registry.onnx_scan import GraphArg, NotOnnx, scan_onnx, scan_onnx_file
from services.registry.records import Signature, TensorSpec


def _model(*, initializer_bytes: int = 0, extra_input_initializer: bool = False) -> bytes:
    initializers = []
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])]
    if initializer_bytes:
        floats = initializer_bytes // 4
        initializers.append(onnx.TensorProto(name="padding", data_type=TensorProto.FLOAT, dims=[floats],
                                             raw_data=np.ones(floats, dtype=np.float32).tobytes()))
    if extra_input_initializer:
        # An input with an initializer is a default, not something a caller feeds.
        initializers.append(helper.make_tensor("bias", TensorProto.FLOAT, [4], [0.0] * 4))
        inputs.append(helper.make_tensor_value_info("bias", TensorProto.FLOAT, [4]))
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"]), helper.make_node("Cast", ["x"], ["n"], to=TensorProto.INT64)],
        "g", inputs,
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4]),
         helper.make_tensor_value_info("n", TensorProto.INT64, [None, 4])], initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    return model.SerializeToString()


def _signature(**changes: object) -> Signature:
    inputs = (TensorSpec("x", "FLOAT32", (-1, 4)),)
    outputs = (TensorSpec("y", "FLOAT32", (-1, 4)), TensorSpec("n", "INT64", (-1, 4)))
    return Signature(**{"inputs": inputs, "outputs": outputs, **changes})


def test_reads_inputs_and_outputs_as_onnxruntime_names_them() -> None:
    scanned = scan_onnx(_model(extra_input_initializer=True))
    assert scanned.inputs == (GraphArg("x", "tensor(float)", ("batch", 4)),)
    assert scanned.outputs == (GraphArg("y", "tensor(float)", (None, 4)), GraphArg("n", "tensor(int64)", (None, 4)))

    import onnxruntime

    session = onnxruntime.InferenceSession(_model(extra_input_initializer=True), providers=["CPUExecutionProvider"])
    assert [(a.name, a.type, tuple(a.shape)) for a in session.get_inputs()] == \
        [(a.name, a.type, a.shape) for a in scanned.inputs]
    # Outputs carry the declared shapes; onnxruntime may refine them by shape inference (here the batch
    # dimension's name), which the background validation compares again.
    assert [(a.name, a.type) for a in session.get_outputs()] == [(a.name, a.type) for a in scanned.outputs]


def test_check_structure_names_the_signature_field() -> None:
    data = _model()
    assert check_structure(data, _signature()) is None
    wrong_dim = check_structure(data, _signature(inputs=(TensorSpec("x", "FLOAT32", (-1, 5)),)))
    assert wrong_dim is not None and wrong_dim.path == "signature.inputs[0].shape[1]"
    wrong_type = check_structure(data, _signature(outputs=(TensorSpec("y", "FLOAT64", (-1, 4)),
                                                           TensorSpec("n", "INT64", (-1, 4)))))
    assert wrong_type is not None and wrong_type.path == "signature.outputs[0].dtype"
    wrong_rank = check_structure(data, _signature(inputs=(TensorSpec("x", "FLOAT32", (-1,)),)))
    assert wrong_rank is not None and wrong_rank.path == "signature.inputs[0].shape"
    missing = check_structure(data, _signature(inputs=(TensorSpec("features", "FLOAT32", (-1, 4)),)))
    assert missing is not None and missing.path == "signature.inputs[0]" and "'features'" in missing.problem
    undeclared = check_structure(data, _signature(outputs=(TensorSpec("y", "FLOAT32", (-1, 4)),)))
    assert undeclared is not None and undeclared.path == "signature.outputs" and "n" in undeclared.problem
    junk = check_structure(b"definitely not an onnx model", _signature())
    assert junk is not None and junk.path == "artifact" and junk.problem.startswith("not an ONNX model")


@pytest.mark.parametrize("cut", [1, 7, 40, -1])
def test_truncated_bytes_are_not_onnx(cut: int) -> None:
    data = _model(initializer_bytes=4096)
    with pytest.raises(NotOnnx):
        scan_onnx(data[:cut] if cut > 0 else data[:cut])


@pytest.mark.parametrize("data", [
    b"",
    bytes([0x3A, 0x05]) + b"\x00" * 5,   # field 7 (graph) with a payload that is no GraphProto (field 0)
    bytes([0x38, 0x01]),                 # field 7 as a varint instead of a message
    bytes([0x0A, 0x02, 0x41, 0x42]),     # field 1 (ir_version) as bytes instead of a varint
    bytes([0x08, 0x08]),                 # a valid ir_version but no graph
    bytes([0x0B]),                       # wire type 3 (a group), which ONNX never uses
    bytes([0x08]) + b"\xff" * 11,        # a varint of more than 10 bytes
    b"{\"not\": \"onnx\"}",
], ids=["empty", "bad-graph", "graph-as-varint", "ir-version-as-bytes", "no-graph", "group", "long-varint",
        "json"])
def test_wrong_field_types_are_not_onnx(data: bytes) -> None:
    with pytest.raises(NotOnnx):
        scan_onnx(data)


def test_graph_input_with_a_wrong_wire_type_is_not_onnx() -> None:
    graph = bytes([0x58, 0x01])  # GraphProto field 11 (input) as a varint
    with pytest.raises(NotOnnx, match="graph field 11"):
        scan_onnx(bytes([0x3A, len(graph)]) + graph)


def test_a_huge_initializer_is_skipped_cheaply(tmp_path: Path) -> None:
    small_path = tmp_path / "small.onnx"
    small_path.write_bytes(_model())
    big_path = tmp_path / "big.onnx"
    big_path.write_bytes(_model(initializer_bytes=100 * 1024 * 1024))
    assert scan_onnx_file(big_path) == scan_onnx_file(small_path)

    def best_of(path: Path) -> float:
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            scan_onnx_file(path)
            timings.append(time.perf_counter() - start)
        return min(timings)

    # Reading (or copying) 100 MB takes tens of milliseconds; stepping over it by its length does not.
    assert best_of(big_path) < 0.01
    assert best_of(big_path) < best_of(small_path) + 0.005


def test_an_empty_file_is_not_onnx(tmp_path: Path) -> None:
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    with pytest.raises(NotOnnx):
        scan_onnx_file(empty)
    assert check_structure(empty, _signature()) is not None


def test_an_input_fed_by_a_sparse_initializer_is_not_a_graph_input() -> None:
    values = helper.make_tensor("w", TensorProto.FLOAT, [2], [1.0, 2.0])
    indices = helper.make_tensor("w_indices", TensorProto.INT64, [2], [0, 3])
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
        sparse_initializer=[helper.make_sparse_tensor(values, indices, [4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    scanned = scan_onnx(model.SerializeToString())
    assert [a.name for a in scanned.inputs] == ["x"]
    assert [a.name for a in scanned.outputs] == ["y"]
