"""The Open Inference Protocol contract, pinned message by message to the published field numbers.

The stock tritonclient decodes our messages with its own copy of the protocol, so every field of every
message must keep the published name, number and type. The table below is the published protocol
(``inference`` package, ``grpc_service.proto``) for the RPCs Sextant serves.
"""

from __future__ import annotations

import json
import subprocess
import sys

from inference import grpc_service_pb2
from tests.conformance.oip_fields import fields_of

PUBLISHED = """
ServerLiveResponse.live 1 bool
ServerReadyResponse.ready 1 bool
ModelReadyRequest.name 1 string
ModelReadyRequest.version 2 string
ModelReadyResponse.ready 1 bool
ServerMetadataResponse.name 1 string
ServerMetadataResponse.version 2 string
ServerMetadataResponse.extensions 3 repeated string
ModelMetadataRequest.name 1 string
ModelMetadataRequest.version 2 string
ModelMetadataResponse.name 1 string
ModelMetadataResponse.versions 2 repeated string
ModelMetadataResponse.platform 3 string
ModelMetadataResponse.inputs 4 repeated ModelMetadataResponse.TensorMetadata
ModelMetadataResponse.outputs 5 repeated ModelMetadataResponse.TensorMetadata
ModelMetadataResponse.TensorMetadata.name 1 string
ModelMetadataResponse.TensorMetadata.datatype 2 string
ModelMetadataResponse.TensorMetadata.shape 3 repeated int64
InferParameter.bool_param 1 bool
InferParameter.int64_param 2 int64
InferParameter.string_param 3 string
InferParameter.double_param 4 double
InferParameter.uint64_param 5 uint64
InferTensorContents.bool_contents 1 repeated bool
InferTensorContents.int_contents 2 repeated int32
InferTensorContents.int64_contents 3 repeated int64
InferTensorContents.uint_contents 4 repeated uint32
InferTensorContents.uint64_contents 5 repeated uint64
InferTensorContents.fp32_contents 6 repeated float
InferTensorContents.fp64_contents 7 repeated double
InferTensorContents.bytes_contents 8 repeated bytes
ModelInferRequest.model_name 1 string
ModelInferRequest.model_version 2 string
ModelInferRequest.id 3 string
ModelInferRequest.parameters 4 map<string,InferParameter>
ModelInferRequest.inputs 5 repeated ModelInferRequest.InferInputTensor
ModelInferRequest.outputs 6 repeated ModelInferRequest.InferRequestedOutputTensor
ModelInferRequest.raw_input_contents 7 repeated bytes
ModelInferRequest.InferInputTensor.name 1 string
ModelInferRequest.InferInputTensor.datatype 2 string
ModelInferRequest.InferInputTensor.shape 3 repeated int64
ModelInferRequest.InferInputTensor.parameters 4 map<string,InferParameter>
ModelInferRequest.InferInputTensor.contents 5 InferTensorContents
ModelInferRequest.InferRequestedOutputTensor.name 1 string
ModelInferRequest.InferRequestedOutputTensor.parameters 2 map<string,InferParameter>
ModelInferResponse.model_name 1 string
ModelInferResponse.model_version 2 string
ModelInferResponse.id 3 string
ModelInferResponse.parameters 4 map<string,InferParameter>
ModelInferResponse.outputs 5 repeated ModelInferResponse.InferOutputTensor
ModelInferResponse.raw_output_contents 6 repeated bytes
ModelInferResponse.InferOutputTensor.name 1 string
ModelInferResponse.InferOutputTensor.datatype 2 string
ModelInferResponse.InferOutputTensor.shape 3 repeated int64
ModelInferResponse.InferOutputTensor.parameters 4 map<string,InferParameter>
ModelInferResponse.InferOutputTensor.contents 5 InferTensorContents
ModelStreamInferResponse.error_message 1 string
ModelStreamInferResponse.infer_response 2 ModelInferResponse
ModelStatisticsRequest.name 1 string
ModelStatisticsRequest.version 2 string
StatisticDuration.count 1 uint64
StatisticDuration.ns 2 uint64
InferStatistics.success 1 StatisticDuration
InferStatistics.fail 2 StatisticDuration
InferStatistics.queue 3 StatisticDuration
InferStatistics.compute_input 4 StatisticDuration
InferStatistics.compute_infer 5 StatisticDuration
InferStatistics.compute_output 6 StatisticDuration
InferStatistics.cache_hit 7 StatisticDuration
InferStatistics.cache_miss 8 StatisticDuration
InferResponseStatistics.compute_infer 1 StatisticDuration
InferResponseStatistics.compute_output 2 StatisticDuration
InferResponseStatistics.success 3 StatisticDuration
InferResponseStatistics.fail 4 StatisticDuration
InferResponseStatistics.empty_response 5 StatisticDuration
InferResponseStatistics.cancel 6 StatisticDuration
InferBatchStatistics.batch_size 1 uint64
InferBatchStatistics.compute_input 2 StatisticDuration
InferBatchStatistics.compute_infer 3 StatisticDuration
InferBatchStatistics.compute_output 4 StatisticDuration
MemoryUsage.type 1 string
MemoryUsage.id 2 int64
MemoryUsage.byte_size 3 uint64
ModelStatistics.name 1 string
ModelStatistics.version 2 string
ModelStatistics.last_inference 3 uint64
ModelStatistics.inference_count 4 uint64
ModelStatistics.execution_count 5 uint64
ModelStatistics.inference_stats 6 InferStatistics
ModelStatistics.batch_stats 7 repeated InferBatchStatistics
ModelStatistics.memory_usage 8 repeated MemoryUsage
ModelStatistics.response_stats 9 map<string,InferResponseStatistics>
ModelStatisticsResponse.model_stats 1 repeated ModelStatistics
ModelRepositoryParameter.bool_param 1 bool
ModelRepositoryParameter.int64_param 2 int64
ModelRepositoryParameter.string_param 3 string
ModelRepositoryParameter.bytes_param 4 bytes
RepositoryIndexRequest.repository_name 1 string
RepositoryIndexRequest.ready 2 bool
RepositoryIndexResponse.models 1 repeated RepositoryIndexResponse.ModelIndex
RepositoryIndexResponse.ModelIndex.name 1 string
RepositoryIndexResponse.ModelIndex.version 2 string
RepositoryIndexResponse.ModelIndex.state 3 string
RepositoryIndexResponse.ModelIndex.reason 4 string
RepositoryModelLoadRequest.repository_name 1 string
RepositoryModelLoadRequest.model_name 2 string
RepositoryModelLoadRequest.parameters 3 map<string,ModelRepositoryParameter>
RepositoryModelUnloadRequest.repository_name 1 string
RepositoryModelUnloadRequest.model_name 2 string
RepositoryModelUnloadRequest.parameters 3 map<string,ModelRepositoryParameter>
"""

