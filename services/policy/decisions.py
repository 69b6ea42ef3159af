"""The decision log: every evaluation, appended once and never changed.

Records are stored serialized (the caller supplies the encoder, so this module stays free of the
wire format) next to the columns the listing filters on. There is no update or delete here, and the
database refuses both (see the migration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from services.common.audit import record_in_transaction
from services.common.db import Database
from services.common.errors import InvalidArgument, NotFound
from services.common.pagination import next_page_token, page_request
from services.policy.evaluation import Decision
from services.policy.repository import DecisionFilter, DecisionRepository

DEFAULT_PAGE_SIZE = 100


class DecisionLog:
    """Append decisions; read one or a filtered page."""

    def __init__(self, database: Database, encode: Callable[[Decision], bytes],
                 repository: DecisionRepository | None = None) -> None:
        self._db = database
        self._encode = encode
        self._repo = repository or DecisionRepository()

    def append(self, decision: Decision) -> bytes:
        """Store a decision; returns its stored record."""
        record = self._encode(decision)
        about = decision.subject
        with self._db.append_transaction() as connection:
            self._repo.append(connection, decision_id=decision.decision_id, kind=decision.kind,
                              verdict=decision.verdict, domain=about.domain, owner_team=about.owner_team,
                              model_name=about.model_name, model_version=about.model_version,
                              training_job_id=about.training_job_id, deployment_name=about.deployment_name,
                              principal=decision.principal, create_time=decision.create_time, record=record,
                              policies=[(p.policy_name, p.policy_version) for p in decision.evaluated_policies])
            # The evaluation's audit record commits with the decision: one transaction, never one without the other.
            record_in_transaction(connection, [("decision", decision.decision_id, 0)])
        return record

    def get(self, decision_id: str) -> bytes:
        """The stored record of one decision."""
        if not decision_id:
            raise InvalidArgument("decision_id", "a decision id such as dec_…")
        with self._db.read() as session:
            found = self._repo.get(session, decision_id)
        if found is None:
            raise NotFound("decision", decision_id)
        return found[0]

    def verdict_of(self, decision_id: str) -> str | None:
        """The verdict of a stored decision, or None when there is none."""
        with self._db.read() as session:
            found = self._repo.get(session, decision_id)
        return found[1] if found else None

    def page(self, where: DecisionFilter, *, page_size: int, page_token: str) -> tuple[list[bytes], str]:
        """A page of matching records, newest first unless ``where.ascending``."""
        if where.start_time and where.end_time and where.start_time >= where.end_time:
            raise InvalidArgument("end_time", "a time after start_time")
        filters = {key: value for key, value in asdict(where).items()}
        page = page_request(page_size, page_token, filters, default=DEFAULT_PAGE_SIZE)
        with self._db.read() as session:
            rows = self._repo.page(session, where, int(page.after[0]) if page.after else None, page.size + 1)
        more = len(rows) > page.size
        rows = rows[:page.size]
        return [record for _, record in rows], next_page_token((rows[-1][0],), filters) if more else ""
