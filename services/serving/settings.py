"""Settings of the serving service: ``SEXTANT_SERVING_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field


@dataclass(frozen=True)
class ServingSettings(ServiceSettings):
    """Everything the serving service reads from its environment."""

    port: int = port_field("serving")
    registry_address: str = dependency_field("registry")
    featurestore_address: str = dependency_field("featurestore")
    monitoring_address: str = dependency_field("monitoring")
    policy_address: str = dependency_field("policy")
