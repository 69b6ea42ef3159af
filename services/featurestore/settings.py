"""Settings of the featurestore service: ``SEXTANT_FEATURESTORE_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field


@dataclass(frozen=True)
class FeatureStoreSettings(ServiceSettings):
    """Everything the featurestore service reads from its environment."""

    port: int = port_field("featurestore")
    policy_address: str = dependency_field("policy")
