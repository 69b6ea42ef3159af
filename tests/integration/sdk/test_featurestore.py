"""SDK round trips with the real feature store: a definitions file planned and applied, a DataFrame
ingested and read back online and point-in-time, errors mapped to exceptions, paged iteration."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from sextant import errors
from sextant.client import Entity, Feature, FeatureView, Sextant, load_definitions
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import governance_pb2
from tests.integration.sdk.conftest import Lending
from tests.integration.sdk.stack import T0, history

MERCHANTS = '''\
from datetime import timedelta
from sextant.client.definitions import Entity, Feature, FeatureView

merchant = Entity("merchant", join_keys=["merchant_id"], owner_team="payments")
views = {
    "risk": FeatureView("merchant_risk", entities=[merchant], owner_team="payments", ttl=timedelta(hours=36),
                        features=[Feature("chargebacks", "int64"), Feature("owner_sex", "string",
                                                                           sensitivity="pii", protected_basis="sex")]),
}
'''


def test_definitions_file_is_planned_then_applied_with_the_reviewed_digest(sx: Sextant, tmp_path: Path) -> None:
    path = tmp_path / "merchants.py"
    path.write_text(MERCHANTS)
    definitions = load_definitions(path)
    assert sorted(type(d).__name__ for d in definitions) == ["Entity", "FeatureView"]

    plan = sx.featurestore.plan(definitions)
    assert {(item.name, item.change_type) for item in plan.items} == {
        ("merchant", resources_pb2.CHANGE_TYPE_CREATED), ("merchant_risk", resources_pb2.CHANGE_TYPE_CREATED)}
    with pytest.raises(errors.NotFoundError):
        sx.featurestore.get_feature_view("merchant_risk")  # a plan writes nothing

    applied = sx.featurestore.apply(definitions, expected_plan_digest=plan.digest, change_note="merchants")
    assert applied.applied and applied.plan.digest == plan.digest
    view = sx.featurestore.get_feature_view("merchant_risk")
    assert view.version == 1 and view.ttl.ToTimedelta() == timedelta(hours=36)
    assert view.features[1].protected_basis == governance_pb2.PROTECTED_BASIS_SEX
    assert view.features[1].sensitivity == resources_pb2.SENSITIVITY_PII
    again = sx.featurestore.plan(load_definitions(path))
    assert {item.change_type for item in again.items} == {resources_pb2.CHANGE_TYPE_UNCHANGED}


def test_a_stale_plan_digest_is_a_conflict(sx: Sextant) -> None:
    entity = Entity("terminal", join_keys={"terminal_id": "string"}, owner_team="payments")
    with pytest.raises(errors.ConflictError) as caught:
        sx.featurestore.apply([entity], expected_plan_digest="0" * 64)
    assert caught.value.reason and caught.value.domain == "featurestore.sextant"


def test_lending_definitions_were_applied_from_the_file(lending: Lending, sx: Sextant) -> None:
    assert lending.applied.applied
    assert {e.name for e in lending.applied.entities} == {"customer"}
    assert sx.featurestore.get_feature_service("credit_model").features[0].version == 1
    assert [f.name for f in sx.featurestore.get_feature_view("credit_profile").features] == [
        "income", "debt_ratio", "region", "age"]


def test_dataframe_ingest_is_read_back_online(lending: Lending, sx: Sextant) -> None:
    assert lending.ingested.rows_written == len(history())
    assert lending.ingested.online_rows_written == history().customer_id.nunique()
    latest = history().sort_values("event_timestamp").groupby("customer_id").last()

    online = sx.featurestore.get_online_features(
        pd.DataFrame({"customer_id": [3, 7, 999]}), ["credit_profile:income", "credit_profile:region"],
        with_status=True)
    assert list(online.columns) == ["customer_id", "income", "income__status", "region", "region__status"]
    assert online.income[:2].tolist() == pytest.approx(latest.income.loc[[3, 7]].tolist())
    assert online.region[:2].tolist() == latest.region.loc[[3, 7]].tolist()
    assert online.income__status.tolist() == ["PRESENT", "PRESENT", "NOT_FOUND"]
    assert pd.isna(online.income[2])


def test_historical_features_are_point_in_time_correct(lending: Lending, sx: Sextant) -> None:
    first = history().sort_values("event_timestamp").groupby("customer_id").first()
    rows = pd.DataFrame({"customer_id": [0, 1, 2], "event_timestamp": [T0 + timedelta(days=10)] * 2 + [T0],
                         "label": [1, 0, 1]})

    frame = sx.featurestore.get_historical_features(rows, "credit_model")

    assert list(frame.columns) == ["customer_id", "event_timestamp", "label", "income", "debt_ratio"]
    assert frame.label.tolist() == [1, 0, 1]
    assert frame.income[:2].tolist() == pytest.approx(first.income.loc[[0, 1]].tolist())
    assert pd.isna(frame.income[2])  # customer 2's first observation is two hours after T0


def test_rpc_errors_become_sdk_exceptions_with_the_reason(sx: Sextant) -> None:
    with pytest.raises(errors.NotFoundError) as missing:
        sx.featurestore.get_feature_view("no_such_view")
    assert missing.value.reason == "FEATURE_VIEW_NOT_FOUND"
    assert missing.value.metadata["name"] == "no_such_view"

    with pytest.raises(errors.InvalidArgumentError) as bad:
        sx.featurestore.ingest("credit_profile", history().drop(columns=["event_timestamp"]))
    assert bad.value.reason == "MISSING_COLUMN"
    assert [v.field for v in bad.value.field_violations] == ["chunk[0].event_timestamp"]


def test_iterators_follow_page_tokens(sx: Sextant) -> None:
    pager = Entity("pager", join_keys=["pager_id"], owner_team="pager")
    names = [f"pager_view_{i}" for i in range(5)]
    sx.featurestore.apply([pager, *(FeatureView(name, entities=[pager], features=[Feature("x")], owner_team="pager")
                                    for name in names)])
    first_page = sx.featurestore.stub.ListFeatureViews(fs_pb2.ListFeatureViewsRequest(owner_team="pager",
                                                                                      page_size=2))
    assert len(first_page.feature_views) == 2 and first_page.next_page_token

    assert [v.name for v in sx.featurestore.iter_feature_views(owner_team="pager", page_size=2)] == names


def test_materialize_streams_progress_to_completion(lending: Lending, sx: Sextant) -> None:
    events = list(sx.featurestore.materialize(["credit_profile"], start_time=T0, end_time="2025-06-01T00:00:00"))
    assert events[-1].kind == fs_pb2.MATERIALIZATION_EVENT_KIND_COMPLETED
    completed = [e for e in events if e.kind == fs_pb2.MATERIALIZATION_EVENT_KIND_VIEW_COMPLETED]
    assert [e.feature_view for e in completed] == ["credit_profile"]
    assert completed[0].rows_written == history().customer_id.nunique()
