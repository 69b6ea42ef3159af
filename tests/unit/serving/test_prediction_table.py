"""Queued predictions become one columnar PredictionTable per model version."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from services.serving.prediction_log import Prediction, _table_message


def prediction(request_id: str, rows: int) -> Prediction:
    """A classifier prediction of ``rows`` rows over a [rows, 2] input."""
    return Prediction(request_id=request_id, model_name="m", version=3, alias="production", deployment="d",
                      team="t", route=1, time_seconds=1_800_000_000.0, latency_seconds=0.0005,
                      inputs={"x": np.arange(rows * 2, dtype=np.float32).reshape(rows, 2)},
                      output_names=["label", "probabilities"],
                      outputs=[np.ones(rows, dtype=np.int64), np.full((rows, 2), 0.5, dtype=np.float32)],
                      class_labels=["0", "1"])


def test_rows_keep_request_ids_row_indexes_and_class_probabilities() -> None:
    message = _table_message([prediction("a", 1), prediction("b", 2)])
    table = pa.ipc.open_stream(message.table.rows.ipc_stream).read_all()
    assert message.table.model_version == 3 and message.table.deployment == "d"
    assert table.column("__request_id").to_pylist() == ["a", "b", "b"]
    assert table.column("__row_index").to_pylist() == [0, 0, 1]
    assert table.column("x[1]").to_pylist() == [1.0, 1.0, 3.0]
    assert table.column("__predicted_label").to_pylist() == ["1", "1", "1"]
    assert table.column("__probability:0").to_pylist() == [0.5, 0.5, 0.5]
    assert list(message.table.input_columns) == ["x[0]", "x[1]"]
    assert list(message.table.output_columns) == []


def test_single_row_predictions_and_scalar_outputs_keep_their_values() -> None:
    group = [Prediction(request_id=f"r{i}", model_name="m", version=1, alias="", deployment="", team="", route=3,
                        time_seconds=1_800_000_000.25 + i, latency_seconds=0.000_75,
                        inputs={"x": np.array([[i, -i]], dtype=np.int64)}, output_names=["label", "score"],
                        outputs=[np.array(["yes" if i else "no"], dtype=object), np.array(i * 0.5)],
                        class_labels=["no", "yes"])
             for i in range(3)]
    table = pa.ipc.open_stream(_table_message(group).table.rows.ipc_stream).read_all()
    assert table.column("__request_id").to_pylist() == ["r0", "r1", "r2"]
    assert table.column("__row_index").to_pylist() == [0, 0, 0]
    assert table.column("__latency_us").to_pylist() == [750, 750, 750]
    assert [t.timestamp() for t in table.column("__prediction_time").to_pylist()] == [
        1_800_000_000.25, 1_800_000_001.25, 1_800_000_002.25]
    assert table.column("x[1]").to_pylist() == [0, -1, -2]
    assert table.column("__predicted_label").to_pylist() == ["no", "yes", "yes"]
    assert table.column("score").to_pylist() == [0.0, 0.5, 1.0]


def test_scalar_inputs_count_one_row_each() -> None:
    group = [Prediction(request_id=f"z{i}", model_name="m", version=1, alias="", deployment="", team="", route=3,
                        time_seconds=1_800_000_000.0, latency_seconds=0.001, inputs={"x": np.array(float(i))},
                        output_names=["y"], outputs=[np.array(i * 0.5)], class_labels=[])
             for i in range(3)]
    message = _table_message(group)
    table = pa.ipc.open_stream(message.table.rows.ipc_stream).read_all()
    assert table.column("__request_id").to_pylist() == ["z0", "z1", "z2"]
    assert table.column("x").to_pylist() == [0.0, 1.0, 2.0]
    assert table.column("y").to_pylist() == [0.0, 0.5, 1.0]
    assert list(message.table.input_columns) == ["x"] and list(message.table.output_columns) == ["y"]


def _feature_fed(request_id: str, values: list[float], with_matrix: bool) -> Prediction:
    """A prediction of a model with one input per feature, the inputs being rows of one array."""
    matrix = np.array(values, dtype=np.float32).reshape(len(values), 1)
    inputs = {f"f{j}": matrix[j].reshape(1, 1) for j in range(len(values))}
    return Prediction(request_id=request_id, model_name="scorer", version=1, alias="", deployment="", team="",
                      route=1, time_seconds=1_800_000_000.0, latency_seconds=0.001, inputs=inputs,
                      output_names=["score"], outputs=[np.array([[sum(values)]], dtype=np.float32)], class_labels=[],
                      input_matrices=((tuple(inputs), matrix),) if with_matrix else ())


def test_input_matrices_give_the_table_the_inputs_give() -> None:
    rows = [[float(i), i * 0.5, -i] for i in range(5)]
    by_input = _table_message([_feature_fed(f"k{i}", r, False) for i, r in enumerate(rows)])
    by_matrix = _table_message([_feature_fed(f"k{i}", r, True) for i, r in enumerate(rows)])
    table = pa.ipc.open_stream(by_matrix.table.rows.ipc_stream).read_all()
    assert table.equals(pa.ipc.open_stream(by_input.table.rows.ipc_stream).read_all())
    assert list(by_matrix.table.input_columns) == ["f0", "f1", "f2"]
    assert table.column("f1").to_pylist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    # A group where one prediction came without its matrix falls back to the inputs.
    mixed = [_feature_fed(f"k{i}", r, i != 2) for i, r in enumerate(rows)]
    assert pa.ipc.open_stream(_table_message(mixed).table.rows.ipc_stream).read_all().equals(table)


def test_an_empty_prediction_next_to_a_two_row_one_keeps_rows_with_their_request() -> None:
    table = pa.ipc.open_stream(_table_message([prediction("empty", 0), prediction("two", 2)]).table.rows.ipc_stream)
    table = table.read_all()
    assert table.column("__request_id").to_pylist() == ["two", "two"]
    assert table.column("__row_index").to_pylist() == [0, 1]
