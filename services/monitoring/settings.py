"""Settings of the monitoring service: ``SEXTANT_MONITORING_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field


@dataclass(frozen=True)
class MonitoringSettings(ServiceSettings):
    """Everything the monitoring service reads from its environment."""

    port: int = port_field("monitoring")
    registry_address: str = dependency_field("registry")
    featurestore_address: str = dependency_field("featurestore")
    training_address: str = dependency_field("training")
