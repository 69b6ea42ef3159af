"""Feature store benchmark: ingest, push, point-in-time retrieval and online lookup over gRPC.

Data (issue 4): 10,000 entities, one view with 5 float features and hourly rows over 10 days
(2.4M rows), and a second view with 50 float features for the online cases. Each measurement is
printed next to its floor measured in the same run: a bare DuckDB ASOF JOIN over the same Parquet
files for GetHistoricalFeatures, and a bare gRPC unary call (an empty generic handler) plus a bare
SQLite primary-key SELECT for GetOnlineFeatures.

    .venv/bin/python bench/featurestore_bench.py [--entities 10000] [--hours 240] [--online-only]

``--online-only`` skips ingest and point-in-time retrieval and measures only the online cases and
their floors (under a minute), for iterating on the lookup path. The feature store server runs in
its own process (``python -m services.featurestore``, log level warning), pinned to core 0 with
``taskset`` when available, while this client (and the DuckDB floor) pins itself to core 1, so
client and server do not share one GIL; the bare gRPC floor is measured the same way (a bare server
process from ``server_kit_bench``). Data setup (apply, ingest, push) goes to that server over gRPC,
at most 1,000,000 rows per IngestBatch call (the server's default ``max_rows_per_call``).

The online cases also print the CPU time the hypervisor took from this virtual machine while the
1-key lookups and the floor calls ran (``steal`` in /proc/stat): on a shared host a run's p99 moves
with it.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent import futures
from datetime import datetime
from pathlib import Path

import duckdb
import grpc
import numpy as np
import pyarrow as pa

from services.featurestore.arrow_schema import encode_ipc
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import features_pb2, tabular_pb2, types_pb2

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 1, 1)
#: Rows per IngestBatch call (the server's default max_rows_per_call).
CALL_ROWS = 1_000_000
CHUNK_ROWS = 100_000
#: The 1-key lookups and the bare gRPC floor take turns in this many blocks.
ONLINE_ROUNDS = 4


def _readencode_ipc(payload: bytes) -> pa.Table:
    with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
        return reader.read_all()


def _selection(view: str, features: list[str]) -> features_pb2.FeatureSelection:
    return features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(references=[
        types_pb2.FeatureReference(feature_view=view, feature=f) for f in features]))


def _definitions(stub: fs_grpc.FeatureStoreServiceStub) -> None:
    customer = resources_pb2.Entity(name="customer", owner_team="bench", join_keys=[
        resources_pb2.JoinKey(name="customer_id", dtype=types_pb2.DATA_TYPE_INT64)])
    hourly = resources_pb2.FeatureView(
        name="hourly", entities=["customer"], owner_team="bench", source_kind=resources_pb2.SOURCE_KIND_BATCH,
        features=[resources_pb2.Feature(name=f"f{i}", dtype=types_pb2.DATA_TYPE_FLOAT64) for i in range(5)])
    wide = resources_pb2.FeatureView(
        name="wide", entities=["customer"], owner_team="bench", source_kind=resources_pb2.SOURCE_KIND_PUSH,
        features=[resources_pb2.Feature(name=f"w{i}", dtype=types_pb2.DATA_TYPE_FLOAT64) for i in range(50)])
    stub.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(entities=[customer], feature_views=[hourly, wide]))


def _hourly_rows(entities: int, hours: int, rng: np.random.Generator) -> pa.Table:
    ids = np.tile(np.arange(entities, dtype=np.int64), hours)
    micros = np.repeat(np.arange(hours, dtype=np.int64) * 3_600_000_000, entities) + int(T0.timestamp() * 1e6)
    columns = {"customer_id": pa.array(ids), "event_timestamp": pa.array(micros).cast(pa.timestamp("us"))}
    for i in range(5):
        columns[f"f{i}"] = pa.array(rng.normal(size=len(ids)))
    return pa.table(columns)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def _start_server_process(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Run ``python -m services.featurestore`` on a free port, pinned to core 0 when possible."""
    ready = folder / "ready.json"
    env = {**os.environ, "SEXTANT_FEATURESTORE_PORT": "0", "SEXTANT_FEATURESTORE_DATA_DIR": str(folder),
           "SEXTANT_FEATURESTORE_LOG_LEVEL": "warning", "SEXTANT_FEATURESTORE_MAX_MESSAGE_BYTES": str(64 << 20),
           "SEXTANT_READY_FILE": str(ready)}
    command = [sys.executable, "-m", "services.featurestore"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("featurestore server process did not start")
        time.sleep(0.05)
    return process, f"127.0.0.1:{json.loads(ready.read_text())['port']}"


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Empty(grpc.GenericRpcHandler):
    def service(self, details):  # noqa: ANN001, ANN201
        return grpc.unary_unary_rpc_method_handler(lambda request, context: b"",
                                                   request_deserializer=None, response_serializer=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--hours", type=int, default=240)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--online-only", action="store_true",
                        help="only the 50-feature view: push, GetOnlineFeatures and their floors")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    folder = Path(tempfile.mkdtemp(prefix="fsbench-"))
    # The server in its own process on core 0, this client (and the DuckDB floor) on core 1: no shared GIL.
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {1 % os.cpu_count()})
    process, address = _start_server_process(folder)
    stop = functools.partial(_stop_process, process)
    options = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]
    channel = grpc.insecure_channel(address, options=options)
    stub = fs_grpc.FeatureStoreServiceStub(channel)
    rows: list[tuple[str, str, str, str]] = []
    try:
        _definitions(stub)
        if not args.online_only:
            rows += _offline_cases(stub, folder, args, rng)
        rows += _online_cases(stub, folder, args, rng, separate=True, server_pid=process.pid)
    finally:
        channel.close()
        stop()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end of the run: {load}\n")
    print("| case | result | detail | target |")
    print("|---|---|---|---|")
    for case, result, detail, target in rows:
        print(f"| {case} | {result} | {detail} | {target} |")


