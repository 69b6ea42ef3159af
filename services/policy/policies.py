"""The policy catalog: versioned policy documents, created, updated, deleted and read.

Every create or update that changes the source, format or disabled flag stores a new version; old
versions stay readable, deleted policies included, so past decisions can always be explained. The
policies in force are cached and reloaded when any policy head changes.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.common.db import Database
from services.common.errors import (
    Aborted,
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PreconditionViolation,
)
from services.common.pagination import next_page_token, page_request
from services.policy.documents import PolicyDocument, parse_document
from services.policy.evaluation import ActivePolicy
from services.policy.repository import PolicyRepository, PolicyRow

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
FORMATS = ("yaml", "json")
UPDATABLE = ("source", "format", "disabled", "change_note")
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a named policy, with its parsed document."""

    name: str
    version: int
    format: str
    source: str
    source_sha256: str
    document: PolicyDocument
    disabled: bool
    change_note: str
    builtin: bool
    create_time: datetime | None
    created_by: str
    latest_version: int
    delete_time: datetime | None = None


@functools.lru_cache(maxsize=512)
def _parse(source: str, fmt: str) -> PolicyDocument:
    return parse_document(source, fmt)


def _check_name(name: str, field: str) -> None:
    if not _NAME.fullmatch(name or ""):
        raise InvalidArgument(field, f"a policy name matching [a-z0-9][a-z0-9_-]{{0,62}}, got {name!r}")


def _check_format(fmt: str, field: str) -> None:
    if fmt not in FORMATS:
        raise InvalidArgument(field, "POLICY_FORMAT_YAML or POLICY_FORMAT_JSON")


def _version(row: PolicyRow) -> PolicyVersion:
    return PolicyVersion(name=row.name, version=row.version, format=row.format, source=row.source,
                         source_sha256=row.source_sha256, document=_parse(row.source, row.format),
                         disabled=row.disabled, change_note=row.change_note, builtin=row.builtin,
                         create_time=row.create_time, created_by=row.created_by,
                         latest_version=row.latest_version, delete_time=row.delete_time)


