"""The error tree: each error knows its code and carries exactly one ErrorInfo."""

from __future__ import annotations

import grpc
from google.rpc import code_pb2, error_details_pb2

from services.common.errors import Aborted, DataLoss, InvalidArgument, NotFound, internal_status


def _unpack(status_proto, cls):
    found = []
    for detail in status_proto.details:
        if detail.Is(cls.DESCRIPTOR):
            message = cls()
            detail.Unpack(message)
            found.append(message)
    return found


def test_invalid_argument_names_the_field_with_a_bad_request_detail() -> None:
    error = InvalidArgument("feature_view.ttl", "expected a non-negative duration")
    proto = error.to_proto("featurestore.sextant")
    assert proto.code == code_pb2.INVALID_ARGUMENT
    assert proto.message == "feature_view.ttl: expected a non-negative duration"
    infos = _unpack(proto, error_details_pb2.ErrorInfo)
    assert len(infos) == 1
    assert infos[0].reason == "INVALID_ARGUMENT" and infos[0].domain == "featurestore.sextant"
    assert infos[0].metadata["field"] == "feature_view.ttl"
    violations = _unpack(proto, error_details_pb2.BadRequest)[0].field_violations
    assert [(v.field, v.description) for v in violations] == [
        ("feature_view.ttl", "expected a non-negative duration")]


def test_codes_and_reasons() -> None:
    assert NotFound("model", "m").to_status("registry.sextant").code == grpc.StatusCode.NOT_FOUND
    assert NotFound("model", "m").reason == "MODEL_NOT_FOUND"
    assert Aborted("lost", reason="ALIAS_MOVED").to_status("r").code == grpc.StatusCode.ABORTED
    assert DataLoss("bad sha").to_status("r").code == grpc.StatusCode.DATA_LOSS


def test_internal_status_carries_only_the_request_id() -> None:
    status = internal_status("abc123", "registry.sextant")
    assert status.code == grpc.StatusCode.INTERNAL
    assert "abc123" in status.details
