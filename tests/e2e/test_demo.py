"""`sextant demo`: the lending story runs end to end on the local stack, says what happened at every
step, and leaves the services in the state it describes."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import numpy as np
import pytest

from sextant.demo import data, scenario
from sextant.monitoring.v1 import alerts_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as mon_pb
from sextant.monitoring.v1 import monitoring_service_pb2_grpc as mon_grpc
from sextant.registry.v1 import registry_service_pb2 as reg_pb
from sextant.registry.v1 import registry_service_pb2_grpc as reg_grpc
from sextant.training.v1 import resources_pb2 as training_res
from sextant.training.v1 import training_service_pb2 as training_pb
from sextant.training.v1 import training_service_pb2_grpc as training_grpc

DEMO_SECONDS = 420


@dataclass
class DemoRun:
    """The finished demo: its output, exit code, and the addresses of the stack it left running."""

    returncode: int
    stdout: str
    stderr: str
    addresses: dict[str, str]
    state_dir: Path


def _sextant(*args: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sextant.cli.main", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """Run `sextant demo` once (on another base port if one of the twelve ports is taken)."""
    root = tmp_path_factory.mktemp("demo")
    state_dir = root / ".sextant"
    result = None
    try:
        for _attempt in range(4):
            base = random.randrange(20000, 40000, 10)
            result = _sextant("demo", "--dir", str(state_dir), "--base-port", str(base), cwd=root,
                              timeout=DEMO_SECONDS)
            if result.returncode == 0 or "port" not in result.stderr:
                break
        assert result is not None
        stack = json.loads((state_dir / "run" / "stack.json").read_text()) if result.returncode == 0 else {}
        addresses = {name: f"127.0.0.1:{port}" for name, port in stack.get("ports", {}).items()}
        yield DemoRun(result.returncode, result.stdout, result.stderr, addresses, state_dir)
    finally:
        _sextant("down", "--dir", str(state_dir), cwd=root, timeout=60)


@pytest.mark.timeout(DEMO_SECONDS + 60)
def test_every_step_reports_its_outcome(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-2000:]
    out = " ".join(demo.stdout.split())  # statements are wrapped at 100 columns
    for number, persona in enumerate(("data engineer", "data scientist", "data scientist", "ML engineer",
                                      "ML engineer", "ML engineer", "ML engineer + data engineer", "data engineer"),
                                     start=1):
        assert f"Step {number} · {persona}" in out
    # 1: definitions with the protected tag, history ingested and materialized.
    assert "feature view credit_profile: created v1" in out and "`age` is tagged protected_basis=age" in out
    assert "→ 120,000 rows" in out and "MaterializeFeatures" in out
    # 2: refused by the Regulation B rule, naming the feature.
    assert "REJECTED_BY_POLICY: rule reg-b/no-protected-inputs" in out and "credit_profile:age" in out
    # 3: trials, registration with lineage and parity.
    assert "4/4 trials" in out and "Registered credit-default version 1" in out
    assert "dataset digest" in out and "credit_profile@v1:debt_ratio" in out and "ONNX parity passed" in out
    # 4: the production version and the policy decision.
    assert "production → credit-default v1" in out and "EvaluatePromotion said ALLOW" in out
    assert "four-fifths passed" in out
    # 5 and 6: predictions by customer id, outcomes logged.
    assert "Predict(entity_keys=customer_id)" in out and "LogOutcomes → 1,000 outcomes stored" in out
    assert "1,000 of 1,000 predictions labelled; realised ROC AUC" in out
    # 7: drift routed to the team that owns the features.
    assert "FIRING debt_ratio" in out and "routed to team risk-data" in out
    # 8: the definition change makes version 1 stale and alerts the model's owners.
    assert "credit_profile v1 → v2" in out and "credit-default v1 is STALE" in out
    assert "routed to team credit-science" in out
    assert "All 8 steps behaved as described" in out and "Traceback" not in demo.stderr


@pytest.mark.timeout(DEMO_SECONDS + 60)
def test_the_stack_is_left_in_the_state_the_demo_describes(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stdout[-3000:]
    with grpc.insecure_channel(demo.addresses["registry"]) as channel:
        registry = reg_grpc.RegistryServiceStub(channel)
        alias = registry.GetAlias(reg_pb.GetAliasRequest(model_name="credit-default", alias="production"),
                                  timeout=10).alias
        version = registry.GetModelVersion(reg_pb.GetModelVersionRequest(model_name="credit-default", version=1),
                                           timeout=10).model_version
    assert alias.version == 1 and alias.protected and alias.decision_id
    assert version.stale and version.stale_reasons[0].feature_view == "credit_profile"
    assert "age" not in {tensor.name for tensor in version.signature.inputs}
    with grpc.insecure_channel(demo.addresses["training"]) as channel:
        jobs = training_grpc.TrainingServiceStub(channel).ListTrainingJobs(
            training_pb.ListTrainingJobsRequest(), timeout=10).jobs
    assert sorted(job.state for job in jobs) == sorted([training_res.TRAINING_JOB_STATE_REJECTED_BY_POLICY,
                                                        training_res.TRAINING_JOB_STATE_SUCCEEDED])
    with grpc.insecure_channel(demo.addresses["monitoring"]) as channel:
        alerts = mon_grpc.MonitoringServiceStub(channel).ListAlerts(
            mon_pb.ListAlertsRequest(model_name="credit-default"), timeout=10).alerts
    drift = [a for a in alerts if a.alert_rule == "feature-drift-psi" and a.state == alerts_pb2.ALERT_STATE_FIRING]
    assert drift and all(a.routed_team == "risk-data" for a in drift)
    assert "debt_ratio" in {a.metric.feature for a in drift}
    stale = [a for a in alerts if a.source == alerts_pb2.ALERT_SOURCE_REGISTRY_STALE_VERSION]
    assert [a.routed_team for a in stale] == ["credit-science"]
    with grpc.insecure_channel(demo.addresses["monitoring"]) as channel:
        report = mon_grpc.MonitoringServiceStub(channel).GetPerformanceReport(mon_pb.GetPerformanceReportRequest(
            monitor="credit-default-production", window_index=1), timeout=10).report
    # The outcomes of step 6 met the 1,000 predictions of step 5 (and no prediction of the segment).
    assert (report.prediction_count, report.labelled_count) == (1000, 1000)


@pytest.mark.timeout(DEMO_SECONDS + 60)
def test_a_deviation_stops_the_demo_with_one_line_naming_the_step(demo: DemoRun,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.returncode == 0, demo.stdout[-3000:]
    # Run the story again against the same services: the model exists already, which the demo refuses.
    code = scenario.run(demo.addresses, demo.state_dir)
    out = capsys.readouterr().out
    assert code == 1
    failures = [line for line in out.splitlines() if line.startswith("Demo failed")]
    assert len(failures) == 1 and "before step 1" in failures[0] and "credit-default already exists" in failures[0]


def test_the_reg_b_policy_is_created_when_the_preset_is_off(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from types import SimpleNamespace

    from services import catalog
    from services.policy.settings import PolicySettings
    from sextant.policy.v1 import policy_service_pb2_grpc

    running = catalog.start("policy", PolicySettings(port=0, data_dir=str(tmp_path), reg_b_preset="off",
                                                     featurestore_address="127.0.0.1:1", log_level="warning"))
    try:
        with grpc.insecure_channel(running.address) as channel:
            ctx = SimpleNamespace(policy=policy_service_pb2_grpc.PolicyServiceStub(channel),
                                  min_adverse_impact_ratio=0.0)
            created = scenario.ensure_reg_b(ctx)
            again = scenario.ensure_reg_b(ctx)
    finally:
        running.stop(0)
    assert not created.builtin and created.document.scope.domains == ["credit"]
    assert [rule.id for rule in created.document.rules][0] == "no-protected-inputs"
    assert again.version == created.version == 1 and ctx.min_adverse_impact_ratio == 0.8
    out = capsys.readouterr().out
    assert "(created now)" in out and "(existing policy)" in out


def test_the_synthetic_data_is_seeded_with_signal_and_a_zip_code_proxy() -> None:
    first, second = data.generate(3_000), data.generate(3_000)
    assert first.history.equals(second.history) and first.applications.equals(second.applications)
    applications = first.applications.to_pandas()
    positions = applications.customer_id.to_numpy() - data.FIRST_CUSTOMER_ID
    # Zip codes cluster by race: the most common race of a zip code is right far more often than chance.
    frame = applications.assign(zip_code=first.zip_codes[positions])
    majority = frame.groupby("zip_code").race.agg(lambda races: races.value_counts().iloc[0]).sum() / len(frame)
    assert majority > 0.75
    # Defaults follow the debt ratio; they do not follow race.
    latest_debt = first.latest["debt_ratio"][positions]
    defaulted = applications.defaulted.to_numpy() == 1
    assert latest_debt[defaulted].mean() > latest_debt[~defaulted].mean() + 0.05
    rates = applications.groupby("race").defaulted.mean()
    assert float(rates.max() - rates.min()) < 0.05
    assert 0.05 < float(np.mean(defaulted)) < 0.3


def _readme_block(language: str, after: str) -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index(f"```{language}\n", readme.index(after)) + len(language) + 4
    return readme[start:readme.index("```", start)]


def test_the_readme_commands_work_on_the_stack_the_demo_leaves(demo: DemoRun) -> None:
    assert demo.returncode == 0
    commands = [line.split()[1:] for line in _readme_block("sh", "Then use it yourself").splitlines()
                if line.startswith(".venv/bin/sextant ")]
    assert len(commands) >= 3
    for command in commands:
        result = _sextant(*command, "--json", "--dir", str(demo.state_dir), cwd=demo.state_dir.parent, timeout=60)
        assert result.returncode == 0, (command, result.stderr)
        assert json.loads(result.stdout) is not None
    snippet = _readme_block("python", "From Python")
    result = subprocess.run([sys.executable, "-c", snippet], cwd=demo.state_dir.parent, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    digest, *table = result.stdout.strip().splitlines()
    assert len(digest) >= 16 and table, result.stdout


def test_a_fresh_demo_is_refused_while_the_stack_runs_from_its_folder(demo: DemoRun) -> None:
    assert demo.returncode == 0
    result = _sextant("demo", "--fresh", "--dir", str(demo.state_dir), cwd=demo.state_dir.parent, timeout=60)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "sextant down" in result.stderr, result.stderr
    assert (demo.state_dir / "run" / "stack.json").exists()


def test_fresh_deletes_only_the_state_folder_of_a_stack(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = _sextant("demo", "--fresh", "--dir", str(folder), cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "not the state folder" in result.stderr, result.stderr
    assert (folder / "notes.txt").read_text() == "mine"
