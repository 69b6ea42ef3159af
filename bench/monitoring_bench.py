"""Benchmark of the monitoring service; prints a markdown table with the floors measured in the same run.

1. LogPredictions ingest throughput: Arrow table messages of 10,000 predictions x 20 features over
   one client stream, against the floor of a bare gRPC server that only receives the same stream.
2. Drift report of a 100,000-row window x 20 features against a 100,000-row reference, next to KS +
   PSI computed for all 20 columns directly with numpy/scipy on the raw arrays.
3. The same pipeline with 1,000 features (ingest of reference and window, reference build, report).

Run: ``.venv/bin/python bench/monitoring_bench.py`` (not part of the test suite); ``--ingest-only``
runs just the first measurement. The ingest row also gives the process's CPU time per row (client
and server share the process), which a loaded machine distorts less than wall time.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import numpy as np
import pyarrow as pa
from scipy import stats

from sextant.monitoring.v1 import logs_pb2, resources_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from sextant.monitoring.v1 import monitoring_service_pb2_grpc as pb_grpc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services import catalog  # noqa: E402
from services.monitoring.settings import MonitoringSettings  # noqa: E402

ROWS_PER_MESSAGE = 10_000


def rows_per_message(features: int) -> int:
    """10,000 rows per message, fewer for wide tables so a message stays around 8 MB."""
    return max(1000, min(ROWS_PER_MESSAGE, 1_000_000 // features))


def table_messages(prefix: str, rows: int, features: int, shift: float, start_us: int,
                   seed: int) -> list[pb.LogPredictionsRequest]:
    """Pre-encoded LogPredictions messages (encoding is the client's cost, not the server's)."""
    rng = np.random.default_rng(seed)
    messages = []
    step = rows_per_message(features)
    for offset in range(0, rows, step):
        n = min(step, rows - offset)
        columns = {"__request_id": pa.array([f"{prefix}-{offset + i}" for i in range(n)]),
                   "__prediction_time": pa.array(start_us + offset + np.arange(n), pa.int64()).cast(
                       pa.timestamp("us", tz="UTC"))}
        for f in range(features):
            columns[f"f{f}"] = pa.array(rng.normal(shift, 1.0 + 0.01 * f, n))
        table = pa.table(columns)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        messages.append(pb.LogPredictionsRequest(table=logs_pb2.PredictionTable(
            model_name="bench", model_version=1, rows={"ipc_stream": sink.getvalue().to_pybytes()},
            input_columns=[f"f{f}" for f in range(features)])))
    return messages


def raw_arrays(rows: int, features: int, shift: float, seed: int) -> list[np.ndarray]:
    """The same values table_messages encodes, as numpy arrays per column."""
    rng = np.random.default_rng(seed)
    per_message: list[list[np.ndarray]] = []
    step = rows_per_message(features)
    for offset in range(0, rows, step):
        n = min(step, rows - offset)
        per_message.append([rng.normal(shift, 1.0 + 0.01 * f, n) for f in range(features)])
    return [np.concatenate([m[f] for m in per_message]) for f in range(features)]


class _Sink(pb_grpc.MonitoringServiceServicer):
    def LogPredictions(self, request_iterator: Iterator[pb.LogPredictionsRequest],  # noqa: N802
                       context: grpc.ServicerContext) -> pb.LogPredictionsResponse:
        count = sum(1 for _ in request_iterator)
        return pb.LogPredictionsResponse(message_count=count)


def bare_floor(messages: list[pb.LogPredictionsRequest]) -> float:
    """Seconds a bare gRPC server takes to receive the stream."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                         options=[("grpc.max_receive_message_length", 64 * 1024 * 1024)])
    pb_grpc.add_MonitoringServiceServicer_to_server(_Sink(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.max_send_message_length", 64 * 1024 * 1024)])
    stub = pb_grpc.MonitoringServiceStub(channel)
    started = time.perf_counter()
    stub.LogPredictions(iter(messages))
    elapsed = time.perf_counter() - started
    channel.close()
    server.stop(0)
    return elapsed


def direct_ks_psi(reference: list[np.ndarray], current: list[np.ndarray], bins: int) -> float:
    """Seconds to compute KS and PSI of every column with numpy/scipy on the raw arrays."""
    started = time.perf_counter()
    for ref, cur in zip(reference, current, strict=True):
        stats.ks_2samp(ref, cur)
        edges = np.histogram_bin_edges(ref, bins=bins)
        r = np.histogram(ref, edges)[0] / ref.size
        c = np.histogram(np.clip(cur, edges[0], edges[-1]), edges)[0] / cur.size
        r, c = np.where(r == 0, 1e-4, r), np.where(c == 0, 1e-4, c)
        float(np.sum((c - r) * np.log(c / r)))
    return time.perf_counter() - started


def run_pipeline(stub: pb_grpc.MonitoringServiceStub, features: int, rows: int, monitor: str,
                 start_us: int) -> dict[str, float]:
    """Ingest a reference and a shifted window, build the reference, report; returns timings."""
    reference_messages = table_messages(f"{monitor}-ref", rows, features, 0.0, start_us, seed=1)
    window_messages = table_messages(f"{monitor}-cur", rows, features, 0.1, start_us + 10 * rows, seed=2)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    answer = stub.LogPredictions(iter(reference_messages))
    timings["ingest_reference"] = time.perf_counter() - started
    assert answer.accepted_count == rows, answer
    request = pb.SetReferenceRequest(model_name="bench", model_version=1)
    request.from_traffic.start_time.FromMicroseconds(start_us)
    request.from_traffic.end_time.FromMicroseconds(start_us + rows)
    started = time.perf_counter()
    stub.SetReference(request, timeout=600)
    timings["build_reference"] = time.perf_counter() - started
    stub.CreateMonitor(pb.CreateMonitorRequest(monitor=resources_pb2.Monitor(
        name=monitor, model_name="bench", model_version=1, window=resources_pb2.WindowSpec(row_count=rows))))
    started = time.perf_counter()
    answer = stub.LogPredictions(iter(window_messages))
    timings["ingest_window"] = time.perf_counter() - started
    assert answer.accepted_count == rows, answer
    started = time.perf_counter()
    report = stub.GetDriftReport(pb.GetDriftReportRequest(monitor=monitor, window_index=1), timeout=600).report
    timings["report"] = time.perf_counter() - started
    assert len(report.features) == features and report.window.complete
    return timings


def main() -> None:
    """Run the three measurements (only the first with ``--ingest-only``) and print the table."""
    ingest_only = "--ingest-only" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as data_dir:
        settings = MonitoringSettings(port=0, data_dir=data_dir, registry_address="127.0.0.1:1",
                                      featurestore_address="127.0.0.1:1", training_address="127.0.0.1:1",
                                      log_level="error", max_message_bytes=64 * 1024 * 1024)
        running = catalog.start("monitoring", settings)
        channel = grpc.insecure_channel(running.address, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)])
        stub = pb_grpc.MonitoringServiceStub(channel)
        now_us = int(time.time() * 1_000_000) - 86_400 * 1_000_000
        timings: dict[str, float] = {}
        wide: dict[str, float] = {}
        direct = 0.0
        try:
            # 1. Ingest throughput (20 features), after a warm-up message.
            stub.LogPredictions(iter(table_messages("warm", ROWS_PER_MESSAGE, 20, 0.0, now_us, seed=9)))
            ingest = table_messages("ingest", 200_000, 20, 0.0, now_us + 1_000_000, seed=3)
            floor = bare_floor(ingest)
            started, cpu_started = time.perf_counter(), time.process_time()
            answer = stub.LogPredictions(iter(ingest))
            served, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            assert answer.accepted_count == 200_000, answer
            if not ingest_only:
                # 2. Drift report, 100k x 20 against 100k.
                timings = run_pipeline(stub, 20, 100_000, "drift20", now_us + 10_000_000)
                reference = raw_arrays(100_000, 20, 0.0, seed=1)
                current = raw_arrays(100_000, 20, 0.1, seed=2)
                direct = direct_ks_psi(reference, current, bins=20)
                # 3. 1,000 features, 10k-row reference and window.
                wide = run_pipeline(stub, 1000, 10_000, "wide1000", now_us + 5_000_000_000)
        finally:
            channel.close()
            running.stop(0)
    _print_table(served, cpu, floor, timings, direct, wide)


