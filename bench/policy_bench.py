"""Benchmark of the policy service; prints a markdown table with the floors measured in the same run.

1. EvaluateTraining without a sample (reg-b in force, 12 inputs, the decision appended to SQLite)
   over gRPC with log level warning, the service in its own process (``python -m services.policy``),
   p50/p99, next to a bare gRPC server and the common server kit echoing the same bytes, each in its
   own process too (servers pinned to core 0 and this client to core 1 when taskset exists).
2. Proxy detection on 100,000 rows × 50 features with one protected attribute (Cramér's V, NMI and
   the cross-validated joint AUC), next to the bare numpy computation of the per-feature statistics
   on already-encoded integer codes (no Arrow decoding, binning or joint check).

Run: .venv/bin/python bench/policy_bench.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import numpy as np
import pyarrow as pa
import server_kit_bench  # bench/ is on sys.path when this script runs

from services.common.logging import configure_logging
from services.policy.proxies import ProxyOptions, detect_proxies
from sextant.policy.v1 import policy_service_pb2 as pb
from sextant.policy.v1 import policy_service_pb2_grpc
from sextant.type.v1 import types_pb2

CALLS = 2000


def _percentiles(samples: list[float]) -> tuple[float, float]:
    values = np.array(samples) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def _training_request() -> pb.EvaluateTrainingRequest:
    inputs = [pb.FeatureInput(resolved=types_pb2.ResolvedFeature(
        reference=types_pb2.FeatureReference(feature_view="credit_profile", feature=f"feature_{i}"),
        resolved_version=1, fingerprint="f" * 64, tags={"sensitivity": "internal"})) for i in range(8)]
    inputs += [pb.FeatureInput(column=name) for name in ("income", "debt_ratio", "tenure_months", "utilization")]
    return pb.EvaluateTrainingRequest(domain="credit", owner_team="risk", model_name="credit-risk",
                                      training_job_id="bench", input_features=inputs)


def _start_policy(data_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m services.policy`` in its own process (pinned to core 0 when taskset exists)."""
    ready = Path(data_dir) / "ready.json"
    env = dict(os.environ, SEXTANT_POLICY_PORT="0", SEXTANT_POLICY_DATA_DIR=data_dir,
               SEXTANT_POLICY_LOG_LEVEL="warning", SEXTANT_POLICY_FEATURESTORE_ADDRESS="127.0.0.1:9",
               SEXTANT_READY_FILE=str(ready))
    command = [sys.executable, "-m", "services.policy"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the policy service did not start")
        time.sleep(0.05)
    return process, f"127.0.0.1:{json.loads(ready.read_text())['port']}"


def bench_evaluate_training() -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    """Server and floors each in their own process on core 0, the client here on core 1."""
    with tempfile.TemporaryDirectory() as data_dir:
        process, address = _start_policy(data_dir)
        try:
            channel = grpc.insecure_channel(address)
            stub = policy_service_pb2_grpc.PolicyServiceStub(channel)
            request = _training_request()
            for _ in range(100):
                stub.EvaluateTraining(request)
            samples = []
            for _ in range(CALLS):
                started = time.perf_counter()
                stub.EvaluateTraining(request)
                samples.append(time.perf_counter() - started)
            channel.close()
        finally:
            process.terminate()
            process.wait(30)
    payload = request.SerializeToString()
    floors = []
    # A bare grpc server, then the same echo on the common server kit (request id, auth, errors, metrics).
    for kind in ("bare", "kit"):
        echo_process, echo_address = server_kit_bench._start(kind)
        try:
            floors.append(_echo_percentiles(echo_address, payload))
        finally:
            echo_process.kill()
            echo_process.wait()
    return _percentiles(samples), floors[0], floors[1]


def _echo_percentiles(address: str, payload: bytes) -> tuple[float, float]:
    channel = grpc.insecure_channel(address)
    echo = channel.unary_unary(f"/{server_kit_bench.SERVICE}/Echo")
    for _ in range(100):
        echo(payload)
    floor = []
    for _ in range(CALLS):
        started = time.perf_counter()
        echo(payload)
        floor.append(time.perf_counter() - started)
    channel.close()
    return _percentiles(floor)


def _lending_table(rows: int, features: int) -> pa.Table:
    rng = np.random.default_rng(42)
    race = rng.choice(np.array(["a", "b", "c", "d"]), size=rows, p=[0.5, 0.2, 0.2, 0.1])
    columns: dict[str, object] = {"race": race}
    codes = np.searchsorted(np.array(["a", "b", "c", "d"]), race)
    columns["zip_code"] = np.where(rng.random(rows) < 0.8, codes * 10 + rng.integers(0, 3, rows),
                                   rng.integers(0, 40, rows)).astype(str)
    for i in range(features - 1):
        columns[f"f{i:02d}"] = rng.normal(size=rows) if i % 5 else rng.integers(0, 12, rows).astype(str)
    return pa.table(columns)


def bench_proxies(rows: int = 100_000, features: int = 50) -> tuple[float, float, float]:
    table = _lending_table(rows, features)
    names = [c for c in table.column_names if c != "race"]
    detect_proxies(table, ["race"], names, ProxyOptions())  # warm-up
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        report = detect_proxies(table, ["race"], names, ProxyOptions())
        runs.append(time.perf_counter() - started)
    assert len(report.measurements) == features
    # Floor: the per-feature contingency tables and both statistics on pre-encoded codes.
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 12, size=(features, rows))
    attribute = rng.integers(0, 4, size=rows)
    started = time.perf_counter()
    for column in codes:
        table_ = np.bincount(column * 4 + attribute, minlength=48).reshape(12, 4).astype(float)
        n = table_.sum()
        expected = np.outer(table_.sum(1), table_.sum(0)) / n
        np.sqrt(((table_ - expected) ** 2 / expected).sum() / n / 3)
        joint = table_ / n
        nz = joint > 0
        (joint[nz] * np.log(joint[nz] / np.outer(joint.sum(1), joint.sum(0))[nz])).sum()
    floor = time.perf_counter() - started
    return min(runs), float(np.median(runs)), floor


def main() -> None:
    configure_logging("policy-bench", "warning", "json")
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {1 % (os.cpu_count() or 1)})
    (p50, p99), (floor50, floor99), (kit50, kit99) = bench_evaluate_training()
    best, median, floor = bench_proxies()
    print("| measurement | result | floor (same run) | target |")
    print("|---|---|---|---|")
    print(f"| EvaluateTraining, no sample, reg-b, 12 inputs, decision stored (SQLite), {CALLS} calls | "
          f"p50 {p50:.2f} ms, p99 {p99:.2f} ms | bare gRPC echo p50 {floor50:.2f} ms, p99 {floor99:.2f} ms; "
          f"echo on the common server kit p50 {kit50:.2f} ms, p99 {kit99:.2f} ms | "
          f"p99 ≤ 5 ms |")
    print(f"| proxy detection, 100,000 rows × 50 features, 1 attribute (4 groups), Cramér's V + NMI + 5-fold "
          f"joint AUC | best {best:.3f} s, median {median:.3f} s | bare numpy Cramér's V + NMI on encoded codes "
          f"{floor:.3f} s | ≤ 2 s |")


if __name__ == "__main__":
    main()