def _offline_cases(stub: fs_grpc.FeatureStoreServiceStub, folder: Path, args: argparse.Namespace,
                   rng: np.random.Generator) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    table = _hourly_rows(args.entities, args.hours, rng)
    # One call carries at most the server's max_rows_per_call (1,000,000 by default), as a client must.
    calls = []
    for start in range(0, table.num_rows, CALL_ROWS):
        part = table.slice(start, CALL_ROWS)
        messages = [fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(feature_view="hourly",
                                                                              ingest_id=f"b1-{start}"))]
        messages += [fs_pb2.IngestBatchRequest(chunk=types_pb2.ArrowTable(ipc_stream=encode_ipc(part.slice(s, CHUNK_ROWS))))
                     for s in range(0, part.num_rows, CHUNK_ROWS)]
        calls.append(messages)
    started = time.perf_counter()
    for messages in calls:
        stub.IngestBatch(iter(messages), timeout=600)
    ingest_seconds = time.perf_counter() - started
    rows.append(("IngestBatch, 5 features", f"{table.num_rows / ingest_seconds:,.0f} rows/s",
                 f"{table.num_rows:,} rows in {len(calls)} calls of at most {CALL_ROWS:,} rows, "
                 f"{ingest_seconds:.2f} s", "≥ 200,000 rows/s"))

    # GetHistoricalFeatures vs a bare DuckDB ASOF JOIN on the same files.
    span = args.hours * 3_600_000_000
    entity_rows = pa.table({
        "customer_id": pa.array(rng.integers(0, args.entities, 10_000), pa.int64()),
        "event_timestamp": pa.array(rng.integers(0, span, 10_000) + int(T0.timestamp() * 1e6)
                                    ).cast(pa.timestamp("us", tz="UTC"))})
    request = fs_pb2.GetHistoricalFeaturesRequest(entity_rows=types_pb2.ArrowTable(ipc_stream=encode_ipc(entity_rows)),
                                                  features=_selection("hourly", [f"f{i}" for i in range(5)]))
    grpc_times, result_rows = [], 0
    for _ in range(5):
        started = time.perf_counter()
        out = [_readencode_ipc(m.chunk.ipc_stream) for m in stub.GetHistoricalFeatures(request, timeout=600)
               if m.WhichOneof("content") == "chunk"]
        grpc_times.append(time.perf_counter() - started)
        result_rows = sum(t.num_rows for t in out)
    files = sorted(str(p) for p in (folder / "offline" / "hourly").rglob("*.parquet"))
    listed = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    floor_times = []
    for _ in range(5):
        connection = duckdb.connect()
        connection.execute("SET TimeZone = 'UTC'")
        started = time.perf_counter()
        connection.register("entity_rows", entity_rows)
        connection.sql(f"SELECT e.*, v.f0, v.f1, v.f2, v.f3, v.f4 FROM entity_rows e ASOF LEFT JOIN "
                       f"read_parquet({listed}) v ON e.customer_id = v.customer_id "
                       f"AND e.event_timestamp >= v.__event_ts").to_arrow_table()
        floor_times.append(time.perf_counter() - started)
        connection.close()
    hist, floor = statistics.median(grpc_times), statistics.median(floor_times)
    rows.append(("GetHistoricalFeatures, 10k rows × 5 features", f"{hist * 1000:.0f} ms (median of 5)",
                 f"bare DuckDB ASOF JOIN {floor * 1000:.0f} ms → {hist / floor:.2f}× floor",
                 f"≤ 2× floor ({result_rows:,} rows out)"))
    return rows


