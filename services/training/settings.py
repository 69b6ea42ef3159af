"""Settings of the training service: ``SEXTANT_TRAINING_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field, setting


@dataclass(frozen=True)
class TrainingSettings(ServiceSettings):
    """Everything the training service reads from its environment."""

    port: int = port_field("training")
    featurestore_address: str = dependency_field("featurestore")
    policy_address: str = dependency_field("policy")
    registry_address: str = dependency_field("registry")
    monitoring_address: str = dependency_field("monitoring")
    dispatcher: str = setting("local", "Where trials run: `local` (a process pool started with the spawn method) "
                                       "or `dask` (the Dask scheduler at `dask_scheduler_address`).",
                              choices=("local", "dask"))
    dask_scheduler_address: str = setting("", "Address of the Dask distributed scheduler used by the `dask` "
                                              "dispatcher, for example `tcp://10.0.0.5:8786`.")
    local_processes: int = setting(2, "Worker processes of the `local` dispatcher per job (trials in parallel).",
                                   minimum=1, maximum=256)
    max_concurrent_jobs: int = setting(2, "Jobs that run at the same time; later ones wait in QUEUED.",
                                       minimum=1, maximum=64)
    max_trials: int = setting(64, "Most trials one job may run (a larger grid or `n_trials` is INVALID_ARGUMENT).",
                              minimum=1, maximum=10_000)
    job_timeout_seconds: float = setting(3600.0, "Wall-time budget of a job whose spec sets no timeout.",
                                         minimum=1.0, maximum=7 * 24 * 3600.0)
    target_opset: int = setting(17, "The ONNX opset (default domain) models are exported with.",
                                minimum=13, maximum=21)
    max_entity_rows: int = setting(5_000_000, "Most entity rows one job may train on.", minimum=1)
    max_upload_bytes: int = setting(1024 * 1024 * 1024, "Largest stored size of one UploadEntityRows upload "
                                                        "(bytes); larger uploads are RESOURCE_EXHAUSTED.",
                                    minimum=1024)
