"""Settings of the policy service: ``SEXTANT_POLICY_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.settings import ServiceSettings, dependency_field, port_field, setting


@dataclass(frozen=True)
class PolicySettings(ServiceSettings):
    """Everything the policy service reads from its environment."""

    port: int = port_field("policy")
    featurestore_address: str = dependency_field("featurestore")
    reg_b_preset: str = setting("enabled", "The built-in `reg-b` preset (Regulation B for domain `credit`) seeded at "
                                           "first start: `enabled`, `disabled` (stored but not evaluated) or `off` "
                                           "(not seeded). An existing policy is never overwritten.",
                                choices=("enabled", "disabled", "off"))
    policy_refresh_seconds: float = setting(1.0, "How long evaluations may use the cached set of policies in force "
                                                 "before checking the database again; changes made through the "
                                                 "same process apply at once, other replicas' within this time.",
                                            minimum=0.0, maximum=3600.0)
