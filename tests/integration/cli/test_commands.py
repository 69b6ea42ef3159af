"""The resource commands of ``sextant`` against the real services: JSON output parsed, exit codes and
one-line errors checked."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sextant.cli.main import main
from sextant.client import Sextant
from tests.integration.cli.conftest import Result, Run
from tests.integration.sdk.stack import DEFINITIONS, Services, entity_rows, history
from tests.integration.serving.conftest import N_FEATURES, tiny_onnx

NO_AGE = """\
description: Age stays out of credit models.
scope: {domains: [credit]}
rules:
  - id: no-age
    kind: prohibited_inputs
    prohibited_inputs: {bases: [age]}
"""


def _one_error_line(result: Result, reason: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"sextant: {reason}: "), result.stderr
    assert result.stdout == ""


@pytest.fixture(scope="module")
def lending_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The definitions file, the history as CSV and entity rows as CSV."""
    folder = tmp_path_factory.mktemp("files")
    (folder / "features.py").write_text(DEFINITIONS)
    history().to_csv(folder / "history.csv", index=False)
    entity_rows().head(4).to_csv(folder / "rows.csv", index=False)
    return folder


def test_features_plan_apply_ingest_and_get(sextant: Run, lending_files: Path) -> None:
    plan = sextant("features", "plan", str(lending_files / "features.py"))
    assert plan.code == 0
    assert {item["name"] for item in plan.json()["plan"]["items"]} == {"customer", "credit_profile", "credit_model"}

    applied = sextant("features", "apply", str(lending_files / "features.py"), "--expect-digest",
                      plan.json()["plan"]["digest"])
    assert applied.code == 0 and applied.json()["applied"] is True

    ingested = sextant("features", "ingest", "credit_profile", str(lending_files / "history.csv"), "--online")
    assert ingested.code == 0
    assert int(ingested.json()["rows_written"]) == len(history())

    online = sextant("features", "get", "--features", "credit_profile:income,credit_profile:region",
                     "--key", "customer_id=3,999")
    assert online.code == 0
    rows = online.json()["rows"]
    latest = history().sort_values("event_timestamp").groupby("customer_id").last()
    assert rows[0]["income"] == pytest.approx(latest.income[3]) and rows[0]["income__status"] == "PRESENT"
    assert rows[1]["income"] is None and rows[1]["income__status"] == "NOT_FOUND"

    historical = sextant("features", "get", "--service", "credit_model", "--entity-rows",
                         str(lending_files / "rows.csv"))
    assert historical.code == 0
    assert [r["customer_id"] for r in historical.json()["rows"]] == [0, 1, 2, 3]
    assert all(r["income"] is not None for r in historical.json()["rows"])

    text = sextant("features", "plan", str(lending_files / "features.py"), json_output=False)
    assert text.code == 0 and "UNCHANGED" in text.stdout and "digest" in text.stdout


def test_models_promote_history_deploy_and_predict(sextant: Run, services: Services, tmp_path: Path) -> None:
    with Sextant(services.addresses) as sx:
        sx.registry.create_model("tiny", owner_team="ml", domain="marketing")
        version = sx.registry.upload_model("tiny", tiny_onnx()).version

    listed = sextant("models", "list")
    assert listed.code == 0 and "tiny" in [m["name"] for m in listed.json()["models"]]
    shown = sextant("models", "show", "tiny")
    assert [v["version"] for v in shown.json()["versions"]] == [version]

    promoted = sextant("models", "promote", "tiny", "staging", str(version), "--reason", "cli test")
    assert promoted.code == 0 and promoted.json()["alias"]["version"] == version
    conflict = sextant("models", "promote", "tiny", "staging", str(version), "--expected-version",
                       str(version + 5))
    assert conflict.code == 1
    _one_error_line(conflict, "ALIAS_CHANGED")
    history_rows = sextant("models", "history", "tiny").json()["entries"]
    assert [(e["alias"], e["to_version"]) for e in history_rows] == [("staging", version)]

    deployed = sextant("deploy", "tiny-cli", "--model", "tiny", "--alias", "staging", "--owner-team", "ml")
    assert deployed.code == 0 and deployed.json()["deployment"]["alias"] == "staging"

    inputs = tmp_path / "rows.json"
    inputs.write_text(json.dumps([{"features": [0.9] * N_FEATURES}, {"features": [0.1] * N_FEATURES}]))
    deadline = time.monotonic() + 60
    while (predicted := sextant("predict", "--deployment", "tiny-cli", "--input", str(inputs))).code != 0:
        assert "MODEL_NOT_READY" in predicted.stderr and time.monotonic() < deadline, predicted.stderr
        time.sleep(0.1)
    document = predicted.json()
    assert document["model_version"] == version and len(document["predictions"]) == 2
    assert [p["label"] for p in document["predictions"]] == [1, 0]


