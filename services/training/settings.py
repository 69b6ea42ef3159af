"""Settings of the training service: ``SEXTANT_TRAINING_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field


@dataclass(frozen=True)
class TrainingSettings(ServiceSettings):
    """Everything the training service reads from its environment."""

    port: int = port_field("training")
    featurestore_address: str = dependency_field("featurestore")
    policy_address: str = dependency_field("policy")
    registry_address: str = dependency_field("registry")
    monitoring_address: str = dependency_field("monitoring")
