"""The training client: submit a job, watch its progress events, wait for its end, list jobs and runs."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from google.protobuf import duration_pb2

from sextant.client import tabular
from sextant.client._base import WATCH_TIMEOUT_SECONDS, ServiceClient
from sextant.client.definitions import enum_value
from sextant.client.featurestore import FeatureSelectionLike, feature_selection
from sextant.training.v1 import resources_pb2, spec_pb2
from sextant.training.v1 import training_service_pb2 as pb
from sextant.training.v1 import training_service_pb2_grpc as pb_grpc
from sextant.type.v1 import model_pb2, types_pb2

#: States after which a job never changes again.
TERMINAL_STATES = frozenset({
    resources_pb2.TRAINING_JOB_STATE_SUCCEEDED, resources_pb2.TRAINING_JOB_STATE_FAILED,
    resources_pb2.TRAINING_JOB_STATE_CANCELLED, resources_pb2.TRAINING_JOB_STATE_REJECTED_BY_POLICY})

#: Entity rows larger than this go through UploadEntityRows instead of inline in the spec.
INLINE_ROWS_BYTES = 3 * 1024 * 1024


def state_name(state: int) -> str:
    """``SUCCEEDED`` for ``TRAINING_JOB_STATE_SUCCEEDED``."""
    return resources_pb2.TrainingJobState.Name(state).removeprefix("TRAINING_JOB_STATE_")


def _value(value: Any) -> types_pb2.Value:
    if isinstance(value, bool):
        return types_pb2.Value(bool_value=value)
    if isinstance(value, int):
        return types_pb2.Value(int64_value=value)
    if isinstance(value, float):
        return types_pb2.Value(double_value=value)
    return types_pb2.Value(string_value=str(value))


def training_spec(*, model_name: str, features: FeatureSelectionLike, label_column: str,
                  task: str | int = "binary_classification", estimator: str | int = "gradient_boosting",
                  hyperparameters: Mapping[str, Any] | None = None, owner_team: str = "", domain: str = "",
                  experiment: str = "", description: str = "", timeout: timedelta | None = None,
                  entity_rows: tabular.Tabular | None = None, entity_rows_digest: str = "",
                  event_timestamp_column: str = "", **fields: Any) -> spec_pb2.TrainingJobSpec:
    """A ``TrainingJobSpec`` from keyword arguments; text forms of enums are accepted (``regression``,
    ``random_forest``). Other spec fields (``search``, ``split``, ``evaluation_attributes`` …) pass
    through ``fields`` as messages."""
    spec = spec_pb2.TrainingJobSpec(
        model_name=model_name, features=feature_selection(features), label_column=label_column,
        task=enum_value(model_pb2.ModelTask, "MODEL_TASK_", task, "task"), owner_team=owner_team, domain=domain,
        experiment=experiment, description=description, **fields)
    spec.model.estimator = enum_value(spec_pb2.Estimator, "ESTIMATOR_", estimator, "estimator")
    for name, value in (hyperparameters or {}).items():
        spec.model.hyperparameters[name].CopyFrom(_value(value))
    if entity_rows is not None:
        spec.dataset.entity_rows.CopyFrom(tabular.arrow_message(entity_rows))
    elif entity_rows_digest:
        spec.dataset.entity_rows_digest = entity_rows_digest
    spec.dataset.event_timestamp_column = event_timestamp_column
    if timeout is not None:
        spec.timeout.CopyFrom(duration_pb2.Duration(seconds=int(timeout.total_seconds())))
    return spec


class TrainingClient(ServiceClient):
    """Client of ``sextant.training.v1.TrainingService``."""

    SERVICE = "training"
    STUB = pb_grpc.TrainingServiceStub
    DESCRIPTOR = pb.DESCRIPTOR.services_by_name["TrainingService"]

    def submit(self, spec: spec_pb2.TrainingJobSpec | None = None, *, idempotency_key: str = "",
               timeout: float | None = None, **spec_fields: Any) -> resources_pb2.TrainingJob:
        """Queue a training job from a spec message or the keywords of :func:`training_spec`; returns
        the job as queued (a policy refusal shows later as REJECTED_BY_POLICY). Inline entity rows
        too large for one message are uploaded first."""
        if spec is None:
            spec = training_spec(**spec_fields)
        elif spec_fields:
            raise TypeError("pass either a spec or its fields, not both")
        rows = spec.dataset.entity_rows.ipc_stream
        if len(rows) > INLINE_ROWS_BYTES:
            spec = spec_pb2.TrainingJobSpec.FromString(spec.SerializeToString())
            spec.dataset.entity_rows_digest = self.upload_entity_rows(tabular.decode_ipc(rows)).entity_rows_digest
        request = pb.SubmitTrainingJobRequest(spec=spec, idempotency_key=idempotency_key)
        return self._call("SubmitTrainingJob", request, timeout).job

    def upload_entity_rows(self, rows: tabular.Tabular, *,
                           timeout: float | None = None) -> pb.UploadEntityRowsResponse:
        """Store entity rows too large for an inline spec; use the answer's digest in a spec."""
        table = tabular.to_arrow(rows)
        messages = (pb.UploadEntityRowsRequest(rows=types_pb2.ArrowTable(ipc_stream=tabular.encode_ipc(chunk)))
                    for chunk in tabular.chunks(table, INLINE_ROWS_BYTES // 2))
        return self._call("UploadEntityRows", messages, self._bulk(timeout))

    def rerun(self, job_id: str, *, reason: str = "", timeout: float | None = None) -> resources_pb2.TrainingJob:
        """Queue a new job with the recorded spec of an earlier one."""
        return self._call("RerunTrainingJob", pb.RerunTrainingJobRequest(job_id=job_id, reason=reason), timeout).job

    def get_job(self, name: str, *, timeout: float | None = None) -> resources_pb2.TrainingJob:
        """One job with its state, policy outcome, progress and results."""
        return self._call("GetTrainingJob", pb.GetTrainingJobRequest(name=name), timeout).job

    def iter_jobs(self, *, model_name: str = "", experiment: str = "", owner_team: str = "",
                  states: Sequence[int] = (), page_size: int = 0,
                  timeout: float | None = None) -> Iterator[resources_pb2.TrainingJob]:
        """Every job matching the filters, page after page."""
        request = pb.ListTrainingJobsRequest(model_name=model_name, experiment=experiment, owner_team=owner_team,
                                             states=list(states), page_size=page_size)
        return self._pages("ListTrainingJobs", request, "jobs", timeout)

    def cancel(self, name: str, *, reason: str = "", timeout: float | None = None) -> resources_pb2.TrainingJob:
        """Ask a job to stop."""
        return self._call("CancelTrainingJob", pb.CancelTrainingJobRequest(name=name, reason=reason), timeout).job

    def watch(self, name: str, *, after_revision: int = 0,
              timeout: float | None = None) -> Iterator[Any]:
        """The job's progress events (``TrainingJobEvent``) in order, ending after its terminal state."""
        request = pb.WatchTrainingJobRequest(name=name, after_revision=after_revision)
        deadline = timeout if timeout is not None else WATCH_TIMEOUT_SECONDS
        return (message.event for message in self._stream("WatchTrainingJob", request, deadline))

    def wait(self, name: str, *, timeout: float = 3600.0, poll_interval: float = 0.5) -> resources_pb2.TrainingJob:
        """The job once it has ended (any terminal state); raises ``TimeoutError`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get_job(name)
            if job.state in TERMINAL_STATES:
                return job
            if time.monotonic() > deadline:
                raise TimeoutError(f"training job {name} is still {state_name(job.state)} after {timeout:.0f}s")
            time.sleep(poll_interval)

    def iter_runs(self, *, experiment: str = "", job_id: str = "", best_only: bool = False, page_size: int = 0,
                  timeout: float | None = None) -> Iterator[resources_pb2.Run]:
        """The runs (trials) of an experiment or job, page after page."""
        request = pb.ListRunsRequest(experiment=experiment, job_id=job_id, best_only=best_only, page_size=page_size)
        return self._pages("ListRuns", request, "runs", timeout)
