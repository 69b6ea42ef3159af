"""Render deploy/k8s/ from the suite table and the settings (``make k8s``); ``--check`` fails when stale.

One file per service: a ServiceAccount, a Deployment (native gRPC readiness and liveness probes,
requests and limits, non-root, read-only root file system, no capabilities, no service account
token) and a Service; serving also gets a HorizontalPodAutoscaler. Database URLs come from one
Secret per service (``sextant-<service>-db``, key ``url``), which the operator creates.

Authentication is enforced: each service mounts its Secret ``sextant-<service>-auth`` (keys
``jwt-secret``, ``api-keys.json`` with hashed API keys, ``service-credential`` = the key it presents
to its peers) read-only at /etc/sextant/auth. TLS is left to the cluster's mesh: kubelet's native
gRPC probes cannot speak TLS, so turning on the services' own TLS means switching the probes to exec.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.catalog import SERVICES  # noqa: E402
from services.common.settings import DEFAULT_METRICS_PORTS, DEFAULT_PORTS, DEPENDENCIES  # noqa: E402

OUT = ROOT / "deploy" / "k8s"
AUTH_DIR = "/etc/sextant/auth"
NAMESPACE = "sextant"
IMAGE = "ghcr.io/sextant-ml/sextant:0.1.0"
RESOURCES = {
    "serving": ({"cpu": "500m", "memory": "512Mi"}, {"cpu": "2", "memory": "2Gi"}),
    "training": ({"cpu": "1", "memory": "1Gi"}, {"cpu": "4", "memory": "8Gi"}),
}
DEFAULT_RESOURCES = ({"cpu": "100m", "memory": "256Mi"}, {"cpu": "1", "memory": "1Gi"})


def _labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": f"sextant-{name}", "app.kubernetes.io/part-of": "sextant"}


def _env(name: str) -> list[dict[str, Any]]:
    prefix = f"SEXTANT_{name.upper()}_"
    env: list[dict[str, Any]] = [
        {"name": f"{prefix}HOST", "value": "0.0.0.0"},
        {"name": f"{prefix}PORT", "value": str(DEFAULT_PORTS[name])},
        {"name": f"{prefix}METRICS_PORT", "value": str(DEFAULT_METRICS_PORTS[name])},
        {"name": f"{prefix}DATA_DIR", "value": "/var/lib/sextant"},
        {"name": f"{prefix}DATABASE_URL",
         "valueFrom": {"secretKeyRef": {"name": f"sextant-{name}-db", "key": "url"}}},
        {"name": f"{prefix}AUTH_MODE", "value": "enforce"},
        {"name": f"{prefix}JWT_SECRET_FILE", "value": f"{AUTH_DIR}/jwt-secret"},
        {"name": f"{prefix}API_KEYS_FILE", "value": f"{AUTH_DIR}/api-keys.json"},
        {"name": f"{prefix}SERVICE_CREDENTIAL_FILE", "value": f"{AUTH_DIR}/service-credential"},
    ]
    for dependency in DEPENDENCIES[name]:
        env.append({"name": f"{prefix}{dependency.upper()}_ADDRESS",
                    "value": f"sextant-{dependency}.{NAMESPACE}.svc.cluster.local:{DEFAULT_PORTS[dependency]}"})
    return env


def manifests(name: str) -> list[dict[str, Any]]:
    """The Kubernetes objects of one service."""
    labels = _labels(name)
    port = DEFAULT_PORTS[name]
    requests, limits = RESOURCES.get(name, DEFAULT_RESOURCES)
    meta = {"name": f"sextant-{name}", "namespace": NAMESPACE, "labels": labels}
    container = {
        "name": name,
        "image": IMAGE,
        "command": ["python", "-m", f"services.{name}"],
        "ports": [{"name": "grpc", "containerPort": port, "protocol": "TCP"},
                  {"name": "metrics", "containerPort": DEFAULT_METRICS_PORTS[name], "protocol": "TCP"}],
        "env": _env(name),
        "readinessProbe": {"grpc": {"port": port}, "periodSeconds": 5, "failureThreshold": 2},
        "livenessProbe": {"grpc": {"port": port}, "initialDelaySeconds": 10, "periodSeconds": 10,
                          "failureThreshold": 3},
        "startupProbe": {"grpc": {"port": port}, "periodSeconds": 2, "failureThreshold": 60},
        "resources": {"requests": requests, "limits": limits},
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                            "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
        "volumeMounts": [{"name": "data", "mountPath": "/var/lib/sextant"}, {"name": "tmp", "mountPath": "/tmp"},
                         {"name": "auth", "mountPath": AUTH_DIR, "readOnly": True}],
    }
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta, "automountServiceAccountToken": False},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {
            "replicas": 2 if name == "serving" else 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels, "annotations": {
                "prometheus.io/scrape": "true", "prometheus.io/port": str(DEFAULT_METRICS_PORTS[name])}},
                "spec": {
                    "serviceAccountName": f"sextant-{name}",
                    "automountServiceAccountToken": False,
                    # SIGTERM drains in-flight RPCs; give it longer than the service's grace period.
                    "terminationGracePeriodSeconds": 30,
                    "securityContext": {"runAsNonRoot": True, "fsGroup": 10001},
                    "containers": [container],
                    "volumes": [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}},
                                {"name": "auth", "secret": {"secretName": f"sextant-{name}-auth",
                                                            "defaultMode": 0o440}}],
                }}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {
            "selector": labels,
            "ports": [{"name": "grpc", "port": port, "targetPort": "grpc", "appProtocol": "grpc"},
                      {"name": "metrics", "port": DEFAULT_METRICS_PORTS[name], "targetPort": "metrics"}]}},
    ]
    if name == "serving":
        objects.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"sextant-{name}"},
            "minReplicas": 2, "maxReplicas": 10,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}})
    return objects


def render() -> dict[str, str]:
    """File name → YAML text for every file under deploy/k8s/."""
    header = "# Generated by `make k8s` (tools/k8sgen.py) from the suite table; do not edit by hand.\n"
    files = {"namespace.yaml": header + yaml.safe_dump(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}, sort_keys=False)}
    for name in SERVICES:
        files[f"{name}.yaml"] = header + yaml.safe_dump_all(manifests(name), sort_keys=False)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    files = render()
    stale = [name for name, text in files.items()
             if not (OUT / name).exists() or (OUT / name).read_text() != text]
    if args.check:
        for name in stale:
            print(f"stale: deploy/k8s/{name}")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (OUT / name).write_text(files[name])
    print(f"wrote {len(stale)} of {len(files)} files in deploy/k8s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
