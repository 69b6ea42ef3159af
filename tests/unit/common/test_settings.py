"""Settings: parsed from SEXTANT_<SERVICE>_* variables, validated with the variable named."""

from __future__ import annotations

import pytest

from services.common.settings import SettingsError, describe, load_settings
from services.registry.settings import RegistrySettings


def test_defaults_and_environment_values() -> None:
    settings = load_settings(RegistrySettings, "registry", {
        "SEXTANT_REGISTRY_PORT": "50999", "SEXTANT_REGISTRY_POLICY_ADDRESS": "policy:50056",
        "SEXTANT_REGISTRY_GRACE_SECONDS": "2.5"})
    assert settings.port == 50999
    assert settings.policy_address == "policy:50056"
    assert settings.grace_seconds == 2.5
    assert settings.featurestore_address == "127.0.0.1:50051"
    assert settings.resolved_database_url("registry").endswith("/.sextant/registry.db")


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("SEXTANT_REGISTRY_PORT", "eighty", "expected an integer"),
    ("SEXTANT_REGISTRY_PORT", "70000", "expected a value <= 65535"),
    ("SEXTANT_REGISTRY_LOG_LEVEL", "loud", "expected one of debug, info, warning, error"),
    ("SEXTANT_REGISTRY_GRACE_SECONDS", "soon", "expected a number"),
    ("SEXTANT_REGISTRY_PORTT", "1", "unknown setting"),
])
def test_bad_values_name_the_variable(variable: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(RegistrySettings, "registry", {variable: value})
    assert caught.value.variable == variable
    assert expected in str(caught.value)
    assert str(caught.value).startswith(variable)


def test_every_setting_is_documented() -> None:
    rows = describe(RegistrySettings, "registry")
    assert {variable for variable, _, _ in rows} >= {"SEXTANT_REGISTRY_PORT", "SEXTANT_REGISTRY_DATABASE_URL"}
    assert all(doc.strip().endswith(".") or doc.strip().endswith(")") for _, _, doc in rows), rows
