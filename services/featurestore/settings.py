"""Settings of the featurestore service: ``SEXTANT_FEATURESTORE_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field, setting


@dataclass(frozen=True)
class FeatureStoreSettings(ServiceSettings):
    """Everything the featurestore service reads from its environment."""

    port: int = port_field("featurestore")
    policy_address: str = dependency_field("policy")
    offline_dir: str = setting("", "Directory of the offline store (Parquet files per feature view version); "
                                   "empty means `<data_dir>/offline`.")
    offline_engine: str = setting("duckdb", "Default engine of point-in-time joins when a request does not "
                                            "choose one: `duckdb` (embedded) or `dask`.",
                                  choices=("duckdb", "dask"))
    dask_scheduler_address: str = setting("", "Address of the Dask scheduler used by the `dask` engine, for "
                                              "example `tcp://127.0.0.1:8786`; empty disables the engine.")
    duckdb_threads: int = setting(0, "Threads of the embedded DuckDB engine; 0 lets DuckDB choose.",
                                  minimum=0, maximum=256)
    online_store_type: str = setting("sqlite", "Online store backend: `sqlite` (embedded), `postgresql` or "
                                               "`redis`.", choices=("sqlite", "postgresql", "redis"))
    online_store_url: str = setting("", "Where the online store lives: a SQLAlchemy URL for `sqlite` and "
                                        "`postgresql` (empty means the service's own database), a "
                                        "`redis://` or `unix://` URL for `redis`.")
    max_ingest_rows: int = setting(50_000_000, "Most rows one IngestBatch or PushFeatures call may carry.",
                                   minimum=1)
    max_online_rows: int = setting(1000, "Most entity rows one GetOnlineFeatures call may ask for.",
                                   minimum=1, maximum=100_000)
    max_entity_rows: int = setting(5_000_000, "Most entity rows one GetHistoricalFeatures call may carry.",
                                   minimum=1)
