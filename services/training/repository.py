"""The training service's storage: SQLAlchemy Core tables mirroring migration ``training_0001``.

A job, a run and an experiment are each stored as their serialized contract message next to the
columns that listings filter and order on; every method takes the caller's session so that a state
change and its outbox event commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sextant.training.v1 import resources_pb2

metadata = sa.MetaData()

experiments_t = sa.Table(
    "training_experiments", metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("owner_team", sa.String(255), nullable=False),
    sa.Column("create_time", sa.DateTime, nullable=False),
    sa.Column("update_time", sa.DateTime, nullable=False),
    sa.Column("experiment", sa.LargeBinary, nullable=False),
)
jobs_t = sa.Table(
    "training_jobs", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("experiment", sa.String(63), nullable=False),
    sa.Column("model_name", sa.String(63), nullable=False),
    sa.Column("owner_team", sa.String(255), nullable=False),
    sa.Column("principal", sa.String(255), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("create_time", sa.DateTime, nullable=False),
    sa.Column("update_time", sa.DateTime, nullable=False),
    sa.Column("end_time", sa.DateTime, nullable=True),
    sa.Column("attempt_count", sa.Integer, nullable=False),
    sa.Column("cancel_requested", sa.Boolean, nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=False),
    sa.Column("spec_digest", sa.String(64), nullable=False),
    sa.Column("job", sa.LargeBinary, nullable=False),
)
runs_t = sa.Table(
    "training_runs", metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("job_id", sa.String(64), nullable=False),
    sa.Column("experiment", sa.String(63), nullable=False),
    sa.Column("trial_index", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("start_time", sa.DateTime, nullable=False),
    sa.Column("run", sa.LargeBinary, nullable=False),
)


def _naive(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=None) if value is not None and value.tzinfo else value


def _job_columns(job: resources_pb2.TrainingJob, experiment: str) -> dict[str, object]:
    return {
        "experiment": experiment, "model_name": job.spec.model_name, "owner_team": job.spec.owner_team,
        "principal": job.principal, "state": resources_pb2.TrainingJobState.Name(job.state),
        "update_time": job.update_time.ToDatetime(),
        "end_time": job.end_time.ToDatetime() if job.HasField("end_time") else None,
        "attempt_count": job.attempt_count, "cancel_requested": job.cancel_requested,
        "job": job.SerializeToString(deterministic=True),
    }


def insert_job(session: Session, job: resources_pb2.TrainingJob, experiment: str, idempotency_key: str,
               spec_digest: str) -> None:
    """Store a new job."""
    session.execute(jobs_t.insert().values(name=job.name, create_time=job.create_time.ToDatetime(),
                                           idempotency_key=idempotency_key, spec_digest=spec_digest,
                                           **_job_columns(job, experiment)))


def update_job(session: Session, job: resources_pb2.TrainingJob, experiment: str) -> None:
    """Store a job's new state."""
    session.execute(jobs_t.update().where(jobs_t.c.name == job.name).values(**_job_columns(job, experiment)))


def get_job(session: Session, name: str) -> resources_pb2.TrainingJob | None:
    """A job by id."""
    blob = session.execute(sa.select(jobs_t.c.job).where(jobs_t.c.name == name)).scalar()
    return resources_pb2.TrainingJob.FromString(blob) if blob is not None else None


def job_by_idempotency_key(session: Session, principal: str, key: str, since: datetime
                           ) -> tuple[resources_pb2.TrainingJob, str] | None:
    """The job a principal created with an idempotency key after ``since``, with its spec digest."""
    row = session.execute(sa.select(jobs_t.c.job, jobs_t.c.spec_digest).where(
        jobs_t.c.principal == principal, jobs_t.c.idempotency_key == key,
        jobs_t.c.create_time >= _naive(since))).first()
    return (resources_pb2.TrainingJob.FromString(row.job), row.spec_digest) if row else None


def jobs_in_states(session: Session, states: Sequence[str]) -> list[resources_pb2.TrainingJob]:
    """Every job in one of ``states``, oldest first."""
    rows = session.execute(sa.select(jobs_t.c.job).where(jobs_t.c.state.in_(list(states)))
                           .order_by(jobs_t.c.create_time, jobs_t.c.name)).scalars()
    return [resources_pb2.TrainingJob.FromString(blob) for blob in rows]


FAR_FUTURE = datetime(9999, 12, 31)
JOB_ORDER_COLUMNS = ("create_time", "update_time", "end_time")


def job_order_value(job: resources_pb2.TrainingJob, column: str) -> datetime:
    """The value a job sorts by under ``column`` (a job that has not ended sorts as ending last)."""
    if column == "end_time" and not job.HasField("end_time"):
        return FAR_FUTURE
    return getattr(job, column).ToDatetime()


