"""Registration of a trained model in the registry: the model (created when new), a version with its
signature, metrics, params and full lineage, then the ONNX artifact (the version turns READY)."""

from __future__ import annotations

import hashlib
import time
from typing import NoReturn

from services.common.errors import SextantError
from services.training import profile as profiles
from services.training.dataset import TrainingData
from services.training.peers import Peers
from services.training.spec import TrainingPlan
from services.training.work import Evaluated, Exported
from sextant.registry.v1 import resources_pb2 as registry
from sextant.training.v1 import resources_pb2
from sextant.type.v1 import model_pb2, types_pb2

T = types_pb2

#: How long a job waits for the registry's validator to settle a VALIDATING version.
VALIDATION_WAIT_SECONDS = 300.0


class RegistrationFailed(SextantError):
    """The model could not be registered; the job fails with reason ``REGISTRATION_FAILED``."""

    default_reason = "REGISTRATION_FAILED"


def signature(job: resources_pb2.TrainingJob, data: TrainingData, plan: TrainingPlan) -> T.ModelSignature:
    """Inputs named by the feature columns (with their features), outputs, class labels."""
    out = T.ModelSignature()
    by_index = list(job.resolved_features)
    for i, column in enumerate(data.features.columns):
        spec = T.TensorSpec(name=column, shape=[-1, 1], dtype=T.DATA_TYPE_STRING if column in
                            data.categorical_columns else T.DATA_TYPE_FLOAT32)
        if i < len(by_index):
            reference = by_index[i].reference
            spec.feature.CopyFrom(T.FeatureReference(feature_view=reference.feature_view, feature=reference.feature,
                                                     version=by_index[i].resolved_version))
        out.inputs.append(spec)
    if plan.is_classification:
        label_type = T.DATA_TYPE_INT64 if data.class_values.dtype.kind == "i" else T.DATA_TYPE_STRING
        out.outputs.extend([T.TensorSpec(name="label", dtype=label_type, shape=[-1]),
                            T.TensorSpec(name="probabilities", dtype=T.DATA_TYPE_FLOAT32,
                                         shape=[-1, len(data.class_labels)])])
        out.class_labels.extend(data.class_labels)
    else:
        out.outputs.append(T.TensorSpec(name="variable", dtype=T.DATA_TYPE_FLOAT32, shape=[-1, 1]))
    return out


def profile_proto(profile: profiles.Profile, data: TrainingData) -> T.DatasetProfile:
    """The reference profile as the shared DatasetProfile."""
    out = T.DatasetProfile(row_count=profile.row_count)
    for column in profile.columns:
        dtype = (T.DATA_TYPE_FLOAT32 if column.numeric else T.DATA_TYPE_STRING)
        if column.name == "label" and data.class_values.dtype.kind == "i":
            dtype = T.DATA_TYPE_INT64
        item = T.ColumnProfile(name=column.name, dtype=dtype, count=column.count, null_count=column.null_count,
                               mean=column.mean, std=column.std, min=column.minimum, max=column.maximum,
                               quantiles=list(column.quantiles), distinct_count=column.distinct_count)
        if column.quantiles:
            item.quantile_probabilities.extend(profiles.QUANTILES)
        item.histogram.extend(T.HistogramBin(lower=lo, upper=hi, count=n) for lo, hi, n in column.histogram)
        item.top_categories.extend(T.CategoryCount(value=v, count=n) for v, n in column.top_categories)
        out.columns.append(item)
    out.create_time.GetCurrentTime()
    return out


