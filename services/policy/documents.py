"""Policy documents: the parsed form of a policy's YAML or JSON source, and the parser.

The parser walks the YAML node tree (JSON is read as YAML after a strict JSON syntax check), so every
error names its line and column, the path of the offending key (``rules[1].kind``) and what was
expected. Kind-specific parameters sit under a key named after the kind; defaults are filled in so
the parsed document shows the values that are actually applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from services.common.errors import InvalidArgument
from services.policy.bases import BASES, basis_from_text

RULE_KINDS = ("prohibited_inputs", "proxy_detection", "fairness_gate", "required_evidence")
MODES = ("enforce", "warn", "dry_run")
STAGES = ("training", "promotion", "deployment")
PROXY_METHODS = ("cramers_v", "normalized_mutual_information", "joint_auc")

#: The stages each rule kind is evaluated at when a rule names none.
DEFAULT_STAGES: Mapping[str, tuple[str, ...]] = {
    "prohibited_inputs": ("training", "promotion", "deployment"),
    "proxy_detection": ("training",),
    "fairness_gate": ("promotion",),
    "required_evidence": ("promotion", "deployment"),
}


@dataclass(frozen=True)
class ProhibitedInputs:
    """Parameters of a ``prohibited_inputs`` rule (see the contract's ProhibitedInputsRule)."""

    bases: tuple[str, ...] = BASES
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    name_match_exemptions: tuple[str, ...] = ()
    allow_age_for_empirically_derived_scoring: bool = False
    elderly_age_threshold: int = 62


@dataclass(frozen=True)
class ProxyDetection:
    """Parameters of a ``proxy_detection`` rule."""

    warn_threshold: float = 0.3
    deny_threshold: float = 0.5
    methods: tuple[str, ...] = PROXY_METHODS
    numeric_bins: int = 10
    cv_folds: int = 5
    max_sample_rows: int = 100_000
    require_sample: bool = False


@dataclass(frozen=True)
class FairnessGate:
    """Parameters of a ``fairness_gate`` rule."""

    min_adverse_impact_ratio: float = 0.8
    max_equal_opportunity_difference: float = 0.1
    min_group_size: int = 30
    required_attributes: tuple[str, ...] = ()
    dataset: str = "holdout"


@dataclass(frozen=True)
class RequiredEvidence:
    """Parameters of a ``required_evidence`` rule."""

    require_parity_passed: bool = False
    metric_minimums: Mapping[str, float] = field(default_factory=dict)
    metric_maximums: Mapping[str, float] = field(default_factory=dict)
    min_approvals: int = 0
    approver_roles: tuple[str, ...] = ()
    require_promotion_decision: bool = False
    forbid_stale_versions: bool = False


RuleParameters = ProhibitedInputs | ProxyDetection | FairnessGate | RequiredEvidence


@dataclass(frozen=True)
class Rule:
    """One rule of a policy: its id, kind, effective mode, stages, aliases and parameters."""

    id: str
    kind: str
    mode: str
    description: str
    stages: tuple[str, ...]
    target_aliases: tuple[str, ...]
    parameters: RuleParameters
    #: Whether the source set the mode (otherwise it is the policy's default mode).
    explicit_mode: bool = False
    explicit_stages: bool = False


@dataclass(frozen=True)
class PolicyDocument:
    """The parsed content of a policy's source."""

    description: str
    domains: tuple[str, ...]
    teams: tuple[str, ...]
    default_mode: str
    rules: tuple[Rule, ...]

    def covers(self, domain: str, team: str) -> bool:
        """Whether the policy's scope includes a model of ``domain`` owned by ``team``."""
        return (not self.domains or domain in self.domains) and (not self.teams or team in self.teams)


class PolicySourceError(InvalidArgument):
    """A policy source that does not parse or does not validate, with its location."""

    def __init__(self, node: yaml.Node | None, path: str, problem: str, *,
                 reason: str = "POLICY_SOURCE_INVALID", line: int = 0, column: int = 0) -> None:
        if node is not None:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
        where = f"line {line}, column {column}" + (f", at {path}" if path else "")
        super().__init__("policy.source", f"{where}: {problem}", reason=reason,
                         metadata={"line": line, "column": column, "path": path, "problem": problem})
        self.line = line
        self.column = column
        self.path = path


# --- reading the node tree -------------------------------------------------------------------

_CONSTRUCTOR = yaml.SafeLoader("")


def _scalar(node: yaml.Node, path: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise PolicySourceError(node, path, "expected a single value, got a "
                                + ("list" if isinstance(node, yaml.SequenceNode) else "mapping"))
    return _CONSTRUCTOR.construct_object(node, deep=True)


def _string(node: yaml.Node, path: str) -> str:
    value = _scalar(node, path)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PolicySourceError(node, path, f"expected a string, got {value!r}")
    return str(value)


def _number(node: yaml.Node, path: str, *, minimum: float = 0.0, maximum: float | None = None) -> float:
    value = _scalar(node, path)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PolicySourceError(node, path, f"expected a number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise PolicySourceError(node, path, f"expected a number {bound}, got {value}")
    return float(value)


def _integer(node: yaml.Node, path: str, *, minimum: int = 0) -> int:
    value = _scalar(node, path)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PolicySourceError(node, path, f"expected an integer of at least {minimum}, got {value!r}")
    return value


def _boolean(node: yaml.Node, path: str) -> bool:
    value = _scalar(node, path)
    if not isinstance(value, bool):
        raise PolicySourceError(node, path, f"expected true or false, got {value!r}")
    return value


def _items(node: yaml.Node, path: str) -> list[yaml.Node]:
    if isinstance(node, yaml.ScalarNode) and _scalar(node, path) is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise PolicySourceError(node, path, "expected a list")
    return list(node.value)


def _strings(node: yaml.Node, path: str) -> tuple[str, ...]:
    return tuple(_string(item, f"{path}[{i}]") for i, item in enumerate(_items(node, path)))


def _mapping(node: yaml.Node, path: str, allowed: tuple[str, ...] | None) -> dict[str, yaml.Node]:
    if isinstance(node, yaml.ScalarNode) and _scalar(node, path) is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise PolicySourceError(node, path, "expected a mapping of keys to values")
    result: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = _string(key_node, path)
        where = f"{path}.{key}" if path else key
        if key in result:
            raise PolicySourceError(key_node, where, f"duplicate key {key!r}")
        if allowed is not None and key not in allowed:
            raise PolicySourceError(key_node, where, f"unknown key {key!r}; expected one of {', '.join(allowed)}",
                                    reason="POLICY_UNKNOWN_KEY")
        result[key] = value_node
    return result


def _enum(node: yaml.Node, path: str, choices: tuple[str, ...], prefix: str, *, reason: str | None = None) -> str:
    text = _string(node, path).strip().lower()
    if text.startswith(prefix):
        text = text[len(prefix):]
    if text not in choices:
        raise PolicySourceError(node, path, f"unknown value {text!r}; expected one of {', '.join(choices)}",
                                reason=reason or "POLICY_SOURCE_INVALID")
    return text


def _basis(node: yaml.Node, path: str) -> str:
    basis = basis_from_text(_string(node, path))
    if basis is None:
        raise PolicySourceError(node, path, f"unknown protected basis; expected one of {', '.join(BASES)}")
    return basis


# --- kind-specific parameters ---------------------------------------------------------------

def _prohibited_inputs(node: yaml.Node, path: str) -> ProhibitedInputs:
    keys = _mapping(node, path, ("bases", "synonyms", "name_match_exemptions",
                                 "allow_age_for_empirically_derived_scoring", "elderly_age_threshold"))
    bases = tuple(_basis(item, f"{path}.bases[{i}]") for i, item in enumerate(_items(keys["bases"], f"{path}.bases"))
                  ) if "bases" in keys else ()
    synonyms: dict[str, tuple[str, ...]] = {}
    if "synonyms" in keys:
        for i, item in enumerate(_items(keys["synonyms"], f"{path}.synonyms")):
            where = f"{path}.synonyms[{i}]"
            entry = _mapping(item, where, ("basis", "names"))
            if "basis" not in entry:
                raise PolicySourceError(item, where, "expected a `basis` key")
            names = _strings(entry["names"], f"{where}.names") if "names" in entry else ()
            synonyms[_basis(entry["basis"], f"{where}.basis")] = names
    threshold = _integer(keys["elderly_age_threshold"], f"{path}.elderly_age_threshold") \
        if "elderly_age_threshold" in keys else 0
    return ProhibitedInputs(
        bases=bases or BASES, synonyms=synonyms,
        name_match_exemptions=_strings(keys["name_match_exemptions"], f"{path}.name_match_exemptions")
        if "name_match_exemptions" in keys else (),
        allow_age_for_empirically_derived_scoring=_boolean(
            keys["allow_age_for_empirically_derived_scoring"], f"{path}.allow_age_for_empirically_derived_scoring")
        if "allow_age_for_empirically_derived_scoring" in keys else False,
        elderly_age_threshold=threshold or 62)


def _proxy_detection(node: yaml.Node, path: str) -> ProxyDetection:
    keys = _mapping(node, path, ("warn_threshold", "deny_threshold", "methods", "numeric_bins", "cv_folds",
                                 "max_sample_rows", "require_sample"))
    warn = _number(keys["warn_threshold"], f"{path}.warn_threshold", maximum=1.0) if "warn_threshold" in keys else 0
    deny = _number(keys["deny_threshold"], f"{path}.deny_threshold", maximum=1.0) if "deny_threshold" in keys else 0
    warn, deny = warn or 0.3, deny or 0.5
    if deny < warn:
        raise PolicySourceError(keys.get("deny_threshold") or node, f"{path}.deny_threshold",
                                f"expected a deny threshold at or above the warn threshold {warn}, got {deny}")
    methods = tuple(_enum(item, f"{path}.methods[{i}]", PROXY_METHODS, "proxy_method_")
                    for i, item in enumerate(_items(keys["methods"], f"{path}.methods"))) if "methods" in keys else ()
    bins = _integer(keys["numeric_bins"], f"{path}.numeric_bins") if "numeric_bins" in keys else 0
    folds = _integer(keys["cv_folds"], f"{path}.cv_folds") if "cv_folds" in keys else 0
    if bins == 1 or folds == 1:
        raise PolicySourceError(keys["numeric_bins" if bins == 1 else "cv_folds"],
                                f"{path}.{'numeric_bins' if bins == 1 else 'cv_folds'}", "expected 0 or at least 2")
    rows = _integer(keys["max_sample_rows"], f"{path}.max_sample_rows") if "max_sample_rows" in keys else 0
    return ProxyDetection(warn_threshold=warn, deny_threshold=deny, methods=methods or PROXY_METHODS,
                          numeric_bins=bins or 10, cv_folds=folds or 5, max_sample_rows=rows or 100_000,
                          require_sample=_boolean(keys["require_sample"], f"{path}.require_sample")
                          if "require_sample" in keys else False)


def _fairness_gate(node: yaml.Node, path: str) -> FairnessGate:
    keys = _mapping(node, path, ("min_adverse_impact_ratio", "max_equal_opportunity_difference", "min_group_size",
                                 "required_attributes", "dataset"))

    def number(key: str) -> float:
        return _number(keys[key], f"{path}.{key}", maximum=1.0) if key in keys else 0.0

    return FairnessGate(
        min_adverse_impact_ratio=number("min_adverse_impact_ratio") or 0.8,
        max_equal_opportunity_difference=number("max_equal_opportunity_difference") or 0.1,
        min_group_size=(_integer(keys["min_group_size"], f"{path}.min_group_size") if "min_group_size" in keys
                        else 0) or 30,
        required_attributes=_strings(keys["required_attributes"], f"{path}.required_attributes")
        if "required_attributes" in keys else (),
        dataset=(_string(keys["dataset"], f"{path}.dataset") if "dataset" in keys else "") or "holdout")


def _metric_map(node: yaml.Node, path: str) -> dict[str, float]:
    return {name: _number(value, f"{path}.{name}", minimum=float("-inf"))
            for name, value in _mapping(node, path, None).items()}


def _required_evidence(node: yaml.Node, path: str) -> RequiredEvidence:
    keys = _mapping(node, path, ("require_parity_passed", "metric_minimums", "metric_maximums", "min_approvals",
                                 "approver_roles", "require_promotion_decision", "forbid_stale_versions"))

    def flag(key: str) -> bool:
        return _boolean(keys[key], f"{path}.{key}") if key in keys else False

    return RequiredEvidence(
        require_parity_passed=flag("require_parity_passed"),
        metric_minimums=_metric_map(keys["metric_minimums"], f"{path}.metric_minimums")
        if "metric_minimums" in keys else {},
        metric_maximums=_metric_map(keys["metric_maximums"], f"{path}.metric_maximums")
        if "metric_maximums" in keys else {},
        min_approvals=_integer(keys["min_approvals"], f"{path}.min_approvals") if "min_approvals" in keys else 0,
        approver_roles=_strings(keys["approver_roles"], f"{path}.approver_roles") if "approver_roles" in keys else (),
        require_promotion_decision=flag("require_promotion_decision"),
        forbid_stale_versions=flag("forbid_stale_versions"))


_PARAMETERS: Mapping[str, Callable[[yaml.Node, str], RuleParameters]] = {
    "prohibited_inputs": _prohibited_inputs, "proxy_detection": _proxy_detection,
    "fairness_gate": _fairness_gate, "required_evidence": _required_evidence,
}
_DEFAULT_PARAMETERS: Mapping[str, Callable[[], RuleParameters]] = {
    "prohibited_inputs": ProhibitedInputs, "proxy_detection": ProxyDetection,
    "fairness_gate": FairnessGate, "required_evidence": RequiredEvidence,
}


def _rule(node: yaml.Node, path: str, default_mode: str, seen: set[str]) -> Rule:
    keys = _mapping(node, path, ("id", "kind", "mode", "description", "stages", "target_aliases", *RULE_KINDS))
    if "kind" not in keys:
        raise PolicySourceError(node, path, "expected a `kind` key naming the rule kind", reason="POLICY_UNKNOWN_RULE_KIND")
    kind = _enum(keys["kind"], f"{path}.kind", RULE_KINDS, "policy_rule_kind_", reason="POLICY_UNKNOWN_RULE_KIND")
    rule_id = _string(keys["id"], f"{path}.id").strip() if "id" in keys else ""
    if not rule_id:
        raise PolicySourceError(keys.get("id", node), f"{path}.id", "expected a non-empty rule id")
    if rule_id in seen:
        raise PolicySourceError(keys["id"], f"{path}.id", f"duplicate rule id {rule_id!r}")
    seen.add(rule_id)
    for other in RULE_KINDS:
        if other != kind and other in keys:
            raise PolicySourceError(keys[other], f"{path}.{other}",
                                    f"parameters for {other} in a rule of kind {kind}")
    mode = _enum(keys["mode"], f"{path}.mode", MODES, "policy_rule_mode_") if "mode" in keys else ""
    stages = tuple(_enum(item, f"{path}.stages[{i}]", STAGES, "evaluation_kind_")
                   for i, item in enumerate(_items(keys["stages"], f"{path}.stages"))) if "stages" in keys else ()
    parameters = (_PARAMETERS[kind](keys[kind], f"{path}.{kind}") if kind in keys
                  else _DEFAULT_PARAMETERS[kind]())
    return Rule(id=rule_id, kind=kind, mode=mode or default_mode,
                description=_string(keys["description"], f"{path}.description") if "description" in keys else "",
                stages=stages or DEFAULT_STAGES[kind],
                target_aliases=_strings(keys["target_aliases"], f"{path}.target_aliases")
                if "target_aliases" in keys else (),
                parameters=parameters, explicit_mode=bool(mode), explicit_stages=bool(stages))


def _root(text: str, fmt: str) -> yaml.Node:
    if fmt == "json":
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            raise PolicySourceError(None, "", f"not valid JSON: {error.msg}", reason="POLICY_SOURCE_UNPARSABLE",
                                    line=error.lineno, column=error.colno) from None
        text = text.replace("\t", " ")  # JSON allows tab indentation, YAML does not; offsets stay.
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise PolicySourceError(None, "", f"not valid {fmt.upper()}: {error.problem or error.context}",
                                reason="POLICY_SOURCE_UNPARSABLE", line=line, column=column) from None
    except yaml.YAMLError as error:
        raise PolicySourceError(None, "", f"not valid {fmt.upper()}: {error}", reason="POLICY_SOURCE_UNPARSABLE",
                                line=1, column=1) from None
    if node is None:
        raise PolicySourceError(None, "", "the source is empty", line=1, column=1)
    return node


def parse_document(text: str, fmt: str) -> PolicyDocument:
    """Parse and validate a policy source (``fmt`` is ``yaml`` or ``json``); raises PolicySourceError."""
    root = _root(text, fmt)
    keys = _mapping(root, "", ("description", "scope", "default_mode", "rules"))
    scope = _mapping(keys["scope"], "scope", ("domains", "teams")) if "scope" in keys else {}
    default_mode = _enum(keys["default_mode"], "default_mode", MODES, "policy_rule_mode_") \
        if "default_mode" in keys else "enforce"
    if "rules" not in keys:
        raise PolicySourceError(root, "rules", "expected a `rules` list with at least one rule")
    rule_nodes = _items(keys["rules"], "rules")
    if not rule_nodes:
        raise PolicySourceError(keys["rules"], "rules", "expected at least one rule")
    seen: set[str] = set()
    rules = tuple(_rule(item, f"rules[{i}]", default_mode, seen) for i, item in enumerate(rule_nodes))
    return PolicyDocument(
        description=_string(keys["description"], "description") if "description" in keys else "",
        domains=_strings(scope["domains"], "scope.domains") if "domains" in scope else (),
        teams=_strings(scope["teams"], "scope.teams") if "teams" in scope else (),
        default_mode=default_mode, rules=rules)
