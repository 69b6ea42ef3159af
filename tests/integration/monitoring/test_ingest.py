"""Prediction logs: idempotent replay, individual rejections, schema errors counted, Arrow tables."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sextant.monitoring.v1 import logs_pb2, resources_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from tests.integration.monitoring.conftest import (
    BASE_SECONDS,
    Server,
    create_monitor,
    record,
    rows,
    set_traffic_reference,
    stream,
)


def _table_message(n: int, prefix: str, start: int, *, drop_time: int | None = None) -> pb.LogPredictionsRequest:
    rng = np.random.default_rng(start)
    times = pa.array([(BASE_SECONDS + start + i) * 1_000_000 for i in range(n)], pa.int64()).cast(
        pa.timestamp("us", tz="UTC"))
    if drop_time is not None:
        times = pa.array([None if i == drop_time else t for i, t in enumerate(times.to_pylist())],
                         pa.timestamp("us", tz="UTC"))
    table = pa.table({"__request_id": [f"{prefix}-{i}" for i in range(n)], "__prediction_time": times,
                      "x": rng.normal(0, 1, n), "grade": rng.choice(["a", "b", "c"], n).tolist(),
                      "owner": (rng.random(n) < 0.3).tolist(), "__probability:1": rng.random(n)})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return pb.LogPredictionsRequest(table=logs_pb2.PredictionTable(
        model_name="credit", model_version=1, alias="production", rows={"ipc_stream": sink.getvalue().to_pybytes()},
        input_columns=["x", "grade", "owner"]))


def test_replayed_batches_are_not_counted_twice(server: Server) -> None:
    rng = np.random.default_rng(1)
    server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 200), rng=rng)))
    set_traffic_reference(server.stub, 0, 200)
    create_monitor(server.stub, rows_per_window=150)
    batch = rows("live", rng.normal(0, 1, 100), start=1000, rng=rng)
    first = server.stub.LogPredictions(stream(batch[:60], batch[60:]))
    assert (first.accepted_count, first.duplicate_count) == (100, 0)
    replay = server.stub.LogPredictions(stream(batch, batch[:10]))
    assert (replay.accepted_count, replay.duplicate_count, replay.message_count) == (0, 110, 2)
    table = server.stub.LogPredictions(iter([_table_message(50, "tab", 2000), _table_message(50, "tab", 2000)]))
    assert (table.accepted_count, table.duplicate_count) == (50, 50)
    report = server.stub.GetDriftReport(pb.GetDriftReportRequest(monitor="credit-watch", window_index=1)).report
    assert report.window.row_count == 150 and report.window.complete
    assert {c.feature: c.current_count for c in report.features}["x"] == 150


def test_malformed_input_is_rejected_individually_and_the_rest_is_kept(server: Server) -> None:
    rng = np.random.default_rng(2)
    server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 200), rng=rng)))
    set_traffic_reference(server.stub, 0, 200)
    create_monitor(server.stub, rows_per_window=1000)
    good = rows("good", rng.normal(0, 1, 5), start=1000, rng=rng)
    no_id = record("", {"x": 1.0, "grade": "a", "owner": True}, seconds=1001)
    no_time = record("t-1", {"x": 1.0, "grade": "a", "owner": True}, seconds=1001)
    no_time.ClearField("prediction_time")
    negative_row = record("r-1", {"x": 1.0, "grade": "a", "owner": True}, seconds=1001)
    negative_row.row_index = -1
    wrong_type = record("type-1", {"x": "high", "grade": "a", "owner": True}, seconds=1002)
    missing_column = record("miss-1", {"x": 0.5, "owner": False}, seconds=1003)
    extra_column = record("extra-1", {"x": 0.5, "grade": "zz", "owner": False, "surprise": 1.0}, seconds=1004)
    garbage = pb.LogPredictionsRequest(table=logs_pb2.PredictionTable(model_name="credit", model_version=1,
                                                                      rows={"ipc_stream": b"not arrow"}))
    answer = server.stub.LogPredictions(iter([
        pb.LogPredictionsRequest(records=logs_pb2.PredictionRecords(
            records=[good[0], no_id, good[1], no_time, negative_row])),
        garbage,
        _table_message(4, "tab", 3000, drop_time=2),
        pb.LogPredictionsRequest(records=logs_pb2.PredictionRecords(
            records=[wrong_type, missing_column, extra_column, *good[2:]])),
    ]))
    assert answer.message_count == 4
    assert answer.accepted_count == 2 + 3 + 6
    assert answer.rejected_count == 3 + 1
    assert answer.data_quality_error_count == 3
    reasons = {(r.message_index, r.item_index, r.whole_message): (logs_pb2.RejectionReason.Name(r.reason), r.field)
               for r in answer.rejections}
    assert reasons == {
        (0, 1, False): ("REJECTION_REASON_MISSING_REQUEST_ID", "records.records[1].request_id"),
        (0, 3, False): ("REJECTION_REASON_MISSING_TIME", "records.records[3].prediction_time"),
        (0, 4, False): ("REJECTION_REASON_INVALID_ROW_INDEX", "records.records[4].row_index"),
        (1, 0, True): ("REJECTION_REASON_MALFORMED_MESSAGE", "table.rows"),
        (2, 2, False): ("REJECTION_REASON_MISSING_TIME", "table.rows.__prediction_time"),
    }
    # One record of a message without any valid row would not stop the next message either.
    assert answer.rejected_count + answer.accepted_count == 15

    # Every accepted row is in the (still open) window, the mismatching ones counted, none dropped.
    quality = server.stub.GetDataQualityReport(pb.GetDataQualityReportRequest(monitor="credit-watch",
                                                                              window_index=1)).report
    assert not quality.window.complete
    assert (quality.window.row_count, quality.schema_error_count) == (11, 3)


def test_quality_report_counts_schema_errors_never_drops_them(server: Server) -> None:
    rng = np.random.default_rng(3)
    server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 200), rng=rng)))
    set_traffic_reference(server.stub, 0, 200)
    create_monitor(server.stub, rows_per_window=10)
    batch = rows("live", rng.normal(0, 1, 6), start=1000, rng=rng)
    batch += [record("type-1", {"x": "high", "grade": "a", "owner": True}, seconds=1010),
              record("miss-1", {"x": 50.0, "owner": False}, seconds=1011),
              record("extra-1", {"x": None, "grade": "zz", "owner": False, "surprise": 1.0}, seconds=1012),
              record("ok-1", {"x": 0.1, "grade": "a", "owner": True}, seconds=1013)]
    answer = server.stub.LogPredictions(stream(batch))
    assert (answer.accepted_count, answer.data_quality_error_count) == (10, 3)
    report = server.stub.GetDataQualityReport(pb.GetDataQualityReportRequest(monitor="credit-watch")).report
    assert report.window.row_count == 10 and report.schema_error_count == 3
    assert report.schema_error_rate == 0.3
    issues = {(i.kind, i.column): i.count for i in report.schema_issues}
    assert issues == {(3, "x"): 1, (1, "grade"): 1, (2, "surprise"): 1}
    features = {f.feature: f for f in report.features}
    assert features["x"].type_error_count == 1 and features["x"].null_count == 1
    assert features["x"].out_of_range_count == 1 and features["x"].out_of_range_rate == 0.1
    assert features["grade"].unseen_category_count == 1 and features["grade"].unseen_categories[0].value == "zz"
    assert features["grade"].null_count == 1


def test_partial_replay_stores_only_new_keys_and_traffic_reads_the_originals(server: Server) -> None:
    rng = np.random.default_rng(4)
    original = rows("mix", np.arange(100, dtype=float), rng=rng)
    first = server.stub.LogPredictions(stream(original[:40], original[40:100]))
    assert (first.accepted_count, first.duplicate_count) == (100, 0)
    # Keys 50..99 again with other values, interleaved with new keys 100..149 and a key repeated.
    again = rows("mix", np.arange(150, dtype=float) + 1000.0, rng=rng)
    mixed = [r for pair in zip(again[50:100], again[100:150], strict=True) for r in pair] + [again[120], again[99]]
    answer = server.stub.LogPredictions(stream(mixed))
    assert (answer.accepted_count, answer.duplicate_count) == (50, 52)
    # The reference from traffic holds each key once, with the values first stored.
    reference = set_traffic_reference(server.stub, 0, 200)
    x = {c.name: c for c in reference.profile.columns}["x"]
    assert reference.profile.row_count == 150 and x.count == 150
    assert (x.min, x.max) == (0.0, 1149.0)
    assert x.mean == np.mean(np.concatenate([np.arange(100), np.arange(1100, 1150)]))


def test_a_reference_or_monitor_set_while_predictions_flow_counts_from_the_next_message(server: Server) -> None:
    rng = np.random.default_rng(5)
    surprise = [record(f"s{i}", {"x": 0.5, "grade": "a", "owner": True, "surprise": 1.0}, seconds=300 + i)
                for i in range(4)]
    # No reference yet (the registry is unreachable): an extra column is no schema error.
    first = server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 200), rng=rng), surprise[:2]))
    assert (first.accepted_count, first.data_quality_error_count) == (202, 0)
    set_traffic_reference(server.stub, 0, 200)
    second = server.stub.LogPredictions(stream(surprise[2:]))
    assert (second.accepted_count, second.data_quality_error_count) == (2, 2)

    def last_window() -> int:
        return server.stub.GetMonitor(pb.GetMonitorRequest(name="credit-watch")).monitor.last_window_index

    monitor = create_monitor(server.stub, rows_per_window=50)
    server.stub.LogPredictions(stream(rows("live", rng.normal(0, 1, 60), start=1000, rng=rng)))
    assert last_window() == 1
    paused = pb.UpdateMonitorRequest(monitor=resources_pb2.Monitor(name="credit-watch", paused=True,
                                                                   etag=monitor.etag))
    paused.update_mask.paths.append("paused")
    monitor = server.stub.UpdateMonitor(paused).monitor
    server.stub.LogPredictions(stream(rows("paused", rng.normal(0, 1, 100), start=2000, rng=rng)))
    assert last_window() == 1
    resumed = pb.UpdateMonitorRequest(monitor=resources_pb2.Monitor(name="credit-watch", paused=False,
                                                                    etag=monitor.etag))
    resumed.update_mask.paths.append("paused")
    server.stub.UpdateMonitor(resumed)
    server.stub.LogPredictions(stream(rows("resumed", rng.normal(0, 1, 40), start=3000, rng=rng)))
    report = server.stub.GetDriftReport(pb.GetDriftReportRequest(monitor="credit-watch", window_index=2)).report
    assert (report.window.row_count, report.window.complete) == (50, True)


def test_a_reference_set_while_a_window_fills_applies_from_the_next_window(server: Server) -> None:
    rng = np.random.default_rng(9)
    create_monitor(server.stub, rows_per_window=100)
    # The first window starts without a reference: its columns get provisional summaries.
    server.stub.LogPredictions(stream(rows("early", rng.normal(0, 1, 230), rng=rng)))
    set_traffic_reference(server.stub, 0, 200)
    # The third window is open with provisional summaries; the reference's edges now come with
    # every message. The window keeps its own layout instead of failing every later message.
    later = server.stub.LogPredictions(stream(rows("later", rng.normal(0, 1, 170), start=500, rng=rng)))
    assert later.accepted_count == 170 and later.rejected_count == 0

    def window_report(index: int) -> object:
        return server.stub.GetDriftReport(pb.GetDriftReportRequest(monitor="credit-watch", window_index=index)).report

    third, fourth = window_report(3), window_report(4)
    assert (third.window.row_count, third.window.complete) == (100, True)
    assert (fourth.window.row_count, fourth.window.complete) == (100, True)
    # The fourth window started after the reference was set: its drift is measured against it.
    assert {c.feature for c in fourth.features} >= {"x", "grade", "owner"}


def test_a_column_that_was_text_in_some_batches_still_gives_a_traffic_reference(server: Server) -> None:
    numbers = [record(f"n{i}", {"x": 0.25 * i, "grade": "a", "owner": True}, seconds=i) for i in range(6)]
    texts = [record(f"t{i}", {"x": "unknown" if i % 2 else 1.5, "grade": "b", "owner": False}, seconds=10 + i)
             for i in range(4)]
    logged = server.stub.LogPredictions(stream(numbers, texts))
    assert logged.accepted_count == 10
    reference = set_traffic_reference(server.stub, 0, 100)
    x = {c.name: c for c in reference.profile.columns}["x"]
    assert reference.profile.row_count == 10 and x.count == 10


def test_integers_beyond_float64_precision_are_summarised_not_refused(server: Server) -> None:
    create_monitor(server.stub, rows_per_window=4)
    huge = pa.array([2 ** 60, -(2 ** 61), 7, 2 ** 53 + 1], pa.int64())
    times = pa.array([(BASE_SECONDS + i) * 1_000_000 for i in range(4)], pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    table = pa.table({"__request_id": [f"h{i}" for i in range(4)], "__prediction_time": times, "x": huge,
                      "grade": ["a"] * 4, "owner": [True] * 4})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    logged = server.stub.LogPredictions(iter([pb.LogPredictionsRequest(table=logs_pb2.PredictionTable(
        model_name="credit", model_version=1, alias="production", rows={"ipc_stream": sink.getvalue().to_pybytes()},
        input_columns=["x", "grade", "owner"]))]))
    assert (logged.accepted_count, logged.rejected_count) == (4, 0)
    report = server.stub.GetDataQualityReport(pb.GetDataQualityReportRequest(monitor="credit-watch")).report
    assert report.window.row_count == 4
