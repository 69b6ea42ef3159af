"""Pre-encoded stream responses: the bytes a server stream sends for an Encoded message."""

from __future__ import annotations

import pytest

from services.common.handlers import Encoded, _serializer, bytes_field
from sextant.registry.v1 import registry_service_pb2 as pb

CHUNK = pb.DownloadArtifactResponse.DESCRIPTOR.fields_by_name["chunk"].number


@pytest.mark.parametrize("size", [1, 127, 128, 16_383, 16_384, 1 << 20, (4 << 20) - 7])
def test_a_bytes_field_is_encoded_as_protobuf_serializes_it(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    encoded = bytes_field(CHUNK, data)
    assert encoded.data == pb.DownloadArtifactResponse(chunk=data).SerializeToString()
    assert pb.DownloadArtifactResponse.FromString(encoded.data).chunk == data


def test_the_stream_serializer_sends_encoded_bytes_as_they_are_and_serializes_messages() -> None:
    serialize = _serializer(pb.DownloadArtifactResponse)
    header = pb.DownloadArtifactResponse(header=pb.ArtifactHeader(model_name="m", version=3, size_bytes=10))
    assert serialize(header) == header.SerializeToString()
    assert serialize(Encoded(b"\x12\x01x")) == b"\x12\x01x"
    with pytest.raises(TypeError):
        serialize(b"\x12\x01x")  # plain bytes are not a response: only Encoded passes through
