"""Datasets from a label feature view, and the age probe of empirically derived scoring systems, end to
end against the real feature store, policy and registry servers."""

from __future__ import annotations

from datetime import timedelta

import grpc
import numpy as np
import pyarrow as pa
import pytest
from google.protobuf import field_mask_pb2

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2 as fs_resources
from sextant.policy.v1 import policy_service_pb2, policy_service_pb2_grpc
from sextant.policy.v1 import resources_pb2 as policy_resources
from sextant.registry.v1 import registry_service_pb2 as registry_pb2
from sextant.registry.v1 import resources_pb2 as registry_resources
from sextant.training.v1 import spec_pb2
from sextant.type.v1 import types_pb2
from tests.integration.training.conftest import (
    CUSTOMERS,
    T0,
    Stack,
    StartTraining,
    _ipc,
    entity_rows,
    lending_history,
)
from tests.integration.training.helpers import S, spec, submit, wait_for

LABEL_START = T0 + timedelta(days=60)
#: Entity rows are hourly from LABEL_START; the label view's range keeps the first INCLUDED of them.
INCLUDED = 200


def _version(stack: Stack, model: str, number: int) -> registry_resources.ModelVersion:
    return stack.registry_stub.GetModelVersion(registry_pb2.GetModelVersionRequest(
        model_name=model, version=number, view=registry_resources.MODEL_VERSION_VIEW_FULL), timeout=10).model_version


@pytest.fixture(scope="module")
def label_view(stack: Stack) -> fs_resources.FeatureView:
    """A `loan_outcomes` view holding one `repaid` label per customer, ingested into the feature store."""
    applied = stack.featurestore_stub.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(feature_views=[
        fs_resources.FeatureView(name="loan_outcomes", entities=["customer"], owner_team="collections",
                                 description="whether a loan was repaid", source_kind=fs_resources.SOURCE_KIND_BATCH,
                                 features=[fs_resources.Feature(name="repaid", dtype=types_pb2.DATA_TYPE_INT64)])]),
        timeout=30)
    rows = entity_rows()
    labels = pa.table({"customer_id": rows.column("customer_id"), "event_timestamp": rows.column("event_timestamp"),
                       "repaid": rows.column("approved")})
    stack.featurestore_stub.IngestBatch(iter([
        fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(feature_view="loan_outcomes", ingest_id="labels")),
        fs_pb2.IngestBatchRequest(chunk=types_pb2.ArrowTable(ipc_stream=_ipc(labels)))]), timeout=60)
    return next(v for v in applied.feature_views if v.name == "loan_outcomes")


def test_a_job_trains_on_the_rows_of_a_label_view_and_records_the_view_in_its_lineage(
        stack: Stack, start_training: StartTraining, label_view: fs_resources.FeatureView) -> None:
    _, stub = start_training()
    job_spec = spec("credit-label-view", trials=1, evaluation=False)
    job_spec.label_column = ""
    job_spec.dataset.label_view.label.CopyFrom(types_pb2.FeatureReference(feature_view="loan_outcomes",
                                                                          feature="repaid"))
    job_spec.dataset.label_view.start_time.FromDatetime(LABEL_START)
    # The end is exclusive: the row stamped exactly at it is left out.
    job_spec.dataset.label_view.end_time.FromDatetime(LABEL_START + timedelta(hours=INCLUDED))
    job_spec.evaluation_attributes.add(name="age", feature=types_pb2.FeatureReference(
        feature_view="credit_profile", feature="age"), bin_edges=[62])

    job = submit(stub, job_spec)
    done = wait_for(stub, job.name)

    assert done.state == S.TRAINING_JOB_STATE_SUCCEEDED, (done.state_reason_code, done.state_reason)
    assert done.spec.label_column == "repaid"
    assert done.training_row_count + done.validation_row_count == INCLUDED < CUSTOMERS
    assert sum(g.count for g in done.fairness_results[0].groups) == done.validation_row_count
    label = done.label_feature
    assert (label.reference.feature_view, label.reference.feature) == ("loan_outcomes", "repaid")
    assert (label.resolved_version, label.fingerprint) == (label_view.version, label_view.fingerprint)
    assert len(done.dataset_digest) == 64

    version = _version(stack, "credit-label-view", done.registered_model_version.version)
    assert version.status == registry_resources.MODEL_VERSION_STATUS_READY
    lineage = version.lineage
    assert lineage.label_feature == label and lineage.label_column == "repaid"
    assert lineage.dataset_digest == done.dataset_digest
    assert {f.reference.feature_view for f in lineage.features} == {"credit_profile"}
    assert lineage.data_start_time.ToDatetime() == LABEL_START
    assert lineage.data_end_time.ToDatetime() == LABEL_START + timedelta(hours=INCLUDED - 1)
    # The registry's way of abandoning a PENDING version cannot touch a READY one.
    with pytest.raises(grpc.RpcError) as caught:
        stack.registry_stub.UpdateModelVersion(registry_pb2.UpdateModelVersionRequest(
            model_version=registry_resources.ModelVersion(model_name="credit-label-view", version=version.version,
                                                          status=registry_resources.MODEL_VERSION_STATUS_FAILED),
            update_mask=field_mask_pb2.FieldMask(paths=["status"])), timeout=10)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert _version(stack, "credit-label-view", version.version).status == registry_resources.MODEL_VERSION_STATUS_READY


