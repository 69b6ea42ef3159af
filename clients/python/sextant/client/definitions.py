"""Feature definitions as plain Python, applied like ``feast apply``.

Declare entities, feature views and feature services in a Python file::

    from datetime import timedelta
    from sextant.client.definitions import Entity, Feature, FeatureView, FeatureService

    customer = Entity("customer", join_keys={"customer_id": "int64"}, owner_team="risk")
    credit_profile = FeatureView(
        "credit_profile", entities=[customer], owner_team="risk", ttl=timedelta(days=90),
        features=[Feature("income", "float64"), Feature("age", "int64", protected_basis="age")])
    credit_model = FeatureService("credit_model", features=[credit_profile.select("income")], owner_team="risk")

then ``load_definitions("features.py")`` collects every object the file declares (module-level names
and anything inside module-level lists, tuples and dicts), and
``FeatureStoreClient.plan(...)`` / ``apply(...)`` send them to ApplyDefinitions. Text forms of
enums are the proto names without their prefix, in any case: ``"float64"``, ``"pii"``, ``"age"``,
``"push"``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from google.protobuf import duration_pb2

from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import governance_pb2, types_pb2


def enum_value(enum: Any, prefix: str, value: str | int, what: str) -> int:
    """The number of an enum value given as a number or as its name without ``prefix`` (any case)."""
    if isinstance(value, int):
        return value
    name = f"{prefix}{value.strip().upper()}"
    try:
        return enum.Value(name)
    except ValueError:
        choices = [n.removeprefix(prefix).lower() for n in enum.DESCRIPTOR.values_by_name if not n.endswith("UNSPECIFIED")]
        raise ValueError(f"unknown {what} {value!r}; expected one of {choices}") from None


def data_type(value: str | int) -> int:
    """A ``DataType`` from its text form (``int64``, ``float64``, ``string`` …) or number."""
    return enum_value(types_pb2.DataType, "DATA_TYPE_", value, "data type")


def feature_reference(text: str) -> types_pb2.FeatureReference:
    """A ``FeatureReference`` from its text form ``view:feature`` or ``view@v3:feature``."""
    head, sep, feature = text.partition(":")
    view, _, version = head.partition("@v")
    if not sep or not view or not feature or (version and not version.isdigit()):
        raise ValueError(f"feature reference {text!r} is not of the form view:feature or view@vN:feature")
    return types_pb2.FeatureReference(feature_view=view, feature=feature, version=int(version or 0))


@dataclass
class Entity:
    """An entity: the thing features describe, identified by its join keys.

    ``join_keys`` maps each key to its type (``{"customer_id": "int64"}``), or lists key names that
    all have type ``dtype``.
    """

    name: str
    join_keys: Mapping[str, str | int] | Sequence[str] = ()
    description: str = ""
    owner_team: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    dtype: str | int = "int64"

    def to_proto(self) -> resources_pb2.Entity:
        """The ``Entity`` message."""
        keys = self.join_keys.items() if isinstance(self.join_keys, Mapping) else \
            [(key, self.dtype) for key in self.join_keys]
        return resources_pb2.Entity(
            name=self.name, description=self.description, owner_team=self.owner_team, tags=dict(self.tags),
            join_keys=[resources_pb2.JoinKey(name=key, dtype=data_type(dtype)) for key, dtype in keys])


@dataclass
class Feature:
    """One feature of a view: its name, type and governance tags."""

    name: str
    dtype: str | int = "float64"
    description: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    sensitivity: str | int = 0
    protected_basis: str | int = 0

    def to_proto(self) -> resources_pb2.Feature:
        """The ``Feature`` message."""
        return resources_pb2.Feature(
            name=self.name, dtype=data_type(self.dtype), description=self.description, tags=dict(self.tags),
            sensitivity=enum_value(resources_pb2.Sensitivity, "SENSITIVITY_", self.sensitivity, "sensitivity"),
            protected_basis=enum_value(governance_pb2.ProtectedBasis, "PROTECTED_BASIS_", self.protected_basis,
                                  "protected basis"))


@dataclass
class FeatureView:
    """A versioned group of features of some entities, fed by batch ingest or push."""

    name: str
    entities: Sequence[Entity | str] = ()
    features: Sequence[Feature] = ()
    ttl: timedelta | None = None
    source: str | int = "batch"
    description: str = ""
    owner_team: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    event_timestamp_column: str = ""
    created_timestamp_column: str = ""

    def select(self, *features: str, version: int = 0) -> list[types_pb2.FeatureReference]:
        """References to ``features`` of this view (every feature when none is named)."""
        names = features or tuple(f.name for f in self.features)
        return [types_pb2.FeatureReference(feature_view=self.name, feature=name, version=version) for name in names]

    def to_proto(self) -> resources_pb2.FeatureView:
        """The ``FeatureView`` message (version and fingerprint are the server's)."""
        view = resources_pb2.FeatureView(
            name=self.name, description=self.description, owner_team=self.owner_team, tags=dict(self.tags),
            entities=[e.name if isinstance(e, Entity) else e for e in self.entities],
            features=[f.to_proto() for f in self.features],
            source_kind=enum_value(resources_pb2.SourceKind, "SOURCE_KIND_", self.source, "source kind"),
            event_timestamp_column=self.event_timestamp_column,
            created_timestamp_column=self.created_timestamp_column)
        if self.ttl is not None:
            view.ttl.CopyFrom(duration_pb2.Duration(seconds=int(self.ttl.total_seconds()),
                                                    nanos=self.ttl.microseconds * 1000))
        return view


@dataclass
class FeatureService:
    """A named, ordered set of features a model consumes.

    ``features`` holds feature views (all their features), ``view.select(...)`` lists, reference
    messages or text references ``view:feature``.
    """

    name: str
    features: Sequence[Any] = ()
    description: str = ""
    owner_team: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)

    def references(self) -> list[types_pb2.FeatureReference]:
        """The feature references, in order."""
        out: list[types_pb2.FeatureReference] = []
        for item in self.features:
            if isinstance(item, FeatureView):
                out.extend(item.select())
            elif isinstance(item, str):
                out.append(feature_reference(item))
            elif isinstance(item, types_pb2.FeatureReference):
                out.append(item)
            elif isinstance(item, Iterable):
                out.extend(item)
            else:
                raise TypeError(f"feature service {self.name!r}: cannot reference features with {item!r}")
        return out

    def to_proto(self) -> resources_pb2.FeatureService:
        """The ``FeatureService`` message."""
        return resources_pb2.FeatureService(name=self.name, description=self.description,
                                            owner_team=self.owner_team, tags=dict(self.tags),
                                            features=self.references())