def _online_cases(stub: fs_grpc.FeatureStoreServiceStub, folder: Path, args: argparse.Namespace,
                  rng: np.random.Generator, separate: bool, server_pid: int | None = None
                  ) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []

    # Push: the 50-feature view, one row per entity.
    wide = {"customer_id": pa.array(np.arange(args.entities, dtype=np.int64)),
            "event_timestamp": pa.array([datetime.now()] * args.entities, pa.timestamp("us"))}
    wide.update({f"w{i}": pa.array(rng.normal(size=args.entities)) for i in range(50)})
    wide_table = pa.table(wide)
    pushes = [fs_pb2.PushFeaturesRequest(feature_view="wide", rows=types_pb2.ArrowTable(
        ipc_stream=encode_ipc(wide_table.slice(s, 1000)))) for s in range(0, args.entities, 1000)]
    started = time.perf_counter()
    stub.PushFeatures(iter(pushes), timeout=600)
    push_seconds = time.perf_counter() - started
    rows.append(("PushFeatures, 50 features", f"{args.entities / push_seconds:,.0f} rows/s",
                 f"{args.entities:,} rows in {push_seconds:.2f} s (offline + online)", ""))

    # GetOnlineFeatures p50/p99 on the SQLite online store, and the bare gRPC floor. The 1-key lookups
    # and the floor are measured in blocks of consecutive calls taking turns, so both meet the same
    # moments of a shared machine and each block is the steady stream of calls a server sees.
    if separate:
        # The same bare server server_kit_bench uses as its floor, in its own process on core 0.
        import server_kit_bench

        bare_process, bare_address = server_kit_bench._start("bare")
        method, payload = f"/{server_kit_bench.SERVICE}/Echo", b""
        where = "own process"
    else:
        bare = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        bare.add_generic_rpc_handlers((_Empty(),))
        bare_address = f"127.0.0.1:{bare.add_insecure_port('127.0.0.1:0')}"
        bare.start()
        method, payload = "/bench.Empty/Call", b""
        where = "in process"
    bare_channel = grpc.insecure_channel(bare_address)
    call = bare_channel.unary_unary(method)
    # Requests are built before the clock starts, as the floor's payload is: the timed part is the call.
    # The selection is built once and shared, as a serving client keeps its own (serving does).
    selection = _selection("wide", [f"w{i}" for i in range(50)])

    def request(batch: int) -> fs_pb2.GetOnlineFeaturesRequest:
        keys = rng.integers(0, args.entities, batch).tolist()
        return fs_pb2.GetOnlineFeaturesRequest(features=selection, entity_keys=tabular_pb2.ColumnBatch(
            row_count=batch, columns=[tabular_pb2.Column(name="customer_id",
                                                         int64_values=tabular_pb2.Int64Array(values=keys))]))

    def timed(call: Callable[..., object], payloads: list[object], into: list[float]) -> None:
        for payload in payloads:
            started = time.perf_counter()
            call(payload, timeout=10)
            into.append(time.perf_counter() - started)

    for _ in range(50):  # warm-up
        stub.GetOnlineFeatures(request(1), timeout=10)
        stub.GetOnlineFeatures(request(100), timeout=10)
        call(payload, timeout=10)
    if separate and server_pid is not None:
        # Ingest, retrieval and the push leave background work (checkpoints, freed memory) behind.
        server_kit_bench.wait_until_idle([server_pid, bare_process.pid])
    one, floor, hundred = [], [], []
    block = args.lookups // ONLINE_ROUNDS
    # Each server's CPU time over its own blocks: unlike a percentile, CPU per call hardly moves with
    # the shared machine's bursts, so it shows the server's own cost next to the bare server's.
    measure_cpu = separate and server_pid is not None
    server_cpu = floor_cpu = 0.0
    # What the hypervisor took from the machine meanwhile (see server_kit_bench.stolen_seconds).
    stolen_one = stolen_floor = 0.0
    for _ in range(ONLINE_ROUNDS):
        before = server_kit_bench.process_cpu_seconds(server_pid) if measure_cpu else 0.0
        stolen = server_kit_bench.stolen_seconds() if separate else 0.0
        timed(stub.GetOnlineFeatures, [request(1) for _ in range(block)], one)
        if measure_cpu:
            server_cpu += server_kit_bench.process_cpu_seconds(server_pid) - before
            before = server_kit_bench.process_cpu_seconds(bare_process.pid)
        if separate:
            stolen_one += server_kit_bench.stolen_seconds() - stolen
            stolen = server_kit_bench.stolen_seconds()
        timed(call, [payload] * block, floor)
        if measure_cpu:
            floor_cpu += server_kit_bench.process_cpu_seconds(bare_process.pid) - before
        if separate:
            stolen_floor += server_kit_bench.stolen_seconds() - stolen
    timed(stub.GetOnlineFeatures, [request(100) for _ in range(args.lookups)], hundred)
    for batch, latencies, target in ((1, one, "p99 ≤ 2 ms"), (100, hundred, "p99 ≤ 10 ms")):
        p50, p99 = _percentiles(latencies)
        rows.append((f"GetOnlineFeatures {batch} × 50 (SQLite)", f"p50 {p50:.2f} ms / p99 {p99:.2f} ms", "", target))
    p50, p99 = _percentiles(floor)
    rows.append((f"floor: bare gRPC unary call (empty, {where}; in turns with the 1-key lookups)",
                 f"p50 {p50:.2f} ms / p99 {p99:.2f} ms", "", ""))
    if measure_cpu:
        rows.append(("server process CPU per call (1 × 50 lookups; bare floor calls)",
                     f"{server_cpu / len(one) * 1e3:.2f} ms; {floor_cpu / len(floor) * 1e3:.2f} ms",
                     "all threads, from /proc", ""))
    if separate:
        rows.append(("CPU time the hypervisor took (steal, both cores) during the 1-key lookups; the floor calls",
                     f"{stolen_one * 1e3:.0f} ms; {stolen_floor * 1e3:.0f} ms",
                     f"over {sum(one):.1f} s; {sum(floor):.1f} s of calls", ""))
    bare_channel.close()
    if separate:
        bare_process.kill()
        bare_process.wait()
    else:
        bare.stop(0)
    online_db = sqlite3.connect(folder / "featurestore_online.db")
    for batch in (1, 100):
        latencies = []
        for n in range(args.lookups + 50):
            keys = [str(k).encode() for k in rng.integers(0, args.entities, batch).tolist()]
            started = time.perf_counter()
            online_db.execute("SELECT entity_key, payload FROM fs_online_values WHERE feature_view = ? AND "
                              f"entity_key IN ({','.join('?' * batch)})", ["wide", *keys]).fetchall()
            if n >= 50:
                latencies.append(time.perf_counter() - started)
        p50, p99 = _percentiles(latencies)
        rows.append((f"floor: bare SQLite SELECT of {batch} keys", f"p50 {p50:.3f} ms / p99 {p99:.3f} ms", "", ""))
    online_db.close()
    return rows


if __name__ == "__main__":
    main()