def test_a_label_view_the_feature_store_does_not_know_fails_the_job(start_training: StartTraining) -> None:
    _, stub = start_training()
    job_spec = spec("credit-no-labels", trials=1, evaluation=False)
    job_spec.label_column = ""
    job_spec.dataset.label_view.label.CopyFrom(types_pb2.FeatureReference(feature_view="no_such_view",
                                                                          feature="repaid"))
    done = wait_for(stub, submit(stub, job_spec).name)
    assert done.state == S.TRAINING_JOB_STATE_FAILED
    assert done.state_reason_code == "UNKNOWN_LABEL_FEATURE" and "no_such_view" in done.state_reason


EDSS_POLICY = """\
scope:
  domains: [credit-edss]
default_mode: enforce
rules:
  - id: no-protected-inputs
    kind: prohibited_inputs
    prohibited_inputs:
      allow_age_for_empirically_derived_scoring: true
      elderly_age_threshold: 62
"""


@pytest.fixture(scope="module")
def edss_policy(stack: Stack) -> None:
    """A policy allowing age as an input of empirically derived scoring systems in domain `credit-edss`."""
    channel = grpc.insecure_channel(stack.policy.address)
    try:
        policy_service_pb2_grpc.PolicyServiceStub(channel).CreatePolicy(policy_service_pb2.CreatePolicyRequest(
            policy=policy_resources.Policy(name="edss", format=policy_resources.POLICY_FORMAT_YAML,
                                           source=EDSS_POLICY)), timeout=10)
    finally:
        channel.close()


def _rows_where_age_moves_approval(effect: float) -> pa.Table:
    """Entity rows whose label rises (effect > 0) or falls (effect < 0) with the applicant's age."""
    history = lending_history().to_pandas().groupby("customer_id").last()
    rng = np.random.default_rng(8)
    score = (history.income.to_numpy() - 50) / 15 - 2 * history.debt_ratio.to_numpy() + \
        effect * (history.age.to_numpy() - 50) / 15 + rng.normal(0, 0.3, CUSTOMERS)
    rows = entity_rows()
    return rows.set_column(rows.column_names.index("approved"), "approved",
                           pa.array((score > np.median(score)).astype(np.int64)))


def _age_job(model: str, effect: float) -> spec_pb2.TrainingJobSpec:
    job_spec = spec(model, domain="credit-edss", features=("income", "debt_ratio", "age"), trials=1,
                    evaluation=False, estimator=spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION, hyperparameters={},
                    rows=_rows_where_age_moves_approval(effect), empirically_derived_scoring_system=True)
    job_spec.split.random.seed = 4  # the time split would hold out the last customers, not a mix of ages
    return job_spec


def test_the_age_probe_recorded_at_training_decides_the_promotion_of_an_empirically_derived_system(
        stack: Stack, start_training: StartTraining, edss_policy: None) -> None:
    _, stub = start_training()
    # Two jobs at once (the server runs two concurrently): older applicants favoured, and penalised.
    favoured = submit(stub, _age_job("edss-older-favoured", 1.5))
    penalised = submit(stub, _age_job("edss-older-penalised", -1.5))

    for job, allowed in ((favoured, True), (penalised, False)):
        done = wait_for(stub, job.name)
        assert done.state == S.TRAINING_JOB_STATE_SUCCEEDED, (done.state_reason_code, done.state_reason)
        [probe] = done.age_probe_results
        assert probe.feature == "credit_profile:age" and probe.age_threshold == 62 and probe.dataset == "holdout"
        assert probe.rows_probed > 0 and probe.method.startswith("counterfactual_reference_age_")
        model = done.spec.model_name
        version = _version(stack, model, done.registered_model_version.version)
        assert list(version.lineage.age_probe_results) == [probe]
        assert version.lineage.empirically_derived_scoring_system

        promote = registry_pb2.SetAliasRequest(model_name=model, alias="production", version=version.version,
                                               reason="probe checked")
        if allowed:
            assert probe.negative_contribution_rows == 0 and probe.min_contribution > 0
            alias = stack.registry_stub.SetAlias(promote, timeout=30).alias
            assert alias.version == version.version and alias.decision_id
        else:
            assert probe.negative_contribution_rows == probe.rows_probed and probe.min_contribution < 0
            assert any("age probe" in w for w in done.warnings), done.warnings
            with pytest.raises(grpc.RpcError) as caught:
                stack.registry_stub.SetAlias(promote, timeout=30)
            assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "age" in caught.value.details()
