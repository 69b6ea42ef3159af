"""Online features over gRPC: push then read, TTL on reads, materialization, feature services.

Runs with the SQLite online store and with the PostgreSQL online store (the service's own database).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import numpy as np
import pyarrow as pa
import pytest

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import features_pb2, tabular_pb2
from tests.integration.featurestore.helpers import (
    Client,
    T,
    connect,
    entity,
    error_info,
    feature,
    ipc,
    redis_server,
    refs,
    start_server,
    view,
)

S = features_pb2
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def online(tmp_path: Path, database_url: str) -> Iterator[Client]:
    """A feature store whose online store is SQLite, or PostgreSQL when the database is."""
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    running = start_server(tmp_path, database_url, online_store_type=kind, max_online_rows=50)
    channel, client = connect(running)
    try:
        client.apply(entity(), view("live", [feature("score"), feature("tier", T.DATA_TYPE_STRING),
                                             feature("visits", T.DATA_TYPE_INT64)],
                                    push=True, ttl=timedelta(hours=1)),
                     view("daily", [feature("balance")]))
        yield client
    finally:
        channel.close()
        running.stop(0)


def _push(client: Client, keys: list[int], times: list[datetime], score: list, tier: list, visits: list
          ) -> fs_pb2.PushFeaturesResponse:
    table = pa.table({"customer_id": pa.array(keys, pa.int64()),
                      "event_timestamp": pa.array(times, pa.timestamp("us", tz="UTC")),
                      "score": pa.array(score, pa.float64()), "tier": pa.array(tier, pa.string()),
                      "visits": pa.array(visits, pa.int64())})
    return client.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="live",
                                                                      rows=T.ArrowTable(ipc_stream=ipc(table)))]))


def _read(client: Client, keys: list[int], selection: features_pb2.FeatureSelection | None = None,
          **kwargs: object) -> fs_pb2.GetOnlineFeaturesResponse:
    batch = tabular_pb2.ColumnBatch(row_count=len(keys), columns=[
        tabular_pb2.Column(name="customer_id", int64_values=tabular_pb2.Int64Array(values=keys))])
    selection = selection or refs("live:score", "live:tier", "live:visits")
    return client.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(features=selection, entity_keys=batch,
                                                                         **kwargs))


def test_pushed_rows_are_visible_online_with_statuses_and_times(online: Client) -> None:
    recent = NOW - timedelta(minutes=5)
    response = _push(online, [1, 2, 1, 3], [recent - timedelta(minutes=1), recent, recent, NOW - timedelta(hours=3)],
                     [0.5, None, 0.9, 0.1], ["gold", "silver", "gold", "x"], [1, 2, 3, 4])
    assert response.rows_written == 4 and response.rows_written_by_view["live"] == 4
    result = _read(online, [1, 2, 3, 4])
    score, tier, visits = result.columns
    assert list(score.values.double_values.values)[:2] == [0.9, 0.0]
    assert list(score.statuses) == [S.FEATURE_VALUE_STATUS_PRESENT, S.FEATURE_VALUE_STATUS_NULL,
                                    S.FEATURE_VALUE_STATUS_OUTSIDE_TTL, S.FEATURE_VALUE_STATUS_NOT_FOUND]
    assert list(score.values.null_rows) == [1, 2, 3]
    assert list(tier.values.string_values.values)[:2] == ["gold", "silver"]
    assert list(visits.values.int64_values.values)[:2] == [3, 2]
    expected_micros = int(recent.timestamp() * 1_000_000)
    assert list(score.event_time_micros)[:2] == [expected_micros, expected_micros]
    assert score.event_time_micros[3] == 0 and score.event_time_micros[2] > 0
    assert [(v.feature_view, v.version) for v in result.resolved_views] == [("live", 1)]
    # An older push does not overwrite a newer value.
    _push(online, [1], [recent - timedelta(minutes=30)], [0.0], ["old"], [0])
    assert _read(online, [1]).columns[0].values.double_values.values[0] == 0.9
    # Pushed rows were also appended offline.
    entity_rows = pa.table({"customer_id": pa.array([1], pa.int64()),
                            "event_timestamp": pa.array([NOW], pa.timestamp("us", tz="UTC"))})
    _, out = online.historical(entity_rows, refs("live:score"))
    assert out.column("score").to_pylist() == [0.9]


def test_push_refuses_batch_views_and_bad_rows_atomically(online: Client) -> None:
    good = pa.table({"customer_id": pa.array([9], pa.int64()), "event_timestamp": pa.array([NOW], pa.timestamp("us")),
                     "score": [1.0], "tier": ["a"], "visits": pa.array([1], pa.int64())})
    bad = good.drop_columns(["visits"])
    messages = [fs_pb2.PushFeaturesRequest(feature_view="live", rows=T.ArrowTable(ipc_stream=ipc(good))),
                fs_pb2.PushFeaturesRequest(feature_view="live", rows=T.ArrowTable(ipc_stream=ipc(bad)))]
    with pytest.raises(grpc.RpcError) as failure:
        online.stub.PushFeatures(iter(messages))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(failure.value).metadata["field"] == "messages[1].rows.visits"
    assert list(_read(online, [9]).columns[0].statuses) == [S.FEATURE_VALUE_STATUS_NOT_FOUND]
    with pytest.raises(grpc.RpcError) as failure:
        online.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="daily",
                                                                  rows=T.ArrowTable(ipc_stream=ipc(good)))]))
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_materialize_is_incremental_and_reports_progress(online: Client) -> None:
    old = NOW - timedelta(days=2)
    rows = pa.table({"customer_id": pa.array([1, 1, 2], pa.int64()),
                     "event_timestamp": pa.array([old, old + timedelta(hours=1), old], pa.timestamp("us", tz="UTC")),
                     "balance": [10.0, 11.0, 20.0]})
    online.ingest("daily", [rows], ingest_id="d1")
    assert list(_read(online, [1], refs("daily:balance")).columns[0].statuses) == [S.FEATURE_VALUE_STATUS_NOT_FOUND]
    reports = list(online.stub.MaterializeFeatures(fs_pb2.MaterializeFeaturesRequest(
        feature_views=["daily"], incremental=True)))
    kinds = [r.kind for r in reports]
    assert kinds[0] == fs_pb2.MATERIALIZATION_EVENT_KIND_VIEW_STARTED
    assert kinds[-2:] == [fs_pb2.MATERIALIZATION_EVENT_KIND_VIEW_COMPLETED, fs_pb2.MATERIALIZATION_EVENT_KIND_COMPLETED]
    assert reports[-2].rows_written == 2 and reports[-1].progress == 1.0
    values = _read(online, [1, 2], refs("daily:balance")).columns[0]
    assert list(values.values.double_values.values) == [11.0, 20.0]
    watermark = online.stub.GetFeatureView(fs_pb2.GetFeatureViewRequest(name="daily")).feature_view
    assert watermark.HasField("materialization_watermark")
    again = list(online.stub.MaterializeFeatures(fs_pb2.MaterializeFeaturesRequest(
        feature_views=["daily"], incremental=True)))
    assert again[-2].rows_written == 0
    direct = online.ingest("daily", [pa.table({"customer_id": pa.array([3, 3], pa.int64()),
                                               "event_timestamp": pa.array([old, NOW], pa.timestamp("us", tz="UTC")),
                                               "balance": [1.0, 2.0]})], ingest_id="d2", write_online=True)
    assert direct.online_rows_written == 1
    assert list(_read(online, [3], refs("daily:balance")).columns[0].values.double_values.values) == [2.0]


def test_feature_services_full_names_and_bad_lookups(online: Client) -> None:
    _push(online, [1], [NOW], [0.5], ["gold"], [7])
    online.apply(resources_pb2.FeatureService(name="scoring", owner_team="ds",
                                              features=refs("live:visits", "live:score").references.references))
    result = _read(online, [1], features_pb2.FeatureSelection(feature_service="scoring"), full_feature_names=True)
    assert [c.values.name for c in result.columns] == ["live__visits", "live__score"]
    assert result.columns[0].values.int64_values.values[0] == 7
    cases = [
        (lambda: _read(online, [1], refs("ghost:x")), grpc.StatusCode.NOT_FOUND, "FEATURE_VIEW_NOT_FOUND"),
        (lambda: _read(online, [1], refs("live:ghost")), grpc.StatusCode.NOT_FOUND, "FEATURE_NOT_FOUND"),
        (lambda: _read(online, list(range(51))), grpc.StatusCode.INVALID_ARGUMENT, "BATCH_TOO_LARGE"),
        (lambda: online.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(
            features=refs("live:score"), entity_keys=tabular_pb2.ColumnBatch(row_count=1))),
         grpc.StatusCode.INVALID_ARGUMENT, "MISSING_KEY"),
        (lambda: online.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(
            features=refs("live:score"), entity_keys=tabular_pb2.ColumnBatch(row_count=2, columns=[
                tabular_pb2.Column(name="customer_id", int64_values=tabular_pb2.Int64Array(values=[1]))]))),
         grpc.StatusCode.INVALID_ARGUMENT, "LENGTH_MISMATCH"),
        (lambda: online.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(
            features=refs("live:score"), entity_keys=tabular_pb2.ColumnBatch(row_count=1, columns=[
                tabular_pb2.Column(name="customer_id", string_values=tabular_pb2.StringArray(values=["1"]))]))),
         grpc.StatusCode.INVALID_ARGUMENT, "WRONG_TYPE"),
        (lambda: online.stub.GetFeatureStatistics(fs_pb2.GetFeatureStatisticsRequest(
            feature_view="live", features=["ghost"])), grpc.StatusCode.NOT_FOUND, "FEATURE_NOT_FOUND"),
    ]
    for call, code, reason in cases:
        with pytest.raises(grpc.RpcError) as failure:
            call()
        assert failure.value.code() == code, reason
        assert error_info(failure.value).reason == reason


def test_redis_online_store_end_to_end(tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        running = start_server(tmp_path, online_store_type="redis", online_store_url=url)
        channel, client = connect(running)
        try:
            client.apply(entity(), view("live", [feature("score"), feature("tier", T.DATA_TYPE_STRING),
                                                 feature("visits", T.DATA_TYPE_INT64)], push=True))
            _push(client, [1, 2], [NOW, NOW], [0.25, None], ["a", "b"], [1, 2])
            result = _read(client, [2, 1, 3])
            assert list(result.columns[0].statuses) == [S.FEATURE_VALUE_STATUS_NULL, S.FEATURE_VALUE_STATUS_PRESENT,
                                                        S.FEATURE_VALUE_STATUS_NOT_FOUND]
            assert result.columns[0].values.double_values.values[1] == 0.25
            # A one-entity read of a view of floats takes the single-entity path, here through redis.
            client.apply(view("floats", [feature("a"), feature("b")], push=True))
            table = pa.table({"customer_id": pa.array([-7, 7], pa.int64()),
                              "event_timestamp": pa.array([NOW, NOW], pa.timestamp("us", tz="UTC")),
                              "a": [1.5, 2.5], "b": [-1.5, -2.5]})
            client.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="floats",
                                                                      rows=T.ArrowTable(ipc_stream=ipc(table)))]))
            selection = refs("floats:b", "floats:a")
            for key, values in ((-7, [-1.5, 1.5]), (7, [-2.5, 2.5])):
                alone = _read(client, [key], selection)
                assert [value for *_, value in _row(alone, 0)] == values
                assert _row(alone, 0) == _row(_read(client, [0, key], selection), 1)
            assert _row(_read(client, [8], selection), 0)[0][1] == S.FEATURE_VALUE_STATUS_NOT_FOUND
        finally:
            channel.close()
            running.stop(0)


def test_every_feature_type_round_trips_online(sqlite_client: Client) -> None:
    features = [feature("flag", T.DATA_TYPE_BOOL), feature("small", T.DATA_TYPE_INT32),
                feature("ratio", T.DATA_TYPE_FLOAT32), feature("seen", T.DATA_TYPE_TIMESTAMP),
                feature("blob", T.DATA_TYPE_BYTES), feature("label", T.DATA_TYPE_STRING)]
    sqlite_client.apply(entity(key="customer_id", dtype=T.DATA_TYPE_STRING), view("typed", features, push=True))
    seen = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    rows = pa.table({"customer_id": ["a", "b"], "event_timestamp": pa.array([NOW, NOW], pa.timestamp("us", tz="UTC")),
                     "flag": [True, None], "small": pa.array([7, None], pa.int32()),
                     "ratio": pa.array([0.5, None], pa.float32()), "seen": pa.array([seen, None], pa.timestamp("us")),
                     "blob": [b"\x00\x01", None], "label": ["x", None]})
    sqlite_client.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="typed",
                                                                     rows=T.ArrowTable(ipc_stream=ipc(rows)))]))
    batch = tabular_pb2.ColumnBatch(row_count=3, columns=[tabular_pb2.Column(
        name="customer_id", string_values=tabular_pb2.StringArray(values=["a", "b", "zz"]))])
    result = sqlite_client.stub.GetOnlineFeatures(fs_pb2.GetOnlineFeaturesRequest(
        features=refs(*[f"typed:{f.name}" for f in features]), entity_keys=batch))
    flag, small, ratio, seen_column, blob, label = result.columns
    assert list(flag.values.bool_values.values) == [True, False, False]
    assert list(small.values.int64_values.values) == [7, 0, 0]
    assert list(ratio.values.float_values.values) == [0.5, 0.0, 0.0]
    assert seen_column.values.timestamp_values.unix_micros[0] == int(seen.timestamp()) * 1_000_000 + 6
    assert list(blob.values.bytes_values.values) == [b"\x00\x01", b"", b""]
    assert list(label.values.string_values.values) == ["x", "", ""]
    for column in result.columns:
        assert list(column.statuses) == [S.FEATURE_VALUE_STATUS_PRESENT, S.FEATURE_VALUE_STATUS_NULL,
                                         S.FEATURE_VALUE_STATUS_NOT_FOUND]
        assert list(column.values.null_rows) == [1, 2]


def test_one_integer_entity_is_found_for_zero_negative_and_64_bit_ids(online: Client) -> None:
    """A one-entity read by integer id (looked up by the id's stored text, without Arrow arrays) finds
    the same rows the batch path finds, for ids whose text has a sign or nineteen digits (7 and -7 are
    different entities)."""
    online.apply(view("ids", [feature("a"), feature("b")], push=True))
    ids = [0, -7, 7, 2**63 - 1, -(2**63)]
    table = pa.table({"customer_id": pa.array(ids, pa.int64()),
                      "event_timestamp": pa.array([NOW] * len(ids), pa.timestamp("us", tz="UTC")),
                      "a": pa.array([0.5 + i for i in range(len(ids))]),
                      "b": pa.array([-1.0 - i for i in range(len(ids))])})
    online.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="ids",
                                                              rows=T.ArrowTable(ipc_stream=ipc(table)))]))
    selection = refs("ids:b", "ids:a")
    for position, key in enumerate(ids):
        alone = _read(online, [key], selection)
        assert _row(alone, 0) == _row(_read(online, [ids[-1 - position], key], selection), 1), key
        assert [value for *_, value in _row(alone, 0)] == [-1.0 - position, 0.5 + position]
        assert list(alone.columns[0].statuses) == [S.FEATURE_VALUE_STATUS_PRESENT]
    missing = _read(online, [41], selection)
    assert [status for _, status, _, _, _ in _row(missing, 0)] == [S.FEATURE_VALUE_STATUS_NOT_FOUND] * 2


def _row(response: fs_pb2.GetOnlineFeaturesResponse, row: int) -> list[tuple]:
    """Row ``row`` of every column: (name, status, event time, is null, value)."""
    out = []
    for column in response.columns:
        values = column.values
        array = getattr(values, values.WhichOneof("values"))
        out.append((values.name, column.statuses[row], column.event_time_micros[row], row in values.null_rows,
                    array.values[row]))
    return out


@pytest.mark.parametrize("dtype, values", [
    (T.DATA_TYPE_FLOAT64, [[0.25, 1.5, -3.0], [0.5, None, 2.0], [9.0, 9.0, 9.0]]),
    (T.DATA_TYPE_FLOAT32, [[0.25, 1.5, -3.0], [0.5, None, 2.0], [9.0, 9.0, 9.0]]),
    (T.DATA_TYPE_BOOL, [[True, False, True], [False, None, True], [True, True, True]]),
])
def test_one_entity_reads_answer_like_the_same_entity_within_a_batch(online: Client, dtype: int,
                                                                        values: list[list]) -> None:
    """A one-entity read (served straight from the stored bytes when it can) answers exactly what the
    batch path answers for that entity: present, null, outside TTL and unknown entities alike."""
    online.apply(entity(), view("same", [feature(n, dtype) for n in ("a", "b", "c")], push=True,
                                ttl=timedelta(hours=1)))
    arrow = {T.DATA_TYPE_FLOAT64: pa.float64(), T.DATA_TYPE_FLOAT32: pa.float32(), T.DATA_TYPE_BOOL: pa.bool_()}[dtype]
    times = [NOW - timedelta(minutes=5), NOW - timedelta(minutes=4), NOW - timedelta(hours=2)]
    table = pa.table({"customer_id": pa.array([1, 2, 3], pa.int64()),
                      "event_timestamp": pa.array(times, pa.timestamp("us", tz="UTC")),
                      **{n: pa.array([row[i] for row in values], arrow) for i, n in enumerate(("a", "b", "c"))}})
    online.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="same",
                                                              rows=T.ArrowTable(ipc_stream=ipc(table)))]))
    selection = refs("same:c", "same:a", "same:b")
    for key in (1, 2, 3, 99):
        alone = _read(online, [key], selection)
        within = _read(online, [key, 1], selection)
        assert alone.row_count == 1
        assert _row(alone, 0) == _row(within, 0), key
        assert [(v.feature_view, v.version) for v in alone.resolved_views] == [("same", 1)]
    present = _row(_read(online, [1], selection), 0)
    assert [status for _, status, _, _, _ in present] == [S.FEATURE_VALUE_STATUS_PRESENT] * 3
    assert [value for *_, value in present] == pytest.approx([values[0][2], values[0][0], values[0][1]])


def _dense_row(response: fs_pb2.GetOnlineFeaturesResponse, row: int) -> list[tuple]:
    """Row ``row`` of the DENSE block, in :func:`_row`'s form (a value that is not PRESENT is null)."""
    dense = response.dense
    wire = {T.DATA_TYPE_FLOAT64: "<f8", T.DATA_TYPE_FLOAT32: "<f4", T.DATA_TYPE_BOOL: "?"}[dense.dtype]
    count = dense.feature_count
    assert count == len(response.columns)
    values = np.frombuffer(dense.values, dtype=wire).reshape(response.row_count, count)
    out = []
    for f, column in enumerate(response.columns):
        status = dense.statuses[row * count + f]
        out.append((column.values.name, status, dense.event_time_micros[row * count + f],
                    status != S.FEATURE_VALUE_STATUS_PRESENT, values[row, f].item()))
    return out


@pytest.mark.parametrize("dtype, arrow", [(T.DATA_TYPE_FLOAT64, pa.float64()), (T.DATA_TYPE_FLOAT32, pa.float32()),
                                          (T.DATA_TYPE_BOOL, pa.bool_())])
def test_the_dense_layout_holds_what_the_columns_hold(online: Client, dtype: int, arrow: pa.DataType) -> None:
    """ONLINE_LAYOUT_DENSE answers the same values, statuses and event times as the columns, one
    entity (the stored-bytes path) or many, present, null, outside TTL and unknown alike; columns of
    mixed types are answered as columns; an unknown layout is refused."""
    online.apply(entity(), view("same", [feature(n, dtype) for n in ("a", "b", "c")], push=True,
                                ttl=timedelta(hours=1)))
    truthy = dtype == T.DATA_TYPE_BOOL
    rows = [[True, False, True], [False, None, True], [True, True, True]] if truthy else [
        [0.25, 1.5, -3.0], [0.5, None, 2.0], [9.0, 9.0, 9.0]]
    table = pa.table({"customer_id": pa.array([1, 2, 3], pa.int64()),
                      "event_timestamp": pa.array([NOW - timedelta(minutes=5), NOW - timedelta(minutes=4),
                                                   NOW - timedelta(hours=2)], pa.timestamp("us", tz="UTC")),
                      **{n: pa.array([row[i] for row in rows], arrow) for i, n in enumerate(("a", "b", "c"))}})
    online.stub.PushFeatures(iter([fs_pb2.PushFeaturesRequest(feature_view="same",
                                                              rows=T.ArrowTable(ipc_stream=ipc(table)))]))
    selection = refs("same:c", "same:a", "same:b")
    for keys in ([1], [2], [3], [99], [1, 2, 3, 99], [3, 1]):
        columns = _read(online, keys, selection)
        dense = _read(online, keys, selection, layout=fs_pb2.ONLINE_LAYOUT_DENSE)
        assert dense.HasField("dense") and not columns.HasField("dense")
        assert dense.dense.dtype == dtype and dense.row_count == len(keys)
        assert [(c.feature_view, c.feature, c.values.name) for c in dense.columns] == [
            (c.feature_view, c.feature, c.values.name) for c in columns.columns]
        assert all(not c.statuses and not c.event_time_micros for c in dense.columns)
        assert [(v.feature_view, v.version) for v in dense.resolved_views] == [("same", 1)]
        for row in range(len(keys)):
            assert _dense_row(dense, row) == _row(columns, row), (keys, row)
    present = _dense_row(_read(online, [1], selection, layout=fs_pb2.ONLINE_LAYOUT_DENSE), 0)
    assert [value for *_, value in present] == pytest.approx([rows[0][2], rows[0][0], rows[0][1]])

    mixed = _read(online, [1], refs("live:score", "live:tier"), layout=fs_pb2.ONLINE_LAYOUT_DENSE)
    assert not mixed.HasField("dense") and len(mixed.columns[0].statuses) == 1
    with pytest.raises(grpc.RpcError) as refused:
        _read(online, [1], selection, layout=7)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(refused.value).metadata["field"] == "layout"
