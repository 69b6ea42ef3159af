"""The audit log every service keeps: one append-only record per mutating call and per sensitive read.

Which calls are audited is declared here, RPC by RPC, for the whole suite (a unit test checks that
every RPC of every contract is classified): :data:`MUTATIONS` (state changes, recorded whatever their
outcome), :data:`EVALUATIONS` (policy decisions), :data:`SENSITIVE_READS` (always audited reads) and
:data:`READS`. A read in :data:`MAY_READ_SENSITIVE` is audited only when the handler reported that it
returned sensitive features (:func:`note_sensitive_read`); other reads such as Predict pay nothing.

:class:`AuditInterceptor` runs inside the common server interceptor, so the principal and the request
id are already bound. It writes the record synchronously after the handler returns or fails, to the
service's own database (tables ``audit_records`` and ``audit_resources``, created by the common
migration ``c0002_audit``). A failure to write is logged and counted but does not change the call's
answer: the change it describes has already happened. No RPC updates or deletes audit rows.

The resource of a call is read from its request (or, for ids the server assigns, its response) by
the path declared in :data:`MUTATIONS`: ``model.name``, ``feature_views[].name``, ``model_name@alias``
(two fields joined by ``@``) or ``=job.name`` (``=`` reads the response).
"""

from __future__ import annotations

import contextvars
import functools
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import grpc
import sqlalchemy as sa
from google.protobuf import message as _message
from google.protobuf import timestamp_pb2
from prometheus_client import Counter

from services.common import auth
from services.common.db import Database, FastInsert, RawTransaction
from services.common.errors import InvalidArgument, SextantError, from_peer_error
from services.common.interceptors import request_id_var
from services.common.logging import get_logger
from services.common.pagination import next_page_token, page_request
from sextant.type.v1 import audit_pb2, types_pb2

MUTATION = audit_pb2.AUDIT_KIND_MUTATION
SENSITIVE_READ = audit_pb2.AUDIT_KIND_SENSITIVE_READ
EVALUATION = audit_pb2.AUDIT_KIND_EVALUATION


class ResourcePath(NamedTuple):
    """Where a call names its resource: the resource type, the name path and the version path."""

    type: str
    name: str = ""
    version: str = ""


def _r(kind: str, name: str = "", version: str = "") -> tuple[ResourcePath, ...]:
    return (ResourcePath(kind, name, version),)


