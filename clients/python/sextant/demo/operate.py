"""Steps 5 to 8 of the lending demo: serve, log outcomes, catch drift, notice a stale model."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import grpc
import numpy as np

from sextant.demo.context import DEPLOYMENT, FEATURE_TEAM, MODEL, MODEL_TEAM, SERVING_TEAM, VIEW, Context
from sextant.demo.data import FIRST_CUSTOMER_ID, SEED, default_logit, ipc_bytes, shifted_segment
from sextant.demo.show import StepFailed, header, say
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb
from sextant.featurestore.v1 import resources_pb2 as fs_res
from sextant.monitoring.v1 import alerts_pb2, logs_pb2, reports_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as mon_pb
from sextant.monitoring.v1 import resources_pb2 as mon_res
from sextant.registry.v1 import registry_service_pb2 as registry_pb
from sextant.registry.v1 import resources_pb2 as registry_res
from sextant.serving.v1 import resources_pb2 as serving_res
from sextant.serving.v1 import serving_service_pb2 as serving_pb
from sextant.type.v1 import model_pb2, tabular_pb2, types_pb2

T = types_pb2
Result = TypeVar("Result")
SCORED_CUSTOMERS = 1_000
SEGMENT_SIZE = 2_000
BATCH_ROWS = 200
WINDOW_ROWS = 1_000
DRIFT_RULE = "feature-drift-psi"
PSI_THRESHOLD = 0.25
WAIT_SECONDS = 45.0
DEFAULT_MONITOR = f"{MODEL}-production"
SHOWN_METRICS = {mon_res.PERFORMANCE_METRIC_ROC_AUC: "ROC AUC", mon_res.PERFORMANCE_METRIC_ACCURACY: "accuracy"}


def _wait_for(what: str, probe: Callable[[], Result | None], seconds: float = WAIT_SECONDS,
              pause: float = 0.25) -> Result:
    """Call ``probe`` until it answers something (bounded); StepFailed naming ``what`` otherwise."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise StepFailed(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(pause)


def _keys(ids: list[int]) -> serving_pb.EntityKeys:
    return serving_pb.EntityKeys(keys=tabular_pb2.ColumnBatch(row_count=len(ids), columns=[tabular_pb2.Column(
        name="customer_id", dtype=T.DATA_TYPE_INT64, int64_values=tabular_pb2.Int64Array(values=ids))]))


def _default_probabilities(response: serving_pb.PredictResponse) -> list[float]:
    """P(default) per row: the `1` column of the probabilities output."""
    labels = list(response.class_labels)
    columns = {c.name: c for c in response.outputs.columns.columns}
    probabilities = columns.get("probabilities")
    if probabilities is None or "1" not in labels:
        raise StepFailed(f"the prediction has no probabilities for class 1 (outputs {sorted(columns)}, "
                         f"classes {labels})")
    values = np.asarray(probabilities.float_values.values or probabilities.double_values.values)
    return values.reshape(-1, len(labels))[:, labels.index("1")].tolist()


