"""Aliases: compare-and-set moves gated by policy for protected aliases, and their history.

A move reads the alias, asks the policy service (protected aliases only, outside any transaction,
so no lock is held during a remote call), then commits with a conditional UPDATE from the version
it read: if anything moved the alias in between, the update changes no row and the call answers
ABORTED, so of concurrent moves exactly one wins on SQLite and PostgreSQL alike. The alias row, its
history entry and its event commit together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.common.auth import current_principal
from services.common.db import Database
from services.common.errors import Aborted, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.common.interceptors import request_id_var
from services.common.pagination import next_page_token, page_request
from services.registry.event_log import RegistryEventLog
from services.registry.model_catalog import ModelCatalog
from services.registry.promotion import PolicyGate, PromotionVerdict
from services.registry.records import (
    CREATED,
    DELETED,
    MOVED,
    READY,
    ROLLED_BACK,
    Alias,
    AliasChange,
    check_alias_name,
    check_name,
    utcnow,
)
from services.registry.repository import RegistryRepository
from sextant.type.v1 import governance_pb2

#: Roles that may act on behalf of another principal.
_DELEGATING_ROLES = frozenset({"service", "admin"})


@dataclass(frozen=True)
class AliasOutcome:
    """The result of a set or move: the alias after it, the history entry, the policy verdict."""

    alias: Alias
    change: AliasChange
    verdict: int
    warnings: tuple[Any, ...] = ()


class Aliases:
    """Sets, moves, deletes and reads aliases."""

    def __init__(self, database: Database, repository: RegistryRepository, catalog: ModelCatalog,
                 events: RegistryEventLog, gate: PolicyGate, protected: tuple[str, ...]) -> None:
        self._db = database
        self._repo = repository
        self._catalog = catalog
        self._events = events
        self._gate = gate
        self._protected = frozenset(protected)

    def is_protected(self, alias: str) -> bool:
        """Whether moving the alias needs the policy service's permission."""
        return alias in self._protected

    def set(self, model_name: str, alias: str, version: int, *, expected_version: int, principal: str,
            reason: str, must_exist: bool = False, to_previous: bool = False) -> AliasOutcome:
        """Point ``alias`` at ``version`` (creating it unless ``must_exist``), compare-and-set."""
        check_name(model_name, "model_name")
        check_alias_name(alias, "alias")
        if expected_version < 0:
            raise InvalidArgument("expected_version", f"expected 0 or a version number, got {expected_version}")
        acting = _acting_principal(principal)
        with self._db.read() as session:
            model = self._catalog.model_row(session, model_name)
            current_row = self._repo.alias_row(session, model.id, alias)
            if current_row is None and must_exist:
                raise NotFound("alias", f"{model_name}@{alias}")
            current = current_row.version if current_row is not None else 0
            if to_previous:
                version = self._repo.previous_version(session, model_name, alias, current)
                if not version:
                    raise FailedPrecondition(f"alias {alias!r} of {model_name!r} has no earlier version to roll "
                                             "back to", reason="NO_PREVIOUS_VERSION",
                                             metadata={"model_name": model_name, "alias": alias})
            target = self._catalog.version(session, self._catalog.version_row(session, model_name, version))
        if target.status != READY:
            raise FailedPrecondition(f"version {version} of {model_name!r} is {target.status}, not READY",
                                     reason="VERSION_NOT_READY",
                                     metadata={"model_name": model_name, "version": version, "status": target.status})
        if expected_version and expected_version != current:
            raise _lost(model_name, alias, expected_version, current)
        protected = self.is_protected(alias)
        verdict = PromotionVerdict("", governance_pb2.POLICY_VERDICT_UNSPECIFIED)
        if protected:
            verdict = self._gate.evaluate(target, alias=alias, current_version=current, principal=acting)
        kind = ROLLED_BACK if to_previous else (MOVED if current_row is not None else CREATED)
        with self._db.write() as session:
            now = utcnow()
            if current_row is None:
                changed = self._repo.insert_alias(session, model.id, alias, version, now=now, principal=acting,
                                                  decision_id=verdict.decision_id, reason=reason)
            else:
                changed = self._repo.move_alias(session, model.id, alias, from_version=current, to_version=version,
                                                now=now, principal=acting, decision_id=verdict.decision_id,
                                                reason=reason)
            if not changed:
                latest = self._repo.alias_row(session, model.id, alias)
                raise _lost(model_name, alias, current, latest.version if latest else 0)
            change = AliasChange(model_name=model_name, alias=alias, kind=kind, from_version=current,
                                 to_version=version, principal=acting, change_time=now,
                                 decision_id=verdict.decision_id, reason=reason, revision=0,
                                 request_id=request_id_var.get())
            revision = self._events.alias_moved(session, change, protected=protected, verdict=verdict.verdict,
                                                owner_team=model.owner_team)
            change = replace(change, revision=revision)
            self._repo.append_history(session, change)
            stored = self._repo.alias_from_row(self._repo.alias_row(session, model.id, alias), model_name, protected)
        return AliasOutcome(stored, change, verdict.verdict, verdict.warnings)

    def delete(self, model_name: str, alias: str, *, expected_version: int, principal: str,
               reason: str) -> AliasChange:
        """Remove an alias, compare-and-set; the version is untouched."""
        check_name(model_name, "model_name")
        check_alias_name(alias, "alias")
        acting = _acting_principal(principal)
        with self._db.write() as session:
            model = self._catalog.model_row(session, model_name)
            row = self._repo.alias_row(session, model.id, alias)
            if row is None:
                raise NotFound("alias", f"{model_name}@{alias}")
            if expected_version and expected_version != row.version:
                raise _lost(model_name, alias, expected_version, row.version)
            if not self._repo.delete_alias(session, model.id, alias, row.version):
                raise _lost(model_name, alias, row.version, 0)
            change = AliasChange(model_name=model_name, alias=alias, kind=DELETED, from_version=row.version,
                                 to_version=0, principal=acting, change_time=utcnow(), decision_id="",
                                 reason=reason, revision=0, request_id=request_id_var.get())
            revision = self._events.alias_deleted(session, change, protected=self.is_protected(alias),
                                                  owner_team=model.owner_team)
            change = replace(change, revision=revision)
            self._repo.append_history(session, change)
        return change

    def get(self, model_name: str, alias: str) -> tuple[Alias, int]:
        """One alias and the event revision current when it was read."""
        check_name(model_name, "model_name")
        check_name(alias, "alias")
        with self._db.read() as session:
            revision = self._repo.latest_revision(session)
            model = self._catalog.model_row(session, model_name)
            row = self._repo.alias_row(session, model.id, alias)
            if row is None:
                raise NotFound("alias", f"{model_name}@{alias}")
            return self._repo.alias_from_row(row, model_name, self.is_protected(alias)), revision

    def list(self, *, model_name: str, alias: str, page_size: int, page_token: str) -> tuple[list[Alias], str, int]:
        """One page of aliases by model name then alias, with the current event revision."""
        filters = {"model_name": model_name, "alias": alias}
        page = page_request(page_size, page_token, filters, default=100)
        with self._db.read() as session:
            revision = self._repo.latest_revision(session)
            if model_name:
                self._catalog.model_row(session, model_name)
            rows = self._repo.list_aliases(session, model_name=model_name, alias=alias, after=page.after,
                                           limit=page.size)
        aliases = [self._repo.alias_from_row(r, r.model_name, self.is_protected(r.alias)) for r in rows[:page.size]]
        token = next_page_token((rows[page.size - 1].model_name, rows[page.size - 1].alias), filters) \
            if len(rows) > page.size else ""
        return aliases, token, revision

    def history(self, *, model_name: str, alias: str, at_time: datetime | None, order_by: str, page_size: int,
                page_token: str) -> tuple[list[AliasChange], str]:
        """Alias changes newest first (or oldest first), or with ``at_time`` the state at that instant."""
        check_name(model_name, "model_name")
        normalized = " ".join(order_by.split()).lower()
        if at_time is not None and normalized:
            raise InvalidArgument("order_by", "must be empty when at_time is set")
        if normalized not in ("", "change_time", "change_time desc", "change_time asc"):
            raise InvalidArgument("order_by", f"expected `change_time` or `change_time desc`, got {order_by!r}")
        descending = normalized in ("", "change_time desc")
        filters = {"model_name": model_name, "alias": alias, "at": str(at_time), "desc": descending}
        page = page_request(page_size, page_token, filters, default=100)
        with self._db.read() as session:
            if self._repo.model_row(session, model_name) is None and not self._repo.history_exists(session, model_name):
                raise NotFound("registered_model", model_name)
            if at_time is not None:
                entries = self._repo.history_at(session, model_name=model_name, alias=alias, at=at_time,
                                                after=page.after, limit=page.size)
                key = (entries[page.size - 1].alias,) if len(entries) > page.size else None
            else:
                entries = self._repo.history(session, model_name=model_name, alias=alias, descending=descending,
                                             after=page.after, limit=page.size)
                key = (entries[page.size - 1].revision,) if len(entries) > page.size else None
        return entries[:page.size], next_page_token(key, filters)


def _acting_principal(requested: str) -> str:
    caller = current_principal()
    if not requested or requested == caller.subject:
        return caller.subject
    if caller.roles & _DELEGATING_ROLES:
        return requested
    raise PermissionDenied(f"{caller.subject!r} may not act on behalf of {requested!r}",
                           reason="PRINCIPAL_NOT_ALLOWED", metadata={"caller": caller.subject, "principal": requested})


def _lost(model_name: str, alias: str, expected: int, actual: int) -> Aborted:
    return Aborted(f"alias {alias!r} of {model_name!r} points at version {actual}, not the expected {expected}; "
                   "a concurrent change won", reason="ALIAS_CHANGED",
                   metadata={"model_name": model_name, "alias": alias, "expected_version": expected,
                             "actual_version": actual})
