"""Reference profiles per model version: uploaded, read from the registry, or built from traffic.

A reference is stored once as its ``Reference`` message (the profile summary) plus, for references
built from little traffic, the raw numeric values that make Kolmogorov-Smirnov exact. Layouts are
cached in memory; the raw prediction logs are never rescanned for a report.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import grpc
import numpy as np
import pyarrow as pa
from google.protobuf import timestamp_pb2

from services.common.auth import current_principal
from services.common.db import Database
from services.common.errors import (
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from services.monitoring import repository as repo
from services.monitoring.peers import GuardedPeer
from services.monitoring.summaries.column import values_from_arrow
from services.monitoring.summaries.reference import ReferenceLayout, layout_from_profile
from sextant.monitoring.v1 import resources_pb2
from sextant.registry.v1 import registry_service_pb2
from sextant.registry.v1 import resources_pb2 as registry_pb2_resources
from sextant.type.v1 import types_pb2

# How long a failed registry lookup is remembered before the registry is asked again.
_REGISTRY_RETRY_SECONDS = 30.0
_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
_MAX_INTEGER_CATEGORIES = 10


@dataclass
class VersionFacts:
    """What the registry says about a model version that monitoring uses beyond the profile."""

    task: int = 0
    class_labels: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    features: dict[str, types_pb2.ResolvedFeature] = field(default_factory=dict)
    training_job_id: str = ""


def now_timestamp() -> timestamp_pb2.Timestamp:
    """The current time as a Timestamp."""
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


class ReferenceBook:
    """Reads, sets and caches the reference of each model version."""

    def __init__(self, database: Database, registry: GuardedPeer, *, exact_values_limit: int,
                 histogram_bins: int) -> None:
        self._db = database
        self._registry = registry
        self._exact_limit = exact_values_limit
        self._bins = histogram_bins
        self._lock = threading.Lock()
        self._layouts: dict[tuple[str, int], tuple[ReferenceLayout, resources_pb2.Reference]] = {}
        self._misses: dict[tuple[str, int], float] = {}
        self._facts: dict[tuple[str, int], VersionFacts] = {}
        self._unknown: set[tuple[str, int]] = set()
        # References stored through this process so far: a lookup that missed while one was stored
        # does not remember its miss.
        self._stores = 0

    # --- reads -------------------------------------------------------------------------------------

    def cached(self, model_name: str, version: int) -> tuple[ReferenceLayout, resources_pb2.Reference] | None:
        """The reference of a version from storage or, on first sight, from the registry; None if none.

        A registry that is unreachable or has no profile is remembered for a while, so ingest never
        waits on it batch after batch; for that while the database is not read either (a reference set
        through this process ends the while at once, one set through another replica is seen when it
        ends), so a version without a reference costs ingest nothing per message.
        """
        key = (model_name, version)
        with self._lock:
            if key in self._layouts:
                return self._layouts[key]
            missed = self._misses.get(key)
            stores = self._stores
        if missed is not None and time.monotonic() - missed < _REGISTRY_RETRY_SECONDS:
            return None
        with self._db.read() as session:
            row = repo.get_row(session, repo.references, model_name=model_name, model_version=version)
        if row is None:
            try:
                self.set_from_registry(model_name, version)
            except (NotFound, Unavailable, DeadlineExceeded, FailedPrecondition) as error:
                with self._lock:
                    # A reference stored meanwhile (after the read above) must not be hidden by this miss.
                    if self._stores == stores:
                        self._misses[key] = time.monotonic()
                        if error.reason == "MODEL_VERSION_NOT_FOUND":
                            self._unknown.add(key)
                return None
            return self.cached(model_name, version)
        return self._remember(row)

    def _remember(self, row: object) -> tuple[ReferenceLayout, resources_pb2.Reference]:
        reference = resources_pb2.Reference.FromString(row.body)  # type: ignore[attr-defined]
        exact = repo.loads(row.exact_values) if row.exact_values else None  # type: ignore[attr-defined]
        layout = layout_from_profile(reference.profile, list(reference.prediction_columns), exact)
        with self._lock:
            self._layouts[(reference.model_name, reference.model_version)] = (layout, reference)
        return layout, reference

    def unknown(self, model_name: str, version: int) -> bool:
        """Whether the registry answered that this model version does not exist."""
        with self._lock:
            return (model_name, version) in self._unknown

    def get(self, model_name: str, version: int) -> resources_pb2.Reference:
        """The reference of a version; NOT_FOUND when there is none (UNAVAILABLE if the registry is down)."""
        _check_version(model_name, version)
        key = (model_name, version)
        with self._lock:
            self._misses.pop(key, None)
        with self._db.read() as session:
            row = repo.get_row(session, repo.references, model_name=model_name, model_version=version)
        if row is None:
            self.set_from_registry(model_name, version)
            with self._db.read() as session:
                row = repo.get_row(session, repo.references, model_name=model_name, model_version=version)
        return self._remember(row)[1]

    def facts(self, model_name: str, version: int) -> VersionFacts:
        """Task, class labels, training metrics and feature lineage of a version, when the registry knew.

        Read from the registry on first use (after a restart too); an unreachable registry is asked
        again only after a while, and meanwhile the facts are empty.
        """
        key = ("facts", model_name, version)
        with self._lock:
            known = self._facts.get((model_name, version))
            missed = self._misses.get(key)  # type: ignore[call-overload]
        if known is not None:
            return known
        if missed is None or time.monotonic() - missed >= _REGISTRY_RETRY_SECONDS:
            try:
                self._read_version(model_name, version)
            except (NotFound, Unavailable, DeadlineExceeded):
                with self._lock:
                    self._misses[key] = time.monotonic()  # type: ignore[index]
        with self._lock:
            return self._facts.get((model_name, version), VersionFacts())

    def list(self, model_name: str, after: tuple[object, ...] | None, size: int) -> list[resources_pb2.Reference]:
        """References ordered by model and version, without their profiles."""
        where = [repo.references.c.model_name == model_name] if model_name else []
        with self._db.read() as session:
            rows = repo.page(session, repo.references, [repo.references.c.model_name, repo.references.c.model_version],
                             ["model_name", "model_version"], after, size, where)
        result = []
        for row in rows:
            reference = resources_pb2.Reference.FromString(row.body)
            reference.ClearField("profile")
            result.append(reference)
        return result

    # --- writes ------------------------------------------------------------------------------------

    def set_from_profile(self, model_name: str, version: int, profile: types_pb2.DatasetProfile,
                         prediction_columns: list[str]) -> resources_pb2.Reference:
        """Store an uploaded profile as the version's reference (NOT_FOUND if the registry denies the version)."""
        _check_version(model_name, version)
        if not profile.columns:
            raise InvalidArgument("from_profile.profile.columns", "expected at least one column")
        names = [c.name for c in profile.columns]
        if len(set(names)) != len(names) or not all(names):
            raise InvalidArgument("from_profile.profile.columns", "expected unique, non-empty column names")
        unknown = [c for c in prediction_columns if c not in names]
        if unknown:
            raise InvalidArgument("from_profile.prediction_columns", f"not columns of the profile: {unknown}")
        for i, column in enumerate(profile.columns):
            bins = column.histogram
            if any(b.upper < b.lower for b in bins) or any(bins[j + 1].lower != bins[j].upper
                                                          for j in range(len(bins) - 1)):
                raise InvalidArgument(f"from_profile.profile.columns[{i}].histogram",
                                      "expected contiguous bins with ascending edges")
        self._confirm_version(model_name, version)
        reference = resources_pb2.Reference(
            model_name=model_name, model_version=version, source=resources_pb2.REFERENCE_SOURCE_UPLOADED,
            profile=profile, prediction_columns=prediction_columns, create_time=now_timestamp(),
            creator=current_principal().subject)
        return self._store(reference, None)

    def _read_version(self, model_name: str, version: int) -> registry_pb2_resources.ModelVersion:
        """The version from the registry (its facts remembered); NOT_FOUND or UNAVAILABLE otherwise."""
        try:
            answer = self._registry.call("GetModelVersion", registry_service_pb2.GetModelVersionRequest(
                model_name=model_name, version=version))
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                raise NotFound("model_version", f"{model_name}/{version}") from None
            raise Unavailable(f"the registry answered {error.code().name}",  # type: ignore[attr-defined]
                              reason="REGISTRY_UNAVAILABLE", metadata={"dependency": "registry"}) from None
        found = answer.model_version
        lineage = found.lineage
        facts = VersionFacts(task=found.task, class_labels=list(found.signature.class_labels),
                             metrics=dict(found.metrics),
                             features={f.reference.feature: f for f in lineage.features},
                             training_job_id=lineage.training_job_id)
        for spec in found.signature.inputs:
            if spec.HasField("feature"):
                for resolved in lineage.features:
                    if (resolved.reference.feature_view, resolved.reference.feature) == (
                            spec.feature.feature_view, spec.feature.feature):
                        facts.features[spec.name] = resolved
        with self._lock:
            self._facts[(model_name, version)] = facts
        return found

    def _confirm_version(self, model_name: str, version: int) -> None:
        # NOT_FOUND when the registry says the version does not exist; accepted while it is unreachable.
        try:
            self._read_version(model_name, version)
        except Unavailable:
            return

    def set_from_registry(self, model_name: str, version: int) -> resources_pb2.Reference:
        """Read the profile the training service stored with the version in the registry."""
        _check_version(model_name, version)
        found = self._read_version(model_name, version)
        lineage = found.lineage
        if not lineage.reference_profile.columns:
            raise NotFound("reference", f"{model_name}/{version}", reason="REFERENCE_NOT_FOUND",
                           metadata={"detail": "the version has no reference profile in the registry"})
        outputs = {o.name for o in found.signature.outputs}
        reference = resources_pb2.Reference(
            model_name=model_name, model_version=version, source=resources_pb2.REFERENCE_SOURCE_REGISTRY,
            profile=lineage.reference_profile,
            prediction_columns=[c.name for c in lineage.reference_profile.columns if c.name in outputs],
            create_time=now_timestamp(), creator="monitoring")
        return self._store(reference, None)

    def set_from_traffic(self, model_name: str, version: int, start: timestamp_pb2.Timestamp,
                         end: timestamp_pb2.Timestamp, deployment: str) -> resources_pb2.Reference:
        """Build the reference from the logged traffic of a time range (start inclusive, end exclusive)."""
        _check_version(model_name, version)
        start_us, end_us = _micros(start), _micros(end)
        if end_us <= start_us:
            raise InvalidArgument("from_traffic.end_time", "expected a time after start_time")
        self._confirm_version(model_name, version)
        with self._db.read() as session:
            batches = repo.batches_in_range(session, model_name, version, start_us, end_us, deployment)
        if not batches:
            raise FailedPrecondition(f"no traffic of {model_name} version {version} in the time range",
                                     reason="NO_TRAFFIC_IN_RANGE",
                                     metadata={"model_name": model_name, "model_version": version})
        tables = []
        for ipc, rows in batches:
            table = pa.ipc.open_stream(pa.py_buffer(ipc)).read_all()
            tables.append(table.take(pa.array(rows, pa.int64())))
        profile, exact, outputs = self._profile_of(_concat_batches(tables))
        reference = resources_pb2.Reference(
            model_name=model_name, model_version=version, source=resources_pb2.REFERENCE_SOURCE_TRAFFIC,
            profile=profile, prediction_columns=outputs, traffic_start_time=start, traffic_end_time=end,
            traffic_deployment=deployment, create_time=now_timestamp(), creator=current_principal().subject)
        return self._store(reference, exact)

    def _profile_of(self, table: pa.Table) -> tuple[types_pb2.DatasetProfile, dict[str, list[float]], list[str]]:
        columns = []
        exact: dict[str, list[float]] = {}
        outputs = []
        for name in table.column_names:
            if name.startswith("__"):
                continue
            stored_name = name
            if name.startswith("out:"):
                stored_name = name[4:]
                outputs.append(stored_name)
            elif name.startswith("in:"):
                stored_name = name[3:]
            profile, values = self._column_profile(stored_name, table.column(name))
            columns.append(profile)
            if values is not None and values.size <= self._exact_limit:
                exact[stored_name] = values.tolist()
        return (types_pb2.DatasetProfile(row_count=table.num_rows, columns=columns, create_time=now_timestamp()),
                exact, outputs)

    def _column_profile(self, name: str, column: pa.ChunkedArray) -> tuple[types_pb2.ColumnProfile, np.ndarray | None]:
        data = values_from_arrow(column)
        count, nulls = data.size, int(data.null.sum())
        if data.is_number.any():
            values = data.numbers[data.is_number & np.isfinite(data.numbers)]
            integer = bool(values.size) and bool(np.all(np.mod(values, 1) == 0))
            profile = types_pb2.ColumnProfile(name=name, count=count, null_count=nulls,
                                              dtype=types_pb2.DATA_TYPE_INT64 if integer else types_pb2.DATA_TYPE_FLOAT64)
            if values.size:
                low, high = float(values.min()), float(values.max())
                counts, edges = np.histogram(values, bins=self._bins, range=(low, high if high > low else low + 1))
                distinct, frequencies = np.unique(values, return_counts=True)
                profile.mean, profile.std, profile.min, profile.max = float(values.mean()), float(values.std()), low, high
                profile.quantiles.extend(np.quantile(values, _QUANTILES).tolist())
                profile.quantile_probabilities.extend(_QUANTILES)
                profile.histogram.extend(types_pb2.HistogramBin(lower=float(edges[i]), upper=float(edges[i + 1]),
                                                                count=int(counts[i])) for i in range(len(counts)))
                profile.distinct_count = int(distinct.size)
                if integer and distinct.size <= _MAX_INTEGER_CATEGORIES:
                    profile.top_categories.extend(types_pb2.CategoryCount(value=str(int(v)), count=int(c))
                                                  for v, c in zip(distinct.tolist(), frequencies.tolist(), strict=True))
            return profile, values
        texts = data.strings[data.is_string] if data.strings is not None else np.zeros(0, dtype=object)
        distinct, frequencies = np.unique(texts.astype(str), return_counts=True) if texts.size else ([], [])
        is_bool = pa.types.is_boolean(column.type)
        profile = types_pb2.ColumnProfile(
            name=name, count=count, null_count=nulls,
            dtype=types_pb2.DATA_TYPE_BOOL if is_bool else types_pb2.DATA_TYPE_STRING,
            distinct_count=len(distinct),
            top_categories=[types_pb2.CategoryCount(value=str(v), count=int(c))
                            for v, c in zip(list(distinct), list(frequencies), strict=True)])
        return profile, None

    def _store(self, reference: resources_pb2.Reference, exact: dict[str, list[float]] | None) -> resources_pb2.Reference:
        values = {"model_name": reference.model_name, "model_version": reference.model_version,
                  "source": reference.source, "body": reference.SerializeToString(),
                  "exact_values": repo.dumps(exact) if exact else None,
                  "create_us": _micros(reference.create_time)}
        with self._db.write() as session:
            existing = repo.get_row(session, repo.references, model_name=reference.model_name,
                                    model_version=reference.model_version)
            if existing is None:
                repo.insert_row(session, repo.references, **values)
            else:
                repo.update_row(session, repo.references, {"model_name": reference.model_name,
                                                           "model_version": reference.model_version}, **values)
        with self._lock:
            self._stores += 1
            self._layouts.pop((reference.model_name, reference.model_version), None)
            self._misses.pop((reference.model_name, reference.model_version), None)
            self._unknown.discard((reference.model_name, reference.model_version))
        return reference


