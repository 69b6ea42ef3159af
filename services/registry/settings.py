"""Settings of the registry service: ``SEXTANT_REGISTRY_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.common.settings import ServiceSettings, dependency_field, port_field, setting


@dataclass(frozen=True)
class RegistrySettings(ServiceSettings):
    """Everything the registry service reads from its environment."""

    port: int = port_field("registry")
    policy_address: str = dependency_field("policy")
    featurestore_address: str = dependency_field("featurestore")
    protected_aliases: tuple[str, ...] = setting(
        ("production",), "Aliases that move only after the policy service's EvaluatePromotion allows it "
                         "(comma-separated).")
    artifact_store: str = setting("filesystem", "Where artifacts are kept: `filesystem` or `s3`.",
                                  choices=("filesystem", "s3"))
    artifact_root: str = setting("", "Folder of the filesystem artifact store (and the s3 upload spool); "
                                     "empty means `<data_dir>/artifacts`.")
    s3_bucket: str = setting("", "Bucket of the s3 artifact store (required with `artifact_store=s3`).")
    s3_endpoint_url: str = setting("", "Endpoint of an S3-compatible object store (MinIO, Ceph); empty "
                                       "means AWS.")
    s3_prefix: str = setting("registry/", "Key prefix of the registry's objects in the s3 bucket.")
    max_artifact_bytes: int = setting(2 * 1024 * 1024 * 1024, "Largest artifact a version may declare, in bytes "
                                                                "(uploads stream to disk; the background validator "
                                                                "loads the model in onnxruntime, in memory).",
                                      minimum=1)
    validation_workers: int = setting(2, "Threads validating uploaded artifacts in onnxruntime (each load holds "
                                         "the model in memory); uploads queue behind them.", minimum=1, maximum=16)
    staleness_follower: bool = setting(True, "Follow the feature store's definition changes and mark the "
                                             "model versions they affect stale.")
    staleness_retry_seconds: float = setting(5.0, "Pause before the staleness follower reconnects to an "
                                                  "unreachable feature store.", minimum=0.01, maximum=3600.0)

    def resolved_artifact_root(self) -> Path:
        """The filesystem artifact store's folder, defaulting to ``<data_dir>/artifacts``."""
        return Path(self.artifact_root) if self.artifact_root else Path(self.data_dir).resolve() / "artifacts"
