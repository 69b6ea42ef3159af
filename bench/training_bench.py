"""Training benchmark: one policy-checked job end to end next to the same work done directly.

Data (issue 6): 100,000 labelled entity rows and one feature view with 20 float features (one row per
entity, before its label time). Model: gradient boosting (20 trees), a grid of 8 trials, 2-fold
time-ordered cross-validation. Three measurements in the same run:

- direct: the same training set (fetched beforehand, not timed) → 8 trials, refit, ONNX export and
  parity gate, sequentially in this process: the floor;
- job (local): SubmitTrainingJob to a training server on the `local` dispatcher (2 spawn processes),
  wall time from submit to SUCCEEDED, including the policy check, the point-in-time fetch and
  registration;
- job (dask): the same job on a 2-worker local Dask cluster.

    .venv/bin/python bench/training_bench.py [--rows 100000] [--features 20]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import grpc
import numpy as np
import pyarrow as pa

from services import catalog
from services.featurestore.settings import FeatureStoreSettings
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from services.training import work
from services.training.dataset import build_training_data
from services.training.peers import Peers, arrow_ipc
from services.training.settings import TrainingSettings
from services.training.spec import validate_spec
from services.training.trials import trial_parameters
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.featurestore.v1 import resources_pb2 as fs_resources
from sextant.training.v1 import resources_pb2, spec_pb2, training_service_pb2_grpc
from sextant.training.v1 import training_service_pb2 as pb
from sextant.type.v1 import model_pb2, types_pb2

T0 = datetime(2026, 1, 1)
T = types_pb2


def _data(rows: int, features: int) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(rows, features))
    weights = rng.normal(size=features)
    label = (values @ weights + rng.normal(scale=2.0, size=rows) > 0).astype(np.int64)
    ids = pa.array(np.arange(rows), pa.int64())
    feature_times = pa.array([T0 + timedelta(seconds=int(i)) for i in range(rows)], pa.timestamp("us"))
    history = pa.table({"customer_id": ids, "event_timestamp": feature_times,
                        **{f"f{j:02d}": values[:, j] for j in range(features)}})
    label_times = pa.array([T0 + timedelta(days=2, seconds=int(i)) for i in range(rows)], pa.timestamp("us"))
    entity = pa.table({"customer_id": ids, "event_timestamp": label_times, "label": label})
    return history, entity


def _spec(model_name: str, entity: pa.Table, features: int) -> spec_pb2.TrainingJobSpec:
    spec = spec_pb2.TrainingJobSpec(model_name=model_name, owner_team="bench", domain="bench",
                                    label_column="label", task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION)
    spec.dataset.entity_rows.CopyFrom(arrow_ipc(entity))
    for j in range(features):
        spec.features.references.references.add(feature_view="bench_profile", feature=f"f{j:02d}")
    spec.model.estimator = spec_pb2.ESTIMATOR_GRADIENT_BOOSTING
    spec.model.hyperparameters["n_estimators"].int64_value = 20
    spec.search.strategy = spec_pb2.SEARCH_STRATEGY_GRID
    spec.search.cv_folds = 2
    spec.search.parameter_space["max_depth"].int_range.CopyFrom(spec_pb2.IntRange(min=2, max=3))
    for value in (0.1, 0.2):
        spec.search.parameter_space["learning_rate"].values.values.add(double_value=value)
    for value in (0.5, 1.0):
        spec.search.parameter_space["subsample"].values.values.add(double_value=value)
    spec.timeout.FromSeconds(3600)
    return spec


def _run_job(stub: training_service_pb2_grpc.TrainingServiceStub, spec: spec_pb2.TrainingJobSpec) -> float:
    started = time.perf_counter()
    job = stub.SubmitTrainingJob(pb.SubmitTrainingJobRequest(spec=spec), timeout=60).job
    # The watch stream ends after the terminal event: no polling load on the server being measured.
    for _ in stub.WatchTrainingJob(pb.WatchTrainingJobRequest(name=job.name), timeout=3600):
        pass
    elapsed = time.perf_counter() - started
    job = stub.GetTrainingJob(pb.GetTrainingJobRequest(name=job.name), timeout=10).job
    if job.state != resources_pb2.TRAINING_JOB_STATE_SUCCEEDED:
        raise SystemExit(f"job {job.name} ended {resources_pb2.TrainingJobState.Name(job.state)}: {job.state_reason}")
    return elapsed


def _direct(peers: Peers, spec: spec_pb2.TrainingJobSpec, entity: pa.Table) -> float:
    plan = validate_spec(spec, max_trials=64, target_opset=17)
    header, table = peers.historical_features(fs_pb2.GetHistoricalFeaturesRequest(
        entity_rows=arrow_ipc(entity), features=spec.features), timeout=300)
    started = time.perf_counter()
    data = build_training_data(table, feature_columns=list(header.columns[len(entity.column_names):]),
                               string_columns=set(), label_column="label", timestamp_column="event_timestamp",
                               evaluation_columns={}, plan=plan)
    params = trial_parameters(plan)
    outcomes = [work.run_trial(data, plan, p) for p in params]
    best = max(range(len(params)), key=lambda i: outcomes[i].score)
    evaluated = work.refit_and_evaluate(data, plan, params[best], 1)
    exported = work.export_and_check(data, plan, evaluated.model)
    assert exported.parity.passed
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20)
    args = parser.parse_args()
    load_before = os.getloadavg()
    history, entity = _data(args.rows, args.features)
    root = Path(tempfile.mkdtemp(prefix="training-bench-"))
    quiet = {"port": 0, "log_level": "error"}
    fs = catalog.start("featurestore", FeatureStoreSettings(data_dir=str(root / "fs"), policy_address="127.0.0.1:9",
                                                            **quiet))
    policy = catalog.start("policy", PolicySettings(data_dir=str(root / "policy"), featurestore_address=fs.address,
                                                    **quiet))
    registry = catalog.start("registry", RegistrySettings(data_dir=str(root / "registry"), staleness_follower=False,
                                                          policy_address=policy.address,
                                                          featurestore_address=fs.address, **quiet))
    channel = grpc.insecure_channel(fs.address, options=[("grpc.max_send_message_length", 64 << 20),
                                                         ("grpc.max_receive_message_length", 64 << 20)])
    store = fs_grpc.FeatureStoreServiceStub(channel)
    store.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(
        entities=[fs_resources.Entity(name="customer", owner_team="bench", description="a customer",
                                      join_keys=[fs_resources.JoinKey(name="customer_id", dtype=T.DATA_TYPE_INT64)])],
        feature_views=[fs_resources.FeatureView(
            name="bench_profile", entities=["customer"], owner_team="bench", description="bench features",
            source_kind=fs_resources.SOURCE_KIND_BATCH,
            features=[fs_resources.Feature(name=f"f{j:02d}", dtype=T.DATA_TYPE_FLOAT64)
                      for j in range(args.features)])]), timeout=60)
    store.IngestBatch(iter([fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(
        feature_view="bench_profile", ingest_id="bench"))] + [fs_pb2.IngestBatchRequest(
        chunk=T.ArrowTable(ipc_stream=arrow_ipc(pa.Table.from_batches([part])).ipc_stream))
        for part in history.to_batches(25_000)]),
        timeout=600)
    peers = Peers(fs.address, policy.address, registry.address, timeout=60)
    common = {"data_dir": str(root / "training"), "featurestore_address": fs.address,
              "policy_address": policy.address, "registry_address": registry.address, **quiet}
    results = []
    try:
        direct = _direct(peers, _spec("bench-direct", entity, args.features), entity)
        results.append(("direct: 8 trials + refit + export + parity, one process (floor)", direct))
        local = catalog.start("training", TrainingSettings(local_processes=2, **common))
        stub = training_service_pb2_grpc.TrainingServiceStub(grpc.insecure_channel(local.address))
        results.append(("job, local dispatcher (2 spawn processes), submit → SUCCEEDED",
                        _run_job(stub, _spec("bench-local", entity, args.features))))
        local.stop(0)
        from distributed import LocalCluster

        with LocalCluster(processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            dask = catalog.start("training", TrainingSettings(dispatcher="dask",
                                                              dask_scheduler_address=cluster.scheduler_address,
                                                              **{**common, "data_dir": str(root / "training-dask")}))
            stub = training_service_pb2_grpc.TrainingServiceStub(grpc.insecure_channel(dask.address))
            results.append(("job, dask dispatcher (2-worker local cluster), submit → SUCCEEDED",
                            _run_job(stub, _spec("bench-dask", entity, args.features))))
            dask.stop(0)
    finally:
        peers.close()
        for running in (registry, policy, fs):
            running.stop(0)
    load_after = os.getloadavg()
    print(f"\n{args.rows:,} rows × {args.features} features, gradient boosting (20 trees), 8 trials, 2-fold CV; "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before / {load_after[0]:.1f} after\n")
    print("| measurement | wall time (s) | vs direct |")
    print("|---|---:|---:|")
    for label, seconds in results:
        print(f"| {label} | {seconds:.1f} | {seconds / direct:.2f}× |")
    budget = direct * 1.15 + 3
    print(f"\ntarget for the local job: ≤ {budget:.1f} s (direct × 1.15 + 3 s)")


if __name__ == "__main__":
    main()
