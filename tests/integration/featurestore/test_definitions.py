"""Definitions over gRPC on SQLite and PostgreSQL: versioned apply, plans, reads and change events."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import grpc
import pytest

from sextant.featurestore.v1 import events_pb2, resources_pb2
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.type.v1 import features_pb2, governance_pb2
from tests.integration.featurestore.helpers import (
    Client,
    T,
    connect,
    entity,
    error_info,
    feature,
    refs,
    start_server,
    view,
)

R = resources_pb2


def _credit(ttl: timedelta = timedelta(days=30), **changes: object) -> R.FeatureView:
    features = [feature("income", description="yearly income"),
                feature("age", T.DATA_TYPE_INT64, protected_basis=governance_pb2.PROTECTED_BASIS_AGE,
                        sensitivity=R.SENSITIVITY_PII)]
    definition = view("credit_profile", features, ttl=ttl)
    for field, value in changes.items():
        setattr(definition, field, value)
    return definition


def test_dry_run_plans_without_writing(client: Client) -> None:
    response = client.apply(entity(), _credit(), dry_run=True)
    assert not response.applied and response.revision == 0
    assert [(i.name, i.change_type) for i in response.plan.items] == [
        ("customer", R.CHANGE_TYPE_CREATED), ("credit_profile", R.CHANGE_TYPE_CREATED)]
    assert response.plan.created_count == 2
    assert re.fullmatch(r"[0-9a-f]{64}", response.feature_views[0].fingerprint)
    with pytest.raises(grpc.RpcError) as failure:
        client.stub.GetFeatureView(fs_pb2.GetFeatureViewRequest(name="credit_profile"))
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND


def test_versioned_apply_plans_changes_and_keeps_old_versions(client: Client) -> None:
    first = client.apply(entity(), _credit())
    assert first.applied and first.feature_views[0].version == 1
    fingerprint_v1 = first.feature_views[0].fingerprint

    again = client.apply(entity(), _credit())
    assert again.plan.unchanged_count == 2 and again.revision == 0
    assert again.feature_views[0].fingerprint == fingerprint_v1

    metadata_only = client.apply(entity(), _credit(description="new words"))
    item = metadata_only.plan.items[1]
    assert item.change_type == R.CHANGE_TYPE_CHANGED and not item.creates_version
    assert item.compatibility == R.COMPATIBILITY_COMPATIBLE and item.new_version == 1

    shorter = _credit(ttl=timedelta(days=7), description="new words")
    plan = client.apply(entity(), shorter, dry_run=True).plan
    item = plan.items[1]
    assert item.creates_version and item.compatibility == R.COMPATIBILITY_BREAKING
    assert (item.current_version, item.new_version) == (1, 2)
    assert [c.path for c in item.field_changes] == ["ttl"]
    assert plan.breaking_count == 1

    with pytest.raises(grpc.RpcError) as failure:
        client.apply(entity(), shorter, expected_plan_digest="0" * 64)
    assert failure.value.code() == grpc.StatusCode.ABORTED
    applied = client.apply(entity(), shorter, expected_plan_digest=plan.digest)
    v2 = applied.feature_views[0]
    assert v2.version == 2 and v2.fingerprint != fingerprint_v1

    old = client.stub.GetFeatureView(fs_pb2.GetFeatureViewRequest(name="credit_profile", version=1)).feature_view
    assert old.fingerprint == fingerprint_v1 and old.latest_version == 2
    assert old.ttl.seconds == 30 * 86400
    versions = client.stub.ListFeatureViewVersions(fs_pb2.ListFeatureViewVersionsRequest(name="credit_profile"))
    assert [v.version for v in versions.feature_views] == [2, 1]

    added = _credit(ttl=timedelta(days=7), description="new words")
    added.features.append(feature("debt"))
    item = client.apply(entity(), added).plan.items[1]
    assert item.compatibility == R.COMPATIBILITY_COMPATIBLE and item.new_version == 3


def test_governance_tag_change_is_breaking_and_resolve_exposes_tags(client: Client) -> None:
    client.apply(entity(), _credit())
    resolved = client.stub.ResolveFeatures(fs_pb2.ResolveFeaturesRequest(
        features=refs("credit_profile:age", "credit_profile@v1:income"))).features
    assert dict(resolved[0].tags) == {"protected_basis": "age", "sensitivity": "pii"}
    assert resolved[0].owner_team == "risk" and resolved[1].reference.version == 1
    untagged = _credit()
    untagged.features[1].ClearField("protected_basis")
    item = client.apply(entity(), untagged).plan.items[1]
    assert item.compatibility == R.COMPATIBILITY_BREAKING
    assert [c.path for c in item.field_changes] == ["features[age].protected_basis"]
    partial = client.stub.ResolveFeatures(fs_pb2.ResolveFeaturesRequest(
        features=refs("credit_profile:age", "nope:x", "credit_profile@v7:age"), allow_missing=True))
    assert [m.failure for m in partial.missing] == [fs_pb2.RESOLUTION_FAILURE_VIEW_NOT_FOUND,
                                                    fs_pb2.RESOLUTION_FAILURE_VERSION_NOT_FOUND]
    listed = client.stub.ListFeatureViews(fs_pb2.ListFeatureViewsRequest(
        protected_basis=governance_pb2.PROTECTED_BASIS_AGE))
    assert list(listed.feature_views) == []


def test_feature_services_pin_versions(client: Client) -> None:
    client.apply(entity(), _credit())
    service = R.FeatureService(name="credit_model", owner_team="ds", features=refs(
        "credit_profile:income", "credit_profile:age").references.references)
    applied = client.apply(service)
    assert [r.version for r in applied.feature_services[0].features] == [1, 1]
    client.apply(entity(), _credit(ttl=timedelta(days=1)))
    stored = client.stub.GetFeatureService(fs_pb2.GetFeatureServiceRequest(name="credit_model")).feature_service
    assert [r.version for r in stored.features] == [1, 1]
    resolved = client.stub.ResolveFeatures(fs_pb2.ResolveFeaturesRequest(
        features=features_pb2.FeatureSelection(feature_service="credit_model"))).features
    assert [r.resolved_version for r in resolved] == [1, 1]
    listed = client.stub.ListFeatureServices(fs_pb2.ListFeatureServicesRequest(feature_view="credit_profile"))
    assert [s.name for s in listed.feature_services] == ["credit_model"]


def test_bad_definitions_name_the_field(client: Client) -> None:
    cases = [
        (fs_pb2.ApplyDefinitionsRequest(entities=[entity("Bad Name")]), grpc.StatusCode.INVALID_ARGUMENT,
         "entities[0].name"),
        (fs_pb2.ApplyDefinitionsRequest(feature_views=[view("v", [feature("x")], entities=["ghost"])]),
         grpc.StatusCode.NOT_FOUND, None),
        (fs_pb2.ApplyDefinitionsRequest(entities=[entity()], feature_views=[
            view("v", [feature("x", tags={"sensitivity": "pii"})])]), grpc.StatusCode.INVALID_ARGUMENT,
         "feature_views[0].features[0].tags[sensitivity]"),
        (fs_pb2.ApplyDefinitionsRequest(entities=[entity()], feature_views=[
            view("v", [feature("x", T.DATA_TYPE_UNSPECIFIED)])]), grpc.StatusCode.INVALID_ARGUMENT,
         "feature_views[0].features[0].dtype"),
        (fs_pb2.ApplyDefinitionsRequest(entities=[entity()], feature_views=[
            view("v", [feature("x"), feature("x")])]), grpc.StatusCode.INVALID_ARGUMENT,
         "feature_views[0].features[1].name"),
    ]
    for request, code, field in cases:
        with pytest.raises(grpc.RpcError) as failure:
            client.stub.ApplyDefinitions(request)
        assert failure.value.code() == code
        info = error_info(failure.value)
        if field:
            assert info.metadata["field"] == field
        else:
            assert info.metadata["name"] == "ghost"
    assert list(client.stub.ListEntities(fs_pb2.ListEntitiesRequest()).entities) == []


def test_lists_page_and_refuse_bad_input(client: Client) -> None:
    client.apply(entity("a1"), entity("a2"), entity("a3"))
    page = client.stub.ListEntities(fs_pb2.ListEntitiesRequest(page_size=2))
    assert [e.name for e in page.entities] == ["a1", "a2"]
    rest = client.stub.ListEntities(fs_pb2.ListEntitiesRequest(page_size=2, page_token=page.next_page_token))
    assert [e.name for e in rest.entities] == ["a3"] and not rest.next_page_token
    with pytest.raises(grpc.RpcError) as failure:
        client.stub.ListEntities(fs_pb2.ListEntitiesRequest(page_size=-1))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    client.apply(entity("lending_desk", team="lending"))
    owned = client.stub.ListEntities(fs_pb2.ListEntitiesRequest(owner_team="lending"))
    assert [e.name for e in owned.entities] == ["lending_desk"]
    client.stub.DeleteEntity(fs_pb2.DeleteEntityRequest(name="lending_desk"))
    assert not client.stub.ListEntities(fs_pb2.ListEntitiesRequest(owner_team="lending")).entities
    shown = client.stub.ListEntities(fs_pb2.ListEntitiesRequest(owner_team="lending", show_deleted=True))
    assert [e.name for e in shown.entities] == ["lending_desk"] and shown.entities[0].HasField("delete_time")
    client.apply(entity(), view("b_view", [feature("x")]), view("a_view", [feature("x")]))
    client.apply(entity(), view("b_view", [feature("x")], ttl=timedelta(days=1)))
    newest = client.stub.ListFeatureViews(fs_pb2.ListFeatureViewsRequest(order_by="update_time desc", page_size=1))
    assert [v.name for v in newest.feature_views] == ["b_view"]
    older = client.stub.ListFeatureViews(fs_pb2.ListFeatureViewsRequest(
        order_by="update_time desc", page_size=1, page_token=newest.next_page_token))
    assert [v.name for v in older.feature_views] == ["a_view"]
    with pytest.raises(grpc.RpcError) as failure:
        client.stub.ListAuditRecords(fs_pb2.ListAuditRecordsRequest(order_by="colour"))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_change_events_are_emitted_and_resumable(client: Client) -> None:
    client.apply(entity(), _credit(), change_note="first")
    client.apply(entity(), _credit(ttl=timedelta(days=1)), change_note="shorter")
    stream = client.stub.WatchDefinitionChanges(fs_pb2.WatchDefinitionChangesRequest(after_revision=0), timeout=10)
    events = [next(stream).event for _ in range(3)]
    stream.cancel()
    assert [e.kind for e in events] == [events_pb2.DEFINITION_CHANGE_KIND_ENTITY_CREATED,
                                        events_pb2.DEFINITION_CHANGE_KIND_FEATURE_VIEW_CREATED,
                                        events_pb2.DEFINITION_CHANGE_KIND_FEATURE_VIEW_VERSION_CREATED]
    assert [e.revision for e in events] == [1, 2, 3]
    change = events[2].feature_view_change
    assert (change.old_version, change.new_version) == (1, 2)
    assert change.compatibility == R.COMPATIBILITY_BREAKING and events[2].change_note == "shorter"
    assert change.old_fingerprint == events[1].feature_view_change.new_fingerprint

    resumed = client.stub.WatchDefinitionChanges(fs_pb2.WatchDefinitionChangesRequest(
        after_revision=2, feature_views=["credit_profile"]), timeout=10)
    first = next(resumed).event
    assert first.revision == 3
    client.apply(entity(), _credit(ttl=timedelta(days=2)))
    live = next(resumed).event
    resumed.cancel()
    assert live.revision == 4 and live.feature_view_change.new_version == 3
    filtered = client.stub.WatchDefinitionChanges(fs_pb2.WatchDefinitionChangesRequest(
        owner_teams=["risk"], kinds=[events_pb2.DEFINITION_CHANGE_KIND_ENTITY_CREATED]), timeout=10)
    only = next(filtered).event
    filtered.cancel()
    assert (only.revision, only.entity_change.entity) == (1, "customer")
    with pytest.raises(grpc.RpcError) as failure:
        next(iter(client.stub.WatchDefinitionChanges(fs_pb2.WatchDefinitionChangesRequest(after_revision=-1))))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_replica_sees_definitions_applied_elsewhere(tmp_path: Path, database_url: str) -> None:
    """Each replica caches definitions; the outbox follower invalidates them after another's apply."""
    first, second = start_server(tmp_path / "a", database_url), start_server(tmp_path / "b", database_url)
    channel_a, client_a = connect(first)
    channel_b, client_b = connect(second)
    try:
        client_a.apply(entity(), _credit())
        assert client_b.stub.GetFeatureView(fs_pb2.GetFeatureViewRequest(name="credit_profile")).feature_view.version == 1
        client_a.apply(entity(), _credit(ttl=timedelta(days=1)))
        version = 1
        for _ in range(100):  # the follower polls every half second at most
            version = client_b.stub.GetFeatureView(
                fs_pb2.GetFeatureViewRequest(name="credit_profile")).feature_view.version
            if version == 2:
                break
            time.sleep(0.05)
        assert version == 2
    finally:
        channel_a.close()
        channel_b.close()
        first.stop(0)
        second.stop(0)