#: Calls that change state, by RPC name, with the resources they touch.
MUTATIONS: dict[str, tuple[ResourcePath, ...]] = {
    # featurestore
    "ApplyDefinitions": (ResourcePath("entity", "entities[].name"),
                         ResourcePath("feature_view", "feature_views[].name"),
                         ResourcePath("feature_service", "feature_services[].name")),
    "DeleteEntity": _r("entity", "name"),
    "DeleteFeatureView": _r("feature_view", "name"),
    "DeleteFeatureService": _r("feature_service", "name"),
    "IngestBatch": _r("feature_view", "header.feature_view", "header.feature_view_version"),
    "PushFeatures": _r("feature_view", "feature_view"),
    "MaterializeFeatures": _r("feature_view", "feature_views[]"),
    # training
    "SubmitTrainingJob": _r("training_job", "=job.name"),
    "RerunTrainingJob": _r("training_job", "=job.name"),
    "CancelTrainingJob": _r("training_job", "name"),
    "UploadEntityRows": _r("entity_rows", "=entity_rows_digest"),
    "CreateExperiment": _r("experiment", "experiment.name"),
    # registry
    "CreateRegisteredModel": _r("registered_model", "model.name"),
    "UpdateRegisteredModel": _r("registered_model", "model.name"),
    "DeleteRegisteredModel": _r("registered_model", "name"),
    "CreateModelVersion": _r("model_version", "model_name", "=model_version.version"),
    "UpdateModelVersion": _r("model_version", "model_version.model_name", "model_version.version"),
    "UploadArtifact": _r("artifact", "header.model_name", "header.version"),
    "SetAlias": _r("alias", "model_name@alias", "version"),
    "MoveAlias": _r("alias", "model_name@alias", "version"),
    "DeleteAlias": _r("alias", "model_name@alias"),
    "MarkVersionStale": _r("model_version", "model_name", "version"),
    "ClearVersionStale": _r("model_version", "model_name", "version"),
    "ApproveModelVersion": _r("model_version", "model_name", "version"),
    # serving (and the Open Inference Protocol's repository calls)
    "CreateDeployment": _r("deployment", "deployment.name"),
    "UpdateDeployment": _r("deployment", "deployment.name"),
    "DeleteDeployment": _r("deployment", "name"),
    "RepositoryModelLoad": _r("model", "model_name"),
    "RepositoryModelUnload": _r("model", "model_name"),
    # monitoring
    "LogPredictions": _r("prediction_log", "batch_id"),
    "LogOutcomes": _r("outcome_log"),
    "SetReference": _r("reference", "model_name", "model_version"),
    "CreateMonitor": _r("monitor", "monitor.name"),
    "UpdateMonitor": _r("monitor", "monitor.name"),
    "DeleteMonitor": _r("monitor", "name"),
    "CreateAlertRule": _r("alert_rule", "alert_rule.name"),
    "UpdateAlertRule": _r("alert_rule", "alert_rule.name"),
    "DeleteAlertRule": _r("alert_rule", "name"),
    "AcknowledgeAlert": _r("alert", "name"),
    "SilenceAlert": _r("alert", "name"),
    "ResolveAlert": _r("alert", "name"),
    "CreateWebhookSink": _r("webhook_sink", "webhook_sink.name"),
    "UpdateWebhookSink": _r("webhook_sink", "webhook_sink.name"),
    "DeleteWebhookSink": _r("webhook_sink", "name"),
    # policy
    "CreatePolicy": _r("policy", "policy.name"),
    "UpdatePolicy": _r("policy", "policy.name"),
    "DeletePolicy": _r("policy", "name"),
}

#: Policy evaluations, audited as EVALUATION records naming the decision they recorded.
EVALUATIONS: dict[str, tuple[ResourcePath, ...]] = {
    "EvaluateTraining": _r("decision", "=decision.decision_id"),
    "EvaluatePromotion": _r("decision", "=decision.decision_id"),
    "EvaluateDeployment": _r("decision", "=decision.decision_id"),
}

#: Reads that always touch protected attributes (a proxy analysis needs them), audited on every call.
SENSITIVE_READS: dict[str, tuple[ResourcePath, ...]] = {
    "DetectProxies": (),
}

#: Reads audited only when the handler reports sensitive features (:func:`note_sensitive_read`).
MAY_READ_SENSITIVE: frozenset[str] = frozenset({"GetOnlineFeatures", "GetHistoricalFeatures"})

#: Reads that are never audited. Together with the tables above this covers every RPC of the suite.
READS: frozenset[str] = frozenset({
    "GetEntity", "ListEntities", "GetFeatureView", "ListFeatureViews", "ListFeatureViewVersions",
    "GetFeatureService", "ListFeatureServices", "ResolveFeatures", "GetFeatureStatistics",
    "WatchDefinitionChanges",
    "GetTrainingJob", "ListTrainingJobs", "WatchTrainingJob", "GetExperiment", "ListExperiments", "GetRun",
    "ListRuns",
    "GetRegisteredModel", "ListRegisteredModels", "GetModelVersion", "ListModelVersions", "DownloadArtifact",
    "GetAlias", "ListAliases", "ListAliasHistory", "WatchRegistryEvents",
    "GetDeployment", "ListDeployments", "Predict", "PredictStream", "GetServingStatus", "ListLoadedModels",
    "ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata", "ModelInfer",
    "ModelStreamInfer", "ModelStatistics", "RepositoryIndex",
    "GetReference", "ListReferences", "GetMonitor", "ListMonitors", "GetDriftReport", "ListDriftReports",
    "GetDataQualityReport", "GetPerformanceReport", "GetMetricSeries", "GetAlertRule", "ListAlertRules",
    "GetAlert", "ListAlerts", "WatchAlerts", "GetWebhookSink", "ListWebhookSinks",
    "GetPolicy", "ListPolicies", "ListPolicyVersions", "GetDecision", "ListDecisions",
    "ListAuditRecords",
})

