"""The six real services in this process on port 0, wired to each other, for the SDK and CLI tests,
plus the small lending data set and definitions file they share."""

from __future__ import annotations

import functools
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from services import catalog
from services.common.server import RunningServer
from services.featurestore.settings import FeatureStoreSettings
from services.monitoring.settings import MonitoringSettings
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from services.serving.settings import ServingSettings
from services.training.settings import TrainingSettings

T0 = datetime(2025, 1, 1)
CUSTOMERS = 120

DEFINITIONS = '''\
"""Lending features, declared for `sextant features apply`."""
from datetime import timedelta

from sextant.client.definitions import Entity, Feature, FeatureService, FeatureView

customer = Entity("customer", join_keys={"customer_id": "int64"}, owner_team="risk", description="a customer")

credit_profile = FeatureView(
    "credit_profile", entities=[customer], owner_team="risk", description="credit profile",
    ttl=timedelta(days=3650),
    features=[
        Feature("income", "float64"),
        Feature("debt_ratio", "float64"),
        Feature("region", "string"),
        Feature("age", "int64", protected_basis="age"),
    ])

services = [FeatureService("credit_model", features=[credit_profile.select("income", "debt_ratio")],
                           owner_team="risk")]
'''


#: A small valid policy source.
MARKETING_POLICY = """\
description: Marital status stays out of marketing models.
scope: {domains: [marketing]}
rules:
  - id: no-marital-status
    kind: prohibited_inputs
    prohibited_inputs: {bases: [marital_status]}
"""


def write_definitions(folder: Path) -> Path:
    """The definitions file in ``folder``."""
    path = folder / "features.py"
    path.write_text(DEFINITIONS)
    return path


@functools.cache
def history() -> pd.DataFrame:
    """Two observations per customer of `credit_profile`, 30 days apart."""
    rng = np.random.default_rng(3)
    ids = np.repeat(np.arange(CUSTOMERS), 2)
    return pd.DataFrame({
        "customer_id": ids.astype(np.int64),
        "event_timestamp": [T0 + timedelta(days=30 * (i % 2), hours=int(c)) for i, c in enumerate(ids)],
        "income": rng.normal(50, 15, len(ids)),
        "debt_ratio": rng.uniform(0, 1, len(ids)),
        "region": rng.choice(["north", "south", "east"], len(ids)),
        "age": rng.integers(20, 80, len(ids)).astype(np.int64),
    })


def entity_rows() -> pd.DataFrame:
    """One labelled row per customer after the history, with an evaluation attribute `sex`."""
    last = history().groupby("customer_id").last()
    rng = np.random.default_rng(5)
    score = (last.income.to_numpy() - 50) / 15 - 2 * last.debt_ratio.to_numpy() + rng.normal(0, 0.5, CUSTOMERS)
    return pd.DataFrame({
        "customer_id": np.arange(CUSTOMERS, dtype=np.int64),
        "event_timestamp": [T0 + timedelta(days=60, hours=i) for i in range(CUSTOMERS)],
        "approved": (score > -1).astype(np.int64),
    })


def unused_address() -> str:
    """An address where nothing listens."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{closed.getsockname()[1]}"


@dataclass
class Services:
    """The running servers by service name."""

    servers: dict[str, RunningServer]

    @property
    def addresses(self) -> dict[str, str]:
        """Where each service listens."""
        return {name: server.address for name, server in self.servers.items()}


@contextmanager
def running_stack(root: Path) -> Iterator[Services]:
    """Start the six services (monitoring's training address points nowhere: no retrain loop)."""
    common = {"port": 0, "log_level": "warning"}
    started: dict[str, RunningServer] = {}
    try:
        started["featurestore"] = catalog.start("featurestore", FeatureStoreSettings(
            data_dir=str(root / "featurestore"), policy_address=unused_address(), **common))
        fs = started["featurestore"].address
        started["policy"] = catalog.start("policy", PolicySettings(
            data_dir=str(root / "policy"), featurestore_address=fs, reg_b_preset="off", **common))
        started["registry"] = catalog.start("registry", RegistrySettings(
            data_dir=str(root / "registry"), policy_address=started["policy"].address, featurestore_address=fs,
            staleness_follower=False, **common))
        started["monitoring"] = catalog.start("monitoring", MonitoringSettings(
            data_dir=str(root / "monitoring"), registry_address=started["registry"].address, featurestore_address=fs,
            training_address=unused_address(), dependency_timeout_seconds=2.0, **common))
        started["training"] = catalog.start("training", TrainingSettings(
            data_dir=str(root / "training"), featurestore_address=fs, policy_address=started["policy"].address,
            registry_address=started["registry"].address, monitoring_address=started["monitoring"].address,
            local_processes=1, **common))
        started["serving"] = catalog.start("serving", ServingSettings(
            data_dir=str(root / "serving"), registry_address=started["registry"].address, featurestore_address=fs,
            monitoring_address=started["monitoring"].address, policy_address=started["policy"].address,
            registry_retry_seconds=0.1, **common))
        yield Services(started)
    finally:
        for server in reversed(list(started.values())):
            server.stop(0)
