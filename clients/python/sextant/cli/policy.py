"""``sextant policy``: list and apply policies, and read the decision log."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sextant.cli.common import EXIT_OK, UsageError, add_command, connect, emit, enum_name, table, to_dict
from sextant.policy.v1 import resources_pb2
from sextant.type.v1 import governance_pb2


def register(commands: Any) -> None:
    """Add ``policy`` and its subcommands."""
    policy = commands.add_parser("policy", help="policies and decisions")
    sub = policy.add_subparsers(dest="policy_command", required=True, metavar="COMMAND")
    listing = add_command(sub, "list", _list, "list policies")
    listing.add_argument("--domain", default="")
    listing.add_argument("--all", action="store_true", help="include deleted policies")
    apply = add_command(sub, "apply", _apply, "create or update a policy from a YAML or JSON file")
    apply.add_argument("file")
    apply.add_argument("--name", default="", help="the policy's name (default: the file name without extension)")
    apply.add_argument("--note", default="", help="change note")
    apply.add_argument("--validate-only", action="store_true", help="check the policy without storing it")
    decisions = add_command(sub, "decisions", _decisions, "list recorded decisions, newest first")
    decisions.add_argument("--model", default="")
    decisions.add_argument("--job", default="", help="a training job id")
    decisions.add_argument("--deployment", default="")
    decisions.add_argument("--policy", default="", help="decisions that evaluated this policy")
    decisions.add_argument("--limit", type=int, default=50)


def _list(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        policies = list(sx.policy.iter_policies(domain=args.domain, show_deleted=args.all))
    rows = [(p.name, p.version, "disabled" if p.disabled else ("deleted" if p.delete_time.seconds else "enabled"),
             "yes" if p.builtin else "", len(p.document.rules), p.document.description) for p in policies]
    emit(args, {"policies": [to_dict(p) for p in policies]},
         lambda: table(rows, ["policy", "version", "state", "builtin", "rules", "description"]))
    return EXIT_OK


def _apply(args: argparse.Namespace) -> int:
    if not Path(args.file).is_file():
        raise UsageError(f"no such file: {args.file}")
    with connect(args) as sx:
        answer = sx.policy.apply_policy_file(args.file, name=args.name, change_note=args.note,
                                             validate_only=args.validate_only)
    policy = answer.policy
    if args.validate_only:
        text = f"policy {policy.name}: valid (would be version {policy.version})"
    elif answer.version_created:
        text = f"policy {policy.name}: stored version {policy.version}"
    else:
        text = f"policy {policy.name}: unchanged at version {policy.version}"
    emit(args, to_dict(answer), text)
    return EXIT_OK


def _verdict(value: int) -> str:
    return enum_name(governance_pb2.PolicyVerdict, value, "POLICY_VERDICT_")


def _decisions(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        found = []
        for decision in sx.policy.iter_decisions(model_name=args.model, training_job_id=args.job,
                                                 deployment_name=args.deployment, policy_name=args.policy):
            found.append(decision)
            if len(found) >= args.limit:
                break
    rows = [(d.decision_id, d.create_time.ToJsonString() if d.create_time.seconds else "",
             enum_name(resources_pb2.EvaluationKind, d.kind, "EVALUATION_KIND_"), _verdict(d.verdict),
             d.subject.model_name or d.subject.deployment_name, d.summary) for d in found]
    emit(args, {"decisions": [to_dict(d) for d in found]},
         lambda: table(rows, ["decision", "time", "kind", "verdict", "subject", "summary"]))
    return EXIT_OK