#: Request fields copied into a record's details when set (never data values or secrets).
DETAIL_FIELDS = ("update_mask", "dry_run", "validate_only", "prune", "expected_version", "to_previous",
                 "idempotency_key", "incremental", "force", "protected_attribute_columns")


@dataclass(frozen=True)
class Classification:
    """How one RPC is audited: the record kind (None: only when sensitive) and its resource paths."""

    kind: int | None
    resources: tuple[ResourcePath, ...] = ()


def classify(method_name: str) -> Classification | None:
    """How ``method_name`` (``MoveAlias``) is audited; ``None`` for a plain read or an unknown RPC."""
    if method_name in MUTATIONS:
        return Classification(MUTATION, MUTATIONS[method_name])
    if method_name in EVALUATIONS:
        return Classification(EVALUATION, EVALUATIONS[method_name])
    if method_name in SENSITIVE_READS:
        return Classification(SENSITIVE_READ, SENSITIVE_READS[method_name])
    if method_name in MAY_READ_SENSITIVE:
        return Classification(None)
    return None


def is_classified(method_name: str) -> bool:
    """True when ``method_name`` appears in exactly one of the declared tables."""
    tables = (MUTATIONS, EVALUATIONS, SENSITIVE_READS, MAY_READ_SENSITIVE, READS)
    return sum(method_name in table for table in tables) == 1


# -- storage -----------------------------------------------------------------------------------

metadata = sa.MetaData()

