"""Property-based fuzzing of every RPC of the suite that answers a request (unary, client-streaming and
finite server-streaming; watch feeds and bidi streams wait for events rather than answer).

Each method receives requests built from its descriptor by :mod:`tests.fuzz.strategies` (boundary
numbers, huge and hostile strings, invalid UTF-8 bytes, unknown enum numbers, long repeated fields,
nested messages). Every answer must be a success or a canonical error, never INTERNAL, UNKNOWN or a
hang; afterwards the server still reports SERVING and answers a valid request. Examples are drawn
deterministically (``derandomize``), so a failure reproduces on every run.
"""

from __future__ import annotations

import os

import grpc
import pytest
from google.protobuf import message_factory
from grpc_health.v1 import health_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import MAX_MESSAGE_BYTES, Suite
from tests.fuzz.rpc_calls import (
    Rpc,
    call,
    describe,
    forbidden,
    fuzzable_rpcs,
    send_raw,
    serving_status,
)
from tests.fuzz.strategies import message_strategy, request_stream_strategy

RPCS = fuzzable_rpcs()
#: Examples per RPC: small in the normal run; raise SEXTANT_FUZZ_EXAMPLES for a deeper search.
EXAMPLES = int(os.environ.get("SEXTANT_FUZZ_EXAMPLES", "15"))
#: A request each contract must answer with OK: proof the server still works after the fuzzing.
VALID_REQUEST = {"featurestore": "ListFeatureViews", "training": "ListTrainingJobs",
                 "registry": "ListRegisteredModels", "serving": "ListDeployments", "monitoring": "ListMonitors",
                 "policy": "ListPolicies", "inference": "ServerReady"}


def assert_still_serving(suite: Suite, contract: str) -> None:
    """The server reports SERVING and answers the contract's valid request with OK."""
    rpc = next(r for r in RPCS if r.contract == contract and r.method.name == VALID_REQUEST[contract])
    channel = suite.channels[rpc.server]
    assert serving_status(channel) == health_pb2.HealthCheckResponse.SERVING
    request = message_factory.GetMessageClass(rpc.method.input_type)()
    assert call(channel, rpc, [request]) == grpc.StatusCode.OK


@pytest.mark.parametrize("rpc", RPCS, ids=str)
def test_rpc_answers_canonical_errors_to_hostile_requests(suite: Suite, rpc: Rpc) -> None:
    channel = suite.channels[rpc.server]
    strategy = (request_stream_strategy(rpc.method.input_type) if rpc.method.client_streaming
                else message_strategy(rpc.method.input_type).map(lambda message: [message]))

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def answers_canonically(data: st.DataObject) -> None:
        requests = data.draw(strategy, label="requests")
        code = call(channel, rpc, requests)
        assert not forbidden(rpc, code), f"{rpc} answered {code.name} to {describe(requests)}"

    answers_canonically()
    assert_still_serving(suite, rpc.contract)


@pytest.mark.parametrize("contract", sorted(VALID_REQUEST))
def test_oversized_request_is_refused_with_resource_exhausted(suite: Suite, contract: str) -> None:
    rpc = next(r for r in RPCS if r.contract == contract and r.method.name == VALID_REQUEST[contract])
    channel = suite.channels[rpc.server]
    # Unknown field 9999 (length-delimited) parses as a valid message: only its size is wrong.
    payload = b"\xfa\xf0\x04" + _varint(MAX_MESSAGE_BYTES + 1) + b"x" * (MAX_MESSAGE_BYTES + 1)
    error = send_raw(channel, rpc.path, payload)
    assert error is not None and error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert_still_serving(suite, contract)


@pytest.mark.parametrize("contract", sorted(VALID_REQUEST))
def test_garbage_bytes_are_refused_and_the_server_survives(suite: Suite, contract: str) -> None:
    rpc, text_field = next((r, f) for r in RPCS if r.contract == contract and not r.method.client_streaming
                           and not r.method.server_streaming
                           for f in r.method.input_type.fields if f.type == f.TYPE_STRING)
    channel = suite.channels[rpc.server]
    # A string field holding invalid UTF-8: proto3 refuses to parse it.
    bad_text = _varint(text_field.number << 3 | 2) + b"\x04\xff\xfe\xc3\x28"
    for payload in (b"\xff\xff\xff\xff", b"\x0a\xff\xff\xff\xff\x0f", b"\x08", bytes(range(256)), bad_text):
        error = send_raw(channel, rpc.path, payload)
        # grpcio's server answers a request it cannot deserialize with INTERNAL ("Exception
        # deserializing request!") before any Sextant code runs: the library's own answer, which
        # a service cannot change (the interceptors only see parsed requests).
        assert error is not None and error.code() == grpc.StatusCode.INTERNAL
        assert "deserializ" in (error.details() or "").lower()
    assert_still_serving(suite, contract)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)
