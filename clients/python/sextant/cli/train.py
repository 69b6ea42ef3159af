"""``sextant train``: submit a training job, watch it with a progress bar, list jobs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from sextant.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_command,
    connect,
    emit,
    enum_name,
    fail,
    parse_key_values,
    progress_bar,
    read_table,
    split_list,
    table,
    to_dict,
)
from sextant.training.v1 import events_pb2, resources_pb2, spec_pb2


def register(commands: Any) -> None:
    """Add ``train`` and its subcommands."""
    train = commands.add_parser("train", help="training jobs")
    sub = train.add_subparsers(dest="train_command", required=True, metavar="COMMAND")
    submit = add_command(sub, "submit", _submit, "submit a training job (from a JSON spec or from options)")
    submit.add_argument("--spec", default=None, metavar="FILE.json", help="a TrainingJobSpec in proto JSON form")
    submit.add_argument("--model-name", default="")
    submit.add_argument("--features", default="", help="references view:feature, comma-separated, or a service")
    submit.add_argument("--label", default="", help="the label column of the entity rows")
    submit.add_argument("--entity-rows", default=None, metavar="FILE", help="entity rows with keys, timestamp, label")
    submit.add_argument("--task", default="binary_classification",
                        help="binary_classification, multiclass_classification or regression")
    submit.add_argument("--estimator", default="gradient_boosting",
                        help="logistic_regression, random_forest, gradient_boosting, ...")
    submit.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a hyperparameter")
    submit.add_argument("--owner-team", default="")
    submit.add_argument("--domain", default="")
    submit.add_argument("--experiment", default="")
    submit.add_argument("--wait", action="store_true", help="watch the job until it ends")
    watch = add_command(sub, "watch", _watch, "follow a job's progress until it ends (exit 1 unless it succeeds)")
    watch.add_argument("job")
    jobs = add_command(sub, "list", _list, "list training jobs")
    jobs.add_argument("--model", default="", help="only jobs of this model")
    jobs.add_argument("--limit", type=int, default=50, help="at most this many jobs (default 50)")


def _spec(args: argparse.Namespace) -> spec_pb2.TrainingJobSpec:
    from sextant.client.training import training_spec

    if args.spec:
        try:
            return json_format.Parse(Path(args.spec).read_text(), spec_pb2.TrainingJobSpec())
        except (OSError, json_format.ParseError) as error:
            raise UsageError(f"--spec {args.spec}: {error}") from None
    missing = [flag for flag, value in (("--model-name", args.model_name), ("--features", args.features),
                                        ("--label", args.label), ("--entity-rows", args.entity_rows)) if not value]
    if missing:
        raise UsageError(f"give --spec FILE or {', '.join(missing)}")
    features = split_list(args.features)
    params = {name: values[0] for name, values in parse_key_values(args.param, "--param").items()}
    return training_spec(model_name=args.model_name, features=features if ":" in args.features else args.features,
                         label_column=args.label, entity_rows=read_table(args.entity_rows), task=args.task,
                         estimator=args.estimator, hyperparameters=params, owner_team=args.owner_team,
                         domain=args.domain, experiment=args.experiment)


def _submit(args: argparse.Namespace) -> int:
    spec = _spec(args)
    with connect(args) as sx:
        job = sx.training.submit(spec)
        if args.wait:
            return _follow(args, sx, job.name)
    emit(args, {"job": _job_summary(job)}, f"submitted {job.name} ({_state(job.state)})")
    return EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        return _follow(args, sx, args.job)


def _state(state: int) -> str:
    return enum_name(resources_pb2.TrainingJobState, state, "TRAINING_JOB_STATE_")


def _job_summary(job: resources_pb2.TrainingJob) -> dict:
    return {"name": job.name, "model_name": job.spec.model_name, "state": _state(job.state),
            "state_reason": job.state_reason, "state_reason_code": job.state_reason_code,
            "progress": to_dict(job.progress), "registered_model_version": to_dict(job.registered_model_version),
            "validation_metrics": dict(job.validation_metrics)}


def _event_line(event: events_pb2.TrainingJobEvent) -> str | None:
    payload = event.WhichOneof("payload")
    if payload == "state_changed":
        change = event.state_changed
        return f"{_state(change.to_state)}" + (f": {change.reason}" if change.reason else "")
    if payload == "trial_finished":
        trial = event.trial_finished
        return (f"trial {trial.trial_index}/{trial.total_trials} {trial.metric}={trial.score:.4f} "
                f"(best {trial.best_score:.4f})")
    if payload == "message":
        return event.message.text
    return None


def _follow(args: argparse.Namespace, sx: Any, name: str) -> int:
    interactive = not args.json and sys.stdout.isatty()
    events = []
    for event in sx.training.watch(name):
        events.append(to_dict(event))
        if args.json:
            continue
        line = _event_line(event)
        progress = event.progress
        bar = progress_bar(progress.completed_trials / progress.total_trials) if progress.total_trials else ""
        if interactive:  # redraw the bar on one line; finished steps scroll above it
            if line:
                print(f"\r\033[K{line}")
            print(f"\r\033[K{name} {bar}", end="", flush=True)
        elif line:
            print(f"{name} {bar} {line}".replace("  ", " "), flush=True)
    if interactive:
        print()
    job = sx.training.get_job(name)
    emit(args, {"job": _job_summary(job), "events": events},
         lambda: f"{name} {_state(job.state)}" + (f": model {job.registered_model_version.model_name} version "
                                                  f"{job.registered_model_version.version}"
                                                  if job.registered_model_version.version else ""))
    if job.state != resources_pb2.TRAINING_JOB_STATE_SUCCEEDED:
        return fail(f"{job.state_reason_code or 'JOB_' + _state(job.state)}: job {name} ended "
                    f"{_state(job.state)}" + (f": {job.state_reason}" if job.state_reason else ""), EXIT_FAILED)
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        jobs = []
        for job in sx.training.iter_jobs(model_name=args.model):
            jobs.append(job)
            if len(jobs) >= args.limit:
                break
    rows = [(j.name, j.spec.model_name, _state(j.state),
             f"{j.progress.completed_trials}/{j.progress.total_trials}",
             j.registered_model_version.version or "", j.create_time.ToJsonString() if j.create_time.seconds else "")
            for j in jobs]
    emit(args, {"jobs": [_job_summary(j) for j in jobs]},
         lambda: table(rows, ["job", "model", "state", "trials", "version", "created"]))
    return EXIT_OK
