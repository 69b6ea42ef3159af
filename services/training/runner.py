"""The job runner: worker threads that take QUEUED jobs through the life cycle.

QUEUED → POLICY_CHECK → FETCHING_DATA → TRAINING (trial i of n) → EVALUATING → EXPORTING →
REGISTERING → SUCCEEDED, or FAILED / CANCELLED / REJECTED_BY_POLICY with a reason and a code.
Policy is evaluated before any data is fetched. The training code runs on the configured
dispatcher; this module only orchestrates, records and talks to peers.

Restart recovery (:meth:`JobRunner.recover`): QUEUED jobs are queued again; a job that was running
is retried once (back to QUEUED, attempt 2) and failed with ``RETRY_EXHAUSTED`` if it was already on
its second attempt.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field

from services.common.auth import acting_as
from services.common.errors import SextantError
from services.common.logging import get_logger
from services.training import journal as J
from services.training import work
from services.training.age_probe import AgeInput, AgeProbe, is_age_basis, is_age_name
from services.training.dataset import TrainingData
from services.training.datasource import FetchedData, FetchFailed, fetch_training_set
from services.training.dispatchers import Dispatcher, Execution, ExecutionCancelled
from services.training.entity_rows import EntityRowsStore
from services.training.peers import Peers
from services.training.registration import register_model
from services.training.spec import TrainingPlan, validate_spec
from services.training.trials import is_better, trial_parameters
from sextant.policy.v1 import policy_service_pb2 as policy_pb2
from sextant.training.v1 import events_pb2, resources_pb2
from sextant.type.v1 import governance_pb2, types_pb2

S = resources_pb2
log = get_logger("training.runner")


class JobFailed(Exception):
    """The job fails with a reason code and a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class JobCancelled(Exception):
    """The job was cancelled by a user."""


class Interrupted(Exception):
    """The server is stopping; the job is left for restart recovery."""


@dataclass
class Control:
    """The cancel switch and current execution of one running job."""

    cancelled: threading.Event = field(default_factory=threading.Event)
    reason: str = ""
    execution: Execution | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class RunnerConfig:
    """What the runner needs from the settings."""

    max_trials: int
    target_opset: int
    job_timeout_seconds: float
    max_entity_rows: int
    threads: int
    dependency_timeout: float