def _check_version(model_name: str, version: int) -> None:
    if not model_name:
        raise InvalidArgument("model_name", "expected a registered model name")
    if version <= 0:
        raise InvalidArgument("model_version", "expected a version number of 1 or more")


def _micros(stamp: timestamp_pb2.Timestamp) -> int:
    return stamp.seconds * 1_000_000 + stamp.nanos // 1000


def _concat_batches(tables: list[pa.Table]) -> pa.Table:
    """Stored batches as one table.

    Ingest stores a column as numbers, or as text when the batch held any text in it (its numbers
    then written as ``repr`` of the float). A column that is numbers in some batches and text in
    others becomes text in all of them, written the same way, so the reference sees the column as
    one batch holding all the rows would have stored it.
    """
    text = {field.name for table in tables for field in table.schema if pa.types.is_string(field.type)}
    mixed = {name for name in text for table in tables
             if name in table.column_names and not pa.types.is_string(table.schema.field(name).type)}
    if mixed:
        converted = []
        for table in tables:
            for name in mixed & set(table.column_names):
                index = table.schema.get_field_index(name)
                if not pa.types.is_string(table.schema.field(index).type):
                    texts = [None if value is None else repr(float(value)) for value in table.column(index).to_pylist()]
                    table = table.set_column(index, name, pa.array(texts, pa.string()))
            converted.append(table)
        tables = converted
    return pa.concat_tables(tables, promote_options="permissive")
