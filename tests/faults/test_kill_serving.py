"""kill -9 of serving while deployments are created: after a restart on the same database, every
acknowledged deployment is there, unchanged, and serving still takes new deployments."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest

from services import catalog
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from sextant.serving.v1 import resources_pb2 as res
from sextant.serving.v1 import serving_service_pb2 as pb
from sextant.serving.v1 import serving_service_pb2_grpc
from tests.faults.processes import ServiceProcess, write_until_killed
from tests.integration.serving.conftest import Registry, tiny_onnx, unused_address

MODEL = "deployed"
ALIASES = 30
QUIET = {"port": 0, "log_level": "error", "access_log": False}


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[tuple[Registry, str]]:
    """Policy (no presets; its address is yielded too) and a registry holding one version of MODEL under aliases a0..a29."""
    policy = catalog.start("policy", PolicySettings(data_dir=str(tmp_path / "policy"), reg_b_preset="off",
                                                    featurestore_address=unused_address(), **QUIET))
    registry = catalog.start("registry", RegistrySettings(
        data_dir=str(tmp_path / "registry"), policy_address=policy.address, featurestore_address=unused_address(),
        staleness_follower=False, **QUIET))
    client = Registry(registry.address)
    try:
        client.create_model(MODEL)
        version = client.register(MODEL, tiny_onnx())
        for i in range(ALIASES):
            client.set_alias(MODEL, f"a{i}", version)
        yield client, policy.address
    finally:
        client.close()
        registry.stop(0)
        policy.stop(0)


def test_acknowledged_deployments_survive_kill_9(peers: tuple[Registry, str],
                                                 spawn: Callable[..., ServiceProcess]) -> None:
    registry, policy_address = peers
    serving = spawn("serving", registry_address=registry.address, policy_address=policy_address,
                    featurestore_address=unused_address(), monitoring_address=unused_address())
    serving.start()
    acknowledged: dict[str, res.Deployment] = {}
    with grpc.insecure_channel(serving.address) as channel:
        stub = serving_service_pb2_grpc.ServingServiceStub(channel)

        def write(i: int) -> None:
            assert i < ALIASES, "the kill should have come long before every alias was used"
            created = stub.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
                name=f"d{i}", model_name=MODEL, alias=f"a{i}", owner_team="ml")), timeout=30).deployment
            acknowledged[created.name] = created

        write_until_killed(serving, write, acknowledged)

    serving.start()
    with grpc.insecure_channel(serving.address) as channel:
        stub = serving_service_pb2_grpc.ServingServiceStub(channel)
        for name, created in acknowledged.items():
            found = stub.GetDeployment(pb.GetDeploymentRequest(name=name), timeout=10).deployment
            assert (found.model_name, found.alias, found.etag) == (created.model_name, created.alias, created.etag)
        listed = stub.ListDeployments(pb.ListDeploymentsRequest(model_name=MODEL, page_size=ALIASES), timeout=10)
        assert set(acknowledged) <= {d.name for d in listed.deployments}
        stub.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
            name="after", model_name=MODEL, alias=f"a{ALIASES - 1}", owner_team="ml")), timeout=30)
