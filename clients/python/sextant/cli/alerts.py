"""``sextant alerts``: list, acknowledge and silence monitoring alerts."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta
from typing import Any

from sextant.cli.common import EXIT_OK, UsageError, add_command, connect, emit, enum_name, table, to_dict
from sextant.monitoring.v1 import alerts_pb2

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def register(commands: Any) -> None:
    """Add ``alerts`` and its subcommands."""
    alerts = commands.add_parser("alerts", help="monitoring alerts")
    sub = alerts.add_subparsers(dest="alerts_command", required=True, metavar="COMMAND")
    listing = add_command(sub, "list", _list, "list alerts")
    listing.add_argument("--state", action="append", default=[],
                         help="pending, firing, acknowledged, silenced or resolved (repeatable)")
    listing.add_argument("--model", default="")
    listing.add_argument("--team", default="", help="only alerts routed to this team")
    listing.add_argument("--limit", type=int, default=100)
    ack = add_command(sub, "ack", _ack, "acknowledge an alert")
    ack.add_argument("alert")
    ack.add_argument("--comment", default="")
    silence = add_command(sub, "silence", _silence, "silence an alert for a while")
    silence.add_argument("alert")
    when = silence.add_mutually_exclusive_group(required=True)
    when.add_argument("--for", dest="duration", default=None, help="a duration such as 30m, 4h or 2d")
    when.add_argument("--until", default=None, help="an ISO 8601 time")
    silence.add_argument("--comment", default="")


def _state(alert: alerts_pb2.Alert) -> str:
    return enum_name(alerts_pb2.AlertState, alert.state, "ALERT_STATE_")


def _list(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        alerts = []
        for alert in sx.monitoring.iter_alerts(states=args.state, model_name=args.model, routed_team=args.team):
            alerts.append(alert)
            if len(alerts) >= args.limit:
                break
    rows = [(a.name, _state(a), enum_name(alerts_pb2.Severity, a.severity, "SEVERITY_"),
             f"{a.model_name} v{a.model_version}" if a.model_name else "", a.routed_team, a.summary) for a in alerts]
    emit(args, {"alerts": [to_dict(a) for a in alerts]},
         lambda: table(rows, ["alert", "state", "severity", "model", "team", "summary"]))
    return EXIT_OK


def _ack(args: argparse.Namespace) -> int:
    with connect(args) as sx:
        alert = sx.monitoring.acknowledge_alert(args.alert, comment=args.comment)
    emit(args, {"alert": to_dict(alert)}, f"{alert.name}: {_state(alert)}")
    return EXIT_OK


def _until(args: argparse.Namespace) -> datetime | timedelta:
    if args.duration:
        match = _DURATION.match(args.duration)
        if not match:
            raise UsageError(f"--for {args.duration!r}: expected a number and a unit s, m, h or d (for example 4h)")
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        return datetime.fromisoformat(args.until)
    except ValueError:
        raise UsageError(f"--until {args.until!r}: expected an ISO 8601 time") from None


def _silence(args: argparse.Namespace) -> int:
    until = _until(args)
    with connect(args) as sx:
        alert = sx.monitoring.silence_alert(args.alert, until, comment=args.comment)
    emit(args, {"alert": to_dict(alert)}, f"{alert.name}: {_state(alert)} until {alert.silenced_until.ToJsonString()}")
    return EXIT_OK
