"""Settings of the registry service: ``SEXTANT_REGISTRY_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field


@dataclass(frozen=True)
class RegistrySettings(ServiceSettings):
    """Everything the registry service reads from its environment."""

    port: int = port_field("registry")
    policy_address: str = dependency_field("policy")
    featurestore_address: str = dependency_field("featurestore")
