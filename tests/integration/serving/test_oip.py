"""Open Inference Protocol against models loaded from the real registry."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from inference import grpc_service_pb2 as oip
from tests.integration.serving.conftest import Registry, Serving, tiny_onnx

MODEL = "churn"


@pytest.fixture(scope="module")
def loaded(registry: Registry, serving: Serving) -> Serving:
    """`churn` v1 (production) loaded in the shared server."""
    registry.create_model(MODEL)
    version = registry.register(MODEL, tiny_onnx())
    registry.set_alias(MODEL, "production", version)
    serving.wait_ready(MODEL)
    return serving


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    """The ErrorInfo of a failed call."""
    status = rpc_status.from_call(error)
    info = error_details_pb2.ErrorInfo()
    status.details[0].Unpack(info)
    return info


def test_server_live_ready_and_metadata(serving: Serving) -> None:
    assert serving.oip.ServerLive(oip.ServerLiveRequest()).live
    assert serving.oip.ServerReady(oip.ServerReadyRequest()).ready
    metadata = serving.oip.ServerMetadata(oip.ServerMetadataRequest())
    assert metadata.name == "sextant-serving"
    assert "model_repository" in metadata.extensions


def test_infer_raw_matches_onnxruntime_and_echoes_id(loaded: Serving) -> None:
    import onnxruntime as ort

    rows = np.random.default_rng(1).random((5, 3), dtype=np.float32)
    response = loaded.infer(MODEL, rows, id="req-1")
    assert response.id == "req-1"
    assert response.model_name == MODEL
    assert response.model_version == "1"
    assert [o.name for o in response.outputs] == ["label", "probabilities"]
    assert len(response.raw_output_contents) == 2
    assert response.outputs[1].datatype == "FP32" and list(response.outputs[1].shape) == [5, 2]
    expected = ort.InferenceSession(tiny_onnx()).run(None, {"features": rows})
    labels = np.frombuffer(response.raw_output_contents[0], dtype=np.int64)
    probabilities = np.frombuffer(response.raw_output_contents[1], dtype=np.float32).reshape(5, 2)
    np.testing.assert_array_equal(labels, expected[0])
    np.testing.assert_allclose(probabilities, expected[1], rtol=1e-6)


def test_infer_typed_contents_and_requested_output_order(loaded: Serving) -> None:
    request = oip.ModelInferRequest(model_name=MODEL, id="typed")
    tensor = request.inputs.add(name="features", datatype="FP32", shape=[2, 3])
    tensor.contents.fp32_contents.extend([0.9, 0.1, 0.1, 0.1, 0.2, 0.3])
    request.outputs.add(name="probabilities")
    response = loaded.oip.ModelInfer(request, timeout=10)
    assert [o.name for o in response.outputs] == ["probabilities"]
    assert len(response.raw_output_contents) == 1
    assert np.frombuffer(response.raw_output_contents[0], dtype=np.float32).shape == (4,)


def test_explicit_version(loaded: Serving) -> None:
    response = loaded.infer(MODEL, np.zeros((1, 3)), model_version="1")
    assert response.model_version == "1"


def test_model_metadata_ready_and_statistics(loaded: Serving) -> None:
    metadata = loaded.oip.ModelMetadata(oip.ModelMetadataRequest(name=MODEL))
    assert metadata.versions == ["1"]
    assert [(t.name, t.datatype, list(t.shape)) for t in metadata.inputs] == [("features", "FP32", [-1, 3])]
    assert [t.name for t in metadata.outputs] == ["label", "probabilities"]
    assert loaded.oip.ModelReady(oip.ModelReadyRequest(name=MODEL)).ready
    assert not loaded.oip.ModelReady(oip.ModelReadyRequest(name="never-registered")).ready
    stats = loaded.oip.ModelStatistics(oip.ModelStatisticsRequest(name=MODEL)).model_stats[0]
    assert stats.inference_count >= 1 and stats.execution_count >= 1
    assert stats.inference_stats.success.count >= 1


def _bad(serving: Serving, request: oip.ModelInferRequest) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        serving.oip.ModelInfer(request, timeout=10)
    return caught.value


def _request(name: str = "features", datatype: str = "FP32", shape: tuple = (1, 3), raw: bytes | None = None
             ) -> oip.ModelInferRequest:
    request = oip.ModelInferRequest(model_name=MODEL)
    request.inputs.add(name=name, datatype=datatype, shape=list(shape))
    count = int(np.prod(shape))
    request.raw_input_contents.append(raw if raw is not None else np.zeros(count, dtype=np.float32).tobytes())
    return request


@pytest.mark.parametrize(("request_factory", "field", "reason"), [
    (lambda: _request(name="nope"), "inputs[0].name", "UNKNOWN_INPUT"),
    (lambda: _request(datatype="FP64"), "inputs[0].datatype", "DATATYPE_MISMATCH"),
    (lambda: _request(shape=(1, 4)), "inputs[0].shape", "SHAPE_MISMATCH"),
    (lambda: _request(raw=b"\x00" * 5), "raw_input_contents[0]", "RAW_CONTENT_SIZE_MISMATCH"),
    (lambda: _request(raw=np.array([np.nan, 0, 0], dtype=np.float32).tobytes()), "inputs[0]", "NAN_NOT_ALLOWED"),
    (lambda: _request(shape=(10_001, 3)), "inputs[0].shape", "BATCH_TOO_LARGE"),
])
def test_bad_input_is_invalid_argument_naming_the_tensor(loaded: Serving, request_factory, field: str,
                                                         reason: str) -> None:
    error = _bad(loaded, request_factory())
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(error)
    assert info.reason == reason
    assert info.metadata["field"] == field
    assert "features" in error.details() or "nope" in error.details()


def test_missing_input_and_unknown_output(loaded: Serving) -> None:
    error = _bad(loaded, oip.ModelInferRequest(model_name=MODEL))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error_info(error).reason == "MISSING_INPUT"
    request = _request()
    request.outputs.add(name="logits")
    error = _bad(loaded, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error_info(error).metadata["field"] == "outputs[0].name"


def test_unknown_model_and_version_are_not_found(loaded: Serving) -> None:
    error = _bad(loaded, oip.ModelInferRequest(model_name="no-such-model"))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    request = _request()
    request.model_version = "99"
    assert _bad(loaded, request).code() == grpc.StatusCode.NOT_FOUND


def test_not_loaded_version_answers_unavailable_then_serves(loaded: Serving, registry: Registry) -> None:
    version = registry.register(MODEL, tiny_onnx(flip=True))
    request = _request()
    request.model_version = str(version)
    error = _bad(loaded, request)
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert error_info(error).reason == "MODEL_NOT_READY"
    loaded.wait_ready(MODEL, version=str(version))
    assert loaded.oip.ModelInfer(request, timeout=10).model_version == str(version)


def test_bad_request_leaves_the_server_serving(loaded: Serving) -> None:
    _bad(loaded, _request(raw=b"\x01"))
    assert loaded.infer(MODEL, np.ones((1, 3))).model_version == "1"


def test_model_stream_infer_answers_in_order_and_reports_errors_in_band(loaded: Serving) -> None:
    import onnxruntime as ort

    rng = np.random.default_rng(7)
    batches = [rng.random((n, 3), dtype=np.float32) for n in (1, 4, 2)]
    requests = []
    for i, rows in enumerate(batches):
        request = oip.ModelInferRequest(model_name=MODEL, id=f"s-{i}")
        request.inputs.add(name="features", datatype="FP32", shape=list(rows.shape))
        request.raw_input_contents.append(rows.tobytes())
        requests.append(request)
    bad = oip.ModelInferRequest(model_name=MODEL, id="s-bad")
    bad.inputs.add(name="features", datatype="FP32", shape=[1, 3])
    bad.raw_input_contents.append(b"\0" * 5)  # 5 bytes where 12 are needed
    typed = oip.ModelInferRequest(model_name=MODEL, id="s-typed", outputs=[oip.ModelInferRequest.
                                                                           InferRequestedOutputTensor(name="label")])
    typed.inputs.add(name="features", datatype="FP32", shape=[1, 3]).contents.fp32_contents.extend([0.9, 0.1, 0.2])
    responses = list(loaded.oip.ModelStreamInfer(iter([requests[0], bad, requests[1], typed, requests[2]]),
                                                 timeout=30))
    assert len(responses) == 5
    assert "5" in responses[1].error_message and not responses[1].HasField("infer_response")
    good = [responses[0], responses[2], responses[4]]
    session = ort.InferenceSession(tiny_onnx())
    for i, (item, rows) in enumerate(zip(good, batches, strict=True)):
        assert not item.error_message
        answer = item.infer_response
        assert answer.id == f"s-{i}" and answer.model_version == "1"
        expected = session.run(None, {"features": rows})
        np.testing.assert_array_equal(np.frombuffer(answer.raw_output_contents[0], dtype=np.int64), expected[0])
        np.testing.assert_allclose(np.frombuffer(answer.raw_output_contents[1], dtype=np.float32).reshape(-1, 2),
                                   expected[1], rtol=1e-6)
    only_label = responses[3].infer_response
    assert only_label.id == "s-typed" and [o.name for o in only_label.outputs] == ["label"]
    assert np.frombuffer(only_label.raw_output_contents[0], dtype=np.int64).tolist() == \
        session.run(["label"], {"features": np.array([[0.9, 0.1, 0.2]], dtype=np.float32)})[0].tolist()