class JobRunner:
    """Runs queued jobs on worker threads."""

    def __init__(self, journal: J.JobJournal, peers: Peers, dispatcher: Dispatcher, rows: EntityRowsStore,
                 config: RunnerConfig) -> None:
        self._journal = journal
        self._peers = peers
        self._dispatcher = dispatcher
        self._rows = rows
        self._config = config
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._controls: dict[str, Control] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._work, name=f"training-job-{i}", daemon=True)
                         for i in range(config.threads)]

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Recover interrupted jobs and start the worker threads."""
        self.recover()
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop taking jobs, abandon running ones to restart recovery, and join the threads."""
        self._stopping.set()
        with self._lock:
            controls = list(self._controls.values())
        for control in controls:
            with control.lock:
                if control.execution is not None:
                    control.execution.cancel()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=10)

    def recover(self) -> None:
        """Queue QUEUED jobs again; retry running jobs once or fail them with RETRY_EXHAUSTED."""
        for job in self._journal.jobs_in_states(J.RUNNING_STATES):
            state = S.TrainingJobState.Name(job.state)
            if job.attempt_count >= 2:
                self._journal.transition(
                    job.name, S.TRAINING_JOB_STATE_FAILED,
                    f"a training-service restart interrupted the job in {state} on attempt {job.attempt_count}; "
                    f"it is not retried again", "RETRY_EXHAUSTED")
                continue
            def requeue(j: resources_pb2.TrainingJob, state: str = state) -> None:
                j.warnings.append(f"attempt {j.attempt_count} was interrupted by a training-service restart in "
                                  f"{state}; the job is retried once")
                j.progress.completed_trials = j.progress.failed_trials = 0
                j.progress.best_run_id, j.progress.best_score, j.best_run_id = "", 0.0, ""
            self._journal.transition(job.name, S.TRAINING_JOB_STATE_QUEUED,
                                     f"retried after a training-service restart interrupted it in {state}",
                                     "RESTART_RETRY", extra=requeue)
        for job in self._journal.jobs_in_states([S.TRAINING_JOB_STATE_QUEUED]):
            self.enqueue(job.name)

    def enqueue(self, name: str) -> None:
        """Schedule a QUEUED job."""
        self._queue.put(name)

    def cancel(self, name: str, reason: str) -> None:
        """Signal a running job to stop (the journal already records the request)."""
        with self._lock:
            control = self._controls.get(name)
        if control is None:
            return
        control.reason = reason
        control.cancelled.set()
        with control.lock:
            if control.execution is not None:
                control.execution.cancel()

    def _work(self) -> None:
        while not self._stopping.is_set():
            name = self._queue.get()
            if name is None or self._stopping.is_set():
                return
            try:
                self._run(name)
            except Exception:  # noqa: BLE001 - a worker thread must survive any job
                log.exception("job_runner_crashed", job=name)

    # -- one job -------------------------------------------------------------------------------
    def _run(self, name: str) -> None:
        job = self._journal.get(name)
        if job.state != S.TRAINING_JOB_STATE_QUEUED:
            return
        control = Control()
        with self._lock:
            self._controls[name] = control
        try:
            # Peers record the submitter as the user this job's calls are made for.
            with acting_as(job.principal):
                self._drive(job, control)
        except Interrupted:
            log.info("job_interrupted", job=name)
        except (JobCancelled, ExecutionCancelled):
            if self._stopping.is_set() and not control.cancelled.is_set():
                log.info("job_interrupted", job=name)
            else:
                self._finish(name, S.TRAINING_JOB_STATE_CANCELLED, control.reason or "cancelled by a user",
                             "CANCELLED_BY_USER")
        except _Rejected:
            pass
        except JobFailed as failure:
            self._finish(name, S.TRAINING_JOB_STATE_FAILED, str(failure), failure.code)
        except SextantError as error:
            self._finish(name, S.TRAINING_JOB_STATE_FAILED, error.message, error.reason)
        except Exception as error:  # noqa: BLE001 - the job fails with the message, the server lives on
            log.exception("job_failed_unexpectedly", job=name)
            self._finish(name, S.TRAINING_JOB_STATE_FAILED, f"{type(error).__name__}: {error}"[:1000],
                         "INTERNAL_ERROR")
        finally:
            with self._lock:
                self._controls.pop(name, None)
            with control.lock:
                if control.execution is not None:
                    control.execution.close()
                    control.execution = None

    def _finish(self, name: str, state: int, reason: str, code: str) -> None:
        if self._stopping.is_set():
            return
        def mark_runs(job: resources_pb2.TrainingJob) -> None:
            job.cancel_requested = job.cancel_requested or state == S.TRAINING_JOB_STATE_CANCELLED
        self._journal.transition(name, state, reason, code, extra=mark_runs)

    def _checkpoint(self, name: str, control: Control, deadline: float) -> None:
        if self._stopping.is_set():
            raise Interrupted()
        if control.cancelled.is_set():
            raise JobCancelled()
        if time.monotonic() > deadline:
            raise JobFailed("TIMEOUT", "the job exceeded its wall-time budget")

    def _move(self, name: str, control: Control, deadline: float, state: int, reason: str = "",
              extra: object = None) -> resources_pb2.TrainingJob:
        self._checkpoint(name, control, deadline)
        return self._journal.transition(name, state, reason, extra=extra)  # type: ignore[arg-type]

    def _drive(self, job: resources_pb2.TrainingJob, control: Control) -> None:
        name, spec = job.name, job.spec
        timeout = spec.timeout.ToTimedelta().total_seconds() if spec.HasField("timeout") else \
            self._config.job_timeout_seconds
        deadline = time.monotonic() + timeout
        try:
            plan = validate_spec(spec, max_trials=self._config.max_trials, target_opset=self._config.target_opset)
        except SextantError as error:
            raise JobFailed("INVALID_SPEC", error.message) from None

        def begin(j: resources_pb2.TrainingJob) -> None:
            j.attempt_count += 1
            j.start_time.FromDatetime(J.now())
            j.dispatcher = self._dispatcher.kind
        job = self._move(name, control, deadline, S.TRAINING_JOB_STATE_POLICY_CHECK, extra=begin)
        resolved, owner_team, domain = self._policy_check(job, control, deadline)

        job = self._move(name, control, deadline, S.TRAINING_JOB_STATE_FETCHING_DATA)
        fetched = self._fetch(job, plan, resolved)
        data = fetched.data

        def dataset_facts(j: resources_pb2.TrainingJob) -> list[events_pb2.TrainingJobEvent]:
            j.dataset_digest = fetched.digest
            j.training_row_count = len(data.train_index)
            j.validation_row_count = len(data.holdout_index)
            del j.resolved_features[:]
            j.resolved_features.extend(fetched.features)
            if fetched.label_feature is not None:
                j.label_feature.CopyFrom(fetched.label_feature)
            return [J.message_event(f"fetched {len(data.label):,} rows: {len(data.train_index):,} for training, "
                                    f"{len(data.holdout_index):,} held out")]
        self._checkpoint(name, control, deadline)
        self._journal.mutate(name, dataset_facts)

        job = self._move(name, control, deadline, S.TRAINING_JOB_STATE_TRAINING)
        execution = self._dispatcher.open(data, plan.max_parallel_trials)
        with control.lock:
            control.execution = execution
        if control.cancelled.is_set():
            execution.cancel()
        best_index, params = self._trials(job, plan, execution, control, deadline)

        self._move(name, control, deadline, S.TRAINING_JOB_STATE_EVALUATING)
        favorable = _favorable_index(data, plan)
        ages = _age_inputs(data, fetched.features) if spec.empirically_derived_scoring_system else ()
        evaluated = execution.run(work.refit_and_evaluate, plan, params[best_index], favorable, ages)
        best_run = f"{name}-t{best_index + 1:02d}"

        def record_evaluation(j: resources_pb2.TrainingJob) -> list[events_pb2.TrainingJobEvent]:
            j.validation_metrics.clear()
            j.validation_metrics.update(evaluated.metrics)
            del j.fairness_results[:]
            j.fairness_results.extend(_fairness_proto(f) for f in evaluated.fairness)
            j.warnings.extend(evaluated.warnings)
            del j.age_probe_results[:]
            j.age_probe_results.extend(_age_probe_proto(p) for p in evaluated.age_probes)
            j.warnings.extend(_age_probe_warning(p) for p in evaluated.age_probes if not p.passed)
            return [J.message_event(f"held-out {plan.metric}: {evaluated.metrics.get(plan.metric, float('nan')):.4g}")]
        self._checkpoint(name, control, deadline)
        self._journal.mutate(name, record_evaluation)
        self._mark_best(job, best_run, evaluated.metrics)

        self._move(name, control, deadline, S.TRAINING_JOB_STATE_EXPORTING)
        exported = execution.run(work.export_and_check, plan, evaluated.model)
        parity = exported.parity

        def record_parity(j: resources_pb2.TrainingJob) -> None:
            j.parity_report.CopyFrom(types_pb2.ParityReport(
                passed=parity.passed, rows_checked=parity.rows_checked, edge_rows_checked=parity.edge_rows_checked,
                label_mismatches=parity.label_mismatches, max_abs_probability_diff=parity.max_abs_probability_diff,
                max_relative_diff=parity.max_relative_diff, probability_tolerance=work.export.PROBABILITY_TOLERANCE,
                relative_tolerance=work.export.RELATIVE_TOLERANCE, target_opset=parity.target_opset))
        self._journal.mutate(name, lambda j: record_parity(j) or [J.message_event(parity.summary())])
        if not parity.passed:
            raise JobFailed("PARITY_GATE_FAILED", parity.summary())
        with control.lock:
            control.execution = None
        execution.close()

        def still_wanted(j: resources_pb2.TrainingJob) -> None:
            # Checked inside the transaction: a cancel that raced the last checkpoint still wins.
            if j.cancel_requested:
                raise JobCancelled()
        job = self._move(name, control, deadline, S.TRAINING_JOB_STATE_REGISTERING, extra=still_wanted)
        reference = register_model(self._peers, job, data, plan, evaluated, exported, best_run,
                                   params[best_index], owner_team, domain)

        def succeed(j: resources_pb2.TrainingJob) -> None:
            j.registered_model_version.CopyFrom(reference)
        if self._stopping.is_set():
            raise Interrupted()
        self._journal.transition(name, S.TRAINING_JOB_STATE_SUCCEEDED,
                                 f"registered {reference.model_name} version {reference.version}", extra=succeed)

    # -- steps ---------------------------------------------------------------------------------
    def _policy_check(self, job: resources_pb2.TrainingJob, control: Control, deadline: float
                      ) -> tuple[list[types_pb2.ResolvedFeature], str, str]:
        spec = job.spec
        model = self._peers.get_model(spec.model_name)
        owner_team, domain = spec.owner_team, spec.domain
        if model is not None:
            if owner_team and owner_team != model.owner_team:
                raise JobFailed("MODEL_OWNER_MISMATCH", f"model {spec.model_name!r} is owned by "
                                                        f"{model.owner_team!r}, not {owner_team!r}")
            if domain and domain != model.domain:
                raise JobFailed("MODEL_DOMAIN_MISMATCH", f"model {spec.model_name!r} is in domain "
                                                         f"{model.domain!r}, not {domain!r}")
            owner_team, domain = model.owner_team, model.domain
        elif not owner_team or not domain:
            raise JobFailed("MODEL_OWNER_REQUIRED", f"model {spec.model_name!r} does not exist yet: the spec "
                                                    f"must name its owner_team and domain")
        resolution = self._peers.resolve_features(spec.features)
        if resolution.missing:
            texts = ", ".join(f"{m.reference.feature_view}:{m.reference.feature}" for m in resolution.missing)
            raise JobFailed("UNKNOWN_FEATURE", f"the feature store does not know {texts}")
        request = policy_pb2.EvaluateTrainingRequest(
            training_job_id=job.name, model_name=spec.model_name, domain=domain, owner_team=owner_team,
            principal=job.principal, empirically_derived_scoring=spec.empirically_derived_scoring_system)
        request.input_features.extend(policy_pb2.FeatureInput(resolved=f) for f in resolution.features)
        for attribute in spec.evaluation_attributes:
            if attribute.WhichOneof("source") == "feature":
                request.evaluation_only_attributes.append(policy_pb2.FeatureInput(reference=attribute.feature))
            else:
                request.evaluation_only_attributes.append(policy_pb2.FeatureInput(column=attribute.entity_column))
        self._checkpoint(job.name, control, deadline)
        decision = self._peers.evaluate_training(request)

        def record(j: resources_pb2.TrainingJob) -> None:
            j.policy_decision_id = decision.decision_id
            j.policy_verdict = decision.verdict
            del j.violations[:]
            j.violations.extend(decision.violations)
            if decision.verdict == governance_pb2.POLICY_VERDICT_WARN:
                j.warnings.extend(f"policy warning: {v.explanation or v.rule}" for v in decision.violations
                                  if v.effect == governance_pb2.POLICY_VERDICT_WARN)
        if decision.verdict == governance_pb2.POLICY_VERDICT_DENY:
            self._checkpoint(job.name, control, deadline)
            self._journal.transition(job.name, S.TRAINING_JOB_STATE_REJECTED_BY_POLICY,
                                     decision.summary or "the policy service denied the job", "POLICY_DENIED",
                                     extra=record)
            raise _Rejected()
        self._journal.mutate(job.name, lambda j: record(j) or [])
        return list(resolution.features), owner_team, domain

    def _fetch(self, job: resources_pb2.TrainingJob, plan: TrainingPlan, resolved: list[types_pb2.ResolvedFeature]
               ) -> FetchedData:
        try:
            return fetch_training_set(self._peers, self._rows, job, plan, resolved,
                                      max_rows=self._config.max_entity_rows,
                                      timeout=max(60.0, self._config.dependency_timeout))
        except FetchFailed as failure:
            raise JobFailed(failure.code, str(failure)) from None

    def _trials(self, job: resources_pb2.TrainingJob, plan: TrainingPlan, execution: Execution, control: Control,
                deadline: float) -> tuple[int, list[dict]]:
        params = trial_parameters(plan)
        total = len(params)
        experiment = J.experiment_of(job)
        runs: list[resources_pb2.Run] = []
        for i, trial in enumerate(params):
            run = resources_pb2.Run(name=f"{job.name}-t{i + 1:02d}", experiment=experiment, job_id=job.name,
                                    trial_index=i + 1, status=S.RUN_STATUS_RUNNING, tags=dict(job.spec.tags))
            run.params.update({k: repr(v) if isinstance(v, str) else str(v) for k, v in trial.items()})
            run.start_time.FromDatetime(J.now())
            runs.append(run)

            def started(j: resources_pb2.TrainingJob, run: resources_pb2.Run = run) -> list:
                return [events_pb2.TrainingJobEvent(
                    kind=events_pb2.TRAINING_JOB_EVENT_KIND_TRIAL_STARTED,
                    trial_started=events_pb2.TrialStartedEvent(trial_index=run.trial_index, total_trials=total,
                                                               run_id=run.name, params=run.params))]
            self._journal.put_run(run, started)
        best_index: int | None = None
        best_score: float | None = None
        failures: list[work.TrialOutcome] = []
        for position, outcome, error in execution.map_unordered(work.run_trial, [(plan, p) for p in params]):
            self._checkpoint(job.name, control, deadline)
            if error is not None:
                outcome = work.TrialOutcome(None, {}, f"{type(error).__name__}: {error}"[:1000], "TRIAL_FAILED")
            run = runs[position]
            run.end_time.FromDatetime(J.now())
            run.metrics.update(outcome.metrics)
            if outcome.score is None:
                run.status = S.RUN_STATUS_FAILED
                run.status_message = outcome.error
                failures.append(outcome)
            else:
                run.status = S.RUN_STATUS_SUCCEEDED
                run.score = outcome.score
                if is_better(outcome.score, best_score, plan.maximize):
                    best_index, best_score = position, outcome.score

            def finished(j: resources_pb2.TrainingJob, run: resources_pb2.Run = run,
                         outcome: work.TrialOutcome = outcome, best_index: int | None = best_index,
                         best_score: float | None = best_score) -> list:
                j.progress.completed_trials += 1
                if outcome.score is None:
                    j.progress.failed_trials += 1
                    j.warnings.append(f"trial {run.trial_index} failed: {outcome.error}")
                if best_index is not None:
                    j.progress.best_score = float(best_score)
                    j.progress.best_run_id = runs[best_index].name
                return [events_pb2.TrainingJobEvent(
                    kind=events_pb2.TRAINING_JOB_EVENT_KIND_TRIAL_FINISHED,
                    trial_finished=events_pb2.TrialFinishedEvent(
                        trial_index=run.trial_index, total_trials=total, run_id=run.name, status=run.status,
                        metric=plan.metric, score=run.score, best_score=j.progress.best_score,
                        best_run_id=j.progress.best_run_id, message=outcome.error))]
            self._journal.put_run(run, finished)
        if best_index is None:
            codes = {f.error_code for f in failures}
            code = "ESTIMATOR_REJECTED_HYPERPARAMETERS" if codes == {"ESTIMATOR_REJECTED_HYPERPARAMETERS"} \
                else "ALL_TRIALS_FAILED"
            first = failures[0].error if failures else "no trial ran"
            raise JobFailed(code, f"every trial failed ({len(failures)} of {total}); the first error: {first}")
        return best_index, params

    def _mark_best(self, job: resources_pb2.TrainingJob, best_run: str, metrics: dict[str, float]) -> None:
        from services.training import repository

        with self._journal._db.read() as session:  # noqa: SLF001 - same package
            run = repository.get_run(session, best_run)
        if run is None:
            return
        run.best = True
        run.validation_metrics.update(metrics)

        def best(j: resources_pb2.TrainingJob) -> list:
            j.best_run_id = best_run
            return []
        self._journal.put_run(run, best)


