"""The training service's domain object: submit, read, list, cancel and watch jobs; experiments and
runs. Transport-agnostic: the servicer converts requests and calls these methods."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from services.common.db import Database
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.events import EventOutbox
from services.common.pagination import next_page_token, page_request
from services.training import journal as J
from services.training import repository
from services.training.entity_rows import EntityRowsStore, decode
from services.training.peers import Peers
from services.training.runner import JobRunner
from services.training.spec import NAME_PATTERN, validate_spec
from sextant.training.v1 import events_pb2, resources_pb2, spec_pb2
from sextant.type.v1 import model_pb2

S = resources_pb2
IDEMPOTENCY_WINDOW = timedelta(hours=24)


class TrainingJobs:
    """Jobs, experiments and runs."""

    def __init__(self, database: Database, outbox: EventOutbox, journal: J.JobJournal, runner: JobRunner,
                 rows: EntityRowsStore, peers: Peers, *, max_trials: int, target_opset: int, max_entity_rows: int,
                 dispatcher_kind: int) -> None:
        self._db = database
        self._peers = peers
        self._outbox = outbox
        self._journal = journal
        self._runner = runner
        self._rows = rows
        self._max_trials = max_trials
        self._target_opset = target_opset
        self._max_entity_rows = max_entity_rows
        self._dispatcher_kind = dispatcher_kind

    # -- jobs ----------------------------------------------------------------------------------
    def submit(self, spec: spec_pb2.TrainingJobSpec, idempotency_key: str, principal: str,
               origin: resources_pb2.JobOrigin | None = None) -> resources_pb2.TrainingJob:
        """Validate and store a QUEUED job, then schedule it (``origin``: how it came to exist, default
        SUBMITTED)."""
        plan = validate_spec(spec, max_trials=self._max_trials, target_opset=self._target_opset)
        origin = origin or resources_pb2.JobOrigin(kind=S.JOB_ORIGIN_KIND_SUBMITTED)
        identity = spec.SerializeToString(deterministic=True)
        if origin.kind != S.JOB_ORIGIN_KIND_SUBMITTED:
            # A rerun's idempotency covers its source, alert and reason too.
            identity += origin.SerializeToString(deterministic=True)
        digest = hashlib.sha256(identity).hexdigest()
        if idempotency_key:
            with self._db.read() as session:
                found = repository.job_by_idempotency_key(session, principal, idempotency_key,
                                                          datetime.now(UTC) - IDEMPOTENCY_WINDOW)
            if found is not None:
                if found[1] != digest:
                    raise InvalidArgument("idempotency_key", "a key not used before with a different spec",
                                          reason="IDEMPOTENCY_KEY_REUSED")
                return found[0]
        normalized = spec_pb2.TrainingJobSpec()
        normalized.CopyFrom(spec)
        self._store_rows(normalized)
        output_names = _output_names(spec)
        if output_names is not None:
            for i, column in enumerate(spec.model.preprocessing.categorical_columns):
                if column not in output_names:
                    raise InvalidArgument(f"spec.model.preprocessing.categorical_columns[{i}]",
                                          f"a feature column ({', '.join(output_names)}), got {column!r}")
        normalized.experiment = normalized.experiment or normalized.model_name
        normalized.search.optimize_metric = plan.metric
        normalized.search.cv_folds = plan.cv_folds
        if plan.strategy != "single":
            normalized.search.n_trials = plan.n_trials
        if not normalized.dataset.event_timestamp_column:
            normalized.dataset.event_timestamp_column = "event_timestamp"
        job = resources_pb2.TrainingJob(
            name=f"tj-{secrets.token_hex(4)}", spec=normalized, state=S.TRAINING_JOB_STATE_QUEUED,
            principal=principal, dispatcher=S.DISPATCHER_UNSPECIFIED,
            progress=resources_pb2.TrainingProgress(total_trials=plan.n_trials, optimize_metric=plan.metric),
            origin=origin)
        stamp = datetime.now(UTC)
        job.create_time.FromDatetime(stamp)
        job.update_time.FromDatetime(stamp)
        experiment = resources_pb2.Experiment(name=normalized.experiment, owner_team=normalized.owner_team,
                                              creator=principal)
        experiment.create_time.FromDatetime(stamp)
        experiment.update_time.FromDatetime(stamp)
        job = self._journal.create(job, idempotency_key, digest, experiment)
        self._runner.enqueue(job.name)
        return job

    def rerun(self, source_job_id: str, source_version: model_pb2.ModelVersionReference | None,
              dataset: spec_pb2.TrainingDataset | None, idempotency_key: str, alert_id: str, reason: str,
              principal: str) -> resources_pb2.TrainingJob:
        """Queue a new job with the recorded (normalised) spec of an earlier job, named directly or through
        the lineage of the model version it registered; ``dataset`` replaces the recorded dataset."""
        origin = resources_pb2.JobOrigin(kind=S.JOB_ORIGIN_KIND_RERUN, alert_id=alert_id, reason=reason)
        if source_version is not None:
            if not source_version.model_name or source_version.version < 1:
                raise InvalidArgument("model_version", "a model name and a version number of 1 or more")
            version = self._peers.get_version(source_version.model_name, source_version.version)
            label = f"{source_version.model_name}/{source_version.version}"
            if version is None:
                raise NotFound("model version", label)
            if not version.lineage.training_job_id:
                raise NotFound("training job", f"(none in the lineage of model version {label})",
                               reason="NO_TRAINING_JOB_IN_LINEAGE")
            source_job_id = version.lineage.training_job_id
            origin.source_model_version.CopyFrom(source_version)
        elif not source_job_id:
            raise InvalidArgument("job_id", "the id of an earlier job, or a model_version")
        source = self._journal.get(source_job_id)
        origin.source_job_id = source.name
        spec = spec_pb2.TrainingJobSpec()
        spec.CopyFrom(source.spec)
        if dataset is not None:
            spec.dataset.CopyFrom(dataset)
            if dataset.WhichOneof("source") == "label_view":
                spec.label_column = ""  # the label feature's name, filled in at submit
        try:
            return self.submit(spec, idempotency_key, principal, origin)
        except InvalidArgument as error:
            if dataset is not None and error.field.startswith("spec.dataset"):
                expected = error.message[len(error.field) + 2:]
                raise InvalidArgument(error.field.removeprefix("spec."), expected, reason=error.reason) from None
            raise

    def _store_rows(self, spec: spec_pb2.TrainingJobSpec) -> None:
        dataset = spec.dataset
        if dataset.WhichOneof("source") == "label_view":
            # The rows are read when the job runs; the label column is the label feature's name.
            spec.label_column = dataset.label_view.label.feature
            return
        if dataset.WhichOneof("source") == "entity_rows_digest":
            if not self._rows.exists(dataset.entity_rows_digest):
                raise InvalidArgument("spec.dataset.entity_rows_digest", "the digest of rows stored with "
                                                                         "UploadEntityRows", reason="UNKNOWN_DIGEST")
            table = self._rows.get(dataset.entity_rows_digest)
        else:
            payload = dataset.entity_rows.ipc_stream
            table = decode(payload, "spec.dataset.entity_rows")
        timestamp_column = dataset.event_timestamp_column or "event_timestamp"
        if table.num_rows == 0:
            raise InvalidArgument("spec.dataset.entity_rows", "at least one row", reason="EMPTY_TRAINING_SET")
        if table.num_rows > self._max_entity_rows:
            raise InvalidArgument("spec.dataset.entity_rows", f"at most {self._max_entity_rows} rows")
        if spec.label_column not in table.column_names:
            raise InvalidArgument("spec.label_column", f"a column of the entity rows ({', '.join(table.column_names)})"
                                                       f", got {spec.label_column!r}", reason="LABEL_COLUMN_MISSING")
        if timestamp_column not in table.column_names:
            raise InvalidArgument("spec.dataset.event_timestamp_column",
                                  f"a column of the entity rows, got {timestamp_column!r}")
        for i, attribute in enumerate(spec.evaluation_attributes):
            if attribute.WhichOneof("source") == "entity_column" and attribute.entity_column not in table.column_names:
                raise InvalidArgument(f"spec.evaluation_attributes[{i}].entity_column",
                                      f"a column of the entity rows, got {attribute.entity_column!r}")
        if dataset.WhichOneof("source") == "entity_rows":
            stored = self._rows.put(dataset.entity_rows.ipc_stream, table)
            dataset.entity_rows_digest = stored.digest

    def get(self, name: str) -> resources_pb2.TrainingJob:
        """One job."""
        return self._journal.get(name)

    def list_jobs(self, *, page_size: int, page_token: str, states: Sequence[int], experiment: str, model_name: str,
             principal: str, owner_team: str, start: datetime | None, end: datetime | None, order_by: str
             ) -> tuple[list[resources_pb2.TrainingJob], str]:
        """A page of jobs ordered by create, update or end time (a job not ended yet sorts as ending last)."""
        column, descending = _parse_order(order_by, "create_time desc", repository.JOB_ORDER_COLUMNS)
        order = f"{column} desc" if descending else column
        filters = {"states": sorted(states), "experiment": experiment, "model_name": model_name,
                   "principal": principal, "owner_team": owner_team, "start": start, "end": end, "order": order}
        page = page_request(page_size, page_token, filters, default=50, maximum=500)
        with self._db.read() as session:
            jobs = repository.list_jobs(
                session, states=[S.TrainingJobState.Name(s) for s in states], experiment=experiment,
                model_name=model_name, principal=principal, owner_team=owner_team, start=start, end=end,
                order_column=column, descending=descending, after=_after(page.after), limit=page.size + 1)
        more = len(jobs) > page.size
        jobs = jobs[:page.size]
        last = (repository.job_order_value(jobs[-1], column).isoformat(), jobs[-1].name) if more else None
        return jobs, next_page_token(last, filters)

    def cancel(self, name: str, reason: str) -> resources_pb2.TrainingJob:
        """Ask a job to stop: a queued job is cancelled now, a running one within seconds."""
        text = reason or "cancelled by a user"

        def change(job: resources_pb2.TrainingJob) -> list[events_pb2.TrainingJobEvent]:
            if job.state == S.TRAINING_JOB_STATE_CANCELLED or (job.cancel_requested and
                                                               job.state not in J.TERMINAL_STATES):
                return []
            if job.state in J.TERMINAL_STATES:
                raise FailedPrecondition(f"job {name} already ended in "
                                         f"{S.TrainingJobState.Name(job.state)}", reason="JOB_ALREADY_ENDED",
                                         metadata={"job": name, "state": S.TrainingJobState.Name(job.state)})
            if job.state == S.TRAINING_JOB_STATE_REGISTERING:
                raise FailedPrecondition(f"job {name} is registering its model and can no longer be cancelled",
                                         reason="JOB_REGISTERING", metadata={"job": name})
            job.cancel_requested = True
            if job.state == S.TRAINING_JOB_STATE_QUEUED:
                from_state = job.state
                job.state = S.TRAINING_JOB_STATE_CANCELLED
                job.state_reason, job.state_reason_code = text, "CANCELLED_BY_USER"
                return [J.state_event(job, from_state, text, "CANCELLED_BY_USER")]
            return [J.message_event(f"cancellation requested: {text}", events_pb2.MESSAGE_SEVERITY_WARNING)]
        job = self._journal.mutate(name, change)
        if job.state not in J.TERMINAL_STATES:
            self._runner.cancel(name, text)
        return job

    def watch(self, name: str, after_revision: int, is_active: Callable[[], bool]
              ) -> Iterator[events_pb2.TrainingJobEvent]:
        """The job's events after a revision, then live ones, until its terminal event."""
        if after_revision < 0:
            raise InvalidArgument("after_revision", "0 or a revision returned earlier")
        job = self._journal.get(name)
        if job.state in J.TERMINAL_STATES and job.revision <= after_revision:
            return
        for stored in self._outbox.follow(after_revision, kinds=[J.EVENT_KIND], is_active=is_active):
            if stored.subject != name:
                continue
            event = events_pb2.TrainingJobEvent.FromString(stored.payload)
            event.revision = stored.revision
            yield event
            if event.HasField("state_changed") and event.state_changed.to_state in J.TERMINAL_STATES:
                return

    # -- experiments and runs ------------------------------------------------------------------
    def create_experiment(self, experiment: resources_pb2.Experiment, principal: str) -> resources_pb2.Experiment:
        """Create an experiment; ALREADY_EXISTS when the name is taken."""
        if not NAME_PATTERN.match(experiment.name):
            raise InvalidArgument("experiment.name", f"a name matching {NAME_PATTERN.pattern}")
        stored = resources_pb2.Experiment(name=experiment.name, description=experiment.description,
                                          owner_team=experiment.owner_team, tags=experiment.tags, creator=principal)
        stamp = datetime.now(UTC)
        stored.create_time.FromDatetime(stamp)
        stored.update_time.FromDatetime(stamp)
        with self._db.write() as session:
            if repository.get_experiment(session, experiment.name) is not None:
                raise AlreadyExists(f"experiment {experiment.name} already exists", metadata={"name": experiment.name})
            repository.insert_experiment(session, stored)
        return stored

    def get_experiment(self, name: str) -> resources_pb2.Experiment:
        """One experiment."""
        with self._db.read() as session:
            experiment = repository.get_experiment(session, name)
        if experiment is None:
            raise NotFound("experiment", name)
        return experiment

    def list_experiments(self, *, page_size: int, page_token: str, owner_team: str, name_prefix: str, order_by: str
                         ) -> tuple[list[resources_pb2.Experiment], str]:
        """A page of experiments, filtered by team and name prefix, ordered by name, create or update time."""
        column, descending = _parse_order(order_by, "update_time desc", ("name", "create_time", "update_time"))
        filters = {"owner_team": owner_team, "name_prefix": name_prefix,
                   "order": f"{column} desc" if descending else column}
        page = page_request(page_size, page_token, filters, default=100, maximum=1000)
        with self._db.read() as session:
            experiments = repository.list_experiments(
                session, owner_team=owner_team, name_prefix=name_prefix, order_column=column, descending=descending,
                after=_after(page.after), limit=page.size + 1)
        more = len(experiments) > page.size
        experiments = experiments[:page.size]
        last = None
        if more:
            tail = experiments[-1]
            value = "" if column == "name" else getattr(tail, column).ToDatetime().isoformat()
            last = (value, tail.name)
        return experiments, next_page_token(last, filters)

    def get_run(self, name: str) -> resources_pb2.Run:
        """One run."""
        with self._db.read() as session:
            run = repository.get_run(session, name)
        if run is None:
            raise NotFound("run", name)
        return run

    def list_runs(self, *, page_size: int, page_token: str, experiment: str, job_id: str, statuses: Sequence[int],
                  best_only: bool, order_by: str) -> tuple[list[resources_pb2.Run], str]:
        """A leaderboard page of runs, ordered by any metric."""
        if not experiment and not job_id:
            raise InvalidArgument("experiment", "an experiment or a job_id")
        if experiment:
            self.get_experiment(experiment)
        if job_id:
            self.get(job_id)
        keys = _parse_run_order(order_by)
        filters = {"experiment": experiment, "job_id": job_id, "statuses": sorted(statuses), "best_only": best_only,
                   "order_by": order_by}
        page = page_request(page_size, page_token, filters, default=100, maximum=1000)
        with self._db.read() as session:
            runs = repository.runs(session, experiment=experiment, job_id=job_id,
                                   statuses=[S.RunStatus.Name(s) for s in statuses])
        if best_only:
            runs = [r for r in runs if r.best]
        ranked = sorted(((_run_key(r, keys), r) for r in runs), key=lambda pair: pair[0])
        if page.after is not None:
            after = [tuple(part) for part in page.after]
            ranked = [pair for pair in ranked if list(pair[0]) > after]
        chosen = ranked[:page.size]
        last = tuple(list(part) for part in chosen[-1][0]) if len(ranked) > page.size else None
        return [r for _, r in chosen], next_page_token(last, filters)


