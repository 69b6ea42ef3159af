"""Concurrent requests share session executions and each gets exactly its own rows."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from onnx import TensorProto, helper

from services.common.errors import InvalidArgument
from services.serving.micro_batching import MicroBatcher
from services.serving.sessions import ModelSession
from tests.unit.serving.onnx_sessions import load_session


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> ModelSession:
    """y = x * 2 over float[-1, 2]."""
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "two"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])],
        initializer=[helper.make_tensor("two", TensorProto.FLOAT, [1], [2.0])])
    return load_session(tmp_path_factory, graph, "m")


def test_concurrent_requests_are_merged_and_split_back(session: ModelSession) -> None:
    batcher = MicroBatcher(session, max_batch_size=64, max_queue_delay_us=20_000)
    results: dict[int, np.ndarray] = {}
    waits: dict[int, float] = {}
    start = threading.Barrier(8)

    def call(i: int) -> None:
        start.wait()
        rows = np.full((i % 3 + 1, 2), float(i), dtype=np.float32)
        queued = time.perf_counter()
        outputs, executed = batcher.run(["y"], {"x": rows}, rows.shape[0])
        results[i] = outputs[0]
        waits[i] = executed - queued

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in range(8):
        assert results[i].tolist() == [[2.0 * i, 2.0 * i]] * (i % 3 + 1)
    assert 1 <= batcher.batches < 8
    assert all(wait >= 0 for wait in waits.values())  # each request's batch ran after it queued


def test_a_bad_request_does_not_fail_its_batch(session: ModelSession) -> None:
    batcher = MicroBatcher(session, max_batch_size=64, max_queue_delay_us=20_000)
    outcomes: dict[str, object] = {}
    start = threading.Barrier(2)

    def good() -> None:
        start.wait()
        outcomes["good"] = batcher.run(["y"], {"x": np.ones((1, 2), dtype=np.float32)}, 1)[0][0].tolist()

    def bad() -> None:
        start.wait()
        try:
            batcher.run(["y"], {"x": np.ones((1, 3), dtype=np.float32)}, 1)
        except InvalidArgument as error:
            outcomes["bad"] = error.reason

    threads = [threading.Thread(target=good), threading.Thread(target=bad)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"good": [[2.0, 2.0]], "bad": "MODEL_REJECTED_INPUT"}
