"""The stock tritonclient gRPC client against the serving service, run in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.serving.conftest import Registry, Serving, tiny_onnx

SCRIPT = Path(__file__).with_name("triton_client_check.py")


def test_tritonclient_conformance(registry: Registry, serving: Serving) -> None:
    registry.create_model("tritonm")
    version = registry.register("tritonm", tiny_onnx())
    registry.set_alias("tritonm", "production", version)
    done = subprocess.run([sys.executable, str(SCRIPT), serving.address, "tritonm", str(version)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok")
