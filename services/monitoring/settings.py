"""Settings of the monitoring service: ``SEXTANT_MONITORING_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field, setting


@dataclass(frozen=True)
class MonitoringSettings(ServiceSettings):
    """Everything the monitoring service reads from its environment."""

    port: int = port_field("monitoring")
    registry_address: str = dependency_field("registry")
    featurestore_address: str = dependency_field("featurestore")
    training_address: str = dependency_field("training")
    max_rows_per_message: int = setting(10_000, "Most prediction rows one LogPredictions message may hold; "
                                                "larger messages are rejected whole.", minimum=1)
    exact_values_limit: int = setting(5_000, "Up to this many non-null values per numeric column, a window "
                                             "summary (and a traffic reference) keeps the raw values so "
                                             "Kolmogorov-Smirnov is exact; beyond it the statistic comes "
                                             "from the aligned histograms.", minimum=0)
    exact_values_budget: int = setting(250_000, "Most raw values a window summary keeps over all its columns; "
                                                "wide models keep fewer per column (then KS comes from the "
                                                "histograms).", minimum=0)
    reference_histogram_bins: int = setting(20, "Equal-width histogram bins of numeric columns in references "
                                                "built from traffic.", minimum=2, maximum=1000)
    max_categories: int = setting(1_000, "Most distinct categories a column summary counts one by one; "
                                         "the rest are counted together as `__other__`.", minimum=10)
    window_grace_seconds: float = setting(60.0, "How long after its end a time window waits for late rows "
                                                "before it completes and its alert rules are evaluated.",
                                          minimum=0.0)
    window_check_seconds: float = setting(5.0, "How often the background evaluator looks for time windows "
                                               "that completed.", minimum=0.05)
    follow_registry_events: bool = setting(True, "Follow the registry's events: a version marked stale opens an "
                                                 "alert for the model's owners.")
    registry_retry_seconds: float = setting(2.0, "Pause before the registry event follower reconnects.",
                                            minimum=0.01)
    default_window_rows: int = setting(1_000, "Rows per window of the monitor created for a model's new "
                                              "production version.", minimum=1)
    default_team: str = setting("ml-platform", "The team alerts are routed to when no owner can be found.")
    console_url: str = setting("", "Base URL of a console showing reports; empty links alerts to "
                                   "`sextant://monitoring/...`.")
    webhook_initial_backoff_seconds: float = setting(1.0, "Delay before the second webhook delivery attempt; "
                                                          "it doubles per attempt.", minimum=0.01)
    webhook_max_backoff_seconds: float = setting(300.0, "Longest delay between two webhook delivery "
                                                        "attempts.", minimum=0.01)
    webhook_timeout_seconds: float = setting(5.0, "Timeout of one webhook HTTP POST.", minimum=0.1)
    webhook_allow_http: bool = setting(False, "Accept plain http:// webhook URLs (development only).")
    max_gauge_series: int = setting(10_000, "Most model x feature x method label sets of the drift gauges; "
                                            "further ones are counted as dropped, bounding cardinality.",
                                    minimum=1)
