"""The lending demo (`sextant demo`): one credit model from feature definitions to a stale alert.

``run`` drives the six running services through their gRPC contracts, step by step, printing what
each person did and what the platform answered: the data engineer defines and loads credit
features, the data scientist is refused a model that reads age and trains one that does not, the ML
engineer promotes it through the fairness gate, serves it by customer id, logs outcomes, and is
alerted when a segment drifts; finally a definition change makes the model stale and alerts its
owners. Any deviation from that story stops the demo with one line naming the step (exit code 1).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import grpc
import pyarrow as pa

from sextant.demo import operate
from sextant.demo.context import FEATURE_TEAM, MODEL, MODEL_TEAM, VIEW, Context
from sextant.demo.data import MODEL_FEATURES, generate, ipc_bytes
from sextant.demo.show import StepFailed, TrialProgress, header, say
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb
from sextant.featurestore.v1 import resources_pb2 as fs_res
from sextant.policy.v1 import policy_service_pb2 as policy_pb
from sextant.policy.v1 import resources_pb2 as policy_res
from sextant.registry.v1 import registry_service_pb2 as registry_pb
from sextant.training.v1 import events_pb2 as training_events
from sextant.training.v1 import resources_pb2 as training_res
from sextant.training.v1 import spec_pb2
from sextant.training.v1 import training_service_pb2 as training_pb
from sextant.type.v1 import features_pb2, governance_pb2, model_pb2, types_pb2

T = types_pb2
CUSTOMERS = 20_000
INGEST_CHUNK_ROWS = 40_000
PROXY_SAMPLE_ROWS = 5_000
JOB_TIMEOUT_SECONDS = 240.0
#: Written when the built-in preset is missing (a policy service started with the preset off).
REG_B_SOURCE = """\
description: Regulation B (ECOA) for credit models, as the lending demo needs it.
scope: {domains: [credit]}
rules:
  - id: no-protected-inputs
    kind: prohibited_inputs
    description: Protected attributes and their synonyms must not be model inputs.
    prohibited_inputs: {}
  - id: four-fifths
    kind: fairness_gate
    target_aliases: [production]
    fairness_gate: {min_adverse_impact_ratio: 0.8, max_equal_opportunity_difference: 0.1, min_group_size: 30}
  - id: parity-evidence
    kind: required_evidence
    target_aliases: [production]
    required_evidence: {require_parity_passed: true}
