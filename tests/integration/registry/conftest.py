"""Fixtures of the registry's integration tests: a real registry on port 0 and REAL gRPC stand-ins for
the policy service and the feature store (see ``standins``); helpers live in ``registry_kit``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services import catalog
from services.common.server import RunningServer
from services.registry.settings import RegistrySettings
from tests.integration.registry.registry_kit import RegistryClient, unused_address
from tests.integration.registry.standins import StandInFeatureStore, StandInPolicyServer


@pytest.fixture
def policy() -> Iterator[StandInPolicyServer]:
    """The policy stand-in (ALLOW until told otherwise)."""
    server = StandInPolicyServer()
    yield server
    server.stop()


@pytest.fixture
def featurestore() -> Iterator[StandInFeatureStore]:
    """The feature store stand-in with no events yet."""
    server = StandInFeatureStore()
    yield server
    server.stop()


@pytest.fixture
def start_registry(tmp_path: Path) -> Iterator[Callable[..., RunningServer]]:
    """Starts registries on port 0 (stopped at the end); keyword arguments override settings."""
    started: list[RunningServer] = []

    def start(database_url: str = "", **overrides: object) -> RunningServer:
        values: dict[str, object] = {"port": 0, "data_dir": str(tmp_path / "data"), "database_url": database_url,
                                     "staleness_follower": False, "policy_address": unused_address(),
                                     "log_level": "warning", **overrides}
        running = catalog.start("registry", RegistrySettings(**values))
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop(0)


@pytest.fixture
def registry(start_registry: Callable[..., RunningServer], database_url: str,
             policy: StandInPolicyServer) -> Iterator[RegistryClient]:
    """A client of a registry on the parametrized database, gated by the policy stand-in."""
    running = start_registry(database_url, policy_address=policy.address)
    client = RegistryClient(running.address)
    yield client
    client.close()


@pytest.fixture
def sqlite_registry(start_registry: Callable[..., RunningServer], tmp_path: Path,
                    policy: StandInPolicyServer) -> Iterator[RegistryClient]:
    """A client of a registry on SQLite only, for checks where the database does not matter (bad input)."""
    running = start_registry(f"sqlite:///{tmp_path / 'registry.db'}", policy_address=policy.address)
    client = RegistryClient(running.address)
    yield client
    client.close()
