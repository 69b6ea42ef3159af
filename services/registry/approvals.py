"""Approvals: a principal's recorded sign-off on a model version, counted by the policy service's
`required_evidence` rules when the version is promoted to a protected alias."""

from __future__ import annotations

from services.common.auth import current_principal
from services.common.db import Database
from services.common.errors import FailedPrecondition
from services.registry.model_catalog import ModelCatalog
from services.registry.records import FAILED, Approval, ModelVersion, check_alias_name, utcnow
from services.registry.repository import RegistryRepository


class Approvals:
    """Records approvals on versions."""

    def __init__(self, database: Database, repository: RegistryRepository, catalog: ModelCatalog) -> None:
        self._db = database
        self._repo = repository
        self._catalog = catalog

    def approve(self, model_name: str, number: int, *, alias: str, comment: str) -> tuple[Approval, ModelVersion]:
        """Record the caller's approval; approving again for the same alias replaces the comment."""
        if alias:
            check_alias_name(alias, "alias")
        principal = current_principal()
        with self._db.write() as session:
            row = self._catalog.version_row(session, model_name, number)
            version = self._catalog.version(session, row)
            if version.status == FAILED:
                raise FailedPrecondition(f"version {number} of {model_name!r} is FAILED and cannot be approved",
                                         reason="VERSION_FAILED", metadata={"model_name": model_name,
                                                                            "version": number})
            now = utcnow()
            approval = Approval(principal=principal.subject, roles=tuple(sorted(principal.roles)), alias=alias,
                                comment=comment, approve_time=now)
            earlier = [a for a in version.approvals if (a.principal, a.alias) != (approval.principal, alias)]
            self._repo.set_approvals(session, row.id, [*earlier, approval], now)
            updated = self._catalog.version(session, self._repo.version_row(session, row.model_id, number))
        return approval, updated
