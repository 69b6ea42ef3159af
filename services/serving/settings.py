"""Settings of the serving service: ``SEXTANT_SERVING_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.common.settings import ServiceSettings, dependency_field, port_field, setting


@dataclass(frozen=True)
class ServingSettings(ServiceSettings):
    """Everything the serving service reads from its environment."""

    port: int = port_field("serving")
    access_log: bool = setting(False, "Write one log line per RPC; off by default on the prediction path, "
                                      "where it costs more than the model (Prometheus has the counts).")
    registry_address: str = dependency_field("registry")
    featurestore_address: str = dependency_field("featurestore")
    monitoring_address: str = dependency_field("monitoring")
    policy_address: str = dependency_field("policy")
    model_cache_dir: str = setting("", "Folder of the local disk cache of downloaded ONNX artifacts and signatures; "
                                       "empty means `<data_dir>/model-cache`.")
    intra_op_threads: int = setting(1, "onnxruntime intra-op threads per session; 1 runs the model in the "
                                       "request's own thread (fastest for small tabular models).",
                                    minimum=0, maximum=256)
    inter_op_threads: int = setting(1, "onnxruntime inter-op threads per session.", minimum=0, maximum=256)
    warmup_rows: int = setting(8, "Rows of synthetic input each new session scores before it is swapped in.",
                               minimum=1, maximum=10_000)
    model_memory_budget_bytes: int = setting(0, "Memory budget of the loaded sessions (their ONNX artifact sizes); "
                                                "beyond it the least recently used sessions that no alias points "
                                                "at are evicted (and reloaded on their next use). 0 means no "
                                                "budget.", minimum=0)
    max_batch_rows: int = setting(10_000, "Largest number of rows one request may carry.", minimum=1)
    featurestore_lookup_rows: int = setting(1000, "Most entity rows serving asks the feature store for in one "
                                                  "GetOnlineFeatures call; a Predict by entity keys with more rows "
                                                  "is looked up in consecutive chunks of this size. Keep it at or "
                                                  "below the feature store's `max_online_rows` (default 1000) and "
                                                  "`max_rows_per_call`.", minimum=1, maximum=100_000)
    registry_follower: bool = setting(True, "Follow the registry's event stream and hot-swap versions when an "
                                            "alias that a deployment serves moves.")
    registry_retry_seconds: float = setting(1.0, "Pause before the registry follower reconnects to an "
                                                 "unreachable registry.", minimum=0.01, maximum=3600.0)
    prediction_logging: bool = setting(True, "Ship every prediction to the monitoring service's LogPredictions "
                                             "(batched, off the request path).")
    prediction_log_capacity: int = setting(100_000, "Predictions the in-memory log queue holds before further ones "
                                                    "go straight to the local journal.", minimum=1)
    prediction_log_batch: int = setting(256, "Predictions per LogPredictions message.", minimum=1, maximum=10_000)
    prediction_log_flush_seconds: float = setting(0.5, "How often the shipper sends what is queued.",
                                                  minimum=0.01, maximum=60.0)
    prediction_journal_budget_bytes: int = setting(1024 * 1024 * 1024, "Disk budget of the prediction journal "
                                                                        "(`<data_dir>/prediction-journal.bin`); "
                                                                        "beyond it predictions are dropped and "
                                                                        "counted.", minimum=1024)
    prediction_log_retry_seconds: float = setting(1.0, "Pause before the shipper tries an unreachable monitoring "
                                                       "service again.", minimum=0.01, maximum=3600.0)
    deployment_refresh_seconds: float = setting(5.0, "How often a replica re-reads the stored deployments to pick up "
                                                     "changes made through other replicas.", minimum=0.1,
                                                maximum=3600.0)
    gil_switch_interval_us: int = setting(500, "Python's thread switch interval in the serving process, in "
                                               "microseconds (Python's default is 5000); shorter bounds how long a "
                                               "request thread waits behind background work such as log shipping.",
                                          minimum=50, maximum=100_000)
    require_policy: bool = setting(True, "Ask the policy service's EvaluateDeployment before a deployment is "
                                         "created or changed; false skips the check (development only).")

    def resolved_model_cache_dir(self) -> Path:
        """The model cache folder, defaulting to ``<data_dir>/model-cache``."""
        return Path(self.model_cache_dir) if self.model_cache_dir else Path(self.data_dir).resolve() / "model-cache"
