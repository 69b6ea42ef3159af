"""Fixtures of the registry's integration tests: a real registry on port 0, gated by the REAL policy
service (with its built-in `reg-b` preset) and following the REAL feature store; helpers live in
``registry_kit``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services import catalog
from services.common.server import RunningServer
from services.featurestore.settings import FeatureStoreSettings
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from tests.integration.registry.registry_kit import (
    FeatureStore,
    PolicyService,
    RegistryClient,
    unused_address,
)


@pytest.fixture
def start_policy(tmp_path: Path) -> Iterator[Callable[[], PolicyService]]:
    """Starts real policy services on port 0 (SQLite under tmp_path, no feature store: promotion judges
    the lineage as given); each is stopped at the end unless the test stopped it already."""
    started: list[PolicyService] = []

    def start() -> PolicyService:
        folder = tmp_path / f"policy-{len(started)}"
        service = PolicyService(catalog.start("policy", PolicySettings(
            port=0, data_dir=str(folder), featurestore_address=unused_address(), dependency_timeout_seconds=3.0,
            log_level="warning")))
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def policy(start_policy: Callable[[], PolicyService]) -> PolicyService:
    """The real policy service, with the `reg-b` preset in force for domain `credit`."""
    return start_policy()


@pytest.fixture
def featurestore(tmp_path: Path) -> Iterator[FeatureStore]:
    """The real feature store (SQLite under tmp_path), with no definitions yet."""
    store = FeatureStore(catalog.start("featurestore", FeatureStoreSettings(
        port=0, data_dir=str(tmp_path / "featurestore"), log_level="warning")))
    yield store
    store.stop()


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
def registry(start_registry: Callable[..., RunningServer], database_url: str) -> Iterator[RegistryClient]:
    """A client of a registry on the parametrized database; no policy service runs (tests that move a
    protected alias use ``gated_registry``), which keeps the suite from starting ~30 of them."""
    running = start_registry(database_url)
    client = RegistryClient(running.address)
    yield client
    client.close()


@pytest.fixture
def gated_registry(start_registry: Callable[..., RunningServer], database_url: str,
                   policy: PolicyService) -> Iterator[RegistryClient]:
    """A client of a registry on the parametrized database, gated by the real policy service."""
    running = start_registry(database_url, policy_address=policy.address)
    client = RegistryClient(running.address)
    yield client
    client.close()


@pytest.fixture
def sqlite_registry(start_registry: Callable[..., RunningServer], tmp_path: Path) -> Iterator[RegistryClient]:
    """A client of a registry on SQLite only, for checks where the database does not matter (bad input);
    no policy service runs (nothing here moves a protected alias)."""
    running = start_registry(f"sqlite:///{tmp_path / 'registry.db'}")
    client = RegistryClient(running.address)
    yield client
    client.close()