class _Rejected(JobFailed):
    """The policy service denied the job (already recorded as REJECTED_BY_POLICY)."""

    def __init__(self) -> None:
        super().__init__("POLICY_DENIED", "rejected by policy")


def _favorable_index(data: TrainingData, plan: TrainingPlan) -> int:
    if not plan.is_classification:
        return 0
    if plan.favorable_label:
        if plan.favorable_label not in data.class_labels:
            raise JobFailed("UNKNOWN_FAVORABLE_LABEL", f"favorable_label {plan.favorable_label!r} is not a class "
                                                       f"of the label ({', '.join(data.class_labels)})")
        return data.class_labels.index(plan.favorable_label)
    return len(data.class_labels) - 1


def _fairness_proto(result: work.evaluation.Fairness) -> types_pb2.FairnessResult:
    return types_pb2.FairnessResult(
        attribute=result.attribute, adverse_impact_ratio=result.adverse_impact_ratio,
        equal_opportunity_difference=result.equal_opportunity_difference, reference_group=result.reference_group,
        dataset="holdout", groups=[types_pb2.GroupOutcome(
            group=g.group, count=g.count, selection_rate=g.selection_rate, true_positive_rate=g.true_positive_rate,
            positive_count=g.positive_count) for g in result.groups])


def _age_inputs(data: TrainingData, features: list[types_pb2.ResolvedFeature]) -> tuple[AgeInput, ...]:
    """The numeric inputs holding an age, named as the policy service knows them (``view:feature``)."""
    found = []
    for i, column in enumerate(data.features.columns):
        if column in data.categorical_columns:
            continue
        feature = features[i] if i < len(features) else None
        tagged = feature is not None and is_age_basis(feature.tags.get("protected_basis", ""))
        if tagged or is_age_name(feature.reference.feature if feature is not None else column):
            name = f"{feature.reference.feature_view}:{feature.reference.feature}" if feature is not None else column
            found.append(AgeInput(column, name))
    return tuple(found)


def _age_probe_proto(probe: AgeProbe) -> governance_pb2.AgeProbeResult:
    return governance_pb2.AgeProbeResult(
        feature=probe.feature, age_threshold=probe.age_threshold, rows_probed=probe.rows_probed,
        negative_contribution_rows=probe.negative_contribution_rows, min_contribution=probe.min_contribution,
        mean_contribution=probe.mean_contribution, method=probe.method, dataset=probe.dataset)


def _age_probe_warning(probe: AgeProbe) -> str:
    if probe.rows_probed == 0:
        return (f"age probe of {probe.feature}: no applicant aged {probe.age_threshold} or older to probe; a "
                f"policy allowing age will deny promotion")
    return (f"age probe of {probe.feature}: {probe.negative_contribution_rows} of {probe.rows_probed} applicants "
            f"aged {probe.age_threshold} or older get a negative age contribution (smallest "
            f"{probe.min_contribution:.4g}); a policy allowing age will deny promotion")
