"""The persisted life of training jobs: every change of a job is one write transaction that stores
the job and appends its progress event to the outbox, so WatchTrainingJob never misses a change and
a restarted server finds every job where it was left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from services.common.db import Database
from services.common.errors import NotFound
from services.common.events import EventOutbox
from services.training import repository
from sextant.training.v1 import events_pb2, resources_pb2

S = resources_pb2
EVENT_KIND = "training.job_event"
TERMINAL_STATES = frozenset({S.TRAINING_JOB_STATE_SUCCEEDED, S.TRAINING_JOB_STATE_FAILED,
                             S.TRAINING_JOB_STATE_CANCELLED, S.TRAINING_JOB_STATE_REJECTED_BY_POLICY})
RUNNING_STATES = frozenset({S.TRAINING_JOB_STATE_POLICY_CHECK, S.TRAINING_JOB_STATE_FETCHING_DATA,
                            S.TRAINING_JOB_STATE_TRAINING, S.TRAINING_JOB_STATE_EVALUATING,
                            S.TRAINING_JOB_STATE_EXPORTING, S.TRAINING_JOB_STATE_REGISTERING})

Mutation = Callable[[resources_pb2.TrainingJob], Iterable[events_pb2.TrainingJobEvent] | None]


def now() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


def experiment_of(job: resources_pb2.TrainingJob) -> str:
    """The experiment a job's runs are recorded in."""
    return job.spec.experiment or job.spec.model_name


def state_event(job: resources_pb2.TrainingJob, from_state: int, reason: str = "", code: str = ""
                ) -> events_pb2.TrainingJobEvent:
    """A state-changed event for a job that just changed state."""
    change = events_pb2.JobStateChangedEvent(from_state=from_state, to_state=job.state, reason=reason,
                                             reason_code=code, attempt=max(job.attempt_count, 1))
    if from_state == S.TRAINING_JOB_STATE_POLICY_CHECK and job.policy_decision_id:
        change.policy_outcome.CopyFrom(events_pb2.PolicyOutcome(
            decision_id=job.policy_decision_id, verdict=job.policy_verdict, violations=job.violations))
    if job.HasField("registered_model_version"):
        change.registered_model_version.CopyFrom(job.registered_model_version)
    return events_pb2.TrainingJobEvent(kind=events_pb2.TRAINING_JOB_EVENT_KIND_STATE_CHANGED, state_changed=change)


def message_event(text: str, severity: int = events_pb2.MESSAGE_SEVERITY_INFO) -> events_pb2.TrainingJobEvent:
    """A message event."""
    return events_pb2.TrainingJobEvent(kind=events_pb2.TRAINING_JOB_EVENT_KIND_MESSAGE,
                                       message=events_pb2.JobMessageEvent(severity=severity, text=text))


class JobJournal:
    """Reads and writes jobs and runs, appending their events in the same transaction."""

    def __init__(self, database: Database, outbox: EventOutbox) -> None:
        self._db = database
        self._outbox = outbox

    def create(self, job: resources_pb2.TrainingJob, idempotency_key: str, spec_digest: str,
               experiment: resources_pb2.Experiment | None) -> resources_pb2.TrainingJob:
        """Store a new QUEUED job (and its experiment when new) with its first event."""
        with self._db.write() as session:
            if experiment is not None and repository.get_experiment(session, experiment.name) is None:
                repository.insert_experiment(session, experiment)
            repository.touch_experiment(session, experiment_of(job), job.create_time.ToDatetime(tzinfo=UTC))
            job.revision = self._append(session, job, [state_event(job, S.TRAINING_JOB_STATE_UNSPECIFIED)])
            repository.insert_job(session, job, experiment_of(job), idempotency_key, spec_digest)
        return job

    def _append(self, session: object, job: resources_pb2.TrainingJob,
                events: Iterable[events_pb2.TrainingJobEvent]) -> int:
        revision = job.revision
        for event in events:
            event.job_id = job.name
            event.event_time.FromDatetime(now())
            event.progress.CopyFrom(job.progress)
            revision = self._outbox.append(session, EVENT_KIND, job.name, event.SerializeToString())
        return revision

    def get(self, name: str) -> resources_pb2.TrainingJob:
        """A job; NOT_FOUND when unknown."""
        with self._db.read() as session:
            job = repository.get_job(session, name)
        if job is None:
            raise NotFound("training job", name)
        return job

    def mutate(self, name: str, change: Mutation) -> resources_pb2.TrainingJob:
        """Apply ``change`` to the stored job and append the events it returns, atomically."""
        with self._db.write() as session:
            job = repository.get_job(session, name)
            if job is None:
                raise NotFound("training job", name)
            events = list(change(job) or [])
            job.update_time.FromDatetime(now())
            if job.state in TERMINAL_STATES and not job.HasField("end_time"):
                job.end_time.FromDatetime(now())
            job.revision = self._append(session, job, events)
            repository.update_job(session, job, experiment_of(job))
        return job

    def transition(self, name: str, to_state: int, reason: str = "", code: str = "",
                   extra: Callable[[resources_pb2.TrainingJob], None] | None = None) -> resources_pb2.TrainingJob:
        """Move a job to ``to_state`` with a reason (``extra`` edits the job in the same transaction)."""
        def change(job: resources_pb2.TrainingJob) -> list[events_pb2.TrainingJobEvent]:
            from_state = job.state
            job.state = to_state
            job.state_reason = reason
            job.state_reason_code = code
            if extra is not None:
                extra(job)
            return [state_event(job, from_state, reason, code)]
        return self.mutate(name, change)

    def put_run(self, run: resources_pb2.Run, job_change: Mutation | None = None) -> None:
        """Store a run, and optionally change its job (with events) in the same transaction."""
        with self._db.write() as session:
            repository.put_run(session, run)
            if job_change is not None:
                job = repository.get_job(session, run.job_id)
                if job is not None:
                    events = list(job_change(job) or [])
                    job.update_time.FromDatetime(now())
                    job.revision = self._append(session, job, events)
                    repository.update_job(session, job, experiment_of(job))

    def jobs_in_states(self, states: Iterable[int]) -> list[resources_pb2.TrainingJob]:
        """Every job in one of the states, oldest first."""
        with self._db.read() as session:
            return repository.jobs_in_states(session, [S.TrainingJobState.Name(s) for s in states])