"""


def _features() -> list[fs_res.Feature]:
    money = "thousands of US dollars a year, as reported at the snapshot"
    return [
        fs_res.Feature(name="income", dtype=T.DATA_TYPE_FLOAT64, description=f"Verified income, {money}.",
                       sensitivity=fs_res.SENSITIVITY_CONFIDENTIAL),
        fs_res.Feature(name="debt_ratio", dtype=T.DATA_TYPE_FLOAT64,
                       description="Monthly debt payments divided by monthly income."),
        fs_res.Feature(name="credit_utilization", dtype=T.DATA_TYPE_FLOAT64,
                       description="Revolving balances divided by revolving limits."),
        fs_res.Feature(name="delinquencies_12m", dtype=T.DATA_TYPE_INT64,
                       description="Payments 30+ days late in the last 12 months."),
        fs_res.Feature(name="credit_history_months", dtype=T.DATA_TYPE_INT64,
                       description="Months since the oldest credit account was opened."),
        fs_res.Feature(name="age", dtype=T.DATA_TYPE_INT64, description="Applicant age in years.",
                       protected_basis=governance_pb2.PROTECTED_BASIS_AGE, sensitivity=fs_res.SENSITIVITY_PII),
        fs_res.Feature(name="zip_code", dtype=T.DATA_TYPE_STRING, description="Residence zip code.",
                       sensitivity=fs_res.SENSITIVITY_PII),
    ]


def credit_profile(features: list[fs_res.Feature] | None = None) -> fs_res.FeatureView:
    """The `credit_profile` view as the data engineer declares it."""
    return fs_res.FeatureView(
        name=VIEW, entities=["customer"], owner_team=FEATURE_TEAM, source_kind=fs_res.SOURCE_KIND_BATCH,
        description="Monthly credit bureau snapshot of each customer.",
        features=features if features is not None else _features())


def _plan_line(item: fs_res.PlanItem) -> str:
    kind = fs_res.DefinitionKind.Name(item.kind).removeprefix("DEFINITION_KIND_").lower().replace("_", " ")
    change = fs_res.ChangeType.Name(item.change_type).removeprefix("CHANGE_TYPE_").lower()
    version = f" v{item.new_version} (fingerprint {item.new_fingerprint[:12]})" if item.new_version else ""
    return f"{kind} {item.name}: {change}{version}"


def step_definitions_and_history(ctx: Context) -> None:
    """Step 1: apply definitions, ingest history, materialize online."""
    header(1, "data engineer", "Define customer features and load their history")
    applied = ctx.featurestore.ApplyDefinitions(fs_pb.ApplyDefinitionsRequest(
        entities=[fs_res.Entity(name="customer", owner_team=FEATURE_TEAM, description="A credit applicant.",
                                join_keys=[fs_res.JoinKey(name="customer_id", dtype=T.DATA_TYPE_INT64)])],
        feature_views=[credit_profile()], change_note="lending demo: initial definitions"), timeout=30)
    for item in applied.plan.items:
        say(f"ApplyDefinitions → {_plan_line(item)}")
    view = next(v for v in applied.feature_views if v.name == VIEW)
    ctx.view_v1 = view
    tagged = [f.name for f in view.features if f.protected_basis == governance_pb2.PROTECTED_BASIS_AGE]
    if tagged != ["age"]:
        raise StepFailed(f"expected `age` tagged protected_basis=age, the store holds {tagged}")
    say(f"`age` is tagged protected_basis=age, so policy can recognise it; the view is owned by team "
        f"{view.owner_team}, which receives alerts about its features.")

    started = time.monotonic()
    history = ctx.data.history
    chunks = [fs_pb.IngestBatchRequest(header=fs_pb.IngestBatchHeader(
        feature_view=VIEW, ingest_id="lending-demo-history-2025h2"))]
    chunks += [fs_pb.IngestBatchRequest(chunk=T.ArrowTable(ipc_stream=ipc_bytes(history.slice(offset, INGEST_CHUNK_ROWS))))
               for offset in range(0, history.num_rows, INGEST_CHUNK_ROWS)]
    ingested = ctx.featurestore.IngestBatch(iter(chunks), timeout=120)
    if ingested.rows_written != history.num_rows:
        raise StepFailed(f"IngestBatch wrote {ingested.rows_written} of {history.num_rows} rows")
    say(f"IngestBatch (Arrow, {len(chunks) - 1} chunks) → {ingested.rows_written:,} rows: "
        f"{len(ctx.data.customer_ids):,} customers × 6 monthly snapshots, "
        f"{ingested.min_event_time.ToDatetime():%Y-%m-%d} to {ingested.max_event_time.ToDatetime():%Y-%m-%d} "
        f"({time.monotonic() - started:.1f} s).")

    written = 0
    for event in ctx.featurestore.MaterializeFeatures(fs_pb.MaterializeFeaturesRequest(feature_views=[VIEW]),
                                                       timeout=120):
        if event.kind == fs_pb.MATERIALIZATION_EVENT_KIND_VIEW_COMPLETED:
            written = event.rows_written
    if written < len(ctx.data.customer_ids):
        raise StepFailed(f"materialization wrote {written} online rows for {len(ctx.data.customer_ids)} customers")
    say(f"MaterializeFeatures → the latest snapshot of every customer is in the online store "
        f"({written:,} rows), ready for serving.")


def ensure_reg_b(ctx: Context) -> policy_res.Policy:
    """The Regulation B policy in force: the built-in preset, or one created now when it is missing."""
    try:
        policy = ctx.policy.GetPolicy(policy_pb.GetPolicyRequest(name="reg-b"), timeout=10).policy
        origin = "built-in preset" if policy.builtin else "existing policy"
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.NOT_FOUND:
            raise
        policy = ctx.policy.CreatePolicy(policy_pb.CreatePolicyRequest(policy={
            "name": "reg-b", "format": "POLICY_FORMAT_YAML", "source": REG_B_SOURCE,
            "change_note": "lending demo"}), timeout=10).policy
        origin = "created now"
    if policy.disabled:
        raise StepFailed("policy reg-b is disabled, so nothing would stop a model that reads age")
    rules = ", ".join(rule.id for rule in policy.document.rules)
    gates = [rule.fairness_gate.min_adverse_impact_ratio for rule in policy.document.rules
             if rule.kind == governance_pb2.POLICY_RULE_KIND_FAIRNESS_GATE]
    ctx.min_adverse_impact_ratio = max(gates, default=0.0)
    say(f"Policy reg-b v{policy.version} ({origin}) is in force for domain "
        f"{', '.join(policy.document.scope.domains)}: {rules}.")
    return policy


def _proxy_check(ctx: Context) -> None:
    applications = ctx.data.applications.slice(0, PROXY_SAMPLE_ROWS)
    positions = applications.column("customer_id").to_numpy() - ctx.data.customer_ids[0]
    table = pa.table({"zip_code": ctx.data.zip_codes[positions], "race": applications.column("race")})
    report = ctx.policy.DetectProxies(policy_pb.DetectProxiesRequest(
        sample=T.ArrowTable(ipc_stream=ipc_bytes(table)), protected_attribute_columns=["race"],
        feature_columns=["zip_code"], seed=7), timeout=60).report
    measured = next((m for m in report.measurements if m.feature == "zip_code"), None)
    if measured is None:
        raise StepFailed("DetectProxies measured nothing for zip_code")
    say(f"DetectProxies on {PROXY_SAMPLE_ROWS:,} applications: zip_code vs race Cramér's V {measured.cramers_v:.2f} "
        f"(warn at {report.warn_threshold:.1f}, deny at {report.deny_threshold:.1f}): zip code proxies race, "
        f"so the model will not read it either.")


def job_spec(features: tuple[str, ...], ctx: Context) -> spec_pb2.TrainingJobSpec:
    """A logistic regression on ``features`` with a small grid over C, evaluated for fairness."""
    spec = spec_pb2.TrainingJobSpec(
        model_name=MODEL, owner_team=MODEL_TEAM, domain="credit", label_column="defaulted",
        task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION, favorable_label="0", experiment="credit-default",
        description="Probability that a credit applicant defaults within 12 months.",
        tags={"demo": "lending"})
    spec.dataset.entity_rows.ipc_stream = ctx.applications_ipc
    spec.features.CopyFrom(features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(
        references=[T.FeatureReference(feature_view=VIEW, feature=name) for name in features])))
    spec.model.estimator = spec_pb2.ESTIMATOR_LOGISTIC_REGRESSION
    spec.model.hyperparameters["max_iter"].CopyFrom(T.Value(int64_value=300))
    spec.search.strategy = spec_pb2.SEARCH_STRATEGY_GRID
    spec.search.parameter_space["C"].values.values.extend([T.Value(double_value=c) for c in (0.01, 0.1, 1.0, 10.0)])
    spec.search.cv_folds = 3
    spec.search.seed = 7
    spec.evaluation_attributes.add(name="age", feature=T.FeatureReference(feature_view=VIEW, feature="age"),
                                   bin_edges=[62])
    spec.evaluation_attributes.add(name="sex", entity_column="sex")
    spec.evaluation_attributes.add(name="race", entity_column="race")
    spec.timeout.seconds = int(JOB_TIMEOUT_SECONDS)
    return spec


def _show_progress(progress: TrialProgress, event: training_events.TrainingJobEvent) -> None:
    counts = event.progress
    shown = (counts.completed_trials, counts.total_trials, counts.optimize_metric or "roc_auc",
             counts.best_score if counts.best_run_id else None)
    if event.HasField("trial_finished"):
        progress.update(*shown)
    elif event.HasField("state_changed"):
        state = training_res.TrainingJobState.Name(event.state_changed.to_state)
        progress.stage(*shown, state.removeprefix("TRAINING_JOB_STATE_").lower().replace("_", " "))


def watch_job(ctx: Context, name: str, progress: TrialProgress | None = None) -> training_res.TrainingJob:
    """Follow WatchTrainingJob until the job ends (the stream closes after the terminal event)."""
    last_revision = 0
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS + 30
    while time.monotonic() < deadline:
        try:
            for message in ctx.training.WatchTrainingJob(training_pb.WatchTrainingJobRequest(
                    name=name, after_revision=last_revision), timeout=max(1.0, deadline - time.monotonic())):
                event = message.event
                last_revision = event.revision
                if progress is not None:
                    _show_progress(progress, event)
        except grpc.RpcError as error:
            if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise
        job = ctx.training.GetTrainingJob(training_pb.GetTrainingJobRequest(name=name), timeout=10).job
        if job.end_time.seconds:
            if progress is not None:
                progress.close()
            return job
    raise StepFailed(f"training job {name} did not end within {JOB_TIMEOUT_SECONDS:.0f} s")


def step_refused_for_age(ctx: Context) -> None:
    """Step 2: a job that reads `age` is refused by policy, naming the rule and the feature."""
    header(2, "data scientist", "Ask for a model that reads age")
    ensure_reg_b(ctx)
    features = (*MODEL_FEATURES, "age")
    job = ctx.training.SubmitTrainingJob(training_pb.SubmitTrainingJobRequest(spec=job_spec(features, ctx)),
                                         timeout=60).job
    say(f"SubmitTrainingJob {job.name}: inputs {', '.join(features)}.")
    done = watch_job(ctx, job.name)
    state = training_res.TrainingJobState.Name(done.state).removeprefix("TRAINING_JOB_STATE_")
    age = [v for v in done.violations if v.feature.feature == "age" and v.effect == governance_pb2.POLICY_VERDICT_DENY]
    if done.state != training_res.TRAINING_JOB_STATE_REJECTED_BY_POLICY or not age:
        raise StepFailed(f"expected REJECTED_BY_POLICY naming age, the job ended {state}: {done.state_reason}")
    violation = age[0]
    basis = governance_pb2.ProtectedBasis.Name(violation.protected_basis).removeprefix("PROTECTED_BASIS_").lower()
    say(f"→ {state}: rule {violation.policy_name}/{violation.rule_id} (v{violation.policy_version}) refused "
        f"feature {violation.feature.feature_view}:{violation.feature.feature} (protected basis {basis}).")
    say(f"Why: {violation.explanation or done.state_reason}")
    say(f"No data was fetched (dataset digest {done.dataset_digest or 'none'}); decision {done.policy_decision_id} "
        f"is in the policy log.")
    _proxy_check(ctx)


def step_train(ctx: Context) -> None:
    """Step 3: the corrected job runs its trials and registers version 1 with lineage."""
    header(3, "data scientist", "Train without age: trials, ONNX export, registration")
    job = ctx.training.SubmitTrainingJob(training_pb.SubmitTrainingJobRequest(
        spec=job_spec(MODEL_FEATURES, ctx)), timeout=60).job
    say(f"SubmitTrainingJob {job.name}: inputs {', '.join(MODEL_FEATURES)}; age, sex and race are "
        f"evaluation-only; logistic regression, grid over C (4 trials, 3-fold time-ordered CV).")
    started = time.monotonic()
    done = watch_job(ctx, job.name, TrialProgress())
    state = training_res.TrainingJobState.Name(done.state).removeprefix("TRAINING_JOB_STATE_")
    if done.state != training_res.TRAINING_JOB_STATE_SUCCEEDED:
        raise StepFailed(f"expected SUCCEEDED, the job ended {state} ({done.state_reason_code}): {done.state_reason}")
    reference = done.registered_model_version
    ctx.version = reference.version
    metrics = done.validation_metrics
    say(f"→ {state} in {time.monotonic() - started:.0f} s (policy verdict "
        f"{governance_pb2.PolicyVerdict.Name(done.policy_verdict).removeprefix('POLICY_VERDICT_')}); held-out "
        f"{done.validation_row_count:,} most recent applications: ROC AUC {metrics['roc_auc']:.3f}, "
        f"accuracy {metrics['accuracy']:.3f}.")
    for warning in done.warnings:
        say(f"warning: {warning}", indent=4)
    version = ctx.registry.GetModelVersion(registry_pb.GetModelVersionRequest(
        model_name=reference.model_name, version=reference.version), timeout=10).model_version
    lineage = version.lineage
    parity = lineage.parity_report
    if not parity.passed or lineage.dataset_digest != done.dataset_digest:
        raise StepFailed(f"version {version.version} lacks a passed parity report or the job's dataset digest")
    say(f"Registered {MODEL} version {version.version} (owner {MODEL_TEAM}) with lineage:")
    say(f"dataset digest {lineage.dataset_digest[:16]}… ({lineage.training_row_count:,} training rows), "
        f"job {lineage.training_job_id}, run {lineage.run_id}", indent=4)
    say("features " + ", ".join(f"{f.reference.feature_view}@v{f.resolved_version}:{f.reference.feature}"
                                for f in lineage.features), indent=4)
    say(f"ONNX parity passed on {parity.rows_checked:,} rows + {parity.edge_rows_checked} edge rows "
        f"(max probability difference {parity.max_abs_probability_diff:.1e} ≤ {parity.probability_tolerance:.0e})",
        indent=4)
    ctx.adverse_impact_ratios = {r.attribute: r.adverse_impact_ratio for r in done.fairness_results}
    for result in done.fairness_results:
        groups = ", ".join(f"{g.group} {g.selection_rate:.2f}" for g in result.groups)
        say(f"fairness by {result.attribute}: approval rate {groups}; adverse impact ratio "
            f"{result.adverse_impact_ratio:.2f}, equal opportunity difference {result.equal_opportunity_difference:.3f}",
            indent=4)


def step_promote(ctx: Context) -> None:
    """Step 4: the `production` alias moves only after the policy service allows it."""
    header(4, "ML engineer", "Promote version 1 to production through the fairness gate")
    reason = "lending demo: first production model"
    rpc = "MoveAlias"
    try:
        current = ctx.registry.GetAlias(registry_pb.GetAliasRequest(model_name=MODEL, alias="production"),
                                        timeout=10).alias
        moved = ctx.registry.MoveAlias(registry_pb.MoveAliasRequest(
            model_name=MODEL, alias="production", version=ctx.version, expected_version=current.version,
            reason=reason), timeout=30)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.NOT_FOUND:
            raise
        rpc = "SetAlias"  # the alias does not exist yet; SetAlias creates it, through the same gate
        moved = ctx.registry.SetAlias(registry_pb.SetAliasRequest(
            model_name=MODEL, alias="production", version=ctx.version, reason=reason), timeout=30)
    verdict = governance_pb2.PolicyVerdict.Name(moved.verdict).removeprefix("POLICY_VERDICT_")
    if moved.verdict not in (governance_pb2.POLICY_VERDICT_ALLOW, governance_pb2.POLICY_VERDICT_WARN):
        raise StepFailed(f"the production alias is protected, yet the move came back with verdict {verdict}")
    decision = ctx.policy.GetDecision(policy_pb.GetDecisionRequest(decision_id=moved.change.decision_id),
                                      timeout=10).decision
    lowest = min(ctx.adverse_impact_ratios.items(), key=lambda item: item[1], default=("none", 0.0))
    say(f"{rpc} production → {MODEL} v{moved.alias.version}: the alias is protected, so the registry asked the "
        f"policy service first; EvaluatePromotion said {verdict} (decision {decision.decision_id}).")
    say(f"Fairness gate: lowest adverse impact ratio {lowest[1]:.2f} (by {lowest[0]}) ≥ "
        f"{ctx.min_adverse_impact_ratio:.2f}; the parity report passed.")
    for policy in decision.evaluated_policies:
        outcomes = ", ".join(f"{r.rule_id} {_outcome(r.outcome)}" for r in policy.rules)
        say(f"{policy.policy_name} v{policy.policy_version}: {outcomes}", indent=4)
    for warning in moved.warnings:
        say(f"warning: {warning.rule_id}: {warning.explanation}", indent=4)
    say("The move, the decision id and the reason are in the alias history; serving and monitoring follow "
        "the alias.")


def _outcome(outcome: int) -> str:
    from sextant.policy.v1 import decisions_pb2

    return decisions_pb2.RuleOutcome.Name(outcome).removeprefix("RULE_OUTCOME_").lower().replace("_", " ")


STEPS: tuple[Callable[[Context], None], ...] = (
    step_definitions_and_history, step_refused_for_age, step_train, step_promote,
    operate.step_deploy_and_predict, operate.step_outcomes, operate.step_drift, operate.step_definition_change)


def _fresh(ctx: Context) -> None:
    try:
        ctx.registry.GetRegisteredModel(registry_pb.GetRegisteredModelRequest(name=MODEL), timeout=10)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return
        raise
    raise StepFailed(f"model {MODEL} already exists in this state folder; the demo tells its story on a fresh "
                     f"one (sextant down, then sextant demo --fresh, or sextant demo --dir <new folder>)")


def run(addresses: dict[str, str], state_dir: Path) -> int:
    """Run the demo against the services at ``addresses``; 0 when every step behaved as described."""
    started = time.monotonic()
    print()
    print(f"Lending demo: a credit default model on {CUSTOMERS:,} synthetic applicants (state in {state_dir}).")
    ctx = Context.connect(addresses, generate(CUSTOMERS))
    say(f"Data: {ctx.data.history.num_rows:,} monthly snapshots, {ctx.data.applications.num_rows:,} applications, "
        f"{ctx.data.default_rate:.1%} defaulted; age, sex and race kept for evaluation only.", indent=0)
    where = "before step 1"
    try:
        _fresh(ctx)
        for number, step in enumerate(STEPS, start=1):
            where = f"at step {number}"
            step(ctx)
    except StepFailed as failure:
        print(f"\nDemo failed {where}: {failure}", flush=True)
        return 1
    except grpc.RpcError as error:
        print(f"\nDemo failed {where}: {error.code().name}: {error.details()}", flush=True)
        return 1
    except Exception as error:  # noqa: BLE001 - one line for the person watching, not a traceback
        print(f"\nDemo failed {where}: unexpected {type(error).__name__}: {error}", flush=True)
        return 1
    finally:
        ctx.close()
    print()
    print(f"All 8 steps behaved as described ({time.monotonic() - started:.0f} s).")
    return 0