RPCS = {
    "ServerLive": ("ServerLiveRequest", "ServerLiveResponse", False, False),
    "ServerReady": ("ServerReadyRequest", "ServerReadyResponse", False, False),
    "ModelReady": ("ModelReadyRequest", "ModelReadyResponse", False, False),
    "ServerMetadata": ("ServerMetadataRequest", "ServerMetadataResponse", False, False),
    "ModelMetadata": ("ModelMetadataRequest", "ModelMetadataResponse", False, False),
    "ModelInfer": ("ModelInferRequest", "ModelInferResponse", False, False),
    "ModelStreamInfer": ("ModelInferRequest", "ModelStreamInferResponse", True, True),
    "RepositoryIndex": ("RepositoryIndexRequest", "RepositoryIndexResponse", False, False),
    "RepositoryModelLoad": ("RepositoryModelLoadRequest", "RepositoryModelLoadResponse", False, False),
    "RepositoryModelUnload": ("RepositoryModelUnloadRequest", "RepositoryModelUnloadResponse", False, False),
    "ModelStatistics": ("ModelStatisticsRequest", "ModelStatisticsResponse", False, False),
}

def _published_fields() -> set[tuple[str, int, str]]:
    rows = set()
    for line in PUBLISHED.strip().splitlines():
        path, number, kind = line.split(None, 2)
        rows.add((path, int(number), kind.replace(" ", "") if kind.startswith("map<") else kind))
    return rows


def test_package_and_service_name() -> None:
    assert grpc_service_pb2.DESCRIPTOR.package == "inference"
    assert "GRPCInferenceService" in grpc_service_pb2.DESCRIPTOR.services_by_name


def test_every_published_field_is_present_with_its_number_and_type() -> None:
    actual = {(path, number, kind.replace(" ", "") if kind.startswith("map<") else kind)
              for path, number, kind in fields_of(grpc_service_pb2.DESCRIPTOR)}
    published = _published_fields()
    assert published - actual == set(), "fields missing or changed"
    assert actual - published == set(), "fields that the published protocol does not have"


def test_rpcs_match_the_published_signatures() -> None:
    service = grpc_service_pb2.DESCRIPTOR.services_by_name["GRPCInferenceService"]
    assert {m.name for m in service.methods} == set(RPCS)
    for method in service.methods:
        request, response, client_streaming, server_streaming = RPCS[method.name]
        assert method.input_type.name == request, method.name
        assert method.output_type.name == response, method.name
        assert (method.client_streaming, method.server_streaming) == (client_streaming, server_streaming)


_STOCK_CLIENT_FIELDS = """
import json, sys
from tritonclient.grpc import service_pb2
sys.path.insert(0, sys.argv[1])
from oip_fields import fields_of
print(json.dumps(sorted(fields_of(service_pb2.DESCRIPTOR))))
"""


def test_the_stock_tritonclient_decodes_the_same_fields() -> None:
    # tritonclient and our stubs cannot share a process (same descriptor names): ask a subprocess.
    from pathlib import Path

    result = subprocess.run([sys.executable, "-c", _STOCK_CLIENT_FIELDS, str(Path(__file__).parent)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    stock = {(path, number, kind) for path, number, kind in json.loads(result.stdout)}
    ours = fields_of(grpc_service_pb2.DESCRIPTOR)
    stock_messages = {path.rsplit(".", 1)[0] for path, _, _ in stock}
    shared = {row for row in stock if row[0].rsplit(".", 1)[0] in {p.rsplit(".", 1)[0] for p, _, _ in ours}}
    assert ours <= stock, f"fields the stock client does not know: {sorted(ours - stock)[:10]}"
    assert shared == ours, f"fields of shared messages we lack: {sorted(shared - ours)[:10]}"
    assert len(stock_messages) >= len({p.rsplit(".", 1)[0] for p, _, _ in ours})
