"""Protobuf <-> domain records, at the edge of the service.

Conversions of requests also validate them, raising InvalidArgument with the proto field path, so
the servicer stays a sequence of "convert, call the domain, convert back".
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from google.protobuf import timestamp_pb2

from services.common.errors import InvalidArgument
from services.registry import records, repository
from services.registry.records import (
    Alias,
    AliasChange,
    Approval,
    FeatureUse,
    ModelVersion,
    NewModelVersion,
    RegisteredModel,
    Signature,
    StaleReason,
    TensorSpec,
    check_tags,
)
from sextant.registry.v1 import resources_pb2
from sextant.type.v1 import governance_pb2, model_pb2, types_pb2

_DTYPE_PREFIX = "DATA_TYPE_"
_STATUS_PREFIX = "MODEL_VERSION_STATUS_"
_TASK_PREFIX = "MODEL_TASK_"
_FORMAT_PREFIX = "MODEL_FORMAT_"
_CHANGE_PREFIX = "ALIAS_CHANGE_KIND_"
_SOURCE_PREFIX = "STALE_REASON_SOURCE_"


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    """A protobuf timestamp from a naive-UTC (or aware) datetime; None stays None."""
    if value is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value if value.tzinfo else value.replace(tzinfo=UTC))
    return stamp


def from_timestamp(stamp: timestamp_pb2.Timestamp, field: str) -> datetime:
    """A naive-UTC datetime from the protobuf timestamp of request field ``field``."""
    try:
        return stamp.ToDatetime(tzinfo=UTC).replace(tzinfo=None)
    except ValueError as error:
        raise InvalidArgument(field, f"a valid timestamp ({error})") from None


def _enum_name(enum: object, number: int, prefix: str) -> str:
    return enum.Name(number).removeprefix(prefix)  # type: ignore[attr-defined]


def status_number(status: str) -> int:
    """The ModelVersionStatus number of a domain status."""
    return resources_pb2.ModelVersionStatus.Value(_STATUS_PREFIX + status)


def status_name(number: int, field: str) -> str:
    """The domain status of a ModelVersionStatus number; UNSPECIFIED or unknown is InvalidArgument."""
    if number == resources_pb2.MODEL_VERSION_STATUS_UNSPECIFIED or \
            number not in resources_pb2.ModelVersionStatus.values():
        raise InvalidArgument(field, "expected PENDING, VALIDATING, READY or FAILED")
    return _enum_name(resources_pb2.ModelVersionStatus, number, _STATUS_PREFIX)


# -- signatures ------------------------------------------------------------------------------

def _tensor_from_proto(spec: types_pb2.TensorSpec, field: str) -> TensorSpec:
    if not spec.name:
        raise InvalidArgument(f"{field}.name", "expected a tensor name")
    if spec.dtype == types_pb2.DATA_TYPE_UNSPECIFIED or spec.dtype not in types_pb2.DataType.values():
        raise InvalidArgument(f"{field}.dtype", "expected a data type other than DATA_TYPE_UNSPECIFIED")
    for i, dim in enumerate(spec.shape):
        if dim < -1 or dim == 0:
            raise InvalidArgument(f"{field}.shape[{i}]", f"expected a positive size or -1, got {dim}")
    feature = None
    if spec.HasField("feature"):
        feature = (spec.feature.feature_view, spec.feature.feature, spec.feature.version)
    return TensorSpec(spec.name, _enum_name(types_pb2.DataType, spec.dtype, _DTYPE_PREFIX), tuple(spec.shape),
                      feature)


def signature_from_proto(signature: types_pb2.ModelSignature, field: str) -> Signature:
    """A validated signature: at least one input and one output, each named and typed."""
    if not signature.inputs:
        raise InvalidArgument(f"{field}.inputs", "expected at least one input (the signature is empty)")
    if not signature.outputs:
        raise InvalidArgument(f"{field}.outputs", "expected at least one output")
    inputs = tuple(_tensor_from_proto(s, f"{field}.inputs[{i}]") for i, s in enumerate(signature.inputs))
    outputs = tuple(_tensor_from_proto(s, f"{field}.outputs[{i}]") for i, s in enumerate(signature.outputs))
    for name, specs in (("inputs", inputs), ("outputs", outputs)):
        names = [s.name for s in specs]
        if len(set(names)) != len(names):
            raise InvalidArgument(f"{field}.{name}", "expected distinct tensor names")
    return Signature(inputs, outputs, tuple(signature.class_labels))


def _tensor_to_proto(spec: TensorSpec) -> types_pb2.TensorSpec:
    message = types_pb2.TensorSpec(name=spec.name, dtype=types_pb2.DataType.Value(_DTYPE_PREFIX + spec.dtype),
                                   shape=list(spec.shape))
    if spec.feature:
        view, feature, version = spec.feature
        message.feature.CopyFrom(types_pb2.FeatureReference(feature_view=view, feature=feature, version=version))
    return message


@functools.lru_cache(maxsize=4096)
def signature_to_proto(signature: Signature) -> types_pb2.ModelSignature:
    """The signature as protobuf (cached; callers copy it into their message and never mutate it)."""
    return types_pb2.ModelSignature(inputs=[_tensor_to_proto(s) for s in signature.inputs],
                                    outputs=[_tensor_to_proto(s) for s in signature.outputs],
                                    class_labels=list(signature.class_labels))


# -- registered models -----------------------------------------------------------------------

def model_from_proto(model: resources_pb2.RegisteredModel, field: str = "model") -> RegisteredModel:
    """A model to create, validated."""
    records.check_name(model.name, f"{field}.name")
    if not model.owner_team.strip():
        raise InvalidArgument(f"{field}.owner_team", "expected the owning team")
    if not model.domain.strip():
        raise InvalidArgument(f"{field}.domain", "expected a business domain, for example `credit`")
    return RegisteredModel(name=model.name, description=model.description, owner_team=model.owner_team,
                           domain=model.domain, tags=check_tags(dict(model.tags), f"{field}.tags"))


def model_to_proto(model: RegisteredModel) -> resources_pb2.RegisteredModel:
    """A model record as protobuf."""
    return resources_pb2.RegisteredModel(
        name=model.name, description=model.description, owner_team=model.owner_team, domain=model.domain,
        tags=model.tags, create_time=timestamp(model.create_time), update_time=timestamp(model.update_time),
        aliases=model.aliases, latest_version=model.latest_version, creator=model.creator)


# -- model versions --------------------------------------------------------------------------

def new_version_from_proto(version: resources_pb2.ModelVersion,
                           field: str = "model_version") -> NewModelVersion:
    """A version to create, validated: format, task, signature, sha256 and size are required."""
    if version.format != resources_pb2.MODEL_FORMAT_ONNX:
        raise InvalidArgument(f"{field}.format", "expected MODEL_FORMAT_ONNX")
    if version.task == model_pb2.MODEL_TASK_UNSPECIFIED or version.task not in model_pb2.ModelTask.values():
        raise InvalidArgument(f"{field}.task", "expected a model task other than MODEL_TASK_UNSPECIFIED")
    if not version.HasField("signature"):
        raise InvalidArgument(f"{field}.signature", "expected a signature (the signature is empty)")
    signature = signature_from_proto(version.signature, f"{field}.signature")
    sha = version.artifact_sha256.lower()
    if not records.SHA256_PATTERN.match(sha):
        raise InvalidArgument(f"{field}.artifact_sha256", "expected 64 hexadecimal characters (a sha256 digest)")
    if version.artifact_size_bytes <= 0:
        raise InvalidArgument(f"{field}.artifact_size_bytes", "expected the artifact's size in bytes (> 0)")
    for name, value in version.metrics.items():
        if not math.isfinite(value):
            raise InvalidArgument(f"{field}.metrics[{name!r}]", "expected a finite number")
    features: list[FeatureUse] = []
    for i, resolved in enumerate(version.lineage.features):
        if not resolved.reference.feature_view:
            raise InvalidArgument(f"{field}.lineage.features[{i}].reference.feature_view", "expected a view name")
        features.append(FeatureUse(resolved.reference.feature_view,
                                   resolved.resolved_version or resolved.reference.version,
                                   resolved.fingerprint))
    lineage = version.lineage.SerializeToString(deterministic=True) if version.HasField("lineage") else b""
    return NewModelVersion(
        description=version.description, format=records.ONNX,
        task=_enum_name(model_pb2.ModelTask, version.task, _TASK_PREFIX), signature=signature,
        metrics=dict(version.metrics), params=dict(version.params),
        tags=check_tags(dict(version.tags), f"{field}.tags"), artifact_sha256=sha,
        artifact_size=version.artifact_size_bytes, lineage=lineage,
        training_job_id=version.lineage.training_job_id, features=tuple(_unique(features)))


def _unique(features: list[FeatureUse]) -> list[FeatureUse]:
    seen: dict[tuple[str, int, str], FeatureUse] = {}
    for use in features:
        seen.setdefault((use.feature_view, use.view_version, use.fingerprint), use)
    return list(seen.values())


def stale_reason_to_proto(reason: StaleReason) -> model_pb2.StaleReason:
    """A stale reason as protobuf."""
    return model_pb2.StaleReason(
        source=model_pb2.StaleReasonSource.Value(_SOURCE_PREFIX + reason.source),
        feature_view=reason.feature_view, old_view_version=reason.old_view_version,
        old_fingerprint=reason.old_fingerprint, new_view_version=reason.new_view_version,
        new_fingerprint=reason.new_fingerprint, mark_time=timestamp(reason.mark_time),
        principal=reason.principal, message=reason.message, featurestore_revision=reason.featurestore_revision)


def approval_to_proto(approval: Approval) -> governance_pb2.Approval:
    """An approval as protobuf."""
    return governance_pb2.Approval(principal=approval.principal, roles=list(approval.roles), alias=approval.alias,
                                   comment=approval.comment, approve_time=timestamp(approval.approve_time))


def version_to_proto(version: ModelVersion, *, full: bool) -> resources_pb2.ModelVersion:
    """A version record as protobuf; the lineage only in the FULL view."""
    message = resources_pb2.ModelVersion(
        model_name=version.model_name, version=version.version, description=version.description,
        status=status_number(version.status), status_message=version.status_message,
        format=resources_pb2.ModelFormat.Value(_FORMAT_PREFIX + version.format),
        task=model_pb2.ModelTask.Value(_TASK_PREFIX + version.task),
        signature=signature_to_proto(version.signature), metrics=version.metrics, params=version.params,
        tags=version.tags, aliases=list(version.aliases), stale=version.stale,
        stale_reasons=[stale_reason_to_proto(r) for r in version.stale_reasons],
        artifact_sha256=version.artifact_sha256, artifact_size_bytes=version.artifact_size,
        creator=version.creator, create_time=timestamp(version.create_time),
        update_time=timestamp(version.update_time), ready_time=timestamp(version.ready_time),
        approvals=[approval_to_proto(a) for a in version.approvals])
    if full and version.lineage:
        message.lineage.ParseFromString(version.lineage)
    return message


# -- aliases ---------------------------------------------------------------------------------

def alias_to_proto(alias: Alias) -> resources_pb2.Alias:
    """An alias record as protobuf."""
    return resources_pb2.Alias(model_name=alias.model_name, alias=alias.alias, version=alias.version,
                               protected=alias.protected, update_time=timestamp(alias.update_time),
                               updated_by=alias.updated_by, decision_id=alias.decision_id, reason=alias.reason)


def change_to_proto(change: AliasChange) -> resources_pb2.AliasHistoryEntry:
    """An alias history entry as protobuf."""
    return resources_pb2.AliasHistoryEntry(
        model_name=change.model_name, alias=change.alias,
        kind=resources_pb2.AliasChangeKind.Value(_CHANGE_PREFIX + change.kind),
        from_version=change.from_version, to_version=change.to_version, principal=change.principal,
        change_time=timestamp(change.change_time), decision_id=change.decision_id, reason=change.reason,
        revision=change.revision, request_id=change.request_id)


# -- the by-alias fast path ------------------------------------------------------------------
# A version's identity, signature, metrics, params, artifact, creator, creation time and lineage
# never change after CreateModelVersion, so their encoding is built once per version and merged
# into each answer; description, status, tags, times, stale reasons, approvals and aliases are read
# fresh on every call.

_EPOCH = datetime(1970, 1, 1)
_ENCODED_LIMIT = 20_000
_encoded: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}
_encoded_lock = threading.Lock()
_STATUS_NUMBERS = {name.removeprefix(_STATUS_PREFIX): number
                   for name, number in resources_pb2.ModelVersionStatus.items()}


def _naive(value: datetime | str) -> datetime:
    """A naive-UTC datetime from a driver value (SQLite hands back text, PostgreSQL datetimes)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _set_stamp(stamp: timestamp_pb2.Timestamp, value: datetime | str) -> None:
    delta = _naive(value) - _EPOCH
    stamp.seconds = delta.days * 86400 + delta.seconds
    stamp.nanos = delta.microseconds * 1000


