"""Built-in policies shipped with the service, seeded at start when missing."""

from __future__ import annotations

from services.common.errors import AlreadyExists
from services.policy.policies import PolicyCatalog

REG_B_NAME = "reg-b"

#: Regulation B (ECOA) for credit models: no protected inputs (age only for empirically derived
#: scoring systems whose age probe shows no negative contribution from 62), proxies flagged at
#: training, the four-fifths screen and a passed ONNX parity report before production.
REG_B_SOURCE = """\
description: >-
  Regulation B (ECOA) for credit models. Prohibited bases (race, color, religion, national origin,
  sex, marital status, age, receipt of public assistance, exercise of CCPA rights) must not be model
  inputs; they stay allowed as evaluation-only attributes for fairness measurement.
scope:
  domains: [credit]
default_mode: enforce
rules:
  - id: no-protected-inputs
    kind: prohibited_inputs
    description: Protected attributes and their synonyms must not be model inputs.
    prohibited_inputs:
      allow_age_for_empirically_derived_scoring: true
      elderly_age_threshold: 62
  - id: proxies
    kind: proxy_detection
    description: Inputs that act as proxies for a protected attribute are flagged on a sample.
    proxy_detection:
      warn_threshold: 0.3
      deny_threshold: 0.5
  - id: four-fifths
    kind: fairness_gate
    description: The adverse impact ratio of every group must reach four fifths before production.
    target_aliases: [production]
    fairness_gate:
      min_adverse_impact_ratio: 0.8
      max_equal_opportunity_difference: 0.1
      min_group_size: 30
  - id: parity-evidence
    kind: required_evidence
    description: A production version must carry a passed ONNX parity report.
    target_aliases: [production]
    required_evidence:
      require_parity_passed: true
"""


def seed_presets(catalog: PolicyCatalog, reg_b: str) -> None:
    """Create the ``reg-b`` preset unless it exists (``reg_b``: enabled, disabled or off)."""
    if reg_b == "off":
        return
    try:
        catalog.create(REG_B_NAME, "yaml", REG_B_SOURCE, disabled=reg_b == "disabled",
                       change_note="built-in preset", created_by="system", builtin=True)
    except AlreadyExists:
        pass
