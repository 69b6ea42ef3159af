"""``sextant models``: list and show registered models, promote a version, show alias history."""

from __future__ import annotations

import argparse
from typing import Any

from sextant.cli.common import EXIT_OK, add_command, connect, emit, enum_name, table, to_dict
from sextant.registry.v1 import resources_pb2


def register(commands: Any) -> None:
    """Add ``models`` and its subcommands."""
    models = commands.add_parser("models", help="registered models, versions and aliases")
    sub = models.add_subparsers(dest="models_command", required=True, metavar="COMMAND")
    listing = add_command(sub, "list", _list, "list registered models")
    listing.add_argument("--owner-team", default="")
    listing.add_argument("--domain", default="")
    show = add_command(sub, "show", _show, "show a model and its versions, or one version")
    show.add_argument("model")
    show.add_argument("--version", type=int, default=0, help="show this version in full")
    show.add_argument("--alias", default="", help="show the version this alias points at")
    promote = add_command(sub, "promote", _promote, "point an alias at a version (policy-checked for production)")
    promote.add_argument("model")
    promote.add_argument("alias")
    promote.add_argument("version", type=int)
    promote.add_argument("--expected-version", type=int, default=0,
                         help="fail (conflict) unless the alias points at this version now")
    promote.add_argument("--reason", default="", help="recorded in the alias history")
    history = add_command(sub, "history", _history, "show a model's alias changes, newest first")
    history.add_argument("model")
    history.add_argument("--alias", default="")


def _status(status: int) -> str:
    return enum_name(resources_pb2.ModelVersionStatus, status, "MODEL_VERSION_STATUS_")


def _list(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        models = list(sx.registry.iter_models(owner_team=args.owner_team, domain=args.domain))
    rows = [(m.name, m.owner_team, m.domain, m.latest_version or "",
             ", ".join(f"{alias}=v{version}" for alias, version in sorted(m.aliases.items()))) for m in models]
    emit(args, {"models": [to_dict(m) for m in models]},
         lambda: table(rows, ["model", "team", "domain", "latest", "aliases"]))
    return EXIT_OK


def _version_text(version: resources_pb2.ModelVersion) -> str:
    lines = [f"{version.model_name} version {version.version}: {_status(version.status)}"
             + (" (stale)" if version.stale else ""),
             f"  aliases:  {', '.join(version.aliases) or '-'}",
             f"  sha256:   {version.artifact_sha256} ({version.artifact_size_bytes} bytes)",
             f"  inputs:   {', '.join(i.name for i in version.signature.inputs)}",
             f"  metrics:  {', '.join(f'{k}={v:.4g}' for k, v in sorted(version.metrics.items())) or '-'}"]
    if version.lineage.training_job_id:
        lines.append(f"  training: job {version.lineage.training_job_id}, "
                     f"{len(version.lineage.features)} features, dataset {version.lineage.dataset_digest[:12]}")
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        if args.version or args.alias:
            version = sx.registry.get_version(args.model, args.version, alias=args.alias)
            emit(args, {"model_version": to_dict(version)}, lambda: _version_text(version))
            return EXIT_OK
        model = sx.registry.get_model(args.model)
        versions = list(sx.registry.iter_versions(args.model))
    rows = [(v.version, _status(v.status), ", ".join(v.aliases), "yes" if v.stale else "",
             v.create_time.ToJsonString() if v.create_time.seconds else "") for v in versions]
    emit(args, {"model": to_dict(model), "versions": [to_dict(v) for v in versions]},
         lambda: f"{model.name} (team {model.owner_team or '-'}, domain {model.domain or '-'})\n"
                 + table(rows, ["version", "status", "aliases", "stale", "created"]))
    return EXIT_OK


def _promote(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        answer = sx.registry.promote(args.model, args.alias, args.version, expected_version=args.expected_version,
                                     reason=args.reason)
    warnings = [w.explanation for w in answer.warnings]
    emit(args, to_dict(answer),
         lambda: f"{args.model}@{args.alias} -> version {answer.alias.version}"
                 + (f" (policy decision {answer.alias.decision_id})" if answer.alias.decision_id else "")
                 + "".join(f"\nwarning: {w}" for w in warnings))
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        entries = list(sx.registry.iter_alias_history(args.model, alias=args.alias))
    rows = [(e.change_time.ToJsonString() if e.change_time.seconds else "", e.alias,
             enum_name(resources_pb2.AliasChangeKind, e.kind, "ALIAS_CHANGE_KIND_"), e.from_version or "-",
             e.to_version or "-", e.principal, e.reason) for e in entries]
    emit(args, {"entries": [to_dict(e) for e in entries]},
         lambda: table(rows, ["time", "alias", "change", "from", "to", "by", "reason"]))
    return EXIT_OK
