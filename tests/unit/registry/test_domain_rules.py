"""Pure domain rules of the registry: names, orderings, the ONNX signature check, stored shapes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from services.common.errors import InvalidArgument
from services.registry.model_catalog import parse_order
from services.registry.onnx_check import check_onnx
from services.registry.records import (
    Signature,
    StaleReason,
    TensorSpec,
    check_alias_name,
    check_name,
)
from services.registry.repository import (
    reasons_from_json,
    reasons_to_json,
    signature_from_json,
    signature_to_json,
)


@pytest.mark.parametrize("name", ["a", "credit_default", "m-1", "0", "a" * 63])
def test_valid_names(name: str) -> None:
    assert check_name(name, "name") == name


@pytest.mark.parametrize("name", ["", "A", "-a", "_a", "a b", "a" * 64, "é"])
def test_invalid_names_name_the_field(name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        check_name(name, "model.name")
    assert caught.value.field == "model.name"


@pytest.mark.parametrize("alias", ["123", "latest"])
def test_aliases_that_could_be_mistaken_are_refused(alias: str) -> None:
    with pytest.raises(InvalidArgument):
        check_alias_name(alias, "alias")


def test_parse_order() -> None:
    allowed = ("create_time", "version", "metrics.")
    assert parse_order("", allowed) == []
    assert parse_order("metrics.auc desc, version", allowed) == [("metrics.auc", True), ("version", False)]
    assert parse_order(" create_time  asc ", allowed) == [("create_time", False)]
    for bad in ("colour", "version up", "metrics.", "version, version", "version desc extra"):
        with pytest.raises(InvalidArgument) as caught:
            parse_order(bad, allowed)
        assert caught.value.field == "order_by"


def test_stored_shapes_round_trip() -> None:
    signature = Signature((TensorSpec("x", "FLOAT32", (-1, 3), ("view", "f", 2)),), (TensorSpec("y", "INT64", (-1,)),),
                          ("no", "yes"))
    assert signature_from_json(signature_to_json(signature)) == signature
    reason = StaleReason(source="MANUAL", message="m", mark_time=datetime(2026, 1, 2, 3, 4, 5, 6), principal="p")
    assert reasons_from_json(reasons_to_json([reason])) == (reason,)
    assert reasons_from_json("[]") == ()


def _identity_model(dims: list[int | None]) -> bytes:
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, dims)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    return model.SerializeToString()


def test_onnx_check_matches_names_types_and_shapes() -> None:
    data = _identity_model([None, 4])
    ok = Signature((TensorSpec("x", "FLOAT32", (-1, 4)),), (TensorSpec("y", "FLOAT32", (-1, 4)),))
    assert check_onnx(data, ok) is None
    problems = {
        "signature.inputs[0].dtype": Signature((TensorSpec("x", "FLOAT64", (-1, 4)),), ok.outputs),
        "signature.inputs[0].shape[1]": Signature((TensorSpec("x", "FLOAT32", (-1, 5)),), ok.outputs),
        "signature.inputs[0].shape": Signature((TensorSpec("x", "FLOAT32", (-1,)),), ok.outputs),
        "signature.outputs[0]": Signature(ok.inputs, (TensorSpec("z", "FLOAT32", (-1, 4)),)),
    }
    for path, signature in problems.items():
        problem = check_onnx(data, signature)
        assert problem is not None and problem.path == path, (path, problem)
    assert check_onnx(b"\x00garbage", ok).path == "artifact"


def test_onnx_check_reads_a_file_path(tmp_path: Path) -> None:
    model = tmp_path / "model.part"
    model.write_bytes(_identity_model([None, 4]))
    ok = Signature((TensorSpec("x", "FLOAT32", (-1, 4)),), (TensorSpec("y", "FLOAT32", (-1, 4)),))
    assert check_onnx(model, ok) is None
    assert check_onnx(model, Signature(ok.inputs, (TensorSpec("y", "INT64", (-1, 4)),))).path == \
        "signature.outputs[0].dtype"
    garbage = tmp_path / "garbage.part"
    garbage.write_bytes(b"\x00garbage")
    assert check_onnx(garbage, ok).path == "artifact"
