"""The feature store's transport-agnostic core: one object that every RPC delegates to."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from services.common.audit import note_sensitive_read
from services.common.db import Database
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.events import EventOutbox
from services.featurestore import repository, statistics
from services.featurestore.arrow_schema import ARROW_TYPES, TIMESTAMP
from services.featurestore.definitions.references import ResolvedRef, check_output_names, resolve
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from services.featurestore.definitions.store import ApplyResult, DefinitionStore
from services.featurestore.ingest import FeatureWriter
from services.featurestore.materialize import Materializer, Progress
from services.featurestore.offline.dask_engine import DaskEngine
from services.featurestore.offline.duckdb_engine import DuckDBEngine
from services.featurestore.offline.engine import OfflineEngine
from services.featurestore.offline.entity_source import rows_from_view
from services.featurestore.offline.layout import OfflineLayout
from services.featurestore.offline.retrieval import TrainingSet, build_training_set
from services.featurestore.online.lookup import OnlineColumn, OnlineLookup
from services.featurestore.online.store import OnlineStore, open_online_store
from services.featurestore.settings import FeatureStoreSettings
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import features_pb2, types_pb2


def online_store_for(settings: FeatureStoreSettings) -> OnlineStore:
    """The configured online store backend."""
    url = settings.online_store_url
    if not url:
        if settings.online_store_type == "sqlite":
            url = f"sqlite:///{Path(settings.data_dir).resolve() / 'featurestore_online.db'}"
        elif settings.online_store_type == "postgresql":
            url = settings.resolved_database_url("featurestore")
        else:
            raise InvalidArgument("online_store_url", "the redis online store needs a redis:// or unix:// URL")
    return open_online_store(settings.online_store_type, url)


@dataclass(frozen=True)
class OnlinePlan:
    """A selection resolved for online lookups against one definition snapshot."""

    snapshot: DefinitionSnapshot
    refs: list[ResolvedRef]
    names: list[str]
    key_types: dict[str, int]
    #: The view versions the plan reads, in order of first reference (the response's resolved_views).
    resolved_views: list[resources_pb2.ResolvedFeatureView]
    #: The features classified `pii` or carrying a protected basis; reading them is audited.
    sensitive: tuple[tuple[str, str, int], ...] = ()


def sensitive_features(refs: list[ResolvedRef]) -> tuple[tuple[str, str, int], ...]:
    """(view, feature, version) of the referenced features whose reads must be audited."""
    return tuple((ref.view.name, ref.feature.name, ref.view.version) for ref in refs
                 if ref.feature.sensitivity == resources_pb2.SENSITIVITY_PII or ref.feature.protected_basis)


class FeatureStore:
    """Definitions, offline and online data of the feature store."""

    def __init__(self, settings: FeatureStoreSettings, database: Database, outbox: EventOutbox) -> None:
        self.settings = settings
        self._db = database
        self.definitions = DefinitionStore(database, outbox)
        offline_dir = settings.offline_dir or str(Path(settings.data_dir) / "offline")
        self.layout = OfflineLayout(offline_dir)
        self.online = online_store_for(settings)
        self._lookup = OnlineLookup(self.online)
        self.definitions.on_change(self._lookup.clear_cache)
        self.writer = FeatureWriter(database, self.layout, self.online, max_rows=settings.max_ingest_rows)
        self._engines: dict[str, OfflineEngine] = {"duckdb": DuckDBEngine(settings.duckdb_threads)}
        if settings.dask_scheduler_address:
            self._engines["dask"] = DaskEngine(settings.dask_scheduler_address)
        self._materializer = Materializer(database, self.online, self.writer.files_of)
        self._plans: dict[tuple[bytes, bool], OnlinePlan] = {}
        self._stop_follower = self.definitions.start_follower()

    def close(self) -> None:
        """Stop the follower and release engines and the online store."""
        self._stop_follower()
        for engine in self._engines.values():
            engine.close()
        self.online.close()

    # -- definitions ---------------------------------------------------------------------------
    def apply(self, entities: list[resources_pb2.Entity], views: list[resources_pb2.FeatureView],
              services: list[resources_pb2.FeatureService], *, dry_run: bool, prune: bool,
              expected_plan_digest: str, change_note: str, principal: str) -> ApplyResult:
        """Apply a definition set; views deleted by pruning lose their online values."""
        result = self.definitions.apply(entities, views, services, dry_run=dry_run, prune=prune,
                                        expected_plan_digest=expected_plan_digest, change_note=change_note,
                                        principal=principal)
        if result.applied:
            for name in result.outcome.pruned_views:
                self.online.delete_view(name)
        return result

    def delete(self, kind: str, name: str, *, change_note: str, principal: str) -> tuple[object, int]:
        """Delete one definition; a deleted view's online values are removed."""
        deleted, revision = self.definitions.delete(kind, name, change_note=change_note, principal=principal)
        if kind == "feature_view":
            self.online.delete_view(name)
        return deleted, revision

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self, selection: features_pb2.FeatureSelection, allow_missing: bool = False
                ) -> tuple[list[ResolvedRef], list[fs_pb2.UnresolvedFeature]]:
        """Resolve references or a feature service against the cached definitions."""
        return resolve(self.definitions.snapshot(), selection, allow_missing=allow_missing)

    # -- data ----------------------------------------------------------------------------------
    def ingest(self, header: fs_pb2.IngestBatchHeader, chunks: list[bytes]) -> fs_pb2.IngestBatchResponse:
        """One atomic batch ingest."""
        return self.writer.ingest(self.definitions.snapshot(), header, chunks)

    def push(self, messages: list[fs_pb2.PushFeaturesRequest]) -> fs_pb2.PushFeaturesResponse:
        """One atomic push stream."""
        if not messages:
            raise InvalidArgument("rows", "expected at least one message")
        return self.writer.push(self.definitions.snapshot(), messages)

    def engine(self, choice: int) -> OfflineEngine:
        """The engine a request asks for, or the configured default."""
        if choice == fs_pb2.OFFLINE_ENGINE_EMBEDDED:
            name = "duckdb"
        elif choice == fs_pb2.OFFLINE_ENGINE_DASK:
            name = "dask"
        else:
            name = self.settings.offline_engine
        engine = self._engines.get(name)
        if engine is None:
            raise FailedPrecondition("the dask engine is not configured (set dask_scheduler_address)",
                                     reason="ENGINE_NOT_CONFIGURED", metadata={"engine": name})
        return engine

    def historical(self, entity_rows: pa.Table, event_column: str, selection: features_pb2.FeatureSelection, *,
                   full_feature_names: bool, as_of_created: bool, engine: int) -> TrainingSet:
        """A point-in-time-correct training set."""
        snapshot = self.definitions.snapshot()
        refs, _ = resolve(snapshot, selection)
        chosen = self.engine(engine)
        note_sensitive_read(sensitive_features(refs))
        return build_training_set(snapshot, entity_rows, event_column, refs, full_feature_names=full_feature_names,
                                  as_of_created=as_of_created, engine=chosen, files_of=self.writer.files_of,
                                  max_rows=self.settings.max_entity_rows)

    def entity_rows_from_view(self, name: str, version: int, start: datetime | None, end: datetime | None,
                              columns: list[str], event_column: str) -> pa.Table:
        """A historical retrieval's entity rows taken from a view's stored rows in a time range."""
        snapshot = self.definitions.snapshot()
        if version < 0:
            raise InvalidArgument("entity_feature_view.version", "expected 0 (latest) or a positive version")
        view = snapshot.view(name, version)
        known = {f.name: f for f in view.features}
        chosen = columns or list(known)
        for index, column in enumerate(chosen):
            if column not in known:
                raise NotFound("feature", f"{view.name}@v{view.version}:{column}",
                               metadata={"field": f"entity_feature_view.columns[{index}]"})
        if start is not None and end is not None and start > end:
            raise InvalidArgument("entity_feature_view.start_time", "expected start_time at or before end_time")
        keys = snapshot.join_keys(view)
        schema = pa.schema([pa.field(k.name, ARROW_TYPES[k.dtype]) for k in keys]
                           + [pa.field(event_column or "event_timestamp", TIMESTAMP)]
                           + [pa.field(c, ARROW_TYPES[known[c].dtype]) for c in chosen])
        return rows_from_view(self.writer.files_of(view, keys), [k.name for k in keys], chosen,
                              start, end, event_column or "event_timestamp", schema)

    def online_plan(self, selection: features_pb2.FeatureSelection, full_feature_names: bool) -> OnlinePlan:
        """The resolved references, output names and key types of a selection, cached per snapshot.

        Serving repeats the same selection on every request, so resolution runs once per selection
        and definition change instead of once per request.
        """
        snapshot = self.definitions.snapshot()
        key = (selection.SerializeToString(deterministic=True), full_feature_names)
        cached = self._plans.get(key)
        if cached is not None and cached.snapshot is snapshot:
            return cached
        refs, _ = resolve(snapshot, selection)
        names = check_output_names(refs, full_feature_names)
        types: dict[str, int] = {}
        views: dict[tuple[str, int], resources_pb2.ResolvedFeatureView] = {}
        for ref in refs:
            for join_key in snapshot.join_keys(ref.view):
                types.setdefault(join_key.name, join_key.dtype)
            view = ref.view
            if (view.name, view.version) not in views:
                views[(view.name, view.version)] = resources_pb2.ResolvedFeatureView(
                    feature_view=view.name, version=view.version, fingerprint=view.fingerprint)
        plan = OnlinePlan(snapshot, refs, names, types, list(views.values()), sensitive_features(refs))
        if len(self._plans) > 4096:
            self._plans.clear()
        self._plans[key] = plan
        return plan

    def online_features(self, plan: OnlinePlan, keys: Mapping[str, pa.Array], row_count: int) -> list[OnlineColumn]:
        """Latest values for a batch of entity keys."""
        if plan.sensitive:
            note_sensitive_read(plan.sensitive)
        return self._lookup.lookup(plan.snapshot, plan.refs, plan.names, keys, row_count)

    def online_single(self, plan: OnlinePlan, keys: Mapping[str, pa.Array]) -> tuple[list[bytes], int] | None:
        """One entity's values as stored bytes and their event time, when the fast case applies (see
        :meth:`OnlineLookup.single`); None means: call :meth:`online_features`."""
        found = self._lookup.single(plan.snapshot, plan.refs, keys)
        if found is not None and plan.sensitive:
            note_sensitive_read(plan.sensitive)
        return found

    def online_single_key(self, plan: OnlinePlan, key: bytes) -> tuple[list[bytes], int] | None:
        """:meth:`online_single` for a key already in its stored form (see
        :func:`~services.featurestore.converters.single_integer_key`)."""
        found = self._lookup.single_key(plan.snapshot, plan.refs, key)
        if found is not None and plan.sensitive:
            note_sensitive_read(plan.sensitive)
        return found

    def materialize(self, views: list[str], start: datetime | None, end: datetime | None,
                    incremental: bool) -> Iterator[Progress]:
        """Offline to online for a time range, view by view."""
        try:
            yield from self._materializer.run(self.definitions.snapshot(), views, start, end, incremental)
        finally:
            self.definitions.invalidate()

    def statistics(self, view_name: str, version: int, features: list[str]
                   ) -> tuple[resources_pb2.FeatureView, types_pb2.DatasetProfile, int | None, int | None]:
        """The accumulated profile of a view version."""
        view = self.definitions.get_view(view_name, version)
        known = {f.name for f in view.features}
        for index, name in enumerate(features):
            if name not in known:
                raise NotFound("feature", f"{view.name}@v{view.version}:{name}",
                               metadata={"field": f"features[{index}]"})
        with self._db.read() as session:
            state = repository.load_statistics(session, view.name, view.version)
        result, start, end = statistics.profile(state, view, features)
        return view, result, start, end
