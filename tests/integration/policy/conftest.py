"""Fixtures of the policy service tests: a real server on port 0, a feature store stand-in, lending data."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import grpc
import numpy as np
import pyarrow as pa
import pytest

from services import catalog
from services.common.handlers import register_service
from services.common.server import RunningServer, create_server
from services.common.settings import ServiceSettings
from services.policy.settings import PolicySettings
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb
from sextant.policy.v1 import policy_service_pb2_grpc
from sextant.type.v1 import types_pb2

FEATURE_STORE = fs_pb.DESCRIPTOR.services_by_name["FeatureStoreService"]
UNREACHABLE = "127.0.0.1:9"  # discard port: nothing listens there


class FeatureStoreStandIn:
    """A minimal stand-in for the feature store (issue 4, not landed yet): ResolveFeatures from a dict.

    Only ResolveFeatures is implemented; every other RPC answers UNIMPLEMENTED. Replace with the real
    feature store server once issue 4 lands.
    """

    def __init__(self, features: Mapping[tuple[str, str], Mapping[str, str]]) -> None:
        self._features = features
        self.calls = 0
        #: Where the stand-in listens, once started.
        self.address = ""

    def ResolveFeatures(self, request: fs_pb.ResolveFeaturesRequest,
                        context: grpc.ServicerContext) -> fs_pb.ResolveFeaturesResponse:
        self.calls += 1
        response = fs_pb.ResolveFeaturesResponse()
        for reference in request.features.references.references:
            tags = self._features.get((reference.feature_view, reference.feature))
            if tags is None:
                response.missing.add(reference=reference,
                                     failure=fs_pb.RESOLUTION_FAILURE_FEATURE_NOT_FOUND)
                continue
            response.features.add(reference=reference, resolved_version=reference.version or 1,
                                  fingerprint="f" * 64, dtype=types_pb2.DATA_TYPE_INT64, tags=dict(tags),
                                  owner_team="data")
        return response


def start_feature_store_stand_in(features: Mapping[tuple[str, str], Mapping[str, str]]
                                 ) -> tuple[RunningServer, FeatureStoreStandIn]:
    """Start the stand-in on a free port."""
    servicer = FeatureStoreStandIn(features)
    running = create_server("featurestore-stand-in", ServiceSettings(port=0),
                            lambda server: [register_service(server, FEATURE_STORE, servicer, "issue 4")])
    servicer.address = running.address
    return running, servicer


#: The feature store's view of the lending features: `credit_profile:applicant_age` is tagged as the
#: protected basis `age`; `applications:applicant_age` carries no tag (only its name gives it away).
LENDING_FEATURES: dict[tuple[str, str], dict[str, str]] = {
    ("credit_profile", "applicant_age"): {"protected_basis": "age", "sensitivity": "restricted"},
    ("credit_profile", "income"): {"sensitivity": "confidential"},
    ("credit_profile", "zip_code"): {"sensitivity": "internal"},
    ("credit_profile", "years_at_address"): {},
    ("applications", "applicant_age"): {},
}


@pytest.fixture
def feature_store() -> Iterator[FeatureStoreStandIn]:
    running, servicer = start_feature_store_stand_in(LENDING_FEATURES)
    try:
        yield servicer
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