class PolicyCatalog:
    """Create, update, delete and read policies; know which are in force."""

    def __init__(self, database: Database, repository: PolicyRepository | None = None, *,
                 refresh_seconds: float = 1.0) -> None:
        self._db = database
        self._repo = repository or PolicyRepository()
        self._lock = threading.Lock()
        self._refresh_seconds = refresh_seconds
        self._active_token: tuple[Any, ...] | None = None
        self._active_checked = float("-inf")
        self._active: list[ActivePolicy] = []

    @staticmethod
    def parse(source: str, fmt: str) -> PolicyDocument:
        """Parse and validate a source (cached by content)."""
        _check_format(fmt, "policy.format")
        return _parse(source, fmt)

    def create(self, name: str, fmt: str, source: str, *, disabled: bool = False, change_note: str = "",
               created_by: str, validate_only: bool = False, builtin: bool = False) -> PolicyVersion:
        """Store a new policy at version 1."""
        _check_name(name, "policy.name")
        document = self.parse(source, fmt)
        now = datetime.now(UTC)
        digest = hashlib.sha256(source.encode()).hexdigest()
        created = PolicyVersion(name, 1, fmt, source, digest, document, disabled, change_note, builtin,
                                now, created_by, 1)
        if validate_only:
            with self._db.read() as session:
                if self._repo.head(session, name) is not None:
                    raise AlreadyExists(f"policy {name!r} already exists", reason="POLICY_ALREADY_EXISTS",
                                        metadata={"name": name})
            return created
        try:
            with self._db.write() as session:
                if self._repo.head(session, name, lock=True) is not None:
                    raise AlreadyExists(f"policy {name!r} already exists (deleted policies included)",
                                        reason="POLICY_ALREADY_EXISTS", metadata={"name": name})
                self._repo.add_version(session, name=name, version=1, format=fmt, source=source,
                                       source_sha256=digest, disabled=disabled, change_note=change_note,
                                       created_by=created_by, create_time=now, builtin=builtin)
        except IntegrityError:
            raise AlreadyExists(f"policy {name!r} already exists", reason="POLICY_ALREADY_EXISTS",
                                metadata={"name": name}) from None
        self._changed()
        return created

    def get(self, name: str, version: int = 0) -> PolicyVersion:
        """The latest (``version`` 0) or a specific version of a policy, deleted ones included."""
        if version < 0:
            raise InvalidArgument("version", f"0 (latest) or a positive version, got {version}")
        with self._db.read() as session:
            row = self._repo.version(session, name, version)
        if row is None:
            label = f"{name} v{version}" if version else name
            raise NotFound("policy", label, metadata={"version": version})
        return _version(row)

    def list(self, *, page_size: int, page_token: str, domain: str = "", team: str = "", rule_kind: str = "",
             enabled_only: bool = False, show_deleted: bool = False) -> tuple[list[PolicyVersion], str]:
        """The latest version of each matching policy, ordered by name."""
        filters = {"domain": domain, "team": team, "rule_kind": rule_kind, "enabled_only": enabled_only,
                   "show_deleted": show_deleted}
        page = page_request(page_size, page_token, filters, default=DEFAULT_PAGE_SIZE)
        after = str(page.after[0]) if page.after else None
        found: list[PolicyVersion] = []
        more = False
        with self._db.read() as session:
            while not more:
                rows = self._repo.latest_after(session, after, 200)
                if not rows:
                    break
                for row in rows:
                    after = row.name
                    item = _version(row)
                    if not self._matches(item, domain, team, rule_kind, enabled_only, show_deleted):
                        continue
                    if len(found) == page.size:
                        more = True
                        break
                    found.append(item)
        token = next_page_token((found[-1].name,), filters) if more and found else ""
        return found, token

    @staticmethod
    def _matches(item: PolicyVersion, domain: str, team: str, rule_kind: str, enabled_only: bool,
                 show_deleted: bool) -> bool:
        document = item.document
        return ((show_deleted or item.delete_time is None) and not (enabled_only and item.disabled)
                and (not domain or not document.domains or domain in document.domains)
                and (not team or not document.teams or team in document.teams)
                and (not rule_kind or any(rule.kind == rule_kind for rule in document.rules)))

    def versions(self, name: str, *, page_size: int, page_token: str) -> tuple[list[PolicyVersion], str]:
        """Every version of one policy, newest first."""
        filters = {"name": name}
        page = page_request(page_size, page_token, filters, default=DEFAULT_PAGE_SIZE)
        with self._db.read() as session:
            if self._repo.head(session, name) is None:
                raise NotFound("policy", name)
            rows = self._repo.versions(session, name, int(page.after[0]) if page.after else None, page.size + 1)
        more = len(rows) > page.size
        rows = rows[:page.size]
        return [_version(r) for r in rows], next_page_token((rows[-1].version,), filters) if more else ""

    def update(self, name: str, changes: Mapping[str, Any], *, expected_version: int = 0,
               allow_missing: bool = False, validate_only: bool = False,
               created_by: str) -> tuple[PolicyVersion, bool]:
        """Store a new version with ``changes`` (keys of UPDATABLE); returns it and whether it was stored."""
        try:
            result = self._update(name, changes, expected_version=expected_version, allow_missing=allow_missing,
                                  validate_only=validate_only, created_by=created_by)
        except IntegrityError:
            raise Aborted(f"policy {name!r} was changed concurrently; read it again and retry",
                          reason="POLICY_CONCURRENT_CHANGE", metadata={"name": name}) from None
        if result[1]:
            self._changed()
        return result

    def _update(self, name: str, changes: Mapping[str, Any], *, expected_version: int,
                allow_missing: bool, validate_only: bool, created_by: str) -> tuple[PolicyVersion, bool]:
        _check_name(name, "policy.name")
        if "format" in changes:
            _check_format(changes["format"], "policy.format")
        with self._db.write() as session:
            head = self._repo.head(session, name, lock=True)
            if head is None:
                if not allow_missing:
                    raise NotFound("policy", name)
                if not changes.get("source"):
                    raise InvalidArgument("policy.source", "the source of the policy to create")
                if "format" not in changes:
                    raise InvalidArgument("policy.format", "the format of the policy to create")
                document = self.parse(changes["source"], changes["format"])
                return self._store(session, name, 1, changes, None, document, created_by, validate_only), \
                    not validate_only
            if head.delete_time is not None:
                raise FailedPrecondition(f"policy {name!r} is deleted", reason="POLICY_DELETED",
                                         metadata={"name": name},
                                         precondition_violations=[PreconditionViolation(
                                             "DELETED", f"policy/{name}", "the policy is deleted")])
            if expected_version and expected_version != head.latest_version:
                raise Aborted(f"policy {name!r} is at version {head.latest_version}, not {expected_version}",
                              reason="POLICY_VERSION_MISMATCH",
                              metadata={"name": name, "expected_version": expected_version,
                                        "latest_version": head.latest_version})
            current = self._repo.version(session, name, head.latest_version)
            assert current is not None
            source = changes.get("source", current.source)
            fmt = changes.get("format", current.format)
            document = self.parse(source, fmt)
            disabled = changes.get("disabled", current.disabled)
            if source == current.source and fmt == current.format and disabled == current.disabled:
                return _version(current), False
            return self._store(session, name, head.latest_version + 1, {**changes, "source": source,
                                                                         "format": fmt, "disabled": disabled},
                               current, document, created_by, validate_only), not validate_only

    def _store(self, session: Any, name: str, version: int, changes: Mapping[str, Any], current: PolicyRow | None,
               document: PolicyDocument, created_by: str, validate_only: bool) -> PolicyVersion:
        source = changes["source"]
        fmt = changes["format"]
        digest = hashlib.sha256(source.encode()).hexdigest()
        now = datetime.now(UTC)
        builtin = current.builtin if current else False
        stored = PolicyVersion(name, version, fmt, source, digest, document, bool(changes.get("disabled", False)),
                               str(changes.get("change_note", "")), builtin, now, created_by, version)
        if not validate_only:
            self._repo.add_version(session, name=name, version=version, format=fmt, source=source,
                                   source_sha256=digest, disabled=stored.disabled, change_note=stored.change_note,
                                   created_by=created_by, create_time=now, builtin=builtin)
        return stored

    def delete(self, name: str) -> PolicyVersion:
        """Stop evaluating a policy and hide it from default listings; its versions stay readable."""
        with self._db.write() as session:
            head = self._repo.head(session, name, lock=True)
            if head is None:
                raise NotFound("policy", name)
            if head.delete_time is None:
                self._repo.mark_deleted(session, name, datetime.now(UTC))
            row = self._repo.version(session, name)
        self._changed()
        assert row is not None
        return _version(row)

    def _changed(self) -> None:
        with self._lock:
            self._active_checked = float("-inf")

    def active(self) -> list[ActivePolicy]:
        """The latest version of every policy in force (not deleted, not disabled).

        Changes made through this process apply to the next evaluation; changes made by another
        replica within ``refresh_seconds``.
        """
        now = time.monotonic()
        with self._lock:
            if now - self._active_checked < self._refresh_seconds:
                return self._active
        with self._db.read() as session:
            token = self._repo.state_token(session)
            with self._lock:
                if token == self._active_token:
                    self._active_checked = now
                    return self._active
            rows = self._repo.active(session)
        policies = [ActivePolicy(r.name, r.version, _parse(r.source, r.format)) for r in rows]
        with self._lock:
            self._active, self._active_token, self._active_checked = policies, token, now
        return policies
