"""The registry's domain records: registered models, model versions, aliases and their history.

These are plain values, free of protobuf and SQL; the servicer converts them at the edge
(``converters``) and the repository maps them to rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.common.errors import InvalidArgument

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
TAG_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,63}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")

PENDING, READY, FAILED, VALIDATING = "PENDING", "READY", "FAILED", "VALIDATING"
ONNX = "ONNX"
CREATED, MOVED, ROLLED_BACK, DELETED = "CREATED", "MOVED", "ROLLED_BACK", "DELETED"
SOURCE_DEFINITION_CHANGE, SOURCE_MANUAL = "FEATURE_DEFINITION_CHANGE", "MANUAL"
#: The alias name that always means "the highest READY version" and can never be set.
RESERVED_ALIAS = "latest"


def utcnow() -> datetime:
    """Now in UTC, naive (the form every timestamp column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def check_name(value: str, field_path: str) -> str:
    """A model or alias name matching ``[a-z0-9][a-z0-9_-]{0,62}``, or InvalidArgument naming the field."""
    if not NAME_PATTERN.match(value or ""):
        raise InvalidArgument(field_path, f"expected a name matching [a-z0-9][a-z0-9_-]{{0,62}}, got {value!r}")
    return value


def check_alias_name(value: str, field_path: str) -> str:
    """An alias name: a valid name, not only digits, not the reserved ``latest``."""
    check_name(value, field_path)
    if value.isdigit():
        raise InvalidArgument(field_path, f"an alias may not be made of digits only, got {value!r}")
    if value == RESERVED_ALIAS:
        raise InvalidArgument(field_path, "`latest` is reserved (use GetModelVersion with latest=true)")
    return value


def check_tags(tags: dict[str, str], field_path: str) -> dict[str, str]:
    """Tag keys of 1 to 63 characters of ``[A-Za-z0-9_.-]``."""
    for key in tags:
        if not TAG_KEY_PATTERN.match(key):
            raise InvalidArgument(f"{field_path}[{key!r}]", "expected a tag key of 1 to 63 characters of "
                                                            "[A-Za-z0-9_.-]")
    return dict(tags)


@dataclass(frozen=True)
class TensorSpec:
    """One named model input or output: element type (a DataType name such as ``FLOAT32``) and shape."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    #: For inputs fed from a feature: (feature view, feature, pinned view version or 0).
    feature: tuple[str, str, int] | None = None


@dataclass(frozen=True)
class Signature:
    """A model's contract: inputs in order, outputs, class labels in probability-column order."""

    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    class_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeatureUse:
    """A feature view version (and its definition fingerprint) a model version was trained on."""

    feature_view: str
    view_version: int
    fingerprint: str


@dataclass(frozen=True)
class StaleReason:
    """Why a version is stale: a definition change of a view it reads, or a manual mark."""

    source: str
    message: str
    mark_time: datetime
    principal: str
    feature_view: str = ""
    old_view_version: int = 0
    old_fingerprint: str = ""
    new_view_version: int = 0
    new_fingerprint: str = ""
    featurestore_revision: int = 0


@dataclass(frozen=True)
class Approval:
    """One principal's sign-off on a version, for one alias (empty: any alias)."""

    principal: str
    roles: tuple[str, ...]
    alias: str
    comment: str
    approve_time: datetime


@dataclass(frozen=True)
class RegisteredModel:
    """A named model: the container of its versions and aliases."""

    name: str
    description: str
    owner_team: str
    domain: str
    tags: dict[str, str]
    creator: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None
    latest_version: int = 0
    aliases: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NewModelVersion:
    """What a caller supplies to create a version. ``lineage`` is the lineage document as bytes,
    kept verbatim; ``features`` and ``training_job_id`` are the parts of it the registry acts on."""

    description: str
    format: str
    task: str
    signature: Signature
    metrics: dict[str, float]
    params: dict[str, str]
    tags: dict[str, str]
    artifact_sha256: str
    artifact_size: int
    lineage: bytes = b""
    training_job_id: str = ""
    features: tuple[FeatureUse, ...] = ()


@dataclass(frozen=True)
class ModelVersion:
    """One numbered version of a registered model, as stored."""

    model_name: str
    version: int
    description: str
    status: str
    status_message: str
    format: str
    task: str
    signature: Signature
    metrics: dict[str, float]
    params: dict[str, str]
    tags: dict[str, str]
    artifact_sha256: str
    artifact_size: int
    creator: str
    create_time: datetime
    update_time: datetime
    ready_time: datetime | None
    lineage: bytes
    training_job_id: str
    stale_reasons: tuple[StaleReason, ...] = ()
    aliases: tuple[str, ...] = ()
    approvals: tuple[Approval, ...] = ()
    #: Internal row id (used to fetch side tables); never shown to clients.
    row_id: int = 0
    owner_team: str = ""
    domain: str = ""

    @property
    def stale(self) -> bool:
        """Whether the version holds at least one stale reason."""
        return bool(self.stale_reasons)


@dataclass(frozen=True)
class Alias:
    """A named pointer from a model to one of its versions."""

    model_name: str
    alias: str
    version: int
    protected: bool
    update_time: datetime
    updated_by: str
    decision_id: str
    reason: str


@dataclass(frozen=True)
class AliasChange:
    """One entry of the alias history."""

    model_name: str
    alias: str
    kind: str
    from_version: int
    to_version: int
    principal: str
    change_time: datetime
    decision_id: str
    reason: str
    revision: int
    request_id: str