def predict(ctx: Context, request_id: str, ids: list[int]) -> serving_pb.PredictResponse:
    """Score customers by id through the deployment, waiting while the version loads (bounded)."""
    request = serving_pb.PredictRequest(request_id=request_id, deployment=DEPLOYMENT, entity_keys=_keys(ids))
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            return ctx.serving.Predict(request, timeout=10)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def step_deploy_and_predict(ctx: Context) -> None:
    """Step 5: a deployment of `production`, and predictions by customer id."""
    header(5, "ML engineer", "Deploy production and score customers by id")
    created = ctx.serving.CreateDeployment(serving_pb.CreateDeploymentRequest(deployment=serving_res.Deployment(
        name=DEPLOYMENT, model_name=MODEL, alias="production", owner_team=SERVING_TEAM,
        description="Credit default scores for the loan origination system.",
        missing_feature_policy=serving_res.MISSING_FEATURE_POLICY_REJECT)), timeout=30).deployment
    say(f"CreateDeployment {created.name}: {MODEL}@production, owned by {SERVING_TEAM}; the deployment policy "
        f"check passed (decision {created.policy_decision_id or 'none'}).")
    monitor = _wait_for("the default monitor of the production version", lambda: _monitor(ctx, DEFAULT_MONITOR))
    say(f"Monitoring saw the alias move and created monitor {monitor.name} (windows of "
        f"{monitor.window.row_count:,} predictions) with its default rules.")
    ids = [int(i) for i in ctx.data.customer_ids[:SCORED_CUSTOMERS]]
    started = time.monotonic()
    versions = set()
    for offset in range(0, len(ids), BATCH_ROWS):
        batch = ids[offset:offset + BATCH_ROWS]
        response = predict(ctx, f"demo-score-{offset // BATCH_ROWS:03d}", batch)
        versions.add(response.model_version)
        ctx.predictions.append((response.request_id, batch, _default_probabilities(response)))
    if versions != {ctx.version}:
        raise StepFailed(f"expected every prediction from version {ctx.version}, got versions {sorted(versions)}")
    say(f"Predict(entity_keys=customer_id) × {len(ctx.predictions)} requests, {len(ids):,} customers in "
        f"{time.monotonic() - started:.1f} s, all answered by v{ctx.version}: serving fetched each customer's "
        f"credit_profile from the online store itself.")
    _, batch, scores = ctx.predictions[0]
    for customer, score in list(zip(batch, scores, strict=True))[:3]:
        say(f"customer {customer}: P(default) {score:.3f} → {'refer to an underwriter' if score > 0.3 else 'approve'}",
            indent=4)
    say("Every prediction is logged to monitoring with its request id and inputs.")


def _monitor(ctx: Context, name: str) -> mon_res.Monitor | None:
    try:
        return ctx.monitoring.GetMonitor(mon_pb.GetMonitorRequest(name=name), timeout=10).monitor
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise


def _labelled_window(ctx: Context, expected: int) -> reports_pb2.PerformanceReport | None:
    """The first window of the default monitor once every outcome has met its prediction."""
    try:
        report = ctx.monitoring.GetPerformanceReport(mon_pb.GetPerformanceReportRequest(
            monitor=DEFAULT_MONITOR, window_index=1), timeout=10).report
    except grpc.RpcError as error:
        if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION):
            return None
        raise
    return report if report.labelled_count >= expected else None


def _true_outcomes(ctx: Context, ids: list[int]) -> np.ndarray:
    """What happened to the customers scored in step 5, drawn from the same process as the history."""
    rng = np.random.default_rng(SEED + 2)
    positions = np.asarray(ids) - FIRST_CUSTOMER_ID
    latest = {name: values[positions] for name, values in ctx.data.latest.items()}
    logit = default_logit(latest["income"], latest["debt_ratio"], latest["credit_utilization"],
                          latest["delinquencies_12m"], latest["credit_history_months"])
    return (rng.random(len(ids)) < 1 / (1 + np.exp(-logit))).astype(int)