def list_jobs(session: Session, *, states: Sequence[str], experiment: str, model_name: str, principal: str,
              owner_team: str, start: datetime | None, end: datetime | None, order_column: str, descending: bool,
              after: tuple[str, str] | None, limit: int) -> list[resources_pb2.TrainingJob]:
    """A page of jobs ordered by (``order_column``, name); ``end_time`` of a running job counts as far future."""
    query = sa.select(jobs_t.c.job)
    for column, value in ((jobs_t.c.experiment, experiment), (jobs_t.c.model_name, model_name),
                          (jobs_t.c.principal, principal), (jobs_t.c.owner_team, owner_team)):
        if value:
            query = query.where(column == value)
    if states:
        query = query.where(jobs_t.c.state.in_(list(states)))
    if start is not None:
        query = query.where(jobs_t.c.create_time >= _naive(start))
    if end is not None:
        query = query.where(jobs_t.c.create_time < _naive(end))
    ordered: sa.ColumnElement = (sa.func.coalesce(jobs_t.c.end_time, sa.literal(FAR_FUTURE, sa.DateTime))
                                 if order_column == "end_time" else jobs_t.c[order_column])
    return _keyset(session, query, ordered, jobs_t.c.name, descending, after, limit,
                   resources_pb2.TrainingJob)


def _keyset(session: Session, query: sa.Select, ordered: sa.ColumnElement, name: sa.ColumnElement,
            descending: bool, after: tuple[str, str] | None, limit: int, message: type) -> list:
    key = sa.tuple_(ordered, name)
    if after is not None:
        marker = sa.tuple_(sa.literal(datetime.fromisoformat(after[0]), sa.DateTime), sa.literal(after[1]))
        query = query.where(key < marker if descending else key > marker)
    order = (ordered.desc(), name.desc()) if descending else (ordered, name)
    rows = session.execute(query.order_by(*order).limit(limit)).scalars()
    return [message.FromString(blob) for blob in rows]


def list_experiments(session: Session, *, owner_team: str, name_prefix: str, order_column: str, descending: bool,
                     after: tuple[str, str] | None, limit: int) -> list[resources_pb2.Experiment]:
    """A page of experiments ordered by (``order_column``, name) (by name alone for ``name``)."""
    query = sa.select(experiments_t.c.experiment)
    if owner_team:
        query = query.where(experiments_t.c.owner_team == owner_team)
    if name_prefix:
        # substr, not LIKE: exact and case-sensitive on every backend, no wildcard escaping.
        query = query.where(sa.func.substr(experiments_t.c.name, 1, len(name_prefix)) == name_prefix)
    if order_column == "name":
        if after is not None:
            query = query.where(experiments_t.c.name < after[1] if descending else experiments_t.c.name > after[1])
        order = experiments_t.c.name.desc() if descending else experiments_t.c.name
        rows = session.execute(query.order_by(order).limit(limit)).scalars()
        return [resources_pb2.Experiment.FromString(blob) for blob in rows]
    return _keyset(session, query, experiments_t.c[order_column], experiments_t.c.name, descending, after, limit,
                   resources_pb2.Experiment)


def put_run(session: Session, run: resources_pb2.Run) -> None:
    """Insert or replace a run."""
    values = {"job_id": run.job_id, "experiment": run.experiment, "trial_index": run.trial_index,
              "status": resources_pb2.RunStatus.Name(run.status), "start_time": run.start_time.ToDatetime(),
              "run": run.SerializeToString(deterministic=True)}
    updated = session.execute(runs_t.update().where(runs_t.c.name == run.name).values(**values)).rowcount
    if not updated:
        session.execute(runs_t.insert().values(name=run.name, **values))


def get_run(session: Session, name: str) -> resources_pb2.Run | None:
    """A run by id."""
    blob = session.execute(sa.select(runs_t.c.run).where(runs_t.c.name == name)).scalar()
    return resources_pb2.Run.FromString(blob) if blob is not None else None


def runs(session: Session, *, experiment: str, job_id: str, statuses: Sequence[str]) -> list[resources_pb2.Run]:
    """Every run of an experiment and/or a job."""
    query = sa.select(runs_t.c.run)
    if experiment:
        query = query.where(runs_t.c.experiment == experiment)
    if job_id:
        query = query.where(runs_t.c.job_id == job_id)
    if statuses:
        query = query.where(runs_t.c.status.in_(list(statuses)))
    return [resources_pb2.Run.FromString(blob) for blob in session.execute(query).scalars()]


def get_experiment(session: Session, name: str) -> resources_pb2.Experiment | None:
    """An experiment by name."""
    blob = session.execute(sa.select(experiments_t.c.experiment).where(experiments_t.c.name == name)).scalar()
    return resources_pb2.Experiment.FromString(blob) if blob is not None else None


def insert_experiment(session: Session, experiment: resources_pb2.Experiment) -> None:
    """Store a new experiment."""
    session.execute(experiments_t.insert().values(
        name=experiment.name, owner_team=experiment.owner_team, create_time=experiment.create_time.ToDatetime(),
        update_time=experiment.update_time.ToDatetime(), experiment=experiment.SerializeToString(deterministic=True)))


def touch_experiment(session: Session, name: str, when: datetime) -> None:
    """Record that a job was added to an experiment."""
    experiment = get_experiment(session, name)
    if experiment is None:
        return
    experiment.update_time.FromDatetime(when)
    session.execute(experiments_t.update().where(experiments_t.c.name == name).values(
        update_time=_naive(when), experiment=experiment.SerializeToString(deterministic=True)))