def _print_table(served: float, cpu: float, floor: float, timings: dict[str, float], direct: float,
                 wide: dict[str, float]) -> None:
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("| measurement | sextant monitoring | floor (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| LogPredictions ingest, 200k rows x 20 features (Arrow, 10k rows/message) | "
          f"{200_000 / served:,.0f} rows/s | bare gRPC receive: {200_000 / floor:,.0f} rows/s | "
          f"{served / floor:.1f}x | >= 50,000 rows/s |")
    print(f"| CPU time of that ingest (client and server, one process) | {cpu * 1e6 / 200_000:.1f} µs/row "
          f"({200_000 / cpu:,.0f} rows per CPU-second) | | | |")
    if not timings:
        return
    print(f"| drift report, 100k-row window x 20 features vs 100k-row reference (GetDriftReport) | "
          f"{timings['report'] * 1000:,.1f} ms | KS + PSI on raw arrays (numpy/scipy): {direct * 1000:,.1f} ms | "
          f"{timings['report'] / direct:.2f}x | <= 1.5x |")
    print(f"| ingest of that 100k-row window (summaries folded in on arrival) | "
          f"{timings['ingest_window']:.2f} s | | | |")
    print(f"| build of the 100k-row reference from traffic (SetReference) | {timings['build_reference']:.2f} s | | | |")
    total = sum(wide.values())
    print(f"| 1,000 features: ingest 10k ref + 10k window, build reference, report | {total:.1f} s "
          f"(ingest {wide['ingest_reference'] + wide['ingest_window']:.1f} s, reference "
          f"{wide['build_reference']:.1f} s, report {wide['report']:.2f} s) | | | < 60 s |")


if __name__ == "__main__":
    main()
