"""Settings of the training service: ``SEXTANT_TRAINING_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field


@dataclass(frozen=True)
class TrainingSettings(ServiceSettings):
    """Everything the training service reads from its environment."""

    featurestore_address: str = dependency_field("featurestore")
    policy_address: str = dependency_field("policy")
    registry_address: str = dependency_field("registry")
    monitoring_address: str = dependency_field("monitoring")
