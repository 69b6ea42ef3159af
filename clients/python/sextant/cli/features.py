"""``sextant features``: plan and apply a definitions file, ingest a data file, read features."""

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
    split_list,
    table,
    to_dict,
)
from sextant.featurestore.v1 import resources_pb2


def register(commands: Any) -> None:
    """Add ``features`` and its subcommands."""
    features = commands.add_parser("features", help="feature definitions and data")
    sub = features.add_subparsers(dest="features_command", required=True, metavar="COMMAND")
    for name, handler, text in (("plan", _plan, "show what applying a definitions file would change"),
                                ("apply", _apply, "apply the definitions declared in a Python file")):
        parser = add_command(sub, name, handler, text)
        parser.add_argument("file", help="Python file declaring Entity, FeatureView and FeatureService objects")
        parser.add_argument("--prune", action="store_true",
                            help="delete definitions of the file's teams that the file no longer declares")
        if name == "apply":
            parser.add_argument("--expect-digest", default="", help="apply only if the plan's digest is this one")
            parser.add_argument("--note", default="", help="change note recorded with the change")
    ingest = add_command(sub, "ingest", _ingest, "ingest a .parquet/.csv/.json file into a feature view")
    ingest.add_argument("feature_view")
    ingest.add_argument("file")
    ingest.add_argument("--online", action="store_true", help="also write the latest rows to the online store")
    ingest.add_argument("--ingest-id", default=None, help="id that makes a retried ingest idempotent")
    get = add_command(sub, "get", _get, "read feature values: online for entity keys, or a point-in-time "
                                        "training set for an entity rows file")
    get.add_argument("--features", default="", help="references view:feature, comma-separated")
    get.add_argument("--service", default="", help="a feature service instead of --features")
    get.add_argument("--key", action="append", default=[], metavar="NAME=V1,V2",
                     help="join key values for an online read (repeat per key)")
    get.add_argument("--entity-rows", default=None, metavar="FILE",
                     help="entity rows (keys and event_timestamp) for a historical read")
    get.add_argument("--output", default=None, metavar="FILE.parquet|FILE.csv", help="write the result to a file")


def _load(path: str) -> list:
    from sextant.client.definitions import load_definitions

    try:
        return load_definitions(path)
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None


def _plan_rows(plan: resources_pb2.ApplyPlan) -> str:
    rows = [(enum_name(resources_pb2.DefinitionKind, item.kind, "DEFINITION_KIND_").lower(), item.name,
             enum_name(resources_pb2.ChangeType, item.change_type, "CHANGE_TYPE_"),
             enum_name(resources_pb2.Compatibility, item.compatibility, "COMPATIBILITY_"),
             f"v{item.new_version}" if item.creates_version else "")
            for item in plan.items]
    summary = (f"{plan.created_count} to create, {plan.changed_count} to change, {plan.unchanged_count} unchanged, "
               f"{plan.deleted_count} to delete ({plan.breaking_count} breaking); digest {plan.digest}")
    return table(rows, ["kind", "name", "change", "compatibility", "version"]) + "\n" + summary


def _plan(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        plan = sx.featurestore.plan(_load(args.file), prune=args.prune)
    emit(args, {"plan": to_dict(plan)}, lambda: _plan_rows(plan))
    return EXIT_OK


def _apply(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        answer = sx.featurestore.apply(_load(args.file), prune=args.prune, expected_plan_digest=args.expect_digest,
                                       change_note=args.note)
    emit(args, to_dict(answer), lambda: _plan_rows(answer.plan) + f"\napplied (revision {answer.revision})")
    return EXIT_OK


def _ingest(args: argparse.Namespace) -> int:
    frame = read_table(args.file)
    with connect(args) as sx:
        answer = sx.featurestore.ingest(args.feature_view, frame, ingest_id=args.ingest_id, write_online=args.online)
    text = (f"{answer.rows_written} rows ingested into {answer.feature_view} v{answer.feature_view_version}"
            + (f" ({answer.online_rows_written} online)" if args.online else "")
            + (" (duplicate ingest id: nothing written)" if answer.duplicate else ""))
    emit(args, to_dict(answer), text)
    return EXIT_OK


def _get(args: argparse.Namespace) -> int:
    selection: Any = args.service or split_list(args.features)
    if not selection:
        raise UsageError("name the features with --features view:feature,... or --service NAME")
    if args.output and not args.output.endswith((".parquet", ".csv")):
        raise UsageError(f"--output {args.output}: expected a .parquet or .csv file")
    if bool(args.key) == bool(args.entity_rows):
        raise UsageError("give either --key NAME=V1,V2 (online) or --entity-rows FILE (historical)")
    with connect(args) as sx:
        if args.key:
            frame = sx.featurestore.get_online_features(parse_key_values(args.key, "--key"), selection,
                                                        with_status=True)
        else:
            frame = sx.featurestore.get_historical_features(read_table(args.entity_rows), selection)
    if args.output:
        _write(frame, args.output)
    emit(args, {"rows": frame_records(frame)},
         lambda: f"{len(frame)} rows written to {args.output}" if args.output else frame.to_string(index=False))
    return EXIT_OK


def _write(frame: Any, path: str) -> None:
    if path.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
