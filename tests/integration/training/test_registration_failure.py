"""A registration that fails after the version was created leaves no PENDING version behind: against a
real registry whose message limit is smaller than the model's artifact, so the upload really fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import field_mask_pb2

from services import catalog
from services.common.server import RunningServer
from services.registry.settings import RegistrySettings
from sextant.registry.v1 import registry_service_pb2 as registry_pb2
from sextant.registry.v1 import registry_service_pb2_grpc
from sextant.registry.v1 import resources_pb2 as registry_resources
from sextant.training.v1 import spec_pb2
from tests.integration.training.conftest import Stack, StartTraining
from tests.integration.training.helpers import S, spec, submit, wait_for

#: Small enough for CreateModelVersion, too small for the artifact of a forest of deep trees.
MESSAGE_LIMIT = 32 * 1024


@pytest.fixture
def small_registry(stack: Stack, tmp_path: Path) -> Iterator[RunningServer]:
    """A registry of its own whose largest accepted gRPC message is MESSAGE_LIMIT bytes."""
    running = catalog.start("registry", RegistrySettings(
        port=0, log_level="warning", data_dir=str(tmp_path / "small-registry"), policy_address=stack.policy.address,
        featurestore_address=stack.featurestore.address, staleness_follower=False, max_message_bytes=MESSAGE_LIMIT))
    try:
        yield running
    finally:
        running.stop(0)


def test_a_failed_upload_marks_the_pending_version_failed_and_fails_the_job(
        start_training: StartTraining, small_registry: RunningServer) -> None:
    _, stub = start_training(registry_address=small_registry.address)
    job_spec = spec("credit-too-big", trials=1, evaluation=False, estimator=spec_pb2.ESTIMATOR_RANDOM_FOREST,
                    hyperparameters={"n_estimators": 60, "random_state": 1})

    done = wait_for(stub, submit(stub, job_spec).name)

    assert done.state == S.TRAINING_JOB_STATE_FAILED
    assert done.state_reason_code == "REGISTRATION_FAILED", done.state_reason
    assert "'credit-too-big' version 1" in done.state_reason and "RESOURCE_EXHAUSTED" in done.state_reason
    assert "the version was marked FAILED" in done.state_reason
    assert not done.HasField("registered_model_version")
    channel = grpc.insecure_channel(small_registry.address)
    try:
        registry = registry_service_pb2_grpc.RegistryServiceStub(channel)
        versions = registry.ListModelVersions(registry_pb2.ListModelVersionsRequest(model_name="credit-too-big"),
                                              timeout=10).model_versions
        assert [(v.version, v.status) for v in versions] == [(1, registry_resources.MODEL_VERSION_STATUS_FAILED)]
        version = registry.GetModelVersion(registry_pb2.GetModelVersionRequest(
            model_name="credit-too-big", version=1), timeout=10).model_version
        assert done.name in version.status_message and "RESOURCE_EXHAUSTED" in version.status_message
        assert version.artifact_size_bytes > MESSAGE_LIMIT
        # Abandoning is one way only, and failing a FAILED version again changes nothing.
        mask = field_mask_pb2.FieldMask(paths=["status"])
        with pytest.raises(grpc.RpcError) as caught:
            registry.UpdateModelVersion(registry_pb2.UpdateModelVersionRequest(model_version=registry_resources.ModelVersion(
                model_name="credit-too-big", version=1, status=registry_resources.MODEL_VERSION_STATUS_READY),
                update_mask=mask), timeout=10)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        again = registry.UpdateModelVersion(registry_pb2.UpdateModelVersionRequest(
            model_version=registry_resources.ModelVersion(model_name="credit-too-big", version=1, status_message="x",
                                                          status=registry_resources.MODEL_VERSION_STATUS_FAILED),
            update_mask=mask), timeout=10).model_version
        assert (again.status, again.status_message) == (version.status, version.status_message)
    finally:
        channel.close()