def _parse_order(order_by: str, default: str, columns: Sequence[str]) -> tuple[str, bool]:
    words = (order_by.strip() or default).split()
    if len(words) not in (1, 2) or words[0] not in columns or (len(words) == 2 and words[1] not in ("asc", "desc")):
        raise InvalidArgument("order_by", f"one of {', '.join(f'`{c}`' for c in columns)}, optionally followed by "
                                          f"` desc`, got {order_by!r}")
    return words[0], len(words) == 2 and words[1] == "desc"


def _after(after: tuple[object, ...] | None) -> tuple[str, str] | None:
    if after is None:
        return None
    if len(after) != 2 or not all(isinstance(part, str) for part in after):
        raise InvalidArgument("page_token", "a token returned by a previous call")
    try:
        if after[0]:
            datetime.fromisoformat(after[0])
    except ValueError:
        raise InvalidArgument("page_token", "a token returned by a previous call") from None
    return after[0], after[1]


def _output_names(spec: spec_pb2.TrainingJobSpec) -> list[str] | None:
    if spec.features.WhichOneof("selection") != "references":
        return None
    return [f"{r.feature_view}__{r.feature}" if spec.dataset.full_feature_names else r.feature
            for r in spec.features.references.references]


def _parse_run_order(order_by: str) -> list[tuple[str, bool]]:
    keys = []
    for part in (order_by or "start_time").split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise InvalidArgument("order_by", "a comma-separated list of score, metrics.<name>, "
                                              "validation_metrics.<name>, trial_index or start_time, each "
                                              "optionally followed by ` desc`")
        name = words[0]
        if name not in ("score", "trial_index", "start_time") and not name.startswith(("metrics.",
                                                                                        "validation_metrics.")):
            raise InvalidArgument("order_by", f"a known ordering field, got {name!r}")
        keys.append((name, len(words) == 2 and words[1] == "desc"))
    return keys


def _run_key(run: resources_pb2.Run, keys: list[tuple[str, bool]]) -> tuple[tuple[int, float | str], ...]:
    parts: list[tuple[int, float | str]] = []
    for name, descending in keys:
        value: float | str | None
        if name == "score":
            value = run.score if run.status == S.RUN_STATUS_SUCCEEDED else None
        elif name == "trial_index":
            value = float(run.trial_index)
        elif name == "start_time":
            value = run.start_time.ToDatetime().timestamp()
        else:
            table, _, metric = name.partition(".")
            source = run.metrics if table == "metrics" else run.validation_metrics
            value = source.get(metric)
        if value is None:
            parts.append((1, 0.0))
        else:
            parts.append((0, -value if descending else value))
    parts.append((0, run.name))
    return tuple(parts)
