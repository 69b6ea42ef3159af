"""SDK round trips from training to serving with the real services: submit, watch and wait for a job,
promote its version, deploy it and predict from DataFrames, upload and download an artifact, log
predictions and outcomes, apply a policy and read the decisions."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from sextant import errors
from sextant.client import Sextant
from sextant.client.training import TERMINAL_STATES
from sextant.registry.v1 import resources_pb2 as registry_resources
from sextant.training.v1 import resources_pb2 as training_resources
from tests.integration.registry.registry_kit import hold_validation
from tests.integration.sdk.conftest import Lending
from tests.integration.sdk.stack import MARKETING_POLICY, entity_rows
from tests.integration.serving.conftest import N_FEATURES, tiny_onnx

S = training_resources


@pytest.fixture(scope="module")
def trained(sx: Sextant, lending: Lending) -> Iterator[tuple[S.TrainingJob, list]]:
    """A credit model trained on the lending features: the finished job and the events watched."""
    job = sx.training.submit(model_name="credit", features=["credit_profile:income", "credit_profile:debt_ratio"],
                             label_column="approved", entity_rows=entity_rows(), estimator="logistic_regression",
                             owner_team="risk", domain="credit")
    events = list(sx.training.watch(job.name, timeout=300))
    yield sx.training.wait(job.name, timeout=300), events


def _predict_when_loaded(sx: Sextant, **kwargs: object) -> pd.DataFrame:
    deadline = time.monotonic() + 60
    while True:
        try:
            return sx.serving.predict(**kwargs)  # type: ignore[arg-type]
        except errors.UnavailableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_submitted_job_is_watched_to_its_end_and_registers_a_version(
        sx: Sextant, trained: tuple[S.TrainingJob, list]) -> None:
    job, events = trained
    states = [e.state_changed.to_state for e in events if e.HasField("state_changed")]
    assert states[-1] == S.TRAINING_JOB_STATE_SUCCEEDED and S.TRAINING_JOB_STATE_TRAINING in states
    assert set(states[:-1]).isdisjoint(TERMINAL_STATES)
    assert job.state == S.TRAINING_JOB_STATE_SUCCEEDED
    assert job.registered_model_version.model_name == "credit"
    assert job.name in [j.name for j in sx.training.iter_jobs(model_name="credit")]


def test_promote_moves_an_alias_and_a_stale_expectation_is_a_conflict(
        sx: Sextant, trained: tuple[S.TrainingJob, list]) -> None:
    version = trained[0].registered_model_version.version
    moved = sx.registry.promote("credit", "staging", version, reason="sdk test")
    assert moved.alias.version == version

    with pytest.raises(errors.ConflictError) as stale:
        sx.registry.promote("credit", "staging", version, expected_version=version + 7)
    assert stale.value.reason
    assert sx.registry.get_alias("credit", "staging").version == version
    assert [entry.alias for entry in sx.registry.iter_alias_history("credit", page_size=1)] == ["staging"]


def test_deploy_then_predict_by_entity_keys_and_by_values(sx: Sextant, trained: tuple[S.TrainingJob, list]) -> None:
    version = trained[0].registered_model_version.version
    sx.registry.promote("credit", "staging", version)
    deployment = sx.serving.deploy("credit-sdk", model_name="credit", alias="staging", owner_team="risk")
    assert deployment.model_name == "credit" and deployment.alias == "staging"

    by_keys = _predict_when_loaded(sx, entity_keys=pd.DataFrame({"customer_id": [0, 1, 2]}), deployment="credit-sdk")
    assert len(by_keys) == 3 and by_keys.attrs["model_version"] == version
    assert set(by_keys.columns) >= {"label", "probabilities"}

    online = sx.featurestore.get_online_features({"customer_id": [0, 1, 2]},
                                                 ["credit_profile:income", "credit_profile:debt_ratio"])
    by_values = sx.serving.predict(online[["income", "debt_ratio"]], deployment="credit-sdk")
    assert by_values.label.tolist() == by_keys.label.tolist()
    assert [p[1] for p in by_values.probabilities] == pytest.approx([p[1] for p in by_keys.probabilities], rel=1e-5)
    # The same rows as Arrow IPC both ways.
    by_arrow = sx.serving.predict(online[["income", "debt_ratio"]], deployment="credit-sdk", arrow=True)
    assert by_arrow.label.tolist() == by_values.label.tolist()
    assert [p[1] for p in by_arrow.probabilities] == pytest.approx([p[1] for p in by_values.probabilities], rel=1e-6)

    again = sx.serving.deploy("credit-sdk", model_name="credit", alias="staging", description="updated")
    assert again.description == "updated"
    decisions = list(sx.policy.iter_decisions(deployment_name="credit-sdk"))
    assert decisions and all(d.subject.deployment_name == "credit-sdk" for d in decisions)


@pytest.fixture(scope="module")
def tiny(sx: Sextant, tmp_path_factory: pytest.TempPathFactory) -> registry_resources.ModelVersion:
    """A tiny ONNX classifier uploaded from a file."""
    sx.registry.create_model("tiny", owner_team="ml", domain="marketing")
    path = tmp_path_factory.mktemp("tiny") / "tiny.onnx"
    path.write_bytes(tiny_onnx())
    return sx.registry.upload_model("tiny", path, metrics={"auc": 0.9})


def test_upload_model_streams_the_artifact_with_its_checksum(
        sx: Sextant, tiny: registry_resources.ModelVersion) -> None:
    assert tiny.status == registry_resources.MODEL_VERSION_STATUS_READY
    assert tiny.artifact_sha256 == hashlib.sha256(tiny_onnx()).hexdigest()
    assert [i.name for i in tiny.signature.inputs] == ["features"]
    assert sx.registry.download_model("tiny", tiny.version) == tiny_onnx()
    assert sx.registry.upload_model("tiny", tiny_onnx()).version == tiny.version  # same bytes, same version
    assert [v.version for v in sx.registry.iter_versions("tiny")] == [tiny.version]


def test_open_inference_protocol_client_runs_tensors(sx: Sextant, tiny: registry_resources.ModelVersion) -> None:
    rows = np.array([[0.9] * N_FEATURES, [0.1] * N_FEATURES], dtype=np.float32)
    deadline = time.monotonic() + 60
    while True:
        try:
            outputs = sx.inference.infer("tiny", {"features": rows}, version=str(tiny.version))
            break
        except errors.UnavailableError:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert outputs["label"].tolist() == [1, 0]
    assert outputs["probabilities"].shape == (2, 2)
    assert sx.inference.model_ready("tiny", str(tiny.version))


def test_prediction_logs_and_outcomes_from_dataframes(sx: Sextant, trained: tuple[S.TrainingJob, list]) -> None:
    version = trained[0].registered_model_version.version
    predictions = pd.DataFrame({
        "request_id": ["r1", "r2", "r3"], "prediction_time": pd.Timestamp.now(tz="UTC"),
        "predicted_label": ["1", "0", "1"], "probability:1": [0.8, 0.3, 0.6],
        "income": [40.0, 55.5, None], "debt_ratio": [0.2, 0.7, 0.4]})

    logged = sx.monitoring.log_predictions(predictions, model_name="credit", model_version=version)
    assert (logged.accepted_count, logged.rejected_count) == (3, 0)

    outcomes = sx.monitoring.log_outcomes(pd.DataFrame({"request_id": ["r1", "r2"], "label": ["1", "1"]}))
    assert outcomes.accepted_count == 2 and outcomes.rejected_count == 0


def test_policy_apply_is_idempotent_and_listed(sx: Sextant) -> None:
    created = sx.policy.apply_policy("marketing-inputs", MARKETING_POLICY, change_note="sdk")
    assert created.version_created and created.policy.version == 1
    unchanged = sx.policy.apply_policy("marketing-inputs", MARKETING_POLICY)
    assert not unchanged.version_created and unchanged.policy.version == 1
    assert "marketing-inputs" in [p.name for p in sx.policy.iter_policies(page_size=1)]

    with pytest.raises(errors.InvalidArgumentError) as bad:
        sx.policy.apply_policy("broken", "rules: [\n  {id: a, kind: proxy_detection\n")
    assert bad.value.reason == "POLICY_SOURCE_UNPARSABLE"


def test_registering_bytes_still_being_validated_waits_for_their_verdict(sx: Sextant,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """upload_model (wait=True) handed an identical artifact that is still VALIDATING returns it READY."""
    import threading

    release = hold_validation(monkeypatch)
    sx.registry.create_model("held", owner_team="ml", domain="marketing")
    data = tiny_onnx(flip=True)
    first = sx.registry.upload_model("held", data, wait=False)
    assert first.status == registry_resources.MODEL_VERSION_STATUS_VALIDATING
    answers: list[registry_resources.ModelVersion] = []
    waiting = threading.Thread(target=lambda: answers.append(sx.registry.upload_model("held", data)))
    waiting.start()
    try:
        waiting.join(0.6)
        assert waiting.is_alive() and not answers  # still waiting for the validator
    finally:
        release.set()
    waiting.join(30)
    assert [(a.version, a.status) for a in answers] == [(first.version, registry_resources.MODEL_VERSION_STATUS_READY)]
