"""Run in a SUBPROCESS by test_tritonclient.py: tritonclient and our generated `inference` package
cannot be imported in one process. Exits 0 when every check passed; prints the failing check otherwise.

Usage: python triton_client_check.py <address> <model> <expected version>
"""

from __future__ import annotations

import sys

import numpy as np
import tritonclient.grpc as triton
from tritonclient.grpc import service_pb2


def main(address: str, model: str, version: str) -> None:
    client = triton.InferenceServerClient(url=address)
    assert client.is_server_live(), "server live"
    assert client.is_server_ready(), "server ready"
    assert client.get_server_metadata().name == "sextant-serving", "server metadata"
    assert not client.is_model_ready(model), "not ready before load"
    client.load_model(model)
    assert client.is_model_ready(model), "ready after load"
    metadata = client.get_model_metadata(model)
    assert metadata.versions == [version], f"metadata versions {metadata.versions}"
    assert [(t.name, t.datatype, list(t.shape)) for t in metadata.inputs] == [("features", "FP32", [-1, 3])]
    index = client.get_model_repository_index()
    assert any(m.name == model and m.state == "READY" for m in index.models), f"index {index}"

    rows = np.array([[0.9, 0.1, 0.1], [0.1, 0.2, 0.3]], dtype=np.float32)
    features = triton.InferInput("features", list(rows.shape), "FP32")
    features.set_data_from_numpy(rows)
    outputs = [triton.InferRequestedOutput("probabilities"), triton.InferRequestedOutput("label")]
    result = client.infer(model, [features], outputs=outputs, request_id="triton-1")
    assert result.get_response().id == "triton-1", "id echoed"
    assert [o.name for o in result.get_response().outputs] == ["probabilities", "label"], "output order"
    probabilities = result.as_numpy("probabilities")
    labels = result.as_numpy("label")
    assert probabilities.shape == (2, 2) and probabilities.dtype == np.float32, probabilities
    assert labels.shape == (2,) and labels.dtype == np.int64, labels
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5), probabilities

    typed = service_pb2.ModelInferRequest(model_name=model, id="typed")
    tensor = typed.inputs.add(name="features", datatype="FP32", shape=[2, 3])
    tensor.contents.fp32_contents.extend(rows.reshape(-1).tolist())
    typed_response = client._client_stub.ModelInfer(typed, timeout=10)
    typed_probabilities = np.frombuffer(typed_response.raw_output_contents[1], dtype=np.float32).reshape(2, 2)
    assert np.allclose(typed_probabilities, probabilities), "typed == raw"

    stats = client.get_inference_statistics(model)
    assert stats.model_stats[0].inference_count >= 4, stats

    try:
        bad = triton.InferInput("features", [1, 4], "FP32")
        bad.set_data_from_numpy(np.zeros((1, 4), dtype=np.float32))
        client.infer(model, [bad])
        raise AssertionError("a bad shape was accepted")
    except triton.InferenceServerException as error:
        assert "StatusCode.INVALID_ARGUMENT" in str(error.status()), error.status()

    client.unload_model(model)
    assert not client.is_model_ready(model), "not ready after unload"
    client.load_model(model)
    assert client.is_model_ready(model), "ready after reload"
    client.close()
    print("ok")


if __name__ == "__main__":
    main(*sys.argv[1:4])
