"""Job life cycle against real peers: failures with reasons (nothing registered), cancel, restart
recovery, the Dask dispatcher on a real local cluster, and the watch stream."""

from __future__ import annotations

import grpc
import pytest

from sextant.registry.v1 import registry_service_pb2 as registry_pb2
from sextant.training.v1 import events_pb2, resources_pb2, spec_pb2
from sextant.training.v1 import training_service_pb2 as pb
from tests.integration.training.conftest import Stack, StartTraining, entity_rows
from tests.integration.training.helpers import S, spec, submit, wait_for

RUNNING = {S.TRAINING_JOB_STATE_TRAINING}


def _nothing_registered(stack: Stack, model_name: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stack.registry_stub.GetRegisteredModel(registry_pb2.GetRegisteredModelRequest(name=model_name), timeout=10)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(("job_spec", "code", "words"), [
    (spec("credit-unknown", features=("income", "shoe_size"), trials=1, evaluation=False), "UNKNOWN_FEATURE",
     "credit_profile:shoe_size"),
    (spec("credit-single", rows=entity_rows(single_class=True), trials=1, evaluation=False),
     "SINGLE_CLASS_TRAINING_SET", "single class"),
], ids=["unknown-feature", "single-class"])
def test_jobs_that_cannot_train_fail_with_a_precise_reason_and_register_nothing(
        stack: Stack, start_training: StartTraining, job_spec: spec_pb2.TrainingJobSpec, code: str,
        words: str) -> None:
    _, stub = start_training()
    done = wait_for(stub, submit(stub, job_spec).name)
    assert done.state == S.TRAINING_JOB_STATE_FAILED
    assert done.state_reason_code == code and words in done.state_reason, done.state_reason
    assert not done.HasField("registered_model_version") and done.HasField("end_time")
    _nothing_registered(stack, job_spec.model_name)


def test_cancel_stops_a_training_job_within_seconds_and_registers_nothing(
        stack: Stack, start_training: StartTraining) -> None:
    _, stub = start_training()
    slow = spec("credit-cancelled", estimator=spec_pb2.ESTIMATOR_RANDOM_FOREST,
                hyperparameters={"n_estimators": 3000}, trials=3, evaluation=False)
    job = submit(stub, slow)
    wait_for(stub, job.name, RUNNING, timeout=60)

    answer = stub.CancelTrainingJob(pb.CancelTrainingJobRequest(name=job.name, reason="wrong features"),
                                    timeout=10).job
    assert answer.cancel_requested
    done = wait_for(stub, job.name, timeout=15)

    assert done.state == S.TRAINING_JOB_STATE_CANCELLED
    assert done.state_reason == "wrong features" and done.state_reason_code == "CANCELLED_BY_USER"
    _nothing_registered(stack, "credit-cancelled")
    # Cancelling again is fine; the job stays cancelled.
    assert stub.CancelTrainingJob(pb.CancelTrainingJobRequest(name=job.name), timeout=10).job.state == \
        S.TRAINING_JOB_STATE_CANCELLED


def test_a_job_interrupted_by_a_restart_is_retried_once_and_succeeds(start_training: StartTraining) -> None:
    first, stub = start_training()
    job = submit(stub, spec("credit-restarted", hyperparameters={"n_estimators": 60}, trials=2,
                            evaluation=False))
    wait_for(stub, job.name, RUNNING, timeout=60)
    first.stop(0)

    _, stub = start_training()
    done = wait_for(stub, job.name)

    assert done.state == S.TRAINING_JOB_STATE_SUCCEEDED, done.state_reason
    assert done.attempt_count == 2
    assert any("interrupted by a training-service restart" in w for w in done.warnings)
    events = [e.event for e in stub.WatchTrainingJob(pb.WatchTrainingJobRequest(name=job.name), timeout=30)]
    retry = [e.state_changed for e in events if e.HasField("state_changed")
             and e.state_changed.reason_code == "RESTART_RETRY"]
    assert len(retry) == 1 and retry[0].from_state == S.TRAINING_JOB_STATE_TRAINING
    assert [e.revision for e in events] == sorted({e.revision for e in events})
    assert events[-1].state_changed.to_state == S.TRAINING_JOB_STATE_SUCCEEDED


def test_the_dask_dispatcher_runs_the_same_job_on_a_real_cluster(
        stack: Stack, start_training: StartTraining, dask_scheduler: str) -> None:
    _, stub = start_training(dispatcher="dask", dask_scheduler_address=dask_scheduler)
    job = submit(stub, spec("credit-dask", trials=2, evaluation=False))

    done = wait_for(stub, job.name)

    assert done.state == S.TRAINING_JOB_STATE_SUCCEEDED, done.state_reason
    assert done.dispatcher == resources_pb2.DISPATCHER_DASK
    assert done.parity_report.passed and done.progress.completed_trials == 2
    kinds = [e.event.kind for e in stub.WatchTrainingJob(pb.WatchTrainingJobRequest(name=job.name), timeout=30)]
    assert kinds.count(events_pb2.TRAINING_JOB_EVENT_KIND_TRIAL_FINISHED) == 2
    version = stack.registry_stub.GetModelVersion(registry_pb2.GetModelVersionRequest(
        model_name="credit-dask", version=done.registered_model_version.version), timeout=10).model_version
    assert version.lineage.training_job_id == job.name
