"""``sextant deploy`` (create or update a deployment) and ``sextant predict``."""

from __future__ import annotations

import argparse
from typing import Any

from sextant.cli.common import (
    EXIT_OK,
    UsageError,
    add_command,
    connect,
    emit,
    enum_name,
    frame_records,
    parse_key_values,
    read_table,
    to_dict,
)
from sextant.serving.v1 import resources_pb2


def register(commands: Any) -> None:
    """Add ``deploy`` and ``predict``."""
    deploy = add_command(commands, "deploy", _deploy, "create a deployment, or update it if it exists")
    deploy.add_argument("name")
    deploy.add_argument("--model", required=True, help="the registered model to serve")
    deploy.add_argument("--alias", default="production", help="the alias to serve (default production)")
    deploy.add_argument("--canary-alias", default=None, help="an alias answering a share of the traffic")
    deploy.add_argument("--canary-percent", type=int, default=None, help="the canary's share in percent")
    deploy.add_argument("--shadow-alias", default=None, help="an alias scoring every request in the shadows")
    deploy.add_argument("--owner-team", default=None)
    deploy.add_argument("--description", default=None)
    predict = add_command(commands, "predict", _predict, "predict from feature values or entity keys")
    target = predict.add_mutually_exclusive_group(required=True)
    target.add_argument("--deployment", default="", help="the deployment to call")
    target.add_argument("--model", default="", help="a model to call directly (with --alias or --version)")
    predict.add_argument("--alias", default="")
    predict.add_argument("--version", type=int, default=0)
    predict.add_argument("--input", default=None, metavar="FILE", help="feature values (.json records, .csv, ...)")
    predict.add_argument("--key", action="append", default=[], metavar="NAME=V1,V2",
                         help="entity key values: serving fetches the features (repeat per key)")


def _deploy(args: argparse.Namespace) -> int:
    if (args.canary_alias is None) != (args.canary_percent is None):
        raise UsageError("--canary-alias and --canary-percent go together")
    fields = {"canary_alias": args.canary_alias, "canary_percent": args.canary_percent,
              "shadow_alias": args.shadow_alias, "owner_team": args.owner_team, "description": args.description}
    with connect(args) as sx:
        deployment = sx.serving.deploy(args.name, model_name=args.model, alias=args.alias,
                                       **{k: v for k, v in fields.items() if v is not None})
    state = enum_name(resources_pb2.DeploymentState, deployment.state, "DEPLOYMENT_STATE_")
    emit(args, {"deployment": to_dict(deployment)},
         f"deployment {deployment.name}: {deployment.model_name}@{deployment.alias} ({state})")
    return EXIT_OK


def _predict(args: argparse.Namespace) -> int:
    if bool(args.input) == bool(args.key):
        raise UsageError("give either --input FILE (feature values) or --key NAME=V1,V2 (entity keys)")
    if args.model and not (args.alias or args.version):
        raise UsageError("--model needs --alias or --version")
    values = read_table(args.input) if args.input else None
    keys = parse_key_values(args.key, "--key") if args.key else None
    with connect(args) as sx:
        frame = sx.serving.predict(values, entity_keys=keys, deployment=args.deployment, model_name=args.model,
                                   alias=args.alias, model_version=args.version)
    document = {key: frame.attrs[key] for key in ("request_id", "deployment", "model_name", "model_version", "alias")}
    emit(args, {**document, "predictions": frame_records(frame)},
         lambda: f"{frame.attrs['model_name']} version {frame.attrs['model_version']} "
                 f"(request {frame.attrs['request_id']})\n{frame.to_string(index=False)}")
    return EXIT_OK
