"""The monitoring client: prediction and outcome logs from DataFrames, and the alert lifecycle."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from sextant.client import tabular
from sextant.client._base import ServiceClient
from sextant.client.definitions import enum_value
from sextant.monitoring.v1 import alerts_pb2, logs_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from sextant.monitoring.v1 import monitoring_service_pb2_grpc as pb_grpc
from sextant.type.v1 import types_pb2

#: The server's default per-message row limit of LogPredictions; also the batch size of LogOutcomes.
ROWS_PER_MESSAGE = 10_000

#: Columns of a prediction log that map to the table's reserved ``__`` columns.
RESERVED_COLUMNS = ("request_id", "row_index", "prediction_time", "latency_us", "status_code", "error_reason",
                    "predicted_label", "predicted_value")


def _reserved(name: str) -> str | None:
    bare = name.removeprefix("__")
    if bare in RESERVED_COLUMNS or bare.startswith("probability:"):
        return f"__{bare}"
    return None


def prediction_table(data: tabular.Tabular) -> tuple[pa.Table, list[str]]:
    """A prediction log as the Arrow table LogPredictions takes: reserved columns (``request_id``,
    ``prediction_time``, ``predicted_label``, ``probability:<class>`` …) get their ``__`` prefix and
    the types the server expects; returns the table and its other (input or output) columns."""
    table = tabular.to_arrow(data)
    columns, names, others = [], [], []
    for name in table.column_names:
        column = table.column(name)
        reserved = _reserved(name)
        if reserved == "__prediction_time":
            if pa.types.is_timestamp(column.type) and column.type.tz is None:
                column = column.cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
            column = column.cast(pa.timestamp("us", tz="UTC"))
        elif reserved in ("__row_index", "__status_code"):
            column = column.cast(pa.int32())
        elif reserved in ("__request_id", "__error_reason", "__predicted_label"):
            column = column.cast(pa.string())
        elif reserved == "__latency_us":
            column = column.cast(pa.int64())
        elif reserved is not None:
            column = column.cast(pa.float64())
        else:
            others.append(name)
        columns.append(column)
        names.append(reserved or name)
    return pa.table(columns, names=names), others


def severity(value: str | int) -> int:
    """A ``Severity`` from ``info``, ``warning`` or ``critical`` (or its number)."""
    return enum_value(alerts_pb2.Severity, "SEVERITY_", value, "severity")


def alert_state(value: str | int) -> int:
    """An ``AlertState`` from ``firing``, ``acknowledged`` … (or its number)."""
    return enum_value(alerts_pb2.AlertState, "ALERT_STATE_", value, "alert state")


class MonitoringClient(ServiceClient):
    """Client of ``sextant.monitoring.v1.MonitoringService``."""

    SERVICE = "monitoring"
    STUB = pb_grpc.MonitoringServiceStub
    DESCRIPTOR = pb.DESCRIPTOR.services_by_name["MonitoringService"]

    def log_predictions(self, data: tabular.Tabular, *, model_name: str, model_version: int, alias: str = "",
                        deployment: str = "", output_columns: Sequence[str] = (), batch_id: str = "",
                        timeout: float | None = None) -> pb.LogPredictionsResponse:
        """Log predictions of one model version from a DataFrame: ``request_id`` and
        ``prediction_time`` are required, ``row_index``, ``predicted_label``, ``predicted_value`` and
        ``probability:<class>`` optional; every other column is a model input unless it is listed in
        ``output_columns``. Sent in messages of at most 10,000 rows."""
        table, others = prediction_table(data)
        outputs = [c for c in others if c in set(output_columns)]
        inputs = [c for c in others if c not in set(output_columns)]

        def messages() -> Iterator[pb.LogPredictionsRequest]:
            for chunk in tabular.chunks(table, max_rows=ROWS_PER_MESSAGE):
                yield pb.LogPredictionsRequest(batch_id=batch_id, table=logs_pb2.PredictionTable(
                    model_name=model_name, model_version=model_version, alias=alias, deployment=deployment,
                    rows=types_pb2.ArrowTable(ipc_stream=tabular.encode_ipc(chunk)),
                    input_columns=inputs, output_columns=outputs))

        return self._call("LogPredictions", messages(), self._bulk(timeout))

    def log_outcomes(self, data: tabular.Tabular, *, timeout: float | None = None) -> pb.LogOutcomesResponse:
        """Log ground truth from a DataFrame with ``request_id``, optional ``row_index``, ``label``
        (class label) or ``value`` (regression target) and optional ``outcome_time``; the counts of
        every batch are summed."""
        rows = tabular.to_arrow(data).to_pylist()
        total = pb.LogOutcomesResponse()
        for start in range(0, len(rows), ROWS_PER_MESSAGE):
            outcomes = [self._outcome(row) for row in rows[start:start + ROWS_PER_MESSAGE]]
            answer = self._call("LogOutcomes", pb.LogOutcomesRequest(outcomes=outcomes), timeout)
            for field in ("accepted_count", "duplicate_count", "updated_count", "unmatched_count", "rejected_count"):
                setattr(total, field, getattr(total, field) + getattr(answer, field))
            total.rejections.extend(answer.rejections)
        return total

    @staticmethod
    def _outcome(row: dict) -> logs_pb2.Outcome:
        outcome = logs_pb2.Outcome(request_id=str(row["request_id"]), row_index=int(row.get("row_index") or 0))
        if row.get("label") is not None:
            outcome.class_label = str(row["label"])
        elif row.get("value") is not None:
            outcome.value = float(row["value"])
        if row.get("outcome_time") is not None:
            outcome.outcome_time.CopyFrom(tabular.timestamp_message(row["outcome_time"]))
        return outcome

    def get_alert(self, name: str, *, timeout: float | None = None) -> alerts_pb2.Alert:
        """One alert."""
        return self._call("GetAlert", pb.GetAlertRequest(name=name), timeout).alert

    def iter_alerts(self, *, states: Sequence[str | int] = (), model_name: str = "", routed_team: str = "",
                    min_severity: str | int = 0, page_size: int = 0,
                    timeout: float | None = None) -> Iterator[alerts_pb2.Alert]:
        """Every alert matching the filters, page after page."""
        request = pb.ListAlertsRequest(states=[alert_state(s) for s in states], model_name=model_name,
                                       routed_team=routed_team, min_severity=severity(min_severity),
                                       page_size=page_size)
        return self._pages("ListAlerts", request, "alerts", timeout)

    def acknowledge_alert(self, name: str, *, comment: str = "", timeout: float | None = None) -> alerts_pb2.Alert:
        """Acknowledge a firing alert."""
        return self._call("AcknowledgeAlert", pb.AcknowledgeAlertRequest(name=name, comment=comment), timeout).alert

    def silence_alert(self, name: str, until: datetime | timedelta, *, comment: str = "",
                      timeout: float | None = None) -> alerts_pb2.Alert:
        """Silence an alert until a time (or for a duration from now)."""
        moment = datetime.now(UTC) + until if isinstance(until, timedelta) else until
        request = pb.SilenceAlertRequest(name=name, silence_until=tabular.timestamp_message(moment), comment=comment)
        return self._call("SilenceAlert", request, timeout).alert

    def resolve_alert(self, name: str, *, comment: str = "", timeout: float | None = None) -> alerts_pb2.Alert:
        """Resolve an alert by hand."""
        return self._call("ResolveAlert", pb.ResolveAlertRequest(name=name, comment=comment), timeout).alert
