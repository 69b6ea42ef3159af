"""Point-in-time join semantics, rule by rule, on every offline engine (DuckDB and Dask).

The rules (issue 4): every entity row comes back once with its columns unchanged; candidates are the
entity's rows with ``ts - ttl <= event_ts <= ts``; the latest event time wins, ties go to the latest
created time; all of a view's features come from the winning row; no candidate means nulls; with
``as_of_created`` rows created after ``ts`` are excluded; output names are ``feature`` or
``view__feature`` and collisions are rejected before any work; timestamps are UTC, naive means UTC.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import grpc
import pyarrow as pa
import pytest

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from tests.integration.featurestore.helpers import (
    Client,
    T,
    entity,
    error_info,
    feature,
    ipc,
    read_ipc,
    refs,
    view,
)

T0 = datetime(2026, 3, 1, 12, 0, 0)
US = timedelta(microseconds=1)
ENGINES = {"duckdb": fs_pb2.OFFLINE_ENGINE_EMBEDDED, "dask": fs_pb2.OFFLINE_ENGINE_DASK}


@pytest.fixture(params=list(ENGINES))
def engine(request: pytest.FixtureRequest) -> int:
    return ENGINES[request.param]


def _name() -> str:
    return f"v{uuid.uuid4().hex[:10]}"


def _view(client: Client, rows: dict, *, ttl: timedelta | None = None, features=None, entities=("customer",),
          extra_entities=()) -> str:
    name = _name()
    features = features or [feature("a"), feature("b", T.DATA_TYPE_INT64)]
    client.apply(entity(), *extra_entities, view(name, features, ttl=ttl, entities=entities))
    columns = {k: (pa.array(v, pa.timestamp("us")) if "timestamp" in k else v) for k, v in rows.items()}
    client.ingest(name, [pa.table(columns)], ingest_id=uuid.uuid4().hex)
    return name


def _entities(keys: list[int], times: list[datetime], **extra: list) -> pa.Table:
    return pa.table({"customer_id": pa.array(keys, pa.int64()), "event_timestamp": pa.array(times, pa.timestamp("us")),
                     **extra})


def test_every_row_comes_back_once_in_order_with_its_columns_unchanged(pit_client: Client, engine: int) -> None:
    name = _view(pit_client, {"customer_id": [1, 2], "event_timestamp": [T0, T0], "a": [1.5, 2.5], "b": [10, 20]})
    keys = [2, 1, 1, 3, 2, 1]
    times = [T0, T0, T0, T0, T0 - US, T0 + timedelta(hours=1)]
    labels = ["x", "y", "y", None, "z", "w"]
    rows = _entities(keys, times, label=labels, weight=pa.array([0.1, 0.2, 0.2, 0.3, 0.4, 0.5]))
    header, out = pit_client.historical(rows, refs(f"{name}:a", f"{name}:b"), engine=engine)
    assert header.row_count == 6
    assert list(header.columns) == ["customer_id", "event_timestamp", "label", "weight", "a", "b"]
    assert out.select(["customer_id", "event_timestamp", "label", "weight"]).equals(rows)
    assert out.column("a").to_pylist() == [2.5, 1.5, 1.5, None, None, 1.5]
    assert out.column("b").to_pylist() == [20, 10, 10, None, None, 10]


def test_ttl_window_is_inclusive_at_both_ends(pit_client: Client, engine: int) -> None:
    ttl = timedelta(hours=1)
    name = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0], "a": [7.0], "b": [1]}, ttl=ttl)
    times = [T0, T0 + ttl, T0 + ttl + US, T0 - US]
    _, out = pit_client.historical(_entities([1, 1, 1, 1], times), refs(f"{name}:a"), engine=engine)
    assert out.column("a").to_pylist() == [7.0, 7.0, None, None]


def test_without_ttl_there_is_no_lower_bound(pit_client: Client, engine: int) -> None:
    name = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0 - timedelta(days=3650)], "a": [3.0],
                              "b": [1]})
    _, out = pit_client.historical(_entities([1], [T0]), refs(f"{name}:a"), engine=engine)
    assert out.column("a").to_pylist() == [3.0]


def test_latest_event_wins_and_ties_go_to_the_latest_created(pit_client: Client, engine: int) -> None:
    created = pa.array([T0, T0 + timedelta(minutes=5), T0 - timedelta(minutes=5), T0], pa.timestamp("us"))
    name = _view(pit_client, {
        "customer_id": [1, 1, 1, 2],
        "event_timestamp": [T0 - timedelta(minutes=10), T0 - timedelta(minutes=10), T0 - timedelta(minutes=20), T0],
        "created_timestamp": created, "a": [1.0, 2.0, 3.0, 4.0], "b": [1, 2, 3, 4]})
    _, out = pit_client.historical(_entities([1, 1], [T0, T0 - timedelta(minutes=15)]), refs(f"{name}:a", f"{name}:b"),
                                   engine=engine)
    assert out.column("a").to_pylist() == [2.0, 3.0]
    assert out.column("b").to_pylist() == [2, 3]


def test_all_features_come_from_the_winning_row_and_nulls_stay_null(pit_client: Client, engine: int) -> None:
    name = _view(pit_client, {"customer_id": [1, 1], "event_timestamp": [T0 - timedelta(hours=2), T0 - timedelta(hours=1)],
                              "a": [1.0, None], "b": [5, 6]})
    _, out = pit_client.historical(_entities([1], [T0]), refs(f"{name}:a", f"{name}:b"), engine=engine)
    assert out.column("a").to_pylist() == [None]
    assert out.column("b").to_pylist() == [6]


def test_no_candidate_gives_nulls_and_other_views_are_unaffected(pit_client: Client, engine: int) -> None:
    early = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0 - timedelta(hours=1)], "a": [1.0], "b": [1]})
    late = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0 + timedelta(hours=1)], "a": [2.0], "b": [2]})
    _, out = pit_client.historical(_entities([1], [T0]), refs(f"{early}:a", f"{late}:b"), engine=engine)
    assert out.column("a").to_pylist() == [1.0]
    assert out.column("b").to_pylist() == [None]


def test_as_of_created_excludes_rows_created_after_the_entity_time(pit_client: Client, engine: int) -> None:
    created = pa.array([T0 - timedelta(hours=3), T0 + timedelta(days=1)], pa.timestamp("us"))
    name = _view(pit_client, {"customer_id": [1, 1], "event_timestamp": [T0 - timedelta(hours=3), T0 - timedelta(hours=1)],
                              "created_timestamp": created, "a": [1.0, 2.0], "b": [1, 2]})
    rows = _entities([1, 1], [T0, T0 + timedelta(days=1)])
    _, plain = pit_client.historical(rows, refs(f"{name}:a"), engine=engine)
    _, strict = pit_client.historical(rows, refs(f"{name}:a"), engine=engine, as_of_created=True)
    assert plain.column("a").to_pylist() == [2.0, 2.0]
    assert strict.column("a").to_pylist() == [1.0, 2.0]


def test_full_feature_names_and_collisions(pit_client: Client, engine: int) -> None:
    first = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0], "a": [1.0], "b": [1]})
    second = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0], "a": [2.0], "b": [2]})
    rows = _entities([1], [T0])
    header, out = pit_client.historical(rows, refs(f"{first}:a", f"{second}:a"), engine=engine,
                                        full_feature_names=True)
    assert list(header.columns)[-2:] == [f"{first}__a", f"{second}__a"]
    assert out.column(f"{second}__a").to_pylist() == [2.0]
    with pytest.raises(grpc.RpcError) as failure:
        pit_client.historical(rows, refs(f"{first}:a", f"{second}:a"), engine=engine)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(failure.value).reason == "OUTPUT_NAME_COLLISION"
    assert error_info(failure.value).metadata["column"] == "a"


def test_naive_entity_times_are_utc_and_zones_are_respected(pit_client: Client, engine: int) -> None:
    name = _view(pit_client, {"customer_id": [1, 1], "event_timestamp": [T0, T0 + timedelta(hours=2)],
                              "a": [1.0, 2.0], "b": [1, 2]})
    zoned = pa.table({"customer_id": pa.array([1, 1], pa.int64()),
                      "event_timestamp": pa.array([
                          datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),  # 12:30 UTC
                          datetime(2026, 3, 1, 14, 30, tzinfo=UTC)], pa.timestamp("us", tz="Europe/Paris"))})
    _, out = pit_client.historical(zoned, refs(f"{name}:a"), engine=engine)
    assert out.column("a").to_pylist() == [1.0, 2.0]
    naive = _entities([1, 1], [T0 + timedelta(hours=1), T0 + timedelta(hours=2)])
    _, out = pit_client.historical(naive, refs(f"{name}:a"), engine=engine)
    assert out.column("a").to_pylist() == [1.0, 2.0]


def test_multi_key_entities_and_string_keys(pit_client: Client, engine: int) -> None:
    account = entity("account", "account_id", T.DATA_TYPE_STRING)
    name = _view(pit_client, {"customer_id": [1, 1, 2], "account_id": ["x", "y", "x"],
                              "event_timestamp": [T0, T0, T0], "a": [1.0, 2.0, 3.0], "b": [1, 2, 3]},
                 entities=("customer", "account"), extra_entities=(account,))
    rows = pa.table({"customer_id": pa.array([1, 2, 2, 1], pa.int64()), "account_id": ["y", "x", "y", "x"],
                     "event_timestamp": pa.array([T0] * 4, pa.timestamp("us"))})
    _, out = pit_client.historical(rows, refs(f"{name}:a"), engine=engine)
    assert out.column("a").to_pylist() == [2.0, 3.0, None, 1.0]


def test_pinned_old_version_reads_its_own_history(pit_client: Client, engine: int) -> None:
    name = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0], "a": [1.0], "b": [1]})
    pit_client.apply(entity(), view(name, [feature("a"), feature("b", T.DATA_TYPE_INT64), feature("c")]))
    pit_client.ingest(name, [pa.table({"customer_id": pa.array([1], pa.int64()),
                                       "event_timestamp": pa.array([T0], pa.timestamp("us")),
                                       "a": [9.0], "b": [9], "c": [9.5]})], ingest_id=uuid.uuid4().hex)
    header, out = pit_client.historical(_entities([1], [T0]), refs(f"{name}@v1:a", f"{name}:c"), engine=engine,
                                        full_feature_names=True)
    assert [f.resolved_version for f in header.features] == [1, 2]
    assert out.column(f"{name}__a").to_pylist() == [1.0]
    assert out.column(f"{name}__c").to_pylist() == [9.5]


def test_bad_requests_fail_before_any_work(pit_client: Client, engine: int) -> None:
    name = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0], "a": [1.0], "b": [1]})
    cases = [
        (pa.table({"event_timestamp": pa.array([T0], pa.timestamp("us"))}), refs(f"{name}:a"),
         grpc.StatusCode.INVALID_ARGUMENT, "MISSING_KEY"),
        (pa.table({"customer_id": pa.array([1], pa.int64())}), refs(f"{name}:a"),
         grpc.StatusCode.INVALID_ARGUMENT, "MISSING_COLUMN"),
        (pa.table({"customer_id": pa.array([1.5]), "event_timestamp": pa.array([T0], pa.timestamp("us"))}),
         refs(f"{name}:a"), grpc.StatusCode.INVALID_ARGUMENT, "WRONG_TYPE"),
        (_entities([1], [T0]), refs("no_such_view:a"), grpc.StatusCode.NOT_FOUND, "FEATURE_VIEW_NOT_FOUND"),
        (_entities([1], [T0]), refs(f"{name}:nope"), grpc.StatusCode.NOT_FOUND, "FEATURE_NOT_FOUND"),
        (_entities([1], [T0]), refs(f"{name}@v9:a"), grpc.StatusCode.NOT_FOUND, "FEATURE_VIEW_VERSION_NOT_FOUND"),
    ]
    for rows, selection, code, reason in cases:
        with pytest.raises(grpc.RpcError) as failure:
            pit_client.historical(rows, selection, engine=engine)
        assert failure.value.code() == code, reason
        assert error_info(failure.value).reason == reason
    request = fs_pb2.GetHistoricalFeaturesRequest(entity_rows=T.ArrowTable(ipc_stream=b"not arrow"),
                                                  features=refs(f"{name}:a"), engine=engine)
    with pytest.raises(grpc.RpcError) as failure:
        list(pit_client.stub.GetHistoricalFeatures(request, timeout=30))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(failure.value).reason == "MALFORMED_ARROW"


def test_results_stream_in_chunks_in_row_order(pit_client: Client, engine: int) -> None:
    name = _view(pit_client, {"customer_id": list(range(10)), "event_timestamp": [T0] * 10,
                              "a": [float(i) for i in range(10)], "b": list(range(10))})
    rows = _entities(list(range(9, -1, -1)), [T0] * 10)
    request = fs_pb2.GetHistoricalFeaturesRequest(
        entity_rows=T.ArrowTable(ipc_stream=ipc(rows)),
        features=refs(f"{name}:b"), engine=engine, max_rows_per_chunk=3)
    messages = list(pit_client.stub.GetHistoricalFeatures(request, timeout=60))
    assert messages[0].WhichOneof("content") == "header"
    assert len(messages) == 1 + 4
    values = [v for m in messages[1:] for v in read_ipc(m.chunk.ipc_stream).column("b").to_pylist()]
    assert values == list(range(9, -1, -1))


def test_new_versions_keep_the_history_that_still_fits(pit_client: Client, engine: int) -> None:
    name = _view(pit_client, {"customer_id": [1], "event_timestamp": [T0], "a": [1.0], "b": [1]})
    # A new version with an added feature and a TTL reads v1's rows; the new feature reads as null.
    pit_client.apply(entity(), view(name, [feature("a"), feature("b", T.DATA_TYPE_INT64), feature("c")],
                                    ttl=timedelta(days=1)))
    rows = _entities([1, 1], [T0 + timedelta(hours=1), T0 + timedelta(days=2)])
    _, out = pit_client.historical(rows, refs(f"{name}:a", f"{name}:c"), engine=engine)
    assert out.column("a").to_pylist() == [1.0, None]
    assert out.column("c").to_pylist() == [None, None]
    # Retyping a feature starts the version without the old rows, whose values no longer fit.
    pit_client.apply(entity(), view(name, [feature("a", T.DATA_TYPE_STRING), feature("b", T.DATA_TYPE_INT64)]))
    _, out = pit_client.historical(rows, refs(f"{name}:a", f"{name}:b"), engine=engine)
    assert out.column("a").to_pylist() == [None, None]
    assert out.column("b").to_pylist() == [None, None]
    _, pinned = pit_client.historical(rows, refs(f"{name}@v1:b"), engine=engine)
    assert pinned.column("b").to_pylist() == [1, 1]