def _immutable_encoding(row: Sequence[Any]) -> tuple[bytes, bytes]:
    """The encoded immutable fields of a version: without and with its lineage."""
    (_id, model_name, number, _description, _status, _message, format_, task, signature, metrics, params, _tags,
     sha256, size, creator, create_time, *_rest) = row
    lineage = row[18]
    message = resources_pb2.ModelVersion(
        model_name=model_name, version=number, format=resources_pb2.ModelFormat.Value(_FORMAT_PREFIX + format_),
        task=model_pb2.ModelTask.Value(_TASK_PREFIX + task),
        signature=signature_to_proto(repository.signature_from_json(signature)),
        metrics=json.loads(metrics), params=json.loads(params), artifact_sha256=sha256, artifact_size_bytes=size,
        creator=creator)
    _set_stamp(message.create_time, create_time)
    basic = message.SerializeToString()
    if lineage:
        message.lineage.ParseFromString(bytes(lineage))
        return basic, message.SerializeToString()
    return basic, basic


def fill_version_from_alias_row(message: resources_pb2.ModelVersion, row: Sequence[Any], *, full: bool) -> None:
    """Fill an empty ModelVersion from an ``alias_reads`` row: the cached immutable encoding plus the
    current mutable fields."""
    key = (row[0], row[1], row[2], row[15])  # row id, model name, number, create time: one version, ever
    encoded = _encoded.get(key)
    if encoded is None:
        encoded = _immutable_encoding(row)
        with _encoded_lock:
            if len(_encoded) >= _ENCODED_LIMIT:
                del _encoded[next(iter(_encoded))]  # the oldest entry
            _encoded[key] = encoded
    message.MergeFromString(encoded[1] if full else encoded[0])
    description, status, status_message, tags = row[3], row[4], row[5], row[11]
    if description:
        message.description = description
    message.status = _STATUS_NUMBERS[status]
    if status_message:
        message.status_message = status_message
    if tags != "{}":
        message.tags.update(json.loads(tags))
    _set_stamp(message.update_time, row[16])
    if row[17] is not None:
        _set_stamp(message.ready_time, row[17])
    if row[19] != "[]":
        message.stale = True
        message.stale_reasons.extend(stale_reason_to_proto(r) for r in repository.reasons_from_json(row[19]))
    if row[20] != "[]":
        message.approvals.extend(approval_to_proto(a) for a in repository.approvals_from_json(row[20]))
    if row[21]:
        message.aliases.extend(sorted(row[21].split(",")))
