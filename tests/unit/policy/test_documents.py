"""Policy source parsing: defaults, both formats, and errors that point at the offending place."""

from __future__ import annotations

import json

import pytest

from services.policy.bases import SynonymTable, tokens
from services.policy.documents import (
    FairnessGate,
    PolicySourceError,
    ProhibitedInputs,
    ProxyDetection,
    parse_document,
)
from services.policy.presets import REG_B_SOURCE


def test_reg_b_preset_parses_with_defaults_filled_in() -> None:
    document = parse_document(REG_B_SOURCE, "yaml")
    assert document.domains == ("credit",) and document.covers("credit", "any-team")
    assert not document.covers("marketing", "any-team")
    rules = {rule.id: rule for rule in document.rules}
    prohibited = rules["no-protected-inputs"].parameters
    assert isinstance(prohibited, ProhibitedInputs) and len(prohibited.bases) == 9
    assert prohibited.allow_age_for_empirically_derived_scoring and prohibited.elderly_age_threshold == 62
    proxy = rules["proxies"].parameters
    assert isinstance(proxy, ProxyDetection) and (proxy.numeric_bins, proxy.cv_folds) == (10, 5)
    assert rules["proxies"].stages == ("training",)
    gate = rules["four-fifths"].parameters
    assert isinstance(gate, FairnessGate) and gate.dataset == "holdout"
    assert all(rule.mode == "enforce" for rule in document.rules)


def test_json_and_full_enum_names_are_accepted() -> None:
    source = json.dumps({"default_mode": "POLICY_RULE_MODE_WARN", "rules": [
        {"id": "r", "kind": "POLICY_RULE_KIND_PROHIBITED_INPUTS",
         "prohibited_inputs": {"bases": ["PROTECTED_BASIS_SEX"], "synonyms": [{"basis": "sex", "names": ["pronoun"]}]}},
        {"id": "p", "kind": "proxy_detection", "mode": "dry_run", "proxy_detection": {"methods": ["cramers_v"]}}]})
    document = parse_document(source, "json")
    first, second = document.rules
    assert first.mode == "warn" and second.mode == "dry_run"
    assert first.parameters == ProhibitedInputs(bases=("sex",), synonyms={"sex": ("pronoun",)})
    assert isinstance(second.parameters, ProxyDetection) and second.parameters.methods == ("cramers_v",)


@pytest.mark.parametrize(("source", "line", "column", "path", "words"), [
    ("rules: []\n", 1, 8, "rules", "at least one rule"),
    ("rules:\n  - kind: fairness_gate\n", 2, 5, "rules[0].id", "rule id"),
    ("rules:\n  - {id: a, kind: fairness_gate}\n  - {id: a, kind: fairness_gate}\n", 3, 10, "rules[1].id", "duplicate"),
    ("rules:\n  - id: a\n    kind: proxy_detection\n    proxy_detection:\n      deny_threshold: 2\n", 5, 23,
     "rules[0].proxy_detection.deny_threshold", "between 0.0 and 1.0"),
    ("rules:\n  - id: a\n    kind: prohibited_inputs\n    fairness_gate: {}\n", 4, 20, "rules[0].fairness_gate",
     "parameters for fairness_gate"),
    ("rules:\n  - id: a\n    kind: prohibited_inputs\n    prohibited_inputs: {bases: [height]}\n", 4, 33,
     "rules[0].prohibited_inputs.bases[0]", "unknown protected basis"),
    ("scope: credit\nrules: [{id: a, kind: fairness_gate}]\n", 1, 8, "scope", "mapping"),
    ("colour: red\n", 1, 1, "colour", "unknown key"),
])
def test_errors_name_line_column_and_path(source: str, line: int, column: int, path: str, words: str) -> None:
    with pytest.raises(PolicySourceError) as caught:
        parse_document(source, "yaml")
    error = caught.value
    assert (error.line, error.column, error.path) == (line, column, path)
    assert words in error.message


def test_name_matching_splits_tokens_and_respects_boundaries() -> None:
    assert tokens("ApplicantAge") == ("applicant", "age")
    assert tokens("credit_profile.DOB-raw") == ("credit", "profile", "dob", "raw")
    table = SynonymTable(("age", "sex", "marital_status", "national_origin"))
    assert table.match("applicant_age") == ("age", "age")
    assert table.match("ApplicantAge") == ("age", "age")
    assert table.match("date_of_birth") == ("age", "date_of_birth")
    assert table.match("borrower_gender") == ("sex", "gender")
    assert table.match("is_married") == ("marital_status", "married")
    assert table.match("nationality") == ("national_origin", "nationality")
    for harmless in ("agency_code", "mortgage_rate", "usage_hours", "income", "essex_branch"):
        assert table.match(harmless) is None
