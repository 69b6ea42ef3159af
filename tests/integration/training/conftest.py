"""Fixtures of the training tests: REAL feature store, policy and registry servers on port 0 (one
set for the folder, SQLite), a lending data set ingested once, and training servers per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pyarrow as pa
import pytest

from services import catalog
from services.common.server import RunningServer
from services.featurestore.settings import FeatureStoreSettings
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from services.training.settings import TrainingSettings
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.featurestore.v1 import resources_pb2 as fs_resources
from sextant.registry.v1 import registry_service_pb2_grpc
from sextant.training.v1 import training_service_pb2_grpc
from sextant.type.v1 import governance_pb2, types_pb2

T = types_pb2
T0 = datetime(2025, 1, 1)
CUSTOMERS = 240


@dataclass
class Stack:
    """The three peer services a training job talks to."""

    featurestore: RunningServer
    policy: RunningServer
    registry: RunningServer
    registry_stub: Any
    featurestore_stub: Any
    root: Path


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def lending_history() -> pa.Table:
    """Two observations per customer of the `credit_profile` view (income, debt ratio, region, age)."""
    rng = np.random.default_rng(3)
    ids = np.repeat(np.arange(CUSTOMERS), 2)
    stamps = [T0 + timedelta(days=int(i % 2) * 30 + int(c) % 7) for i, c in enumerate(ids)]
    return pa.table({
        "customer_id": pa.array(ids, pa.int64()),
        "event_timestamp": pa.array(stamps, pa.timestamp("us")),
        "income": pa.array(rng.normal(50, 15, len(ids)), pa.float64()),
        "debt_ratio": pa.array(rng.uniform(0, 1, len(ids)), pa.float64()),
        "region": pa.array(rng.choice(["north", "south", "east"], len(ids)), pa.string()),
        "age": pa.array(rng.integers(20, 80, len(ids)), pa.int64()),
    })


def apply_lending_view(fs: fs_grpc.FeatureStoreServiceStub) -> None:
    """The `customer` entity and `credit_profile` view (age tagged as protected), with their history."""
    fs.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(
        entities=[fs_resources.Entity(name="customer", join_keys=[fs_resources.JoinKey(
            name="customer_id", dtype=T.DATA_TYPE_INT64)], owner_team="risk", description="a customer")],
        feature_views=[fs_resources.FeatureView(
            name="credit_profile", entities=["customer"], owner_team="risk", description="credit profile",
            source_kind=fs_resources.SOURCE_KIND_BATCH, features=[
                fs_resources.Feature(name="income", dtype=T.DATA_TYPE_FLOAT64),
                fs_resources.Feature(name="debt_ratio", dtype=T.DATA_TYPE_FLOAT64),
                fs_resources.Feature(name="region", dtype=T.DATA_TYPE_STRING),
                fs_resources.Feature(name="age", dtype=T.DATA_TYPE_INT64,
                                     protected_basis=governance_pb2.PROTECTED_BASIS_AGE)])]), timeout=30)
    fs.IngestBatch(iter([
        fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(feature_view="credit_profile", ingest_id="h1")),
        fs_pb2.IngestBatchRequest(chunk=T.ArrowTable(ipc_stream=_ipc(lending_history())))]), timeout=60)


def entity_rows(n: int = CUSTOMERS, *, single_class: bool = False, drop_label: bool = False) -> pa.Table:
    """Entity rows: one per customer at a distinct time after the history, with a label and `sex`."""
    rng = np.random.default_rng(5)
    ids = np.arange(n)
    stamps = [T0 + timedelta(days=60, hours=int(i)) for i in ids]
    history = lending_history().to_pandas().groupby("customer_id").last()
    score = (history.income.to_numpy()[:n] - 50) / 15 - 2 * history.debt_ratio.to_numpy()[:n] + \
        rng.normal(0, 0.5, n)
    label = np.zeros(n, dtype=np.int64) if single_class else (score > -1).astype(np.int64)
    columns = {"customer_id": pa.array(ids, pa.int64()), "event_timestamp": pa.array(stamps, pa.timestamp("us")),
               "sex": pa.array(rng.choice(["f", "m"], n), pa.string())}
    if not drop_label:
        columns["approved"] = pa.array(label, pa.int64())
    return pa.table(columns)


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Real feature store (with the lending view and its history), policy (reg-b preset) and registry."""
    root = tmp_path_factory.mktemp("stack")
    common = {"port": 0, "log_level": "warning"}
    featurestore = catalog.start("featurestore", FeatureStoreSettings(
        data_dir=str(root / "fs"), policy_address="127.0.0.1:9", **common))
    policy = catalog.start("policy", PolicySettings(data_dir=str(root / "policy"),
                                                    featurestore_address=featurestore.address, **common))
    registry = catalog.start("registry", RegistrySettings(
        data_dir=str(root / "registry"), policy_address=policy.address, featurestore_address=featurestore.address,
        staleness_follower=False, **common))
    channels = [grpc.insecure_channel(featurestore.address), grpc.insecure_channel(registry.address)]
    fs = fs_grpc.FeatureStoreServiceStub(channels[0])
    apply_lending_view(fs)
    try:
        yield Stack(featurestore, policy, registry, registry_service_pb2_grpc.RegistryServiceStub(channels[1]),
                    fs, root)
    finally:
        for channel in channels:
            channel.close()
        for running in (registry, policy, featurestore):
            running.stop(0)


StartTraining = Callable[..., tuple[RunningServer, Any]]


@pytest.fixture
def start_training(stack: Stack, tmp_path: Path) -> Iterator[StartTraining]:
    """Start a training server wired to the stack (same data dir on every call: restarts find their jobs)."""
    started: list[tuple[RunningServer, grpc.Channel]] = []

    def start(**settings: Any) -> tuple[RunningServer, Any]:
        values = {"port": 0, "data_dir": str(tmp_path / "training"), "log_level": "warning",
                  "featurestore_address": stack.featurestore.address, "policy_address": stack.policy.address,
                  "registry_address": stack.registry.address, "local_processes": 1, **settings}
        running = catalog.start("training", TrainingSettings(**values))
        channel = grpc.insecure_channel(running.address)
        started.append((running, channel))
        return running, training_service_pb2_grpc.TrainingServiceStub(channel)

    yield start
    for running, channel in started:
        channel.close()
        running.stop(0)


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """A real local Dask cluster on loopback: a scheduler and one single-threaded worker process (one is
    enough to cross a process boundary; a second only costs start-up time on a 2-core machine)."""
    from distributed import LocalCluster

    cluster = LocalCluster(processes=True, n_workers=1, threads_per_worker=1, host="127.0.0.1",
                           dashboard_address=None, worker_dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()
