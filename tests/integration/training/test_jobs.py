"""End to end against real feature store, policy and registry servers: policy denial before any data
is fetched, a successful job registering a READY ONNX version that matches scikit-learn, the
leaderboard, and bad input."""

from __future__ import annotations

import grpc
import numpy as np
import onnxruntime
import pyarrow as pa
import pytest

from services.training import work
from services.training.dataset import build_training_data
from services.training.peers import Peers, arrow_ipc
from services.training.spec import validate_spec
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.registry.v1 import registry_service_pb2 as registry_pb2
from sextant.registry.v1 import resources_pb2 as registry_resources
from sextant.training.v1 import resources_pb2, spec_pb2
from sextant.training.v1 import training_service_pb2 as pb
from sextant.type.v1 import governance_pb2, types_pb2
from tests.integration.training.conftest import Stack, StartTraining, entity_rows
from tests.integration.training.helpers import S, spec, states_seen, submit, wait_for


def test_a_protected_input_is_rejected_by_policy_before_any_data_is_fetched(start_training: StartTraining) -> None:
    _, stub = start_training()
    job = submit(stub, spec("credit-denied", features=("income", "age"), trials=1, evaluation=False))
    assert job.state == S.TRAINING_JOB_STATE_QUEUED

    done = wait_for(stub, job.name)

    assert done.state == S.TRAINING_JOB_STATE_REJECTED_BY_POLICY
    assert done.state_reason_code == "POLICY_DENIED"
    assert done.policy_verdict == governance_pb2.POLICY_VERDICT_DENY and done.policy_decision_id
    assert any(v.feature.feature == "age" for v in done.violations), done.violations
    assert "age" in done.state_reason
    # No data was fetched: the job never entered FETCHING_DATA and has no dataset digest.
    assert S.TRAINING_JOB_STATE_FETCHING_DATA not in states_seen(stub, job.name)
    assert done.dataset_digest == "" and done.training_row_count == 0


def test_a_job_registers_a_ready_onnx_version_whose_predictions_match_scikit_learn(
        stack: Stack, start_training: StartTraining) -> None:
    _, stub = start_training()
    job = submit(stub, spec("credit-approval"))

    done = wait_for(stub, job.name)

    assert done.state == S.TRAINING_JOB_STATE_SUCCEEDED, (done.state_reason_code, done.state_reason)
    assert done.progress.completed_trials == 2 and done.progress.total_trials == 2
    assert done.policy_verdict == governance_pb2.POLICY_VERDICT_ALLOW
    assert done.parity_report.passed and done.parity_report.edge_rows_checked > 0
    assert {"roc_auc", "accuracy", "precision", "recall", "f1", "log_loss", "brier"} <= set(done.validation_metrics)
    assert {f.attribute for f in done.fairness_results} == {"age", "sex"}
    age = next(f for f in done.fairness_results if f.attribute == "age")
    assert {g.group for g in age.groups} <= {"<62", "62+"} and sum(g.count for g in age.groups) == \
        done.validation_row_count
    assert done.attempt_count == 1 and done.dispatcher == resources_pb2.DISPATCHER_LOCAL
    reference = done.registered_model_version
    version = stack.registry_stub.GetModelVersion(registry_pb2.GetModelVersionRequest(
        model_name=reference.model_name, version=reference.version), timeout=10).model_version
    assert version.status == registry_resources.MODEL_VERSION_STATUS_READY
    assert version.lineage.training_job_id == job.name and version.lineage.run_id == done.best_run_id
    assert version.lineage.policy_decision_id == done.policy_decision_id
    assert version.lineage.dataset_digest == done.dataset_digest and version.lineage.parity_report.passed
    assert [f.reference.feature for f in version.lineage.features] == ["income", "debt_ratio", "region"]
    assert [i.name for i in version.signature.inputs] == ["income", "debt_ratio", "region"]
    assert list(version.signature.class_labels) == ["0", "1"]
    assert {c.name for c in version.lineage.reference_profile.columns} >= {"income", "region", "probabilities"}
    # Evaluation-only attributes never reach the model's inputs.
    assert "age" not in {i.name for i in version.signature.inputs}

    artifact = b"".join(m.chunk for m in stack.registry_stub.DownloadArtifact(registry_pb2.DownloadArtifactRequest(
        model_name=reference.model_name, version=reference.version), timeout=30) if m.WhichOneof("content") == "chunk")
    # Refit the winning configuration on the same point-in-time set, here, and compare with onnxruntime.
    plan = validate_spec(done.spec, max_trials=64, target_opset=17)
    entity = entity_rows()
    header, table = _historical(stack, entity, done.spec)
    data = build_training_data(table, feature_columns=list(header.columns[len(entity.column_names):]),
                               string_columns={"region"}, label_column="approved",
                               timestamp_column="event_timestamp", evaluation_columns={}, plan=plan)
    # The default time split: every held-out row is later than every training row.
    assert (len(data.train_index), len(data.holdout_index)) == (done.training_row_count, done.validation_row_count)
    assert data.times[data.train_index].max() < data.times[data.holdout_index].min()
    best = stub.GetRun(pb.GetRunRequest(name=done.best_run_id), timeout=10).run
    params = {**plan.hyperparameters, "max_depth": int(best.params["max_depth"])}
    model = __import__("pickle").loads(work.refit_and_evaluate(data, plan, params, 1).model)
    session = onnxruntime.InferenceSession(artifact, providers=["CPUExecutionProvider"])
    frame = data.features
    label, probabilities = session.run(None, work.export.feeds(frame, data.categorical_columns))
    assert (label == model.predict(frame)).all()
    assert np.abs(probabilities - model.predict_proba(frame)).max() < 1e-4

    board = stub.ListRuns(pb.ListRunsRequest(experiment="credit-approval", order_by="score desc"), timeout=10).runs
    assert [r.name for r in board][0] == done.best_run_id and len(board) == 2
    assert board[0].best and board[0].validation_metrics["roc_auc"] == done.validation_metrics["roc_auc"]
    assert board[0].score >= board[1].score


