"""The online row codec: packed rows for fixed-width views, Arrow rows otherwise, nulls kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from services.featurestore.online.codec import RowCodec

STAMP = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)


@pytest.mark.parametrize("with_text", [False, True], ids=["packed", "arrow"])
def test_rows_round_trip_with_nulls(with_text: bool) -> None:
    columns = {"flag": pa.array([True, None, False]), "small": pa.array([1, None, -3], pa.int32()),
               "big": pa.array([2**40, 5, None], pa.int64()), "ratio": pa.array([0.5, None, 1.5], pa.float32()),
               "score": pa.array([None, 2.5, 3.5]), "seen": pa.array([STAMP, None, STAMP], pa.timestamp("us", "UTC"))}
    if with_text:
        columns["label"] = pa.array(["x", None, "z"])
    table = pa.table(columns)
    codec = RowCodec(table.schema)
    assert codec.packed is not with_text
    payloads = codec.encode(table)
    assert len(payloads) == 3
    decoded = codec.decode_columns([payloads[2], payloads[0], payloads[1]])
    by_name = dict(zip(table.column_names, decoded, strict=True))
    assert by_name["flag"][0].tolist() == [False, True, False] and by_name["flag"][1].tolist() == [True, True, False]
    assert by_name["small"][0].tolist() == [-3, 1, 0]
    assert by_name["big"][0].tolist() == [0, 2**40, 5] and by_name["big"][1].tolist() == [False, True, True]
    assert by_name["ratio"][0].tolist() == [1.5, 0.5, 0.0]
    micros = int(STAMP.timestamp()) * 1_000_000 + 6
    assert by_name["seen"][0].tolist() == [micros, micros, 0]
    if with_text:
        assert by_name["label"][0].tolist() == ["z", "x", ""]