def test_deletes_respect_users_and_keep_versions_readable(client: Client) -> None:
    client.apply(entity(), _credit())
    client.apply(R.FeatureService(name="svc", owner_team="ds", features=refs("credit_profile:income")
                                  .references.references))
    for call, reason in ((lambda: client.stub.DeleteEntity(fs_pb2.DeleteEntityRequest(name="customer")),
                          "ENTITY_IN_USE"),
                         (lambda: client.stub.DeleteFeatureView(fs_pb2.DeleteFeatureViewRequest(name="credit_profile")),
                          "FEATURE_VIEW_IN_USE")):
        with pytest.raises(grpc.RpcError) as failure:
            call()
        assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert error_info(failure.value).reason == reason
    client.stub.DeleteFeatureService(fs_pb2.DeleteFeatureServiceRequest(name="svc"))
    deleted = client.stub.DeleteFeatureView(fs_pb2.DeleteFeatureViewRequest(name="credit_profile", change_note="bye"))
    assert deleted.feature_view.HasField("delete_time") and deleted.revision > 0
    with pytest.raises(grpc.RpcError) as failure:
        client.stub.GetFeatureView(fs_pb2.GetFeatureViewRequest(name="credit_profile"))
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND
    pinned = client.stub.GetFeatureView(fs_pb2.GetFeatureViewRequest(name="credit_profile", version=1))
    assert pinned.feature_view.version == 1
    assert list(client.stub.ListFeatureViews(fs_pb2.ListFeatureViewsRequest()).feature_views) == []
    assert len(client.stub.ListFeatureViews(fs_pb2.ListFeatureViewsRequest(show_deleted=True)).feature_views) == 1
    client.stub.DeleteEntity(fs_pb2.DeleteEntityRequest(name="customer"))
    recreated = client.apply(entity(), _credit())
    assert recreated.plan.items[1].change_type == R.CHANGE_TYPE_CREATED
    assert recreated.feature_views[0].version == 2


def test_prune_deletes_what_the_team_no_longer_declares(client: Client) -> None:
    other = view("other_team_view", [feature("x")], team="growth")
    client.apply(entity(), _credit(), view("old_view", [feature("y")]), other)
    plan = client.apply(entity(), _credit(), prune=True, dry_run=True).plan
    assert [(i.name, i.change_type) for i in plan.items if i.change_type == R.CHANGE_TYPE_DELETED] == [
        ("old_view", R.CHANGE_TYPE_DELETED)]
    assert plan.deleted_count == 1
    client.apply(entity(), _credit(), prune=True)
    names = [v.name for v in client.stub.ListFeatureViews(fs_pb2.ListFeatureViewsRequest()).feature_views]
    assert names == ["credit_profile", "other_team_view"]
    with pytest.raises(grpc.RpcError) as failure:
        client.apply(view("credit_profile", [feature("income")]), prune=True)  # would prune the entity in use
    assert failure.value.code() == grpc.StatusCode.FAILED_PRECONDITION