def _historical(stack: Stack, entity: pa.Table, job_spec: spec_pb2.TrainingJobSpec
                ) -> tuple[fs_pb2.HistoricalFeaturesHeader, pa.Table]:
    peers = Peers(stack.featurestore.address, stack.policy.address, stack.registry.address, timeout=30)
    try:
        return peers.historical_features(fs_pb2.GetHistoricalFeaturesRequest(
            entity_rows=arrow_ipc(entity), features=job_spec.features), timeout=30)
    finally:
        peers.close()


@pytest.mark.parametrize(("mutate", "field", "reason"), [
    (lambda s: s.model.ClearField("estimator") or setattr(s.model, "estimator_class", "sklearn.svm.SVC"),
     "spec.model.estimator_class", "ESTIMATOR_NOT_ALLOWED"),
    (lambda s: s.model.hyperparameters["n_trees"].CopyFrom(s.model.hyperparameters["n_estimators"]),
     "spec.model.hyperparameters[n_trees]", "UNKNOWN_HYPERPARAMETER"),
    (lambda s: setattr(s, "label_column", "defaulted"), "spec.label_column", "LABEL_COLUMN_MISSING"),
    (lambda s: setattr(s.dataset.entity_rows, "ipc_stream", arrow_ipc(entity_rows(0)).ipc_stream),
     "spec.dataset.entity_rows", "EMPTY_TRAINING_SET"),
    (lambda s: setattr(s.model, "estimator", spec_pb2.ESTIMATOR_HIST_GRADIENT_BOOSTING) or
     s.model.hyperparameters.clear() or s.model.hyperparameters["categorical_features"].CopyFrom(
         s.model.hyperparameters["categorical_features"]),
     "spec.model.hyperparameters[categorical_features]", "UNSUPPORTED_ESTIMATOR_SETUP"),
    (lambda s: setattr(s.model, "estimator", spec_pb2.ESTIMATOR_LINEAR_REGRESSION),
     "spec.model.estimator", "ESTIMATOR_TASK_MISMATCH"),
    (lambda s: s.model.hyperparameters["learning_rate"].CopyFrom(types_pb2.Value(double_value=-1.0)),
     "spec.model.hyperparameters[learning_rate]", "ESTIMATOR_REJECTED_HYPERPARAMETERS"),
], ids=["estimator-outside-allow-list", "unknown-hyperparameter", "label-column-missing", "empty-rows",
        "hist-gradient-boosting-native-categorical", "estimator-task-mismatch", "rejected-hyperparameter-value"])
def test_bad_specs_are_invalid_argument_naming_the_field(start_training: StartTraining, mutate, field: str,
                                                         reason: str) -> None:  # noqa: ANN001
    _, stub = start_training()
    job_spec = spec("credit-bad", trials=2)
    mutate(job_spec)
    with pytest.raises(grpc.RpcError) as caught:
        submit(stub, job_spec)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in caught.value.details() and reason in str(caught.value.trailing_metadata())


def test_jobs_experiments_and_events_are_stored(start_training: StartTraining, database_url: str) -> None:
    _, stub = start_training(database_url=database_url)
    created = stub.CreateExperiment(pb.CreateExperimentRequest(experiment=resources_pb2.Experiment(
        name="scorecards", owner_team="risk", description="credit scorecards")), timeout=10).experiment
    assert created.creator and created.HasField("create_time")
    with pytest.raises(grpc.RpcError) as caught:
        stub.CreateExperiment(pb.CreateExperimentRequest(experiment=created), timeout=10)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    names = []
    for _ in range(3):
        job_spec = spec("credit-stored", features=("income", "shoe_size"), trials=1, evaluation=False,
                        experiment="scorecards")
        names.append(submit(stub, job_spec).name)
    done = [wait_for(stub, name) for name in names]
    assert {j.state_reason_code for j in done} == {"UNKNOWN_FEATURE"}

    first = stub.ListTrainingJobs(pb.ListTrainingJobsRequest(page_size=2, experiment="scorecards"), timeout=10)
    second = stub.ListTrainingJobs(pb.ListTrainingJobsRequest(page_size=2, experiment="scorecards",
                                                              page_token=first.next_page_token), timeout=10)
    assert [j.name for j in first.jobs] + [j.name for j in second.jobs] == \
        [j.name for j in sorted(done, key=lambda j: (j.create_time.ToDatetime(), j.name), reverse=True)]
    assert second.next_page_token == ""
    states = [e.event.state_changed.to_state for e in stub.WatchTrainingJob(
        pb.WatchTrainingJobRequest(name=names[0]), timeout=10) if e.event.HasField("state_changed")]
    assert states == [S.TRAINING_JOB_STATE_QUEUED, S.TRAINING_JOB_STATE_POLICY_CHECK, S.TRAINING_JOB_STATE_FAILED]
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetTrainingJob(pb.GetTrainingJobRequest(name="tj-missing"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as caught:
        stub.CancelTrainingJob(pb.CancelTrainingJobRequest(name=names[0]), timeout=10)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
