"""deploy/k8s: generated from the suite table, valid against the Kubernetes schemas, hardened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from services.catalog import SERVICES
from services.common.settings import DEFAULT_PORTS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def _objects() -> list[dict]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return found


def test_manifests_are_fresh() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "k8sgen.py"), "--check"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("obj", _objects(), ids=lambda o: f"{o['kind']}/{o['metadata']['name']}")
def test_valid_against_the_kubernetes_schema(obj: dict) -> None:
    kubernetes_validate.validate(obj, "1.30.0", strict=True)


def test_every_service_has_a_hardened_deployment_with_grpc_probes() -> None:
    objects = _objects()
    for name in SERVICES:
        kinds = {o["kind"] for o in objects if o["metadata"]["name"] == f"sextant-{name}"}
        assert {"ServiceAccount", "Deployment", "Service"} <= kinds, name
        deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == f"sextant-{name}")
        pod = deployment["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == f"sextant-{name}"
        (container,) = pod["containers"]
        assert container["command"] == ["python", "-m", f"services.{name}"]
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"]["port"] == DEFAULT_PORTS[name]
        security = container["securityContext"]
        assert security["runAsNonRoot"] and security["readOnlyRootFilesystem"]
        assert security["capabilities"]["drop"] == ["ALL"] and not security["allowPrivilegeEscalation"]
        assert container["resources"]["requests"] and container["resources"]["limits"]
    assert any(o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "sextant-serving" for o in objects)


def test_every_service_enforces_authentication_from_its_mounted_secret() -> None:
    from services.catalog import settings_class
    from services.common.settings import load_settings

    objects = _objects()
    for name in SERVICES:
        deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == f"sextant-{name}")
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        plain = {item["name"]: item["value"] for item in container["env"] if "value" in item}
        settings = load_settings(settings_class(name), name, environ=plain)
        assert settings.auth_mode == "enforce"
        secret = next(v for v in pod["volumes"] if v["name"] == "auth")["secret"]["secretName"]
        assert secret == f"sextant-{name}-auth"
        mount = next(m for m in container["volumeMounts"] if m["name"] == "auth")
        assert mount["readOnly"]
        for path in (settings.jwt_secret_file, settings.api_keys_file, settings.service_credential_file):
            assert path.startswith(mount["mountPath"] + "/"), path
