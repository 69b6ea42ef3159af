"""A peer service down: each caller behaves as its issue says.

- registry, policy down: a protected alias does not move (UNAVAILABLE naming the policy service);
  an unprotected alias still moves.
- serving, monitoring down: predictions still succeed (logs are kept for later).
- training, policy down: the job fails with the policy outage as its reason and never fetches data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import numpy as np
import pytest
from grpc_status import rpc_status

from services import catalog
from services.featurestore.settings import FeatureStoreSettings
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from services.serving.settings import ServingSettings
from services.training.settings import TrainingSettings
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.registry.v1 import registry_service_pb2 as reg
from sextant.training.v1 import resources_pb2 as training_resources
from sextant.training.v1 import training_service_pb2_grpc
from tests.integration.serving.conftest import Registry, Serving, tiny_onnx, unused_address
from tests.integration.training.conftest import apply_lending_view
from tests.integration.training.helpers import spec, states_seen, submit, wait_for

QUIET = {"port": 0, "log_level": "error", "access_log": False}


@pytest.fixture
def registry_without_policy(tmp_path: Path) -> Iterator[Registry]:
    """A registry whose policy service is down."""
    running = catalog.start("registry", RegistrySettings(
        data_dir=str(tmp_path / "registry"), policy_address=unused_address(), featurestore_address=unused_address(),
        staleness_follower=False, dependency_timeout_seconds=2.0, **QUIET))
    client = Registry(running.address)
    yield client
    client.close()
    running.stop(0)


def test_registry_refuses_to_move_a_protected_alias_while_policy_is_down(registry_without_policy: Registry) -> None:
    registry = registry_without_policy
    registry.create_model("gated")
    version = registry.register("gated", tiny_onnx())
    with pytest.raises(grpc.RpcError) as refused:
        registry.set_alias("gated", "production", version)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    status = rpc_status.from_call(refused.value)
    assert status is not None and "policy" in status.message.lower()
    with pytest.raises(grpc.RpcError) as missing:
        registry.stub.GetAlias(reg.GetAliasRequest(model_name="gated", alias="production"), timeout=10)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    registry.set_alias("gated", "staging", version)  # not protected: no policy needed
    found = registry.stub.GetAlias(reg.GetAliasRequest(model_name="gated", alias="staging"), timeout=10).alias
    assert found.version == version


def test_serving_predicts_while_monitoring_is_down(tmp_path: Path) -> None:
    policy = catalog.start("policy", PolicySettings(data_dir=str(tmp_path / "policy"), reg_b_preset="off",
                                                    featurestore_address=unused_address(), **QUIET))
    registry_server = catalog.start("registry", RegistrySettings(
        data_dir=str(tmp_path / "registry"), policy_address=policy.address, featurestore_address=unused_address(),
        staleness_follower=False, **QUIET))
    registry = Registry(registry_server.address)
    serving = Serving(catalog.start("serving", ServingSettings(
        data_dir=str(tmp_path / "serving"), registry_address=registry_server.address, policy_address=policy.address,
        featurestore_address=unused_address(), monitoring_address=unused_address(), prediction_logging=True,
        **QUIET)))
    try:
        registry.create_model("watched")
        registry.set_alias("watched", "production", registry.register("watched", tiny_onnx()))
        serving.wait_ready("watched")
        rows = np.full((4, 3), 0.5, dtype=np.float32)
        answers = [serving.infer("watched", rows) for _ in range(50)]
        assert all(len(a.outputs) > 0 for a in answers)
    finally:
        serving.close()
        registry.close()
        registry_server.stop(0)
        policy.stop(0)


def test_training_with_policy_down_fails_the_job_without_fetching_data(tmp_path: Path) -> None:
    featurestore = catalog.start("featurestore", FeatureStoreSettings(
        data_dir=str(tmp_path / "fs"), policy_address=unused_address(), **QUIET))
    registry = catalog.start("registry", RegistrySettings(
        data_dir=str(tmp_path / "registry"), policy_address=unused_address(), featurestore_address=featurestore.address,
        staleness_follower=False, **QUIET))
    training = catalog.start("training", TrainingSettings(
        data_dir=str(tmp_path / "training"), featurestore_address=featurestore.address,
        policy_address=unused_address(), registry_address=registry.address, monitoring_address=unused_address(),
        local_processes=1, dependency_timeout_seconds=2.0, **QUIET))
    channels = [grpc.insecure_channel(featurestore.address), grpc.insecure_channel(training.address)]
    try:
        apply_lending_view(fs_grpc.FeatureStoreServiceStub(channels[0]))
        stub = training_service_pb2_grpc.TrainingServiceStub(channels[1])
        job = submit(stub, spec("credit-no-policy", trials=1, evaluation=False))
        done = wait_for(stub, job.name, timeout=60)
        assert done.state == training_resources.TRAINING_JOB_STATE_FAILED, done.state_reason
        assert "POLICY" in done.state_reason_code and "policy" in done.state_reason.lower()
        seen = states_seen(stub, job.name)
        assert training_resources.TRAINING_JOB_STATE_FETCHING_DATA not in seen
        assert training_resources.TRAINING_JOB_STATE_TRAINING not in seen
    finally:
        for channel in channels:
            channel.close()
        for running in (training, registry, featurestore):
            running.stop(0)
