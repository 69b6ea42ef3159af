"""PostgreSQL stops under running services: their calls fail with UNAVAILABLE (never INTERNAL), and
succeed again once the database is back, without restarting the services.

The test runs its own cluster: stopping the session's shared one would break other tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf.message import Message

from services import catalog
from services.common.server import RunningServer
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2 as fs_resources
from sextant.monitoring.v1 import monitoring_service_pb2 as mon_pb2
from sextant.policy.v1 import policy_service_pb2 as pol_pb2
from sextant.registry.v1 import registry_service_pb2 as reg_pb2
from sextant.serving.v1 import serving_service_pb2 as srv_pb2
from sextant.training.v1 import training_service_pb2 as trn_pb2
from sextant.type.v1 import types_pb2
from tests.fuzz.rpc_calls import Rpc, call, service_descriptor
from tests.integration.serving.conftest import unused_address
from tests.postgres import PostgresCluster, server_bin_dir, start_cluster
from tests.waiting import eventually

pytestmark = pytest.mark.postgres

#: A call each service answers from its own database alone: a read, or for the feature store (which
#: serves its definitions from memory) a write of definitions.
CALLS: dict[str, tuple[str, Message]] = {
    "featurestore": ("ApplyDefinitions", fs_pb2.ApplyDefinitionsRequest(entities=[fs_resources.Entity(
        name="customer", owner_team="risk", description="a customer",
        join_keys=[fs_resources.JoinKey(name="customer_id", dtype=types_pb2.DATA_TYPE_INT64)])])),
    "training": ("ListTrainingJobs", trn_pb2.ListTrainingJobsRequest()),
    "registry": ("ListRegisteredModels", reg_pb2.ListRegisteredModelsRequest()),
    "serving": ("ListDeployments", srv_pb2.ListDeploymentsRequest()),
    "monitoring": ("ListMonitors", mon_pb2.ListMonitorsRequest()),
    "policy": ("ListPolicies", pol_pb2.ListPoliciesRequest()),
}
PEERS_DOWN = {"policy_address", "featurestore_address", "registry_address", "monitoring_address", "training_address"}


def _pg_ctl(cluster: PostgresCluster, *args: str) -> None:
    # The cluster's own runner knows whether to switch to the unprivileged user.
    result = cluster.run("pg_ctl", "-D", str(cluster.root / "data"), *args)
    assert result.returncode == 0, result.stderr or result.stdout


def stop_postgres(cluster: PostgresCluster) -> None:
    """Stop the server the way an operator or a crash-restart would: active sessions are cut."""
    _pg_ctl(cluster, "-m", "fast", "-w", "stop")


def start_postgres(cluster: PostgresCluster) -> None:
    """Start the stopped server again on the same port."""
    options = f"-p {cluster.port} -k {cluster.root} -c listen_addresses=127.0.0.1 -c fsync=off"
    _pg_ctl(cluster, "-o", options, "-l", str(cluster.root / "server.log"), "-w", "-t", "60", "start")


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    """A cluster of this module only."""
    if server_bin_dir() is None:
        pytest.skip("PostgreSQL server programs (initdb, pg_ctl) are not installed on this machine")
    running = start_cluster()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def services(cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningServer]]:
    """The six services on their own PostgreSQL databases (peers unreachable: only the database matters)."""
    root = tmp_path_factory.mktemp("outage")
    started: dict[str, RunningServer] = {}
    try:
        for name in CALLS:
            settings_cls = catalog.settings_class(name)
            peers = {field: unused_address() for field in PEERS_DOWN if field in settings_cls.__dataclass_fields__}
            started[name] = catalog.start(name, settings_cls(
                port=0, data_dir=str(root / name), database_url=cluster.create_database(f"outage_{name}"),
                log_level="error", access_log=False, **peers))
        yield started
    finally:
        for running in started.values():
            running.stop(0)


def read_code(running: RunningServer, name: str) -> grpc.StatusCode:
    """The status of the service's database call."""
    method, request = CALLS[name]
    rpc = Rpc(name, service_descriptor(name).methods_by_name[method])
    with grpc.insecure_channel(running.address) as channel:
        return call(channel, rpc, [request])


def test_database_outage_is_unavailable_and_recovers(cluster: PostgresCluster, services: dict[str, RunningServer],
                                                     tmp_path: Path) -> None:
    for name, running in services.items():
        assert read_code(running, name) == grpc.StatusCode.OK, name
    stop_postgres(cluster)
    try:
        during = {name: [read_code(running, name) for _ in range(3)] for name, running in services.items()}
    finally:
        start_postgres(cluster)
    assert during == {name: [grpc.StatusCode.UNAVAILABLE] * 3 for name in services}
    for name, running in services.items():
        assert eventually(lambda: read_code(running, name) == grpc.StatusCode.OK, 30, 0.2), name  # noqa: B023
