"""The SDK's exception tree mirrors the server's error model end to end."""

from __future__ import annotations

import grpc
import pytest

from sextant.errors import NotFoundError, ServerError, from_rpc_error
from tests.integration.common import probe


@pytest.fixture()
def running():
    server = probe.start()
    yield server
    server.stop(0)


def _failure(address: str, method: str) -> grpc.RpcError:
    with grpc.insecure_channel(address) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            channel.unary_unary(f"/{probe.SERVICE}/{method}")(b"", timeout=10)
    return caught.value


def test_domain_error_becomes_not_found_with_reason_and_metadata(running) -> None:
    error = from_rpc_error(_failure(running.address, "NotFound"))
    assert isinstance(error, NotFoundError)
    assert error.reason == "MODEL_NOT_FOUND" and error.domain == "probe.sextant"
    assert error.metadata == {"kind": "model", "name": "credit-risk"}
    assert "credit-risk" in str(error)


def test_unexpected_error_becomes_server_error_with_the_request_id(running) -> None:
    error = from_rpc_error(_failure(running.address, "Crash"))
    assert isinstance(error, ServerError)
    assert error.request_id and error.request_id in error.message
    assert probe.SECRET not in str(error)
