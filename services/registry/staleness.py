"""Staleness: versions whose training features have a newer definition, or marked by hand.

A definition change is applied in one transaction together with the follower's cursor, so after a
restart the registry resumes exactly after the last change it applied: nothing is missed and
nothing is marked twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.auth import current_principal
from services.common.db import Database
from services.common.errors import InvalidArgument
from services.common.logging import get_logger
from services.registry.event_log import RegistryEventLog
from services.registry.model_catalog import ModelCatalog
from services.registry.records import (
    SOURCE_DEFINITION_CHANGE,
    SOURCE_MANUAL,
    ModelVersion,
    StaleReason,
    utcnow,
)
from services.registry.repository import RegistryRepository

#: The principal recorded for marks the registry makes by itself.
REGISTRY_PRINCIPAL = "service:registry"
#: The follower cursor's name in ``follower_cursors``.
DEFINITION_CURSOR = "featurestore.definition_changes"
_log = get_logger("registry.staleness")


@dataclass(frozen=True)
class DefinitionChange:
    """A feature view's new version, as the feature store announced it."""

    revision: int
    feature_view: str
    old_version: int
    new_version: int
    old_fingerprint: str
    new_fingerprint: str
    compatibility: str = ""


class Staleness:
    """Marks and clears stale versions."""

    def __init__(self, database: Database, repository: RegistryRepository, catalog: ModelCatalog,
                 events: RegistryEventLog) -> None:
        self._db = database
        self._repo = repository
        self._catalog = catalog
        self._events = events

    def mark(self, model_name: str, number: int, *, reason: str, feature_view: str) -> ModelVersion:
        """Add a manual stale reason to a version."""
        if not reason.strip():
            raise InvalidArgument("reason", "expected why the version is stale")
        principal = current_principal().subject
        with self._db.write() as session:
            row = self._catalog.version_row(session, model_name, number)
            version = self._catalog.version(session, row)
            added = StaleReason(source=SOURCE_MANUAL, message=reason, mark_time=utcnow(), principal=principal,
                                feature_view=feature_view)
            reasons = (*version.stale_reasons, added)
            self._repo.set_stale_reasons(session, row.id, reasons, utcnow())
            updated = self._catalog.version(session, self._repo.version_row(session, row.model_id, number))
            self._events.marked_stale(session, updated, [added], principal)
        return updated

    def clear(self, model_name: str, number: int, *, reason: str) -> ModelVersion:
        """Clear every stale reason; a version that is not stale is left alone and nothing is emitted."""
        if not reason.strip():
            raise InvalidArgument("reason", "expected why the staleness no longer applies")
        principal = current_principal().subject
        with self._db.write() as session:
            row = self._catalog.version_row(session, model_name, number)
            version = self._catalog.version(session, row)
            if not version.stale:
                return version
            self._repo.set_stale_reasons(session, row.id, (), utcnow())
            updated = self._catalog.version(session, self._repo.version_row(session, row.model_id, number))
            self._events.stale_cleared(session, updated, version.stale_reasons, reason, principal)
        return updated

    def cursor(self) -> int:
        """The last feature store revision applied."""
        with self._db.read() as session:
            return self._repo.cursor(session, DEFINITION_CURSOR)

    def apply(self, change: DefinitionChange) -> int:
        """Mark every version trained on an older definition of the view; returns how many were marked."""
        marked = 0
        with self._db.write() as session:
            if self._repo.cursor(session, DEFINITION_CURSOR) >= change.revision:
                return 0  # already applied (a replay after a reconnect)
            rows = self._repo.versions_using_view(session, change.feature_view, lock=True)
            by_id: dict[int, list] = {}
            for row in rows:
                if change.new_fingerprint and row.used_fingerprint != change.new_fingerprint:
                    by_id.setdefault(row.id, []).append(row)
            now = utcnow()
            for uses in by_id.values():
                version = self._repo.versions_from_rows(session, [uses[0]])[0]
                already = {(r.feature_view, r.new_fingerprint) for r in version.stale_reasons}
                if (change.feature_view, change.new_fingerprint) in already:
                    continue
                use = uses[0]
                added = StaleReason(
                    source=SOURCE_DEFINITION_CHANGE, mark_time=now, principal=REGISTRY_PRINCIPAL,
                    feature_view=change.feature_view, old_view_version=use.used_view_version,
                    old_fingerprint=use.used_fingerprint, new_view_version=change.new_version,
                    new_fingerprint=change.new_fingerprint, featurestore_revision=change.revision,
                    message=(f"{change.feature_view} changed from v{use.used_view_version} to v{change.new_version}"
                             + (f" ({change.compatibility.lower()})" if change.compatibility else "")
                             + f": fingerprint {use.used_fingerprint[:12]} -> {change.new_fingerprint[:12]}"))
                self._repo.set_stale_reasons(session, use.id, (*version.stale_reasons, added), now)
                updated = self._repo.versions_from_rows(session, [self._repo.version_row(
                    session, use.model_id, use.version)])[0]
                self._events.marked_stale(session, updated, [added], REGISTRY_PRINCIPAL, request_id="")
                marked += 1
            self._repo.set_cursor(session, DEFINITION_CURSOR, change.revision)
        if marked:
            _log.info("versions marked stale", feature_view=change.feature_view, count=marked,
                      featurestore_revision=change.revision)
        return marked

    def skip_to(self, revision: int) -> None:
        """Advance the cursor past an event that concerns no feature view version."""
        with self._db.write() as session:
            if self._repo.cursor(session, DEFINITION_CURSOR) < revision:
                self._repo.set_cursor(session, DEFINITION_CURSOR, revision)
