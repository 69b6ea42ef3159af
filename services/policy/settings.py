"""Settings of the policy service: ``SEXTANT_POLICY_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field


@dataclass(frozen=True)
class PolicySettings(ServiceSettings):
    """Everything the policy service reads from its environment."""

    port: int = port_field("policy")
    featurestore_address: str = dependency_field("featurestore")