_SEQUENCE_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("sequence", _SEQUENCE_TYPE, primary_key=True, autoincrement=True),
        sa.Column("record_time_us", sa.BigInteger, nullable=False),
        sa.Column("principal", sa.String(256), nullable=False),
        sa.Column("caller", sa.String(256), nullable=False),
        sa.Column("peer", sa.String(256), nullable=False),
        sa.Column("method", sa.String(256), nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("status_code", sa.String(32), nullable=False),
        sa.Column("error_reason", sa.String(128), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("row_count", sa.BigInteger, nullable=False),
        sa.Column("sensitive_features", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
    ]


def _resource_columns() -> list[sa.Column]:
    return [
        sa.Column("sequence", _SEQUENCE_TYPE, sa.ForeignKey("audit_records.sequence"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    ]


audit_records = sa.Table("audit_records", metadata, *_record_columns())
audit_resources = sa.Table("audit_resources", metadata, *_resource_columns())


def create_audit_tables(op: Any) -> None:
    """Create the audit tables and their indexes from an Alembic migration (``op`` is ``alembic.op``)."""
    op.create_table("audit_records", *_record_columns())
    op.create_index("ix_audit_records_time", "audit_records", ["record_time_us", "sequence"])
    op.create_index("ix_audit_records_principal", "audit_records", ["principal", "record_time_us"])
    op.create_index("ix_audit_records_method", "audit_records", ["method", "record_time_us"])
    op.create_table("audit_resources", *_resource_columns())
    op.create_index("ix_audit_resources_name", "audit_resources", ["type", "name"])


@dataclass
class AuditEntry:
    """One record before it is stored."""

    principal: str
    caller: str
    peer: str
    method: str
    kind: int
    status_code: str
    error_reason: str
    request_id: str
    resources: list[tuple[str, str, int]] = field(default_factory=list)
    sensitive_features: list[tuple[str, str, int]] = field(default_factory=list)
    row_count: int = 0
    details: dict[str, str] = field(default_factory=dict)
    record_time_us: int = 0


@dataclass(frozen=True)
class AuditQuery:
    """The filters of a ListAuditRecords request, validated."""

    principal: str = ""
    method: str = ""
    kind: int = 0
    resource_type: str = ""
    resource_name: str = ""
    status_code: str = ""
    start_us: int | None = None
    end_us: int | None = None
    newest_first: bool = True

    def as_filters(self) -> dict[str, Any]:
        """The filters as a mapping, for page-token digests."""
        return {"principal": self.principal, "method": self.method, "kind": self.kind,
                "resource_type": self.resource_type, "resource_name": self.resource_name,
                "status_code": self.status_code, "start": self.start_us, "end": self.end_us,
                "newest_first": self.newest_first}


# The audit insert is on every audited call's path: compiled once, run on the driver's cursor.
_INSERT_RECORD = FastInsert(audit_records, returning="sequence")
_INSERT_RESOURCE = FastInsert(audit_resources)


class AuditLog:
    """The service's append-only audit table: append one record, list pages of them."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def append(self, entry: AuditEntry) -> int:
        """Store ``entry``; returns its sequence number."""
        with self._db.append_transaction() as connection:
            return self.append_in(connection, entry)

    @staticmethod
    def append_in(connection: sa.Connection | RawTransaction, entry: AuditEntry) -> int:
        """Store ``entry`` inside the caller's write transaction (it commits or rolls back with it)."""
        row = {"record_time_us": entry.record_time_us or time.time_ns() // 1000, "principal": entry.principal[:256],
               "caller": entry.caller[:256], "peer": entry.peer[:256], "method": entry.method[:256],
               "kind": entry.kind, "status_code": entry.status_code, "error_reason": entry.error_reason[:128],
               "request_id": entry.request_id[:128], "row_count": entry.row_count,
               "sensitive_features": json.dumps(entry.sensitive_features),
               "details": json.dumps(entry.details, sort_keys=True)}
        sequence = _INSERT_RECORD.run(connection, [row])
        assert sequence is not None
        if entry.resources:
            _INSERT_RESOURCE.run(connection, [
                {"sequence": sequence, "position": position, "type": kind, "name": name[:512], "version": version}
                for position, (kind, name, version) in enumerate(entry.resources)])
        return sequence

    def list(self, query: AuditQuery, size: int, after: tuple[Any, ...] | None
             ) -> tuple[list[audit_pb2.AuditRecord], tuple[int, int] | None]:
        """A page of records matching ``query`` after the key ``after``; returns them and the last key."""
        table = audit_records
        statement = sa.select(table)
        for column, value in (("principal", query.principal), ("method", query.method),
                              ("status_code", query.status_code)):
            if value:
                statement = statement.where(table.c[column] == value)
        if query.kind:
            statement = statement.where(table.c.kind == query.kind)
        if query.start_us is not None:
            statement = statement.where(table.c.record_time_us >= query.start_us)
        if query.end_us is not None:
            statement = statement.where(table.c.record_time_us < query.end_us)
        if query.resource_type or query.resource_name:
            touched = sa.select(audit_resources.c.sequence).where(audit_resources.c.sequence == table.c.sequence)
            if query.resource_type:
                touched = touched.where(audit_resources.c.type == query.resource_type)
            if query.resource_name:
                touched = touched.where(audit_resources.c.name == query.resource_name)
            statement = statement.where(touched.exists())
        key = sa.tuple_(table.c.record_time_us, table.c.sequence)
        if after is not None:
            bound = sa.tuple_(sa.literal(int(after[0])), sa.literal(int(after[1])))
            statement = statement.where(key < bound if query.newest_first else key > bound)
        if query.newest_first:
            statement = statement.order_by(table.c.record_time_us.desc(), table.c.sequence.desc())
        else:
            statement = statement.order_by(table.c.record_time_us, table.c.sequence)
        with self._db.read() as session:
            rows = session.execute(statement.limit(size + 1)).all()
            more = len(rows) > size
            rows = rows[:size]
            resources = self._resources(session, [row.sequence for row in rows])
        records = [_to_proto(row, resources.get(row.sequence, [])) for row in rows]
        last = (rows[-1].record_time_us, rows[-1].sequence) if more and rows else None
        return records, last

    @staticmethod
    def _resources(session: Any, sequences: list[int]) -> dict[int, list[Any]]:
        if not sequences:
            return {}
        found: dict[int, list[Any]] = {}
        statement = (sa.select(audit_resources).where(audit_resources.c.sequence.in_(sequences))
                     .order_by(audit_resources.c.sequence, audit_resources.c.position))
        for row in session.execute(statement):
            found.setdefault(row.sequence, []).append(row)
        return found


def _to_proto(row: Any, resources: list[Any]) -> audit_pb2.AuditRecord:
    record = audit_pb2.AuditRecord(
        sequence=row.sequence, principal=row.principal, caller=row.caller, peer=row.peer, method=row.method,
        kind=row.kind, status_code=row.status_code, error_reason=row.error_reason, request_id=row.request_id,
        row_count=row.row_count, details=json.loads(row.details),
        resources=[audit_pb2.AuditResource(type=r.type, name=r.name, version=r.version) for r in resources],
        sensitive_features=[types_pb2.FeatureReference(feature_view=view, feature=name, version=version)
                            for view, name, version in json.loads(row.sensitive_features)])
    record.record_time.FromMicroseconds(row.record_time_us)
    return record


# -- ListAuditRecords ----------------------------------------------------------------------------

AUDIT_PAGE_DEFAULT = 100
_ORDERS = {"": True, "record_time desc": True, "record_time": False, "record_time asc": False}


#: The range protobuf allows a Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
_FIRST_SECOND, _LAST_SECOND = -62_135_596_800, 253_402_300_799


def _micros(stamp: timestamp_pb2.Timestamp, field: str) -> int:
    if not _FIRST_SECOND <= stamp.seconds <= _LAST_SECOND or not 0 <= stamp.nanos <= 999_999_999:
        raise InvalidArgument(field, "expected a timestamp between 0001-01-01 and 9999-12-31")
    return stamp.seconds * 1_000_000 + stamp.nanos // 1000


def audit_query(request: Any) -> AuditQuery:
    """Validate a ListAuditRecords request (every service's request has the same fields)."""
    order = " ".join(request.order_by.lower().split())
    if order not in _ORDERS:
        raise InvalidArgument("order_by", f"expected `record_time desc` or `record_time`, got {request.order_by!r}")
    if request.kind not in audit_pb2.AuditKind.values():
        raise InvalidArgument("kind", f"expected a known AuditKind, got {request.kind}")
    if request.status_code and request.status_code not in grpc.StatusCode.__members__:
        raise InvalidArgument("status_code", f"expected a canonical status code name such as OK, "
                                             f"got {request.status_code!r}")
    start = _micros(request.start_time, "start_time") if request.HasField("start_time") else None
    end = _micros(request.end_time, "end_time") if request.HasField("end_time") else None
    if start is not None and end is not None and start > end:
        raise InvalidArgument("start_time", "expected start_time at or before end_time")
    return AuditQuery(principal=request.principal, method=request.method, kind=request.kind,
                      resource_type=request.resource_type, resource_name=request.resource_name,
                      status_code=request.status_code, start_us=start, end_us=end, newest_first=_ORDERS[order])


def list_audit_records_handler(log: AuditLog, response_cls: type[_message.Message]) -> Callable[..., Any]:
    """The ListAuditRecords handler of one service, answering with ``response_cls``."""

    def ListAuditRecords(request: Any, _context: grpc.ServicerContext) -> Any:  # noqa: N802 - the RPC's name
        query = audit_query(request)
        filters = query.as_filters()
        page = page_request(request.page_size, request.page_token, filters, default=AUDIT_PAGE_DEFAULT)
        if page.after is not None and (len(page.after) != 2 or not all(type(v) is int for v in page.after)):
            raise InvalidArgument("page_token", "expected a token returned by a previous call")
        records, last = log.list(query, page.size, page.after)
        return response_cls(audit_records=records, next_page_token=next_page_token(last, filters))

    return ListAuditRecords


class WithAuditRecords:
    """A servicer with ListAuditRecords added: every other attribute comes from the wrapped servicer."""

    def __init__(self, servicer: object | None, handler: Callable[..., Any]) -> None:
        self._servicer = servicer
        self.ListAuditRecords = handler

    def __getattr__(self, name: str) -> Any:
        if self._servicer is None:
            raise AttributeError(name)
        return getattr(self._servicer, name)


# -- what handlers report ------------------------------------------------------------------------

@dataclass
class _CallNotes:
    """What is known of a call when it starts (who, which request) and what its handler reported."""

    principal: str = ""
    caller: str = ""
    request_id: str = ""
    rows: int = 0
    sensitive: list[tuple[str, str, int]] = field(default_factory=list)
    #: Builds this call's record as succeeded, given its resources (set for audited unary calls).
    draft: Callable[[list[tuple[str, str, int]]], AuditEntry] | None = None
    #: The handler wrote the record inside its own transaction (:func:`record_in_transaction`).
    recorded: bool = False

    @classmethod
    def starting(cls) -> _CallNotes:
        """Notes of the call being handled, with the identity the common interceptor bound."""
        principal = auth.current_principal()
        return cls(principal.subject, getattr(principal, "via", None) or "", request_id_var.get())


_notes: contextvars.ContextVar[_CallNotes | None] = contextvars.ContextVar("sextant_audit_notes", default=None)


def note_sensitive_read(features: Iterable[tuple[str, str, int]]) -> None:
    """Report that the current call returned these sensitive features (view, feature, version)."""
    notes = _notes.get()
    if notes is not None:
        for reference in features:
            if reference not in notes.sensitive:
                notes.sensitive.append(reference)


def record_in_transaction(connection: sa.Connection | RawTransaction, resources: list[tuple[str, str, int]]) -> bool:
    """Write the current call's audit record, as succeeded, inside the handler's write transaction.

    For a handler whose change and record belong together (a policy decision and its EVALUATION
    record): one commit instead of two, and neither exists without the other. Call it inside the
    transaction whose failure fails the call; the interceptor then writes nothing more when the call
    succeeds (a call that fails afterwards still gets its failure record). Returns False, writing
    nothing, outside an audited unary call.
    """
    notes = _notes.get()
    if notes is None or notes.draft is None:
        return False
    AuditLog.append_in(connection, notes.draft(resources))
    notes.recorded = True
    return True


def note_rows(count: int) -> None:
    """Report rows the current call carried or asked for (added up over a stream)."""
    notes = _notes.get()
    if notes is not None:
        notes.rows += count


# -- the interceptor -----------------------------------------------------------------------------

AUDIT_WRITE_FAILURES = Counter("sextant_audit_write_failures_total", "Audit records that could not be written.",
                               ["service"])


class AuditInterceptor(grpc.ServerInterceptor):
    """Writes an audit record for every mutating, evaluating or sensitive call."""

    def __init__(self, service: str, log: AuditLog) -> None:
        self._service = service
        self._log = log
        self._logger = get_logger("audit")

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        method = details.method
        if handler is None or method.startswith(("/grpc.health.v1.", "/grpc.reflection.")):
            return handler
        rule = classify(method.rsplit("/", 1)[-1])
        if rule is None:
            return handler
        if handler.unary_unary:
            return handler._replace(unary_unary=self._unary(handler.unary_unary, method, rule, False))
        if handler.stream_unary:
            return handler._replace(stream_unary=self._unary(handler.stream_unary, method, rule, True))
        if handler.unary_stream:
            return handler._replace(unary_stream=self._stream(handler.unary_stream, method, rule, False))
        return handler._replace(stream_stream=self._stream(handler.stream_stream, method, rule, True))

    def _unary(self, behavior: Callable[..., Any], method: str, rule: Classification,
               streaming_in: bool) -> Callable[..., Any]:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            notes = _CallNotes.starting()
            if not streaming_in and rule.kind is not None:
                notes.draft = functools.partial(self._draft, method, rule.kind, context, notes, request)
            first: list[Any] = []
            token = _notes.set(notes)
            try:
                response = behavior(_remember_first(request, first) if streaming_in else request, context)
            except BaseException as error:
                _notes.reset(token)
                self._record(method, rule, context, notes, first, request, None, error)
                raise
            _notes.reset(token)
            if not notes.recorded:
                self._record(method, rule, context, notes, first, request, response, None)
            return response

        return handle

    def _stream(self, behavior: Callable[..., Iterator[Any]], method: str, rule: Classification,
                streaming_in: bool) -> Callable[..., Iterator[Any]]:
        def handle(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            notes = _CallNotes.starting()
            first: list[Any] = []
            token = _notes.set(notes)
            failure: BaseException | None = None
            try:
                yield from behavior(_remember_first(request, first) if streaming_in else request, context)
            except BaseException as error:
                failure = error
                raise
            finally:
                _forget(token)
                self._record(method, rule, context, notes, first, request, None, failure)

        return handle

    def record_denied(self, method: str, principal: auth.Principal, refusal: SextantError, request_id: str,
                      peer: str) -> None:
        """Record a mutating or evaluating call the permission table refused before any handler ran.

        Refused reads are not written (they changed nothing and would let anyone with a credential fill
        the table); they are counted in the RPC metrics like every call.
        """
        rule = classify(method.rsplit("/", 1)[-1])
        if rule is None or rule.kind is None:
            return
        entry = AuditEntry(principal=principal.subject, caller=getattr(principal, "via", None) or "", peer=peer,
                           method=method, kind=rule.kind, status_code=refusal.code.name,
                           error_reason=refusal.reason, request_id=request_id)
        try:
            self._log.append(entry)
        except Exception as failure:  # noqa: BLE001 - the refusal stands whether or not it is written down
            AUDIT_WRITE_FAILURES.labels(self._service).inc()
            self._logger.error("audit record not written", method=method, status_code=entry.status_code,
                               error=str(failure))

    @staticmethod
    def _draft(method: str, kind: int, context: grpc.ServicerContext, notes: _CallNotes, request: Any,
               resources: list[tuple[str, str, int]]) -> AuditEntry:
        return AuditEntry(
            principal=notes.principal, caller=notes.caller, peer=_peer(context), method=method, kind=kind,
            status_code=grpc.StatusCode.OK.name, error_reason="", request_id=notes.request_id, row_count=notes.rows,
            sensitive_features=notes.sensitive, resources=resources, details=details_of(request))

    def _record(self, method: str, rule: Classification, context: grpc.ServicerContext, notes: _CallNotes,
                first: list[Any], request: Any, response: Any, error: BaseException | None) -> None:
        kind = rule.kind
        if kind is None:
            if not notes.sensitive:
                return
            kind = SENSITIVE_READ
        code, reason = _outcome(context, error)
        message = first[0] if first else (request if isinstance(request, _message.Message) else None)
        entry = AuditEntry(
            principal=notes.principal, caller=notes.caller, peer=_peer(context), method=method, kind=kind,
            status_code=code, error_reason=reason, request_id=notes.request_id, row_count=notes.rows,
            sensitive_features=notes.sensitive,
            resources=resources_of(rule.resources, message, response), details=details_of(message))
        try:
            self._log.append(entry)
        except Exception as failure:  # noqa: BLE001 - the call's answer must not depend on its audit write
            AUDIT_WRITE_FAILURES.labels(self._service).inc()
            self._logger.error("audit record not written", method=method, status_code=code, error=str(failure))


def _forget(token: contextvars.Token[_CallNotes | None]) -> None:
    try:
        _notes.reset(token)
    except ValueError:
        # A stream closed from another thread (client cancelled) runs its cleanup in another context.
        pass


def _remember_first(messages: Iterator[Any], first: list[Any]) -> Iterator[Any]:
    for message in messages:
        if not first:
            first.append(message)
        yield message


def _outcome(context: grpc.ServicerContext, error: BaseException | None) -> tuple[str, str]:
    """The status code name and ErrorInfo reason a call ended with."""
    if isinstance(error, grpc.RpcError) and isinstance(error, grpc.Call):
        error = from_peer_error(error)  # what the client is answered (see the common error boundary)
    if isinstance(error, SextantError):
        return error.code.name, error.reason
    if isinstance(error, GeneratorExit):
        return grpc.StatusCode.CANCELLED.name, ""
    try:
        code = context.code()
    except (AttributeError, NotImplementedError):
        code = None
    if isinstance(code, grpc.StatusCode) and code != grpc.StatusCode.OK:
        return code.name, ""
    if error is not None:
        return grpc.StatusCode.INTERNAL.name, ""
    return grpc.StatusCode.OK.name, ""


def _peer(context: grpc.ServicerContext) -> str:
    try:
        return context.peer() or ""
    except (AttributeError, NotImplementedError):
        return ""


# -- reading resources and details out of messages -----------------------------------------------

def _values(message: Any, path: str) -> list[Any]:
    """Every value at ``path`` (``a.b``, ``a[].b``) in ``message``; empty when a part is missing or unset."""
    current = [message]
    for part in path.split("."):
        repeated = part.endswith("[]")
        name = part[:-2] if repeated else part
        found = []
        for item in current:
            if not isinstance(item, _message.Message) or name not in item.DESCRIPTOR.fields_by_name:
                continue
            value = getattr(item, name)
            found.extend(value if repeated else [value])
        current = found
    return current


def _first(message: Any, response: Any, path: str) -> Any:
    if not path:
        return None
    source, path = (response, path[1:]) if path.startswith("=") else (message, path)
    values = _values(source, path)
    return values[0] if values else None


def resources_of(paths: Sequence[ResourcePath], message: Any, response: Any) -> list[tuple[str, str, int]]:
    """The (type, name, version) resources a call names, read by the declared paths."""
    found: list[tuple[str, str, int]] = []
    for resource in paths:
        version = _first(message, response, resource.version)
        number = version if isinstance(version, int) and not isinstance(version, bool) else 0
        if "@" in resource.name:
            parts = [_first(message, response, part) or "" for part in resource.name.split("@")]
            names = ["@".join(str(p) for p in parts)] if any(parts) else []
        else:
            source, path = ((response, resource.name[1:]) if resource.name.startswith("=")
                            else (message, resource.name))
            names = [str(v) for v in _values(source, path) if v not in ("", None)] if path else []
        found.extend((resource.type, name, number) for name in names)
        if not names and not resource.name:
            found.append((resource.type, "", number))
    return found


def details_of(message: Any) -> dict[str, str]:
    """The request fields of :data:`DETAIL_FIELDS` that are set, as strings."""
    if not isinstance(message, _message.Message):
        return {}
    fields = message.DESCRIPTOR.fields_by_name
    details: dict[str, str] = {}
    for name in DETAIL_FIELDS:
        if name not in fields:
            continue
        value = getattr(message, name)
        if name == "update_mask":
            text = ",".join(value.paths)
        elif isinstance(value, bool | int | str):
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if value in (False, 0, ""):
                text = ""
        else:
            text = ",".join(str(v) for v in value)
        if text:
            details[name] = text
    return details