def step_outcomes(ctx: Context) -> None:
    """Step 6: the outcomes of the scored loans arrive and are logged to monitoring."""
    header(6, "ML engineer", "Log what happened to the scored loans")
    ids = [customer for _, batch, _ in ctx.predictions for customer in batch]
    scores = np.array([score for _, _, batch_scores in ctx.predictions for score in batch_scores])
    truth = _true_outcomes(ctx, ids)
    outcomes = []
    position = 0
    for request_id, batch, _ in ctx.predictions:
        for row in range(len(batch)):
            outcomes.append(logs_pb2.Outcome(request_id=request_id, row_index=row, class_label=str(truth[position])))
            position += 1
    logged = ctx.monitoring.LogOutcomes(mon_pb.LogOutcomesRequest(outcomes=outcomes), timeout=30)
    if logged.rejected_count or logged.accepted_count + logged.updated_count + logged.duplicate_count != len(outcomes):
        reasons = ", ".join(logs_pb2.RejectionReason.Name(r.reason) for r in logged.rejections[:3])
        raise StepFailed(f"LogOutcomes rejected {logged.rejected_count} of {len(outcomes)} outcomes ({reasons})")
    defaulted = truth == 1
    say(f"LogOutcomes → {logged.accepted_count:,} outcomes stored, joined to their predictions by request id: "
        f"{int(defaulted.sum())} of {len(ids):,} loans defaulted (the model had scored them at P(default) "
        f"{scores[defaulted].mean():.2f} on average, the others at {scores[~defaulted].mean():.2f}).")
    report = _wait_for("realised performance of the scored window", lambda: _labelled_window(ctx, len(ids)))
    compared = []
    for metric in report.metrics:
        if metric.HasField("realised") and metric.HasField("training") and metric.metric in SHOWN_METRICS:
            compared.append(f"{SHOWN_METRICS[metric.metric]} {metric.realised:.3f} (training {metric.training:.3f})")
    if not compared:
        raise StepFailed(f"the performance report of {DEFAULT_MONITOR} window 1 has no realised metrics")
    say(f"GetPerformanceReport {DEFAULT_MONITOR} window 1: {report.labelled_count:,} of "
        f"{report.prediction_count:,} predictions labelled; realised {', '.join(compared)}.")


def _drift_alerts(ctx: Context) -> list[alerts_pb2.Alert] | None:
    firing = [a for a in ctx.monitoring.ListAlerts(mon_pb.ListAlertsRequest(
        model_name=MODEL, alert_rule=DRIFT_RULE), timeout=10).alerts if a.state == alerts_pb2.ALERT_STATE_FIRING]
    return firing or None


def step_drift(ctx: Context) -> None:
    """Step 7: a segment with worse finances drifts; the alert goes to the team that owns the feature."""
    header(7, "ML engineer + data engineer", "A drifted segment raises an alert")
    monitor = ctx.monitoring.CreateMonitor(mon_pb.CreateMonitorRequest(monitor=mon_res.Monitor(
        name="credit-default-segments", model_name=MODEL, alias="production",
        description="Input drift of the production credit model, per 1,000 predictions.",
        window=mon_res.WindowSpec(row_count=WINDOW_ROWS, min_rows=200))), timeout=10).monitor
    ctx.monitoring.CreateAlertRule(mon_pb.CreateAlertRuleRequest(alert_rule=alerts_pb2.AlertRule(
        name=DRIFT_RULE, monitor=monitor.name, description="Any input's PSI against training reaches 0.25.",
        metric=mon_res.MetricSelector(kind=mon_res.METRIC_KIND_FEATURE_DRIFT,
                                      drift_measure=mon_res.DRIFT_MEASURE_PSI),
        comparison=model_pb2.COMPARISON_OPERATOR_GREATER_THAN_OR_EQUAL, threshold=PSI_THRESHOLD, for_windows=1,
        severity=alerts_pb2.SEVERITY_WARNING)), timeout=10)
    say(f"ML engineer: monitor {monitor.name} (windows of {WINDOW_ROWS:,} predictions, reference = the training "
        f"profile in the registry) with rule {DRIFT_RULE}: PSI ≥ {PSI_THRESHOLD} on any input.")

    segment = shifted_segment(ctx.data, SEGMENT_SIZE)
    ingested = ctx.featurestore.IngestBatch(iter([
        fs_pb.IngestBatchRequest(header=fs_pb.IngestBatchHeader(
            feature_view=VIEW, ingest_id="lending-demo-partner-segment-2026-01", write_online=True)),
        fs_pb.IngestBatchRequest(chunk=T.ArrowTable(ipc_stream=ipc_bytes(segment)))]), timeout=60)
    say(f"Data engineer: the January snapshot of {ingested.online_rows_written:,} customers acquired from a partner "
        f"lender is loaded (IngestBatch with write_online): higher debt ratios and card utilisation, lower incomes.")
    ids = [int(i) for i in segment.column("customer_id").to_numpy()]
    for offset in range(0, len(ids), BATCH_ROWS):
        predict(ctx, f"demo-segment-{offset // BATCH_ROWS:03d}", ids[offset:offset + BATCH_ROWS])
    say(f"The loan system scores the segment: {len(ids):,} predictions by customer id.")
    alerts = _wait_for("a firing drift alert", lambda: _drift_alerts(ctx))
    for alert in sorted(alerts, key=lambda a: -a.measured_value):
        reason = alerts_pb2.RoutingReason.Name(alert.routing_reason).removeprefix("ROUTING_REASON_").lower()
        source = alert.feature.reference
        say(f"FIRING {alert.metric.feature}: PSI {alert.measured_value:.2f} ≥ {alert.threshold} → routed to team "
            f"{alert.routed_team} ({reason.replace('_', ' ')} of {source.feature_view}:{source.feature})", indent=4)
    if not any(a.routed_team == FEATURE_TEAM and a.feature.reference.feature_view == VIEW for a in alerts):
        raise StepFailed(f"no drift alert was routed to {FEATURE_TEAM}, the owner of {VIEW}")
    say(f"The alerts reach {FEATURE_TEAM}, who own credit_profile: the people who can tell whether the data or the "
        f"world changed.")