def register_model(peers: Peers, job: resources_pb2.TrainingJob, data: TrainingData, plan: TrainingPlan,
                   evaluated: Evaluated, exported: Exported, best_run: str, params: dict[str, object],
                   owner_team: str, domain: str) -> model_pb2.ModelVersionReference:
    """Create (if needed) the model, create the version with lineage, upload the artifact."""
    spec = job.spec
    if peers.get_model(spec.model_name) is None:
        peers.create_model(registry.RegisteredModel(name=spec.model_name, owner_team=owner_team, domain=domain,
                                                    description=spec.description))
    sha256 = hashlib.sha256(exported.onnx).hexdigest()
    times = data.times
    lineage = registry.Lineage(
        training_job_id=job.name, run_id=best_run, experiment=spec.experiment or spec.model_name,
        dataset_digest=job.dataset_digest, features=job.resolved_features,
        feature_service=spec.features.feature_service, label_column=spec.label_column,
        policy_decision_id=job.policy_decision_id, parity_report=job.parity_report,
        fairness_results=job.fairness_results, reference_profile=profile_proto(evaluated.profile, data),
        training_row_count=len(data.train_index), validation_row_count=len(data.holdout_index),
        empirically_derived_scoring_system=spec.empirically_derived_scoring_system,
        favorable_label=(spec.favorable_label or (data.class_labels[-1] if data.class_labels else "")),
        age_probe_results=job.age_probe_results)
    if job.HasField("label_feature"):
        lineage.label_feature.CopyFrom(job.label_feature)
    lineage.data_start_time.FromDatetime(times.min().astype("datetime64[us]").item())
    lineage.data_end_time.FromDatetime(times.max().astype("datetime64[us]").item())
    version = registry.ModelVersion(
        model_name=spec.model_name, description=spec.description, format=registry.MODEL_FORMAT_ONNX,
        task=spec.task, signature=signature(job, data, plan), metrics=evaluated.metrics,
        params={k: str(v) for k, v in params.items()}, tags=dict(spec.tags),
        artifact_sha256=sha256, artifact_size_bytes=len(exported.onnx), lineage=lineage)
    try:
        created = peers.create_version(spec.model_name, version)
    except SextantError as error:
        raise RegistrationFailed(f"the registry refused the new version of {spec.model_name!r}: "
                                 f"{error.message}") from None
    number = created.model_version.version
    status = created.model_version.status
    if status == registry.MODEL_VERSION_STATUS_PENDING:
        try:
            status = peers.upload_artifact(spec.model_name, number, sha256, exported.onnx).status
        except SextantError as error:
            # The answer may be lost (a deadline, a dropped stream) while the bytes landed: look.
            status = _status(peers, spec.model_name, number)
            if status not in (registry.MODEL_VERSION_STATUS_READY, registry.MODEL_VERSION_STATUS_VALIDATING):
                _abandon(peers, job, number, error)
    if status == registry.MODEL_VERSION_STATUS_VALIDATING:
        # The same bytes were uploaded before (or the wait ran out): the registry's validator decides.
        status = _settled(peers, spec.model_name, number)
    if status != registry.MODEL_VERSION_STATUS_READY:
        raise RegistrationFailed(f"version {number} of {spec.model_name!r} did not turn READY (it is "
                                 f"{registry.ModelVersionStatus.Name(status)})",
                                 metadata={"model_name": spec.model_name, "version": number})
    return model_pb2.ModelVersionReference(model_name=spec.model_name, version=number)


def _status(peers: Peers, name: str, number: int) -> int:
    """The version's status now (UNSPECIFIED when it cannot be read)."""
    try:
        current = peers.get_version(name, number)
    except SextantError:
        return registry.MODEL_VERSION_STATUS_UNSPECIFIED
    return current.status if current is not None else registry.MODEL_VERSION_STATUS_UNSPECIFIED


def _settled(peers: Peers, name: str, number: int, timeout: float = VALIDATION_WAIT_SECONDS) -> int:
    """Poll a VALIDATING version until the registry's validator turns it READY or FAILED (bounded); a read
    that fails (the registry restarting, which requeues the validation) is retried, not taken as an answer."""
    deadline = time.monotonic() + timeout
    status = _status(peers, name, number)
    unsettled = (registry.MODEL_VERSION_STATUS_VALIDATING, registry.MODEL_VERSION_STATUS_UNSPECIFIED)
    while status in unsettled and time.monotonic() < deadline:
        time.sleep(0.2)
        status = _status(peers, name, number)
    return status


def _abandon(peers: Peers, job: resources_pb2.TrainingJob, number: int, error: SextantError) -> NoReturn:
    """Mark the PENDING version FAILED (it would otherwise wait for an artifact forever) and fail the job."""
    name = job.spec.model_name
    reason = f"training job {job.name} could not upload the artifact: {error.message}"
    try:
        peers.fail_version(name, number, reason[:2000])
        outcome = "the version was marked FAILED"
    except SextantError as cleanup:
        outcome = f"marking the version FAILED failed too ({cleanup.message}), so it stays PENDING"
    raise RegistrationFailed(f"uploading the artifact of {name!r} version {number} failed: {error.message}; "
                             f"{outcome}", metadata={"model_name": name, "version": number}) from None

