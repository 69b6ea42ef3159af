"""Benchmark of the registry service; prints a markdown table with the floors measured in the same run.

1. With 100 models x 100 versions loaded in SQLite (each model with `production` and `staging`
   aliases, metrics and tags on every version): GetModelVersion by alias p50/p99 over gRPC, next to a
   bare gRPC unary round trip of a message of the same size (and the same echo on the server kit),
   measured in four rounds of 500 consecutive calls per server, the servers taking turns.
2. Filtered ListModelVersions p50/p99: within one model (status + tag + metric threshold, ordered by
   the metric) and across all 10,000 versions (tag + metric threshold, ordered by the metric).
3. A 100 MB ONNX artifact uploaded and downloaded, in MB/s, next to a bare gRPC streaming echo of
   the same bytes in 1 MiB messages (three rounds of distinct artifacts, each after its echo;
   medians). The default upload answers once the bytes are received, sha256-verified, checked
   structurally against the signature and durably stored (the version is then VALIDATING); its row
   also gives the time until the background onnxruntime validation turned the version READY (polling
   GetModelVersion). A second row uploads another 100 MB version with
   `wait_for_validation=true`, which answers only once the version is READY.

The catalog is loaded with bulk inserts into the registry's tables (10,000 uploads with onnxruntime
validation would take minutes and measure nothing this benchmark is about). The registry
and the floors each run in their own process (`python -m services.registry`, and this script with
`--floors`), so the client never shares a GIL with a server. For the latency rows the servers are
pinned to core 0 and the client to core 1 (as in the other benchmarks); the transfers run unpinned.

Run: .venv/bin/python bench/registry_bench.py
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import numpy as np

from services import catalog
from services.common.app import open_database
from services.common.db import Database
from services.common.logging import configure_logging
from services.common.server import RunningServer, create_server
from services.common.settings import ServiceSettings
from services.registry.records import Signature, TensorSpec, utcnow
from services.registry.repository import (
    aliases_t,
    models_t,
    signature_to_json,
    version_metrics_t,
    version_tags_t,
    versions_t,
)
from services.registry.settings import RegistrySettings
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import registry_service_pb2_grpc, resources_pb2
from sextant.type.v1 import model_pb2, types_pb2

MODELS, VERSIONS = 100, 100
CALLS = 2000
ROUNDS = 4
#: The cores this process may run on when it starts (the servers and the client are placed on them).
_CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
ARTIFACT_BYTES = 100 * 1024 * 1024
CHUNK = 1024 * 1024
_ECHO = "sextant.bench.v1.Echo"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def _load(url: str) -> None:
    """100 models x 100 READY versions with metrics, tags and two aliases, in bulk statements."""
    database = Database(url)
    signature = signature_to_json(Signature(
        (TensorSpec("features", "FLOAT32", (-1, 3)),),
        (TensorSpec("label", "INT64", (-1,)), TensorSpec("probabilities", "FLOAT32", (-1, 2))), ("0", "1")))
    rng = random.Random(1)
    now = utcnow()
    for m in range(MODELS):
        with database.write() as session:
            model_id = m + 1
            session.execute(models_t.insert().values(
                id=model_id, name=f"model-{m:03d}", description="", owner_team=f"team-{m % 5}", domain="credit",
                tags=json.dumps({"kind": "scorecard"}), creator="bench", create_time=now, update_time=now,
                latest_version=VERSIONS))
            versions, tags, metrics = [], [], []
            for v in range(1, VERSIONS + 1):
                version_id = m * VERSIONS + v
                version_metrics = {"roc_auc": rng.uniform(0.5, 0.95), "log_loss": rng.uniform(0.2, 0.7)}
                version_tags = {"stage": rng.choice(["dev", "candidate"]), "run": str(v)}
                versions.append({
                    "id": version_id, "model_id": model_id, "version": v, "description": "", "status": "READY",
                    "status_message": "", "format": "ONNX", "task": "BINARY_CLASSIFICATION", "signature": signature,
                    "metrics": json.dumps(version_metrics), "params": json.dumps({"C": "1.0"}),
                    "tags": json.dumps(version_tags), "artifact_sha256": hashlib.sha256(f"{m}/{v}".encode()).hexdigest(),
                    "artifact_size": 1000, "creator": "bench", "create_time": now, "update_time": now,
                    "ready_time": now, "training_job_id": f"job-{m}", "lineage": b"", "stale": False,
                    "stale_reasons": "[]", "approvals": "[]"})
                tags += [{"version_id": version_id, "key": k, "value": value} for k, value in version_tags.items()]
                metrics += [{"version_id": version_id, "name": k, "value": value} for k, value in version_metrics.items()]
            session.execute(versions_t.insert(), versions)
            session.execute(version_tags_t.insert(), tags)
            session.execute(version_metrics_t.insert(), metrics)
            session.execute(aliases_t.insert(), [
                {"model_id": model_id, "alias": alias, "version": version, "update_time": now, "updated_by": "bench",
                 "decision_id": "", "reason": "bench"} for alias, version in (("production", VERSIONS),
                                                                             ("staging", VERSIONS - 1))])
    database.close()


def _big_onnx(seed: int = 3) -> bytes:
    import onnx
    from onnx import TensorProto, helper

    floats = ARTIFACT_BYTES // 4
    padding = onnx.TensorProto(name="padding", data_type=TensorProto.FLOAT, dims=[floats],
                               raw_data=np.random.default_rng(seed).random(floats, dtype=np.float32).tobytes())
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "big",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
                              initializer=[padding])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    return model.SerializeToString()


def _start_echo() -> tuple[grpc.Server, str]:
    def upload(request_iterator: Iterator[bytes], _context: grpc.ServicerContext) -> bytes:
        hasher = hashlib.sha256()
        for chunk in request_iterator:
            hasher.update(chunk)
        return hasher.hexdigest().encode()

    def download(request: bytes, _context: grpc.ServicerContext) -> Iterator[bytes]:
        for start in range(0, len(_ECHO_PAYLOAD), CHUNK):
            yield _ECHO_PAYLOAD[start:start + CHUNK]

    def unary(request: bytes, _context: grpc.ServicerContext) -> bytes:
        return request

    options = [("grpc.max_receive_message_length", 16 * CHUNK), ("grpc.max_send_message_length", 16 * CHUNK)]
    server = grpc.server(ThreadPoolExecutor(max_workers=8), options=options)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(_ECHO, {
        "Upload": grpc.stream_unary_rpc_method_handler(upload),
        "Download": grpc.unary_stream_rpc_method_handler(download),
        "Unary": grpc.unary_unary_rpc_method_handler(unary)}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


_ECHO_PAYLOAD = b""


def _start_kit_echo() -> RunningServer:
    """The same unary echo on the common server kit (interceptor: request id, auth, metrics, logging)."""
    def register(server: grpc.Server) -> list[str]:
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(_ECHO, {
            "Unary": grpc.unary_unary_rpc_method_handler(lambda request, _context: request)}),))
        return [_ECHO]

    return create_server("bench-echo", ServiceSettings(port=0, log_level="error"), register, access_log=False)


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]


def _wait_ready(path: Path, process: subprocess.Popen) -> dict:
    deadline = time.monotonic() + 120
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{process.args} did not start")
        time.sleep(0.05)
    return json.loads(path.read_text())


def serve_floors(ready_file: str) -> None:
    """Body of ``--floors``: the bare echo and the kit echo until SIGTERM."""
    global _ECHO_PAYLOAD
    configure_logging("bench-echo", "error", "json")
    _ECHO_PAYLOAD = _big_onnx()
    echo_server, echo_address = _start_echo()
    kit_server = _start_kit_echo()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    tmp = Path(ready_file + ".tmp")
    tmp.write_text(json.dumps({"echo": echo_address, "kit": kit_server.address}))
    os.replace(tmp, ready_file)
    stopping.wait()
    kit_server.stop(0)
    echo_server.stop(0)


def main() -> None:
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as data_dir:
        url = f"sqlite:///{Path(data_dir) / 'registry.db'}"
        settings = RegistrySettings(port=0, data_dir=data_dir, database_url=url)
        open_database(catalog.app_for("registry"), settings).close()  # the schema, as the service migrates it
        started = time.perf_counter()
        _load(url)
        load_seconds = time.perf_counter() - started
        env = {**os.environ, "SEXTANT_REGISTRY_PORT": "0", "SEXTANT_REGISTRY_DATA_DIR": data_dir,
               "SEXTANT_REGISTRY_DATABASE_URL": url, "SEXTANT_REGISTRY_LOG_LEVEL": "error",
               "SEXTANT_REGISTRY_STALENESS_FOLLOWER": "false", "SEXTANT_REGISTRY_POLICY_ADDRESS": "127.0.0.1:9",
               "SEXTANT_READY_FILE": str(Path(data_dir) / "registry.ready")}
        registry = subprocess.Popen([sys.executable, "-m", "services.registry"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        floors = subprocess.Popen([sys.executable, __file__, "--floors", str(Path(data_dir) / "floors.ready")],
                                  stdout=subprocess.DEVNULL)
        try:
            registry_port = _wait_ready(Path(data_dir) / "registry.ready", registry)["port"]
            floor_addresses = _wait_ready(Path(data_dir) / "floors.ready", floors)
            rows = _measure(registry_port, floor_addresses, servers=(registry.pid, floors.pid))
        finally:
            for process in (registry, floors):
                process.terminate()
                process.wait(timeout=30)
    print(f"Registry benchmark (SQLite, loopback, {MODELS} models x {VERSIONS} versions loaded in "
          f"{load_seconds:.1f} s; registry, floors and client in separate processes; for the GetModelVersion and "
          f"ListModelVersions rows the registry and the floors are pinned to core 0 and the client to core 1)\n")
    print("| measurement | registry | floor (same run) | target |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _place(servers: tuple[int, ...], pinned: bool) -> None:
    """Pin the servers to the first core and this client to the second (or let every process use them all).

    The latency rows are measured pinned, as the other benchmarks do: a sequential client that shares
    a core with the server it waits on, or a server migrating between cores, moves p99 more than the
    server's own work. The transfers run unpinned, where the registry's hashing and file writes may use
    the second core as they would on a server."""
    if len(_CORES) < 2:
        return
    every = set(_CORES)
    server_cores, client_cores = ({_CORES[0]}, {_CORES[1]}) if pinned else (every, every)
    for pid, cores in [*((server, server_cores) for server in servers), (os.getpid(), client_cores)]:
        for task in Path(f"/proc/{pid}/task").iterdir():  # every existing thread has its own mask
            os.sched_setaffinity(int(task.name), cores)


def _measure(registry_port: int, floors: dict, servers: tuple[int, ...]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    _place(servers, pinned=True)
    channel = grpc.insecure_channel(f"127.0.0.1:{registry_port}",
                                    options=[("grpc.max_receive_message_length", 16 * CHUNK)])
    stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
    echo = grpc.insecure_channel(floors["echo"], options=[("grpc.max_receive_message_length", 16 * CHUNK)])
    unary = echo.unary_unary(f"/{_ECHO}/Unary")
    kit = grpc.insecure_channel(floors["kit"])
    kit_unary = kit.unary_unary(f"/{_ECHO}/Unary")
    rng = random.Random(2)

    # 1. GetModelVersion by alias, and the bare round trip of a same-sized message.
    sample = stub.GetModelVersion(pb.GetModelVersionRequest(model_name="model-000", alias="production"))
    same_size = sample.SerializeToString()
    for _ in range(200):
        stub.GetModelVersion(pb.GetModelVersionRequest(model_name=f"model-{rng.randrange(MODELS):03d}",
                                                       alias="production"))
        unary(same_size)
        kit_unary(same_size)
    # Blocks of consecutive calls to one server, the three servers taking turns block by block: every
    # server meets the same moments of a shared machine, and each block is the steady stream of calls
    # a server sees in service. (Alternating single calls would instead hand each call to a server
    # whose caches the two others had just evicted, a cost no deployed server pays.)
    timings, floor, kit_floor = [], [], []
    block = CALLS // ROUNDS
    for _ in range(ROUNDS):
        for _ in range(block):
            request = pb.GetModelVersionRequest(model_name=f"model-{rng.randrange(MODELS):03d}", alias="production")
            t0 = time.perf_counter()
            stub.GetModelVersion(request)
            timings.append(time.perf_counter() - t0)
        for call, samples in ((unary, floor), (kit_unary, kit_floor)):
            for _ in range(block):
                t0 = time.perf_counter()
                call(same_size)
                samples.append(time.perf_counter() - t0)
    p50, p99 = _percentiles(timings)
    f50, f99 = _percentiles(floor)
    k50, k99 = _percentiles(kit_floor)
    rows.append(("GetModelVersion by alias (FULL view)", f"p50 {p50:.2f} ms, p99 {p99:.2f} ms",
                 f"bare unary echo p50 {f50:.2f} ms, p99 {f99:.2f} ms; same echo on the common server kit "
                 f"p50 {k50:.2f} ms, p99 {k99:.2f} ms", "p99 <= 2 ms"))

    # 2. Filtered searches.
    def one_model() -> pb.ListModelVersionsRequest:
        return pb.ListModelVersionsRequest(
            model_name=f"model-{rng.randrange(MODELS):03d}", statuses=[resources_pb2.MODEL_VERSION_STATUS_READY],
            tags=[pb.TagFilter(key="stage", value="candidate")], page_size=20, order_by="metrics.roc_auc desc",
            metrics=[pb.MetricFilter(metric="roc_auc", value=0.7,
                                     comparison=model_pb2.COMPARISON_OPERATOR_GREATER_THAN)])

    def all_models() -> pb.ListModelVersionsRequest:
        return pb.ListModelVersionsRequest(
            tags=[pb.TagFilter(key="stage", value="candidate")], page_size=20, order_by="metrics.roc_auc desc",
            metrics=[pb.MetricFilter(metric="roc_auc", value=rng.uniform(0.8, 0.9),
                                     comparison=model_pb2.COMPARISON_OPERATOR_GREATER_THAN)])

    for label, make, calls in (("one model: status+tag+metric, by metric", one_model, 1000),
                               ("all 10,000: tag+metric, by metric", all_models, 200)):
        for _ in range(20):
            stub.ListModelVersions(make())
        timings = []
        for _ in range(calls):
            request = make()
            t0 = time.perf_counter()
            stub.ListModelVersions(request)
            timings.append(time.perf_counter() - t0)
        p50, p99 = _percentiles(timings)
        rows.append((f"ListModelVersions ({label}), page of 20", f"p50 {p50:.2f} ms, p99 {p99:.2f} ms", "",
                     "p99 <= 20 ms"))

    # 3. 100 MB upload and download next to the bare streaming echo.
    _place(servers, pinned=False)
    data = _big_onnx()
    megabytes = len(data) / 1e6
    stub.CreateRegisteredModel(pb.CreateRegisteredModelRequest(model=resources_pb2.RegisteredModel(
        name="big", owner_team="bench", domain="credit")))
    signature = types_pb2.ModelSignature(
        inputs=[types_pb2.TensorSpec(name="x", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 4])],
        outputs=[types_pb2.TensorSpec(name="y", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 4])])
    digest = hashlib.sha256(data).hexdigest()
    waited_data = _big_onnx(seed=4)
    waited_digest = hashlib.sha256(waited_data).hexdigest()

    def create(artifact: bytes, sha256: str) -> int:
        return stub.CreateModelVersion(pb.CreateModelVersionRequest(
            model_name="big", model_version=resources_pb2.ModelVersion(
                format=resources_pb2.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_REGRESSION, signature=signature,
                artifact_sha256=sha256, artifact_size_bytes=len(artifact)))
        ).model_version.version

    def upload_messages(artifact: bytes, sha256: str, version: int, wait: bool) -> Iterator[pb.UploadArtifactRequest]:
        # The digest comes from the caller, as the SDK computes it once for CreateModelVersion and the
        # upload: hashing 100 MB on the client is not part of the transfer the floor is compared with.
        yield pb.UploadArtifactRequest(header=pb.UploadArtifactHeader(
            model_name="big", version=version, sha256=sha256, size_bytes=len(artifact), wait_for_validation=wait))
        for chunk in _chunks(artifact):
            yield pb.UploadArtifactRequest(chunk=chunk)

    # Three rounds, each the bare echo then an upload of distinct bytes (identical bytes would be
    # answered with the existing version), and the median of each: one 0.2 s transfer on a shared
    # machine swings by a third from run to run.
    rounds = [(data, digest)] + [(artifact, hashlib.sha256(artifact).hexdigest())
                                 for artifact in (_big_onnx(seed=5), _big_onnx(seed=6))]
    echo_upload = echo.stream_unary(f"/{_ECHO}/Upload")
    floor_seconds, upload_seconds, ready_seconds, versions = [], [], [], []
    for artifact, sha256 in rounds:
        version = create(artifact, sha256)
        versions.append(version)
        t0 = time.perf_counter()
        echo_upload(_chunks(artifact))
        floor_seconds.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        answered = stub.UploadArtifact(upload_messages(artifact, sha256, version, False), timeout=300).model_version
        upload_seconds.append(time.perf_counter() - t0)
        assert answered.status == resources_pb2.MODEL_VERSION_STATUS_VALIDATING, answered.status
        while True:
            current = stub.GetModelVersion(pb.GetModelVersionRequest(model_name="big", version=version),
                                           timeout=10).model_version
            if current.status != resources_pb2.MODEL_VERSION_STATUS_VALIDATING:
                break
            time.sleep(0.005)
        ready_seconds.append(time.perf_counter() - t0)
        assert current.status == resources_pb2.MODEL_VERSION_STATUS_READY, current.status_message
    floor_up = megabytes / statistics.median(floor_seconds)
    upload = megabytes / statistics.median(upload_seconds)
    each = ", ".join(f"{megabytes / u:.0f}/{megabytes / f:.0f}" for u, f in zip(upload_seconds, floor_seconds,
                                                                                strict=True))
    waited_version = create(waited_data, waited_digest)
    t0 = time.perf_counter()
    waited = stub.UploadArtifact(upload_messages(waited_data, waited_digest, waited_version, True),
                                 timeout=300).model_version
    waited_upload = megabytes / (time.perf_counter() - t0)
    assert waited.status == resources_pb2.MODEL_VERSION_STATUS_READY, waited.status

    # Downloads as the uploads: three rounds (each reading one round's artifact back), the bare echo
    # first in each, and the medians.
    echo_download = echo.unary_stream(f"/{_ECHO}/Download")
    floor_seconds, download_seconds = [], []
    for (_artifact, sha256), version in zip(rounds, versions, strict=True):
        t0 = time.perf_counter()
        received = sum(len(c) for c in echo_download(b""))
        floor_seconds.append(time.perf_counter() - t0)
        assert received == len(data)
        # Timed as the floor is: receiving the bytes. The sha256 check (which the SDK does while it
        # writes the file) runs on the received chunks after the clock stops.
        t0 = time.perf_counter()
        chunks = [message.chunk for message in stub.DownloadArtifact(
            pb.DownloadArtifactRequest(model_name="big", version=version), timeout=300)
            if message.WhichOneof("content") == "chunk"]
        download_seconds.append(time.perf_counter() - t0)
        hasher = hashlib.sha256()
        for chunk in chunks:
            hasher.update(chunk)
        assert hasher.hexdigest() == sha256
    floor_down = megabytes / statistics.median(floor_seconds)
    download = megabytes / statistics.median(download_seconds)
    each_down = ", ".join(f"{megabytes / d:.0f}/{megabytes / f:.0f}" for d, f in zip(download_seconds, floor_seconds,
                                                                                     strict=True))
    rows.append((f"UploadArtifact {megabytes:.0f} MB (verify + structural check + durable store; answers "
                 "VALIDATING), median of 3", f"{upload:.0f} MB/s ({upload / floor_up:.2f}x floor); READY "
                 f"{statistics.median(ready_seconds):.2f} s after the upload started "
                 f"({statistics.median(upload_seconds):.2f} s to the answer); each round (upload/floor MB/s): {each}",
                 f"bare streaming echo {floor_up:.0f} MB/s (median of 3, interleaved)", ">= 0.5x floor"))
    rows.append((f"UploadArtifact {megabytes:.0f} MB, wait_for_validation=true (answers READY)",
                 f"{waited_upload:.0f} MB/s ({waited_upload / floor_up:.2f}x floor)",
                 f"bare streaming echo {floor_up:.0f} MB/s", "(none: includes the onnxruntime load)"))
    rows.append((f"DownloadArtifact {megabytes:.0f} MB, median of 3",
                 f"{download:.0f} MB/s ({download / floor_down:.2f}x floor); each round (download/floor MB/s): "
                 f"{each_down}", f"bare streaming echo {floor_down:.0f} MB/s (median of 3, interleaved)",
                 ">= 0.5x floor"))
    channel.close()
    echo.close()
    kit.close()
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--floors":
        serve_floors(sys.argv[2])
    else:
        main()