def _changed_view(ctx: Context) -> fs_res.FeatureView:
    view = fs_res.FeatureView()
    view.CopyFrom(ctx.view_v1)
    for name in ("version", "fingerprint", "create_time", "update_time", "created_by", "latest_version",
                 "materialization_watermark"):
        view.ClearField(name)
    debt = next(f for f in view.features if f.name == "debt_ratio")
    debt.description = "Monthly debt payments, now including buy-now-pay-later instalments, divided by income."
    debt.tags["formula"] = "dti-v2-with-bnpl"
    return view


def _stale_alert(ctx: Context) -> alerts_pb2.Alert | None:
    alerts = ctx.monitoring.ListAlerts(mon_pb.ListAlertsRequest(model_name=MODEL, model_version=ctx.version),
                                       timeout=10).alerts
    return next((a for a in alerts if a.source == alerts_pb2.ALERT_SOURCE_REGISTRY_STALE_VERSION), None)


def step_definition_change(ctx: Context) -> None:
    """Step 8: a changed credit_profile definition makes version 1 stale and alerts the model's owners."""
    header(8, "data engineer", "Change the credit_profile definition")
    applied = ctx.featurestore.ApplyDefinitions(fs_pb.ApplyDefinitionsRequest(
        feature_views=[_changed_view(ctx)], change_note="debt_ratio now counts buy-now-pay-later"), timeout=30)
    item = next(i for i in applied.plan.items if i.name == VIEW)
    if not item.creates_version:
        raise StepFailed(f"the changed definition did not create a new version of {VIEW}")
    compatibility = fs_res.Compatibility.Name(item.compatibility).removeprefix("COMPATIBILITY_").lower()
    say(f"ApplyDefinitions → {VIEW} v{item.current_version} → v{item.new_version} ({compatibility}): "
        + "; ".join(f"{c.path}: {c.new_value or c.explanation}" for c in item.field_changes[:2]))

    def stale_version() -> registry_res.ModelVersion | None:
        version = ctx.registry.GetModelVersion(registry_pb.GetModelVersionRequest(
            model_name=MODEL, version=ctx.version), timeout=10).model_version
        return version if version.stale else None

    version = _wait_for(f"{MODEL} v{ctx.version} marked stale", stale_version)
    reason = version.stale_reasons[0]
    say(f"Registry: {MODEL} v{version.version} is STALE — {reason.message}.")
    alert = _wait_for("a stale-model alert", lambda: _stale_alert(ctx))
    if alert.routed_team != MODEL_TEAM:
        raise StepFailed(f"the stale-model alert went to {alert.routed_team!r}, not the model's owners {MODEL_TEAM}")
    state = alerts_pb2.AlertState.Name(alert.state).removeprefix("ALERT_STATE_")
    say(f"Monitoring: {state} alert {alert.name} routed to team {alert.routed_team}, the model's owners: "
        f"{alert.summary}")
    say(f"They retrain on credit_profile v{item.new_version}, or confirm the change is harmless and clear the mark.")
