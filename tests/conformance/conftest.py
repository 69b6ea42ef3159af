"""Fixtures of the conformance suites: one real feature store server and one local Dask cluster.

The Dask cluster (a scheduler and two worker processes on loopback) is started once for the whole
run, only when a feature store conformance test asks for it, and closed at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.featurestore.helpers import Client, connect, start_server


@pytest.fixture(scope="session")
def featurestore_dask_cluster() -> Iterator[str]:
    """The scheduler address of a real local Dask cluster: two single-threaded worker processes."""
    from distributed import LocalCluster

    cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
                           dashboard_address=None, worker_dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def pit_client(tmp_path_factory: pytest.TempPathFactory, featurestore_dask_cluster: str) -> Iterator[Client]:
    """A feature store server whose Dask engine uses the local cluster; tests use unique view names."""
    folder: Path = tmp_path_factory.mktemp("pit")
    running = start_server(folder, dask_scheduler_address=featurestore_dask_cluster)
    channel, client = connect(running)
    try:
        yield client
    finally:
        channel.close()
        running.stop(0)