Definition = Entity | FeatureView | FeatureService
_PROTO_TYPES = (resources_pb2.Entity, resources_pb2.FeatureView, resources_pb2.FeatureService)


def _walk(value: Any, found: dict[int, Any]) -> None:
    if isinstance(value, (Entity, FeatureView, FeatureService, *_PROTO_TYPES)):
        found.setdefault(id(value), value)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            _walk(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, found)


def collect(values: Iterable[Any]) -> list[Any]:
    """Every definition among ``values`` (and inside lists, tuples, sets and dicts), once each, in order."""
    found: dict[int, Any] = {}
    for value in values:
        _walk(value, found)
    return list(found.values())


def load_definitions(path: str | Path) -> list[Definition]:
    """Import the Python file at ``path`` and return every definition it declares at module level.

    Raises ``FileNotFoundError`` when the file is missing and whatever the file raises when it fails.
    """
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no definitions file at {source}")
    module_name = f"_sextant_definitions_{abs(hash(str(source.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, source)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {source} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    return collect(value for name, value in vars(module).items() if not name.startswith("__"))


def to_protos(definitions: Iterable[Any]) -> tuple[list[resources_pb2.Entity], list[resources_pb2.FeatureView],
                                                     list[resources_pb2.FeatureService]]:
    """Definitions (declarative objects or messages) split into the three lists ApplyDefinitions takes."""
    entities, views, services = [], [], []
    for item in collect(definitions):
        message = item if isinstance(item, _PROTO_TYPES) else item.to_proto()
        if isinstance(message, resources_pb2.Entity):
            entities.append(message)
        elif isinstance(message, resources_pb2.FeatureView):
            views.append(message)
        else:
            services.append(message)
    return entities, views, services
