"""The decision log: every evaluation recorded, complete, filterable and immutable."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf import timestamp_pb2

from services.common.db import Database
from sextant.policy.v1 import policy_service_pb2 as pb
from sextant.policy.v1 import resources_pb2
from sextant.type.v1 import governance_pb2 as gov
from tests.integration.policy.conftest import StartPolicy


def _training(job: str, *columns: str) -> pb.EvaluateTrainingRequest:
    return pb.EvaluateTrainingRequest(domain="credit", owner_team="risk", model_name="credit-risk", training_job_id=job,
                                      principal=f"{job}-owner",
                                      input_features=[pb.FeatureInput(column=c) for c in columns])


def test_decision_log_is_complete_and_immutable(start_policy: StartPolicy, database_url: str) -> None:
    _, stub = start_policy(database_url=database_url)
    before = datetime.now(UTC) - timedelta(seconds=1)
    request = _training("job-1", "income")
    allowed = stub.EvaluateTraining(request).decision
    denied = stub.EvaluateTraining(_training("job-2", "race", "income")).decision
    promoted = stub.EvaluatePromotion(pb.EvaluatePromotionRequest(
        model_name="credit-risk", model_version=1, domain="credit", owner_team="risk",
        target_alias="staging")).decision
    assert allowed.input_digest == hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
    assert allowed.principal == "job-1-owner" and allowed.caller == "anonymous"
    assert allowed.evaluated_policies[0].policy_name == "reg-b" and allowed.request_id

    everything = stub.ListDecisions(pb.ListDecisionsRequest()).decisions
    assert [d.decision_id for d in everything] == [promoted.decision_id, denied.decision_id, allowed.decision_id]
    assert list(everything) == [promoted, denied, allowed]  # stored exactly as answered

    def ids(**filters: object) -> list[str]:
        return [d.decision_id for d in stub.ListDecisions(pb.ListDecisionsRequest(**filters)).decisions]  # type: ignore[arg-type]

    assert ids(verdicts=[gov.POLICY_VERDICT_DENY]) == [denied.decision_id]
    assert ids(kinds=[resources_pb2.EVALUATION_KIND_PROMOTION]) == [promoted.decision_id]
    assert ids(training_job_id="job-1") == [allowed.decision_id]
    assert ids(principal="job-2-owner") == [denied.decision_id]
    assert ids(model_name="credit-risk", model_version=1) == [promoted.decision_id]
    assert len(ids(policy_name="reg-b")) == 3 and ids(policy_name="other") == []
    assert ids(order_by="create_time")[0] == allowed.decision_id
    start = timestamp_pb2.Timestamp()
    start.FromDatetime(before)
    assert len(ids(start_time=start)) == 3
    assert ids(end_time=start) == []

    seen: list[str] = []
    token = ""
    for _ in range(5):
        page = stub.ListDecisions(pb.ListDecisionsRequest(page_size=1, page_token=token))
        seen.extend(d.decision_id for d in page.decisions)
        token = page.next_page_token
        if not token:
            break
    assert seen == [promoted.decision_id, denied.decision_id, allowed.decision_id]

    assert stub.GetDecision(pb.GetDecisionRequest(decision_id=denied.decision_id)).decision == denied
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetDecision(pb.GetDecisionRequest(decision_id="dec_missing"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    # No RPC can change a decision: the contract reads them only ...
    methods = {m.name for m in pb.DESCRIPTOR.services_by_name["PolicyService"].methods if "Decision" in m.name}
    assert methods == {"GetDecision", "ListDecisions"}
    # ... and the database itself refuses to update or delete one.
    database = Database(database_url)
    try:
        for statement in ("UPDATE decisions SET verdict = 'allow'", "DELETE FROM decisions",
                          "DELETE FROM decision_policies"):
            with pytest.raises(sa.exc.DBAPIError), database.write() as session:
                session.execute(sa.text(statement))
    finally:
        database.close()
    assert stub.GetDecision(pb.GetDecisionRequest(decision_id=denied.decision_id)).decision == denied


def test_bad_listing_requests_are_invalid(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    for request in (pb.ListDecisionsRequest(page_size=-1), pb.ListDecisionsRequest(order_by="verdict"),
                    pb.ListDecisionsRequest(page_token="garbage!"), pb.ListDecisionsRequest(model_version=2)):
        with pytest.raises(grpc.RpcError) as caught:
            stub.ListDecisions(request)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
