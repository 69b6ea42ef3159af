"""The wire-form online responses (packed columns, DENSE block) equal the column-by-column one, and
step aside where they do not apply."""

from __future__ import annotations

import numpy as np
import pytest

from services.featurestore import converters
from services.featurestore.definitions.references import ResolvedRef
from services.featurestore.online.lookup import NOT_FOUND, NULL, PRESENT, OnlineColumn
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import types_pb2

_VALUE_TYPES = {types_pb2.DATA_TYPE_FLOAT64: np.float64, types_pb2.DATA_TYPE_FLOAT32: np.float32,
                types_pb2.DATA_TYPE_BOOL: np.bool_, types_pb2.DATA_TYPE_INT64: np.int64}


def _columns(dtypes: list[int], statuses: np.ndarray, events: np.ndarray, shared: bool = True
             ) -> tuple[converters.OnlineTemplate, list[OnlineColumn]]:
    view = resources_pb2.FeatureView(name="wide", version=3)
    refs, columns = [], []
    for i, dtype in enumerate(dtypes):
        feature = resources_pb2.Feature(name=f"f{i}", dtype=dtype)
        ref = ResolvedRef(types_pb2.FeatureReference(feature_view="wide", feature=f"f{i}"), view, feature)
        refs.append(ref)
        values = (np.arange(len(statuses)) * (i + 1.5)).astype(_VALUE_TYPES[dtype])
        columns.append(OnlineColumn(ref, f"f{i}", values, statuses if shared else statuses.copy(), events))
    message = converters.online_response_template(
        [(c.name, "wide", c.ref.feature.name, c.ref.feature.dtype) for c in columns],
        [resources_pb2.ResolvedFeatureView(feature_view="wide", version=3, fingerprint="ab" * 32)])
    return converters.OnlineTemplate(message), columns


def _merged(template: converters.OnlineTemplate, columns: list[OnlineColumn], rows: int
            ) -> fs_pb2.GetOnlineFeaturesResponse:
    response = fs_pb2.GetOnlineFeaturesResponse()
    response.CopyFrom(template.message)
    response.row_count = rows
    converters.fill_online_columns(response, columns)
    return response


@pytest.mark.parametrize("dtype", [types_pb2.DATA_TYPE_FLOAT64, types_pb2.DATA_TYPE_FLOAT32, types_pb2.DATA_TYPE_BOOL])
@pytest.mark.parametrize("statuses", [[PRESENT], [PRESENT, NOT_FOUND, PRESENT], [NOT_FOUND] * 4, []])
def test_packed_response_equals_column_by_column(dtype: int, statuses: list[int]) -> None:
    status = np.array(statuses, dtype=np.int64)
    events = np.arange(len(statuses), dtype=np.int64) * 1_700_000_000_000_000
    template, columns = _columns([dtype] * 5, status, events)
    encoded = converters.packed_online_response(template, columns, len(statuses))
    assert encoded is not None
    packed = fs_pb2.GetOnlineFeaturesResponse.FromString(encoded.data)
    expected = _merged(template, columns, len(statuses))
    assert packed == expected
    assert packed.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)
    assert all(c.values.WhichOneof("values") is not None for c in packed.columns)


def test_packed_response_steps_aside_for_mixed_types_and_own_statuses() -> None:
    status = np.array([PRESENT, NULL], dtype=np.int64)
    events = np.array([1, 2], dtype=np.int64)
    mixed, columns = _columns([types_pb2.DATA_TYPE_FLOAT64, types_pb2.DATA_TYPE_BOOL], status, events)
    assert converters.packed_online_response(mixed, columns, 2) is None
    unpacked, columns = _columns([types_pb2.DATA_TYPE_INT64] * 2, status, events)
    assert converters.packed_online_response(unpacked, columns, 2) is None
    own, columns = _columns([types_pb2.DATA_TYPE_FLOAT64] * 2, status, events, shared=False)
    assert converters.packed_online_response(own, columns, 2) is None


@pytest.mark.parametrize("dtype", [types_pb2.DATA_TYPE_FLOAT64, types_pb2.DATA_TYPE_FLOAT32, types_pb2.DATA_TYPE_BOOL])
@pytest.mark.parametrize("statuses", [[PRESENT], [PRESENT, NOT_FOUND, NULL], [NOT_FOUND] * 4, []])
def test_dense_block_holds_the_columns_row_by_row(dtype: int, statuses: list[int]) -> None:
    status = np.array(statuses, dtype=np.int64)
    events = np.arange(len(statuses), dtype=np.int64) * 1_700_000_000_000_000
    template, columns = _columns([dtype] * 3, status, events, shared=False)
    encoded = converters.dense_online_response(template, columns, len(statuses))
    assert encoded is not None
    response = fs_pb2.GetOnlineFeaturesResponse.FromString(encoded.data)
    expected = _merged(template, columns, len(statuses))
    assert response.row_count == len(statuses) and list(response.resolved_views) == list(expected.resolved_views)
    assert [(c.values.name, c.values.dtype, c.feature) for c in response.columns] == [
        (c.values.name, c.values.dtype, c.feature) for c in expected.columns]
    dense = response.dense
    assert dense.dtype == dtype and dense.feature_count == 3
    wire = {types_pb2.DATA_TYPE_FLOAT64: "<f8", types_pb2.DATA_TYPE_FLOAT32: "<f4", types_pb2.DATA_TYPE_BOOL: "?"}
    block = np.frombuffer(dense.values, dtype=wire[dtype]).reshape(len(statuses), 3)
    for f, column in enumerate(columns):
        np.testing.assert_array_equal(block[:, f], column.values)
        assert list(dense.statuses)[f::3] == statuses
        assert list(dense.event_time_micros)[f::3] == events.tolist()
    if statuses == [PRESENT]:
        single = converters.single_dense_response(
            template, [c.values.astype(wire[dtype]).tobytes() for c in columns], int(events[0]))
        assert single is not None and single.data == encoded.data


def test_dense_block_steps_aside_for_mixed_types() -> None:
    status = np.array([PRESENT], dtype=np.int64)
    mixed, columns = _columns([types_pb2.DATA_TYPE_FLOAT64, types_pb2.DATA_TYPE_BOOL], status, status)
    assert converters.dense_online_response(mixed, columns, 1) is None
    assert converters.single_dense_response(mixed, [b"\0" * 8, b"\1"], 5) is None
