"""Registered models and their versions: create, read, update, delete, with events in the same
transaction as each change."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.artifacts import ArtifactStore
from services.common.auth import current_principal
from services.common.db import Database
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.logging import get_logger
from services.common.pagination import next_page_token, page_request
from services.registry.alias_reads import AliasReader
from services.registry.event_log import RegistryEventLog
from services.registry.records import (
    FAILED,
    PENDING,
    ModelVersion,
    NewModelVersion,
    RegisteredModel,
    check_name,
    utcnow,
)
from services.registry.repository import RegistryRepository

_MODEL_ORDER_KEYS = ("name", "create_time", "update_time")
_log = get_logger("registry.catalog")


def parse_order(order_by: str, allowed: Sequence[str], field: str = "order_by") -> list[tuple[str, bool]]:
    """``"a, b desc"`` as [(key, descending)], each key in ``allowed`` (prefix matches ending in '.')."""
    keys: list[tuple[str, bool]] = []
    for part in (p.strip() for p in order_by.split(",")):
        if not part:
            continue
        words = part.split()
        descending = len(words) == 2 and words[1].lower() == "desc"
        ascending = len(words) == 2 and words[1].lower() == "asc"
        key = words[0]
        known = (key in allowed and not key.endswith(".")) or any(a.endswith(".") and key.startswith(a) and len(key) > len(a) for a in allowed)
        if len(words) > 2 or (len(words) == 2 and not (descending or ascending)) or not known:
            raise InvalidArgument(field, f"expected a comma-separated list of {', '.join(allowed)} each "
                                         f"optionally followed by ` desc`, got {part!r}")
        if key in {k for k, _ in keys}:
            raise InvalidArgument(field, f"{key!r} appears twice")
        keys.append((key, descending))
    return keys


def decode_times(values: tuple[Any, ...], time_positions: Sequence[int]) -> tuple[Any, ...]:
    """Page-token values with the datetimes (stored as text) restored."""
    restored = list(values)
    try:
        for i in time_positions:
            if i < len(restored) and isinstance(restored[i], str):
                restored[i] = datetime.fromisoformat(restored[i])
    except ValueError:
        raise InvalidArgument("page_token", "expected a token returned by a previous call") from None
    return tuple(restored)


class ModelCatalog:
    """The registry's models and versions."""

    def __init__(self, database: Database, repository: RegistryRepository, events: RegistryEventLog,
                 artifacts: ArtifactStore, *, max_artifact_bytes: int) -> None:
        self._db = database
        self._max_artifact_bytes = max_artifact_bytes
        self._repo = repository
        self._events = events
        self._artifacts = artifacts
        self._alias_reader = AliasReader(database)

    def close(self) -> None:
        """Release the connections of the by-alias read path."""
        self._alias_reader.close()

    # -- helpers shared with the other domain objects ----------------------------------------

    def model_row(self, session: Session, name: str, field: str = "model_name", *, lock: bool = False) -> Any:
        """The row of a model that must exist."""
        check_name(name, field)
        row = self._repo.model_row(session, name, lock=lock)
        if row is None:
            raise NotFound("registered_model", name)
        return row

    def version_row(self, session: Session, model_name: str, number: int, field: str = "version") -> Any:
        """The row of a version that must exist."""
        model = self.model_row(session, model_name)
        if number <= 0:
            raise InvalidArgument(field, f"expected a version number of 1 or more, got {number}")
        row = self._repo.version_row(session, model.id, number)
        if row is None:
            raise NotFound("model_version", f"{model_name}/{number}")
        return row

    def version(self, session: Session, row: Any) -> ModelVersion:
        """The record of a version row, with its aliases."""
        return self._repo.versions_from_rows(session, [row])[0]

    # -- registered models -------------------------------------------------------------------

    def create_model(self, model: RegisteredModel) -> RegisteredModel:
        """Create a model with no versions; ALREADY_EXISTS when the name is taken."""
        now = utcnow()
        created = dataclasses.replace(model, creator=current_principal().subject, create_time=now,
                                      update_time=now, latest_version=0, aliases={})
        try:
            with self._db.write() as session:
                if self._repo.model_row(session, model.name) is not None:
                    raise AlreadyExists(f"registered model {model.name!r} already exists",
                                        reason="MODEL_ALREADY_EXISTS", metadata={"name": model.name})
                self._repo.insert_model(session, created)
                self._events.model_created(session, created)
        except IntegrityError:
            raise AlreadyExists(f"registered model {model.name!r} already exists", reason="MODEL_ALREADY_EXISTS",
                                metadata={"name": model.name}) from None
        return created

    def get_model(self, name: str, field: str = "name") -> RegisteredModel:
        """One model with its aliases."""
        with self._db.read() as session:
            return self._repo.model_from_row(session, self.model_row(session, name, field))

    def list_models(self, *, page_size: int, page_token: str, owner_team: str, domain: str,
                    tags: Sequence[tuple[str, str]], name_prefix: str,
                    order_by: str) -> tuple[list[RegisteredModel], str]:
        """One page of models matching the filters."""
        order = parse_order(order_by, _MODEL_ORDER_KEYS) or [("name", False)]
        filters = {"owner_team": owner_team, "domain": domain, "tags": sorted(tags), "name_prefix": name_prefix,
                   "order": order}
        page = page_request(page_size, page_token, filters, default=100)
        columns = [c for c, _ in order] + ([] if "name" in {c for c, _ in order} else ["name"])
        after = decode_times(page.after, [i for i, c in enumerate(columns) if c != "name"]) if page.after else None
        with self._db.read() as session:
            rows = self._repo.list_models(session, owner_team=owner_team, domain=domain, tags=tags,
                                          name_prefix=name_prefix, order=order, after=after, limit=page.size)
            models = [self._repo.model_from_row(session, r) for r in rows[:page.size]]
        token = ""
        if len(rows) > page.size:
            last = rows[page.size - 1]
            token = next_page_token(tuple(_token_value(getattr(last, c)) for c in columns), filters)
        return models, token

    def update_model(self, name: str, changes: dict[str, Any]) -> RegisteredModel:
        """Change description, owner team and/or tags."""
        with self._db.write() as session:
            row = self.model_row(session, name, "model.name")
            self._repo.update_model(session, row.id, {**changes, "update_time": utcnow()})
            return self._repo.model_from_row(session, self._repo.model_row(session, name))

    def delete_model(self, name: str) -> int:
        """Delete a model and its versions; refused while an alias points into it."""
        with self._db.write() as session:
            row = self.model_row(session, name, "name", lock=True)
            model = self._repo.model_from_row(session, row)
            if model.aliases:
                names = ",".join(sorted(model.aliases))
                raise FailedPrecondition(f"registered model {name!r} still has aliases ({names}); delete them first",
                                         reason="MODEL_HAS_ALIASES", metadata={"name": name, "aliases": names})
            digests = self._repo.delete_model(session, row.id)
            self._events.model_deleted(session, model, len(digests), current_principal().subject)
        self._forget_artifacts(set(digests))
        return len(digests)

    def _forget_artifacts(self, digests: set[str]) -> None:
        for digest in digests:
            with self._db.read() as session:
                referenced = self._repo.artifact_referenced(session, digest)
            if not referenced:
                try:
                    self._artifacts.delete(digest)
                except Exception as error:  # noqa: BLE001 - an orphan file is harmless; log and go on
                    _log.warning("could not remove an unreferenced artifact", sha256=digest, error=str(error))

    # -- model versions ----------------------------------------------------------------------

    def create_version(self, model_name: str, new: NewModelVersion) -> tuple[ModelVersion, bool]:
        """Create the next PENDING version, or return the model's version with the same artifact."""
        if new.artifact_size > self._max_artifact_bytes:
            raise InvalidArgument("model_version.artifact_size_bytes",
                                  f"expected at most {self._max_artifact_bytes} bytes, got {new.artifact_size}")
        principal = current_principal().subject
        with self._db.write() as session:
            model = self.model_row(session, model_name, "model_name", lock=True)
            existing = self._repo.version_by_sha(session, model.id, new.artifact_sha256)
            if existing is not None:
                return self.version(session, existing), True
            now = utcnow()
            number = self._repo.next_version_number(session, model.id, now)
            self._repo.insert_version(session, model.id, number, new, principal, now)
            created = self.version(session, self._repo.version_row(session, model.id, number))
            self._events.version_created(session, created)
            return created, False

    def alias_version_row(self, model_name: str, alias: str) -> tuple[Any, ...]:
        """The raw row (``alias_reads.COLUMNS``, last the event revision) of the version an alias points at."""
        check_name(model_name, "model_name")
        row = self._alias_reader.read(model_name, alias)
        if row is None:
            with self._db.read() as session:
                self.model_row(session, model_name)
            raise NotFound("alias", f"{model_name}@{alias}")
        return row

    def get_version(self, model_name: str, *, number: int = 0, alias: str = "",
                    latest: bool = False) -> tuple[ModelVersion, int]:
        """A version by number, alias or as the latest READY one, with the current event revision."""
        if alias:
            check_name(model_name, "model_name")
            with self._db.read() as session:
                row = self._repo.version_row_by_alias(session, model_name, alias)
                if row is None:
                    self.model_row(session, model_name)
                    raise NotFound("alias", f"{model_name}@{alias}")
                return self.version(session, row), row.revision or 0
        with self._db.read() as session:
            revision = self._repo.latest_revision(session)
            if latest:
                model = self.model_row(session, model_name)
                row = self._repo.latest_ready_row(session, model.id)
                if row is None:
                    raise NotFound("model_version", f"{model_name}/latest", reason="NO_READY_VERSION")
            else:
                row = self.version_row(session, model_name, number)
            return self.version(session, row), revision

    def update_version(self, model_name: str, number: int, changes: dict[str, Any], *,
                       failure: str | None = None) -> ModelVersion:
        """Change a version's description and/or tags; with ``failure``, turn a PENDING version FAILED."""
        with self._db.write() as session:
            row = self.version_row(session, model_name, number, "model_version.version")
            now = utcnow()
            abandon = failure is not None and row.status != FAILED  # failing a FAILED version again is a no-op
            if abandon and not self._repo.set_status(session, row.id, expected=PENDING, status=FAILED,
                                                     message=failure or "", now=now):
                raise FailedPrecondition(f"version {number} of {model_name!r} is {row.status}, not PENDING",
                                         reason="VERSION_NOT_PENDING",
                                         metadata={"model_name": model_name, "version": number, "status": row.status})
            if changes:
                self._repo.update_version(session, row.id, {**changes, "update_time": now})
            current = self.version(session, self._repo.version_row(session, row.model_id, number))
            if abandon:
                self._events.version_finished(session, current, current_principal().subject)
            return current


def _token_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
