"""kill -9 of the training service (with its worker processes) while a job trains: after a restart on
the same database and journal, the job is retried once and ends SUCCEEDED, or ends FAILED with the
reason saying it was interrupted; it never stays in a running state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from services import catalog
from services.common.server import RunningServer
from services.featurestore.settings import FeatureStoreSettings
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.training.v1 import resources_pb2 as S
from sextant.training.v1 import training_service_pb2_grpc
from tests.faults.processes import ServiceProcess
from tests.integration.serving.conftest import unused_address
from tests.integration.training.conftest import apply_lending_view
from tests.integration.training.helpers import spec, submit, wait_for

QUIET = {"port": 0, "log_level": "error", "access_log": False}


@dataclass
class Peers:
    """The real services a training job talks to."""

    featurestore: RunningServer
    policy: RunningServer
    registry: RunningServer


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[Peers]:
    """Feature store with the lending view, policy (Reg B preset) and registry, in this process."""
    featurestore = catalog.start("featurestore", FeatureStoreSettings(
        data_dir=str(tmp_path / "fs"), policy_address=unused_address(), **QUIET))
    policy = catalog.start("policy", PolicySettings(data_dir=str(tmp_path / "policy"),
                                                    featurestore_address=featurestore.address, **QUIET))
    registry = catalog.start("registry", RegistrySettings(
        data_dir=str(tmp_path / "registry"), policy_address=policy.address, featurestore_address=featurestore.address,
        staleness_follower=False, **QUIET))
    try:
        with grpc.insecure_channel(featurestore.address) as channel:
            apply_lending_view(fs_grpc.FeatureStoreServiceStub(channel))
        yield Peers(featurestore, policy, registry)
    finally:
        for running in (registry, policy, featurestore):
            running.stop(0)


def test_a_job_cut_off_by_kill_9_is_retried_or_failed_with_a_reason(
        peers: Peers, spawn: Callable[..., ServiceProcess]) -> None:
    training = spawn("training", featurestore_address=peers.featurestore.address,
                     policy_address=peers.policy.address, registry_address=peers.registry.address,
                     monitoring_address=unused_address(), local_processes=1)
    training.start()
    with grpc.insecure_channel(training.address) as channel:
        stub = training_service_pb2_grpc.TrainingServiceStub(channel)
        job = submit(stub, spec("credit-killed", hyperparameters={"n_estimators": 60}, trials=2, evaluation=False))
        wait_for(stub, job.name, {S.TRAINING_JOB_STATE_TRAINING}, timeout=60)
    training.kill()

    training.start()
    with grpc.insecure_channel(training.address) as channel:
        stub = training_service_pb2_grpc.TrainingServiceStub(channel)
        done = wait_for(stub, job.name, timeout=120)
    assert done.state in (S.TRAINING_JOB_STATE_SUCCEEDED, S.TRAINING_JOB_STATE_FAILED), done
    assert done.attempt_count == 2
    assert any("interrupted by a training-service restart" in w for w in done.warnings)
    if done.state == S.TRAINING_JOB_STATE_FAILED:
        assert done.state_reason and done.state_reason_code
