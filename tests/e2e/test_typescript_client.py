"""The TypeScript example (clients/typescript) against a live stack: real policy, registry, feature store
and serving servers on port 0, the example run by node as a separate process over Connect's gRPC transport.

The test registers and deploys a scorer whose three inputs are fed from the features of the view the
example defines; the example then applies the view, pushes a row, reads it online and asks the
deployment for a prediction, which serving answers by fetching the pushed features itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import numpy as np
import pytest

from services import catalog
from services.featurestore.settings import FeatureStoreSettings
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from services.serving.settings import ServingSettings
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.featurestore.v1 import resources_pb2 as fs_res
from sextant.serving.v1 import resources_pb2 as serving_res
from sextant.serving.v1 import serving_service_pb2 as serving_pb
from tests.integration.serving.conftest import Registry, Serving, unused_address
from tests.integration.serving.test_entity_keys import WEIGHTS, register_scorer, scorer_onnx

TS_ROOT = Path(__file__).resolve().parents[2] / "clients" / "typescript"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed, so the TypeScript example cannot run")

# The names the example defines; the scorer's inputs f0, f1, f2 are fed from these features in order.
VIEW = "example_credit_live"
FEATURES = ("utilization", "late_payments", "tenure_years")
MODEL = "ts-credit-score"
DEPLOYMENT = "ts-credit"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Policy, registry, feature store and serving wired together; the scorer deployed as `ts-credit`."""
    root = tmp_path_factory.mktemp("ts-stack")
    policy = catalog.start("policy", PolicySettings(port=0, data_dir=str(root / "policy"), reg_b_preset="off",
                                                    featurestore_address=unused_address(), log_level="warning"))
    featurestore = catalog.start("featurestore", FeatureStoreSettings(
        port=0, data_dir=str(root / "featurestore"), policy_address=policy.address, log_level="warning"))
    registry = catalog.start("registry", RegistrySettings(
        port=0, data_dir=str(root / "registry"), staleness_follower=False, policy_address=policy.address,
        featurestore_address=featurestore.address, log_level="warning"))
    serving = Serving(catalog.start("serving", ServingSettings(
        port=0, data_dir=str(root / "serving"), registry_address=registry.address, policy_address=policy.address,
        featurestore_address=featurestore.address, monitoring_address=unused_address(),
        registry_retry_seconds=0.1, log_level="warning")))
    client = Registry(registry.address)
    try:
        client.create_model(MODEL)
        client.set_alias(MODEL, "production", register_scorer(client, scorer_onnx(), model=MODEL, view=VIEW, features=FEATURES))
        serving.sextant.CreateDeployment(serving_pb.CreateDeploymentRequest(deployment=serving_res.Deployment(
            name=DEPLOYMENT, model_name=MODEL, alias="production")), timeout=10)
        yield {"featurestore": featurestore.address, "serving": serving.address}
    finally:
        client.close()
        serving.close()
        registry.stop(0)
        featurestore.stop(0)
        policy.stop(0)


def _run_example(stack: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    assert (TS_ROOT / "node_modules" / "tsx").is_dir(), "clients/typescript has no node_modules: run `make install`"
    env = {**os.environ, "SEXTANT_FEATURESTORE_ADDRESS": stack["featurestore"],
           "SEXTANT_SERVING_ADDRESS": stack["serving"]}
    env.pop("SEXTANT_CREDENTIAL", None)
    return subprocess.run([NODE or "node", "--import", "tsx", "src/example.ts", *args], cwd=TS_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _values(line: str) -> dict[str, float]:
    return {name: float(value) for name, value in re.findall(r"(\w+)=(-?[\d.e+-]+)", line) if name in FEATURES}


def test_example_defines_pushes_reads_and_predicts(stack: dict[str, str]) -> None:
    result = _run_example(stack, "--deployment", DEPLOYMENT, "--customer-id", "77")
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    lines = {line.split(" ", 1)[0]: line for line in result.stdout.splitlines()}
    assert set(lines) == {"applied", "pushed", "online", "predicted"}, result.stdout
    pushed, online = _values(lines["pushed"]), _values(lines["online"])
    assert set(pushed) == set(FEATURES) and online == pushed
    assert "customer_id=77" in lines["online"]

    # The view the example applied is in the feature store as it described it.
    with grpc.insecure_channel(stack["featurestore"]) as channel:
        view = fs_grpc.FeatureStoreServiceStub(channel).GetFeatureView(
            fs_pb.GetFeatureViewRequest(name=VIEW), timeout=10).feature_view
    assert view.source_kind == fs_res.SOURCE_KIND_PUSH
    assert [feature.name for feature in view.features] == list(FEATURES)

    # The prediction is the deployed scorer's answer on the pushed values, fetched by serving itself.
    predicted = lines["predicted"]
    assert f"model {MODEL} version 1" in predicted and "route PRIMARY" in predicted
    assert f"features {','.join(FEATURES)}" in predicted
    score = float(re.search(r"score=(\S+)", predicted).group(1))
    expected = float(np.array([pushed[f] for f in FEATURES], dtype=np.float32) @ WEIGHTS.reshape(-1))
    assert score == pytest.approx(expected, rel=1e-5)


def test_example_exits_non_zero_on_a_failed_call(stack: dict[str, str]) -> None:
    result = _run_example(stack, "--deployment", "no-such-deployment")
    assert result.returncode == 1
    assert "example failed: NotFound" in result.stderr
    assert result.stdout.splitlines()[-1].startswith("online ")
