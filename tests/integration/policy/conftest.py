"""Fixtures of the policy service tests: real policy and feature store servers on port 0, lending data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import numpy as np
import pyarrow as pa
import pytest

from services import catalog
from services.common.server import RunningServer
from services.featurestore.settings import FeatureStoreSettings
from services.policy.settings import PolicySettings
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb
from sextant.featurestore.v1 import featurestore_service_pb2_grpc, resources_pb2
from sextant.policy.v1 import policy_service_pb2_grpc
from sextant.type.v1 import governance_pb2, types_pb2

UNREACHABLE = "127.0.0.1:9"  # discard port: nothing listens there


@dataclass
class LendingFeatureStore:
    """A real feature store server holding the lending definitions, and how to dial it."""

    address: str
    running: RunningServer


def _lending_definitions() -> fs_pb.ApplyDefinitionsRequest:
    """`credit_profile:applicant_age` is tagged as the protected basis `age`; `applications:applicant_age`
    carries no tag (only its name gives it away)."""
    def feature(name: str, **tags: object) -> resources_pb2.Feature:
        return resources_pb2.Feature(name=name, dtype=types_pb2.DATA_TYPE_INT64, **tags)

    customer = resources_pb2.Entity(name="customer", owner_team="data",
                                    join_keys=[resources_pb2.JoinKey(name="customer_id",
                                                                     dtype=types_pb2.DATA_TYPE_INT64)])
    credit_profile = resources_pb2.FeatureView(
        name="credit_profile", entities=["customer"], owner_team="data",
        source_kind=resources_pb2.SOURCE_KIND_BATCH,
        features=[feature("applicant_age", protected_basis=governance_pb2.PROTECTED_BASIS_AGE,
                          sensitivity=resources_pb2.SENSITIVITY_PII),
                  feature("income", sensitivity=resources_pb2.SENSITIVITY_CONFIDENTIAL),
                  feature("zip_code", sensitivity=resources_pb2.SENSITIVITY_INTERNAL),
                  feature("years_at_address")])
    applications = resources_pb2.FeatureView(
        name="applications", entities=["customer"], owner_team="data",
        source_kind=resources_pb2.SOURCE_KIND_BATCH, features=[feature("applicant_age")])
    return fs_pb.ApplyDefinitionsRequest(entities=[customer], feature_views=[credit_profile, applications])


@pytest.fixture
def feature_store(tmp_path: Path) -> Iterator[LendingFeatureStore]:
    """The real feature store service (issue 4) on port 0 with the lending definitions applied."""
    running = catalog.start("featurestore", FeatureStoreSettings(port=0, data_dir=str(tmp_path / "featurestore"),
                                                                 log_level="warning"))
    try:
        with grpc.insecure_channel(running.address) as channel:
            featurestore_service_pb2_grpc.FeatureStoreServiceStub(channel).ApplyDefinitions(
                _lending_definitions(), timeout=30)
        yield LendingFeatureStore(running.address, running)
    finally:
        running.stop(0)


StartPolicy = Callable[..., tuple[RunningServer, policy_service_pb2_grpc.PolicyServiceStub]]


@pytest.fixture
def start_policy(tmp_path: Path) -> Iterator[StartPolicy]:
    """Start policy servers (SQLite under tmp_path unless a database_url is given); stopped at the end."""
    started: list[tuple[RunningServer, grpc.Channel]] = []

    def start(**overrides: object) -> tuple[RunningServer, policy_service_pb2_grpc.PolicyServiceStub]:
        settings = {"port": 0, "data_dir": str(tmp_path), "featurestore_address": UNREACHABLE,
                    "dependency_timeout_seconds": 3.0, "log_level": "warning", **overrides}
        running = catalog.start("policy", PolicySettings(**settings))  # type: ignore[arg-type]
        channel = grpc.insecure_channel(running.address)
        started.append((running, channel))
        return running, policy_service_pb2_grpc.PolicyServiceStub(channel)

    yield start
    for running, channel in started:
        channel.close()
        running.stop(0)


def lending_sample(rows: int = 3000, seed: int = 7) -> pa.Table:
    """A synthetic lending table: zip_code strongly tied to race, income independent of it."""
    rng = np.random.default_rng(seed)
    races = np.array(["black", "hispanic", "white"])
    race = rng.choice(races, size=rows, p=[0.25, 0.25, 0.5])
    home_zip = {"black": ["60621", "60636"], "hispanic": ["60623", "60632"], "white": ["60614", "60657"]}
    zip_code = np.array([rng.choice(home_zip[r]) if rng.random() < 0.9
                         else rng.choice(["60601", "60605"]) for r in race])
    income = np.round(rng.lognormal(mean=11.0, sigma=0.4, size=rows), 2)
    years = rng.integers(0, 30, size=rows)
    age = rng.integers(18, 90, size=rows)
    return pa.table({"zip_code": zip_code, "income": income, "years_at_address": years, "applicant_age": age,
                     "race": race})


def ipc_bytes(table: pa.Table) -> bytes:
    """The Arrow IPC stream of a table."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