def test_policy_apply_then_a_refused_training_job_is_watched_to_its_end(
        sextant: Run, lending_files: Path, tmp_path: Path) -> None:
    assert sextant("features", "apply", str(lending_files / "features.py")).code == 0
    policy_file = tmp_path / "no-age.yaml"
    policy_file.write_text(NO_AGE)
    applied = sextant("policy", "apply", str(policy_file))
    assert applied.code == 0 and applied.json()["policy"]["name"] == "no-age"
    assert "no-age" in [p["name"] for p in sextant("policy", "list").json()["policies"]]

    submitted = sextant("train", "submit", "--model-name", "credit-cli", "--features",
                        "credit_profile:income,credit_profile:age", "--label", "approved", "--entity-rows",
                        str(lending_files / "rows.csv"), "--estimator", "logistic_regression", "--domain", "credit",
                        "--owner-team", "risk")
    assert submitted.code == 0
    job = submitted.json()["job"]["name"]

    watched = sextant("train", "watch", job)
    assert watched.code == 1
    assert watched.json()["job"]["state"] == "REJECTED_BY_POLICY"
    assert watched.json()["events"]
    assert watched.stderr.startswith("sextant: POLICY_DENIED: ") and "credit_profile:age" in watched.stderr
    assert len(watched.stderr.strip().splitlines()) == 1

    as_text = sextant("train", "watch", job, json_output=False)
    assert as_text.code == 1
    assert as_text.stdout.splitlines()[-1] == f"{job} REJECTED_BY_POLICY"
    assert any("POLICY_CHECK" in line for line in as_text.stdout.splitlines())

    assert job in [j["name"] for j in sextant("train", "list", "--model", "credit-cli").json()["jobs"]]
    listed = sextant("train", "list", "--model", "credit-cli", json_output=False).stdout.splitlines()
    assert listed[0].split() == ["JOB", "MODEL", "STATE", "TRIALS", "VERSION", "CREATED"]
    decisions = sextant("policy", "decisions", "--job", job).json()["decisions"]
    assert [d["verdict"] for d in decisions] == ["POLICY_VERDICT_DENY"]


def test_errors_exit_codes_and_one_line_messages(sextant: Run, tmp_path: Path) -> None:
    missing = sextant("alerts", "ack", "alerts/nope")
    assert missing.code == 3
    _one_error_line(missing, "ALERT_NOT_FOUND")

    assert sextant("alerts", "list").json() == {"alerts": []}

    bad_duration = sextant("alerts", "silence", "alerts/nope", "--for", "soon")
    assert bad_duration.code == 2
    _one_error_line(bad_duration, "USAGE")

    no_file = sextant("features", "ingest", "credit_profile", str(tmp_path / "missing.csv"))
    assert no_file.code == 2
    _one_error_line(no_file, "USAGE")

    with pytest.raises(SystemExit) as usage:
        main(["models", "promote", "tiny"])
    assert usage.value.code == 2


def test_addresses_come_from_the_environment(sextant: Run, services: Services, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    monkeypatch.setenv("SEXTANT_POLICY_ADDRESS", services.addresses["policy"])
    assert sextant("policy", "list", directory=empty).code == 0


def test_a_reader_closing_the_pipe_ends_the_command_quietly(state_dir: Path) -> None:
    """`sextant policy list --json | head -c 1`: no traceback, the shell's SIGPIPE status."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes anything
    try:
        finished = subprocess.run([sys.executable, "-m", "sextant.cli.main", "policy", "list", "--dir",
                                   str(state_dir), "--json"], stdout=write_end, stderr=subprocess.PIPE,
                                  timeout=60, check=False)
    finally:
        os.close(write_end)
    assert finished.returncode == 141, finished.stderr
    assert b"Traceback" not in finished.stderr and b"BrokenPipeError" not in finished.stderr
