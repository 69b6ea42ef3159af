"""What every service process does at start, in one place.

A service describes itself with a :class:`ServiceApp` (its name, settings class, contracts, the issue
that owns its RPC logic and how to build its servicers); :func:`build` turns settings into a started
server (tests call it with port 0), and :func:`main` is the body of ``python -m services.<name>``:
settings from the environment (a bad value stops the process with one line naming the variable),
logging, the database with its migrations applied, the server, then serving until SIGTERM.

Every service gets the same audit log and limits here: the audit and limits interceptors run inside
the common one, and each contract's ListAuditRecords is answered from the service's own audit table.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor as _descriptor
from google.protobuf import message_factory

from services.common.audit import AuditInterceptor, AuditLog, WithAuditRecords, list_audit_records_handler
from services.common.db import Database
from services.common.events import EventOutbox
from services.common.handlers import register_service
from services.common.logging import configure_logging, get_logger
from services.common.ratelimit import LimitsInterceptor
from services.common.server import BindError, RunningServer, create_server, serve
from services.common.settings import ServiceSettings, SettingsError, load_settings

COMMON_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass
class ServiceContext:
    """What a service's servicers are built from: settings, database and event outbox."""

    settings: Any
    database: Database
    outbox: EventOutbox
    #: Callbacks run after the server drained, in reverse order (stop threads, close clients).
    closers: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceApp:
    """A service's self-description."""

    name: str
    settings_cls: type[ServiceSettings]
    services: Sequence[_descriptor.ServiceDescriptor]
    owner_issue: str
    #: Builds the servicers, keyed by full service name; a service left out answers UNIMPLEMENTED.
    build_servicers: Callable[[ServiceContext], dict[str, object]] = lambda _ctx: {}
    #: The service's own Alembic version folder, if it has migrations beyond the common ones.
    migrations: Path | None = None
    #: Methods owned by another issue than ``owner_issue`` (quoted by their UNIMPLEMENTED answers).
    method_owners: Mapping[str, str] = field(default_factory=dict)


def open_database(app: ServiceApp, settings: ServiceSettings) -> Database:
    """The service's database with every migration applied."""
    database = Database(settings.resolved_database_url(app.name))
    version_dirs = [app.migrations] if app.migrations and app.migrations.is_dir() else []
    database.migrate(COMMON_MIGRATIONS, version_dirs)
    return database


def with_audit_records(services: Sequence[_descriptor.ServiceDescriptor], servicers: Mapping[str, object],
                       log: AuditLog) -> dict[str, object]:
    """``servicers`` with ListAuditRecords answered from ``log`` on every service whose contract has it."""
    wrapped = dict(servicers)
    for service in services:
        method = service.methods_by_name.get("ListAuditRecords")
        if method is None:
            continue
        response_cls = message_factory.GetMessageClass(method.output_type)
        wrapped[service.full_name] = WithAuditRecords(servicers.get(service.full_name),
                                                      list_audit_records_handler(log, response_cls))
    return wrapped


def build(app: ServiceApp, settings: ServiceSettings) -> RunningServer:
    """Open the database, build the servicers and start the server."""
    database = open_database(app, settings)
    outbox = EventOutbox(database)
    context = ServiceContext(settings, database, outbox)
    audit_log = AuditLog(database)
    servicers = with_audit_records(app.services, app.build_servicers(context), audit_log)
    auditor = AuditInterceptor(app.name, audit_log)
    interceptors = (auditor,
                    LimitsInterceptor(settings.max_rows_per_call, settings.rate_limit_per_minute))

    def register(server: grpc.Server) -> list[str]:
        return [register_service(server, service, servicers.get(service.full_name), app.owner_issue,
                                 app.method_owners)
                for service in app.services]

    try:
        running = create_server(app.name, settings, register, extra_interceptors=interceptors,
                                access_log=settings.access_log, denial_listener=auditor.record_denied)
    except BaseException:
        outbox.close()
        database.close()
        raise
    running.add_drain_callback(outbox.close)
    running.add_stop_callback(database.close)
    for closer in context.closers:
        running.add_stop_callback(closer)
    return running


def lower_priority(settings: ServiceSettings) -> None:
    """Apply the ``nice`` setting to this process (a process-wide attribute, so only entry points call this)."""
    if settings.nice:
        os.nice(settings.nice)
        get_logger("main").info("running at a lower scheduling priority", nice=os.nice(0))


def main(app: ServiceApp, argv: Sequence[str] | None = None) -> int:
    """Run the service until SIGTERM/SIGINT; returns the process exit code."""
    try:
        settings = load_settings(app.settings_cls, app.name)
    except SettingsError as error:
        print(f"sextant {app.name}: invalid setting {error}", file=sys.stderr)
        return 2
    configure_logging(app.name, settings.log_level, settings.log_format)
    log = get_logger("main")
    lower_priority(settings)
    try:
        running = build(app, settings)
    except BindError as error:
        print(f"sextant {app.name}: {error}", file=sys.stderr)
        return 3
    except Exception as error:  # noqa: BLE001 - one clear line instead of a traceback at start
        log.error("failed to start", exc_info=error)
        print(f"sextant {app.name}: failed to start: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    serve(running, settings.grace_seconds, ready_file=os.environ.get("SEXTANT_READY_FILE"))
    return 0
