"""The event feed (resumable without loss) and staleness (by RPC and from feature store definition
changes of the real feature store, resumed from the stored cursor after a registry restart)."""

from __future__ import annotations

import time
from collections.abc import Callable

import grpc
import pytest

from services.common.server import RunningServer
from sextant.featurestore.v1 import resources_pb2 as fs_resources_pb2
from sextant.registry.v1 import events_pb2, resources_pb2
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.type.v1 import model_pb2, types_pb2
from tests.integration.registry.registry_kit import FeatureStore, RegistryClient, read_events, tiny_onnx

K = events_pb2


def test_event_stream_resumes_without_loss(registry: RegistryClient) -> None:
    registry.create_model("m")
    registry.register("m", tiny_onnx(0))
    first = read_events(registry, 0, 2)
    assert [e.kind for e in first] == [K.REGISTRY_EVENT_KIND_MODEL_CREATED, K.REGISTRY_EVENT_KIND_VERSION_CREATED]
    # While the subscriber is away, more happens.
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1))
    registry.create_model("other")
    registry.stub.MarkVersionStale(pb.MarkVersionStaleRequest(model_name="m", version=1, reason="manual check"))
    rest = read_events(registry, first[-1].revision, 5)
    assert [e.kind for e in rest] == [K.REGISTRY_EVENT_KIND_VERSION_VALIDATING, K.REGISTRY_EVENT_KIND_VERSION_READY,
                                      K.REGISTRY_EVENT_KIND_ALIAS_MOVED, K.REGISTRY_EVENT_KIND_MODEL_CREATED,
                                      K.REGISTRY_EVENT_KIND_VERSION_MARKED_STALE]
    revisions = [e.revision for e in first + rest]
    assert revisions == list(range(revisions[0], revisions[0] + 7))
    moved = rest[2].alias_moved
    assert moved.change.revision == rest[2].revision and moved.owner_team == "risk" and not moved.protected
    assert rest[4].version_marked_stale.aliases == ["staging"]
    only_m = read_events(registry, 0, 3, model_names=["m"], kinds=[K.REGISTRY_EVENT_KIND_MODEL_CREATED,
                                                               K.REGISTRY_EVENT_KIND_ALIAS_MOVED,
                                                               K.REGISTRY_EVENT_KIND_VERSION_MARKED_STALE])
    assert [e.kind for e in only_m] == [K.REGISTRY_EVENT_KIND_MODEL_CREATED, K.REGISTRY_EVENT_KIND_ALIAS_MOVED,
                                            K.REGISTRY_EVENT_KIND_VERSION_MARKED_STALE]
    with pytest.raises(grpc.RpcError) as caught:
        read_events(registry, 10_000, 1)
    assert caught.value.code() == grpc.StatusCode.OUT_OF_RANGE
    with pytest.raises(grpc.RpcError) as caught:
        read_events(registry, -1, 1)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_mark_and_clear_stale_by_rpc(registry: RegistryClient) -> None:
    registry.create_model("m")
    registry.register("m")
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.MarkVersionStale(pb.MarkVersionStaleRequest(model_name="m", version=1, reason=" "))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    marked = registry.stub.MarkVersionStale(pb.MarkVersionStaleRequest(
        model_name="m", version=1, reason="label leak suspected", feature_view="credit_profile")).model_version
    assert marked.stale and marked.stale_reasons[0].source == model_pb2.STALE_REASON_SOURCE_MANUAL
    assert marked.stale_reasons[0].feature_view == "credit_profile"
    listed = registry.stub.ListModelVersions(pb.ListModelVersionsRequest(stale=True)).model_versions
    assert [v.version for v in listed] == [1]
    cleared = registry.stub.ClearVersionStale(pb.ClearVersionStaleRequest(model_name="m", version=1,
                                                                          reason="checked")).model_version
    assert not cleared.stale and not cleared.stale_reasons
    latest = registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", version=1)).revision
    registry.stub.ClearVersionStale(pb.ClearVersionStaleRequest(model_name="m", version=1, reason="again"))
    assert registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", version=1)).revision == latest
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.MarkVersionStale(pb.MarkVersionStaleRequest(model_name="m", version=5, reason="x"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def _lineage(view: fs_resources_pb2.FeatureView) -> resources_pb2.Lineage:
    return resources_pb2.Lineage(training_job_id="job", features=[types_pb2.ResolvedFeature(
        reference=types_pb2.FeatureReference(feature_view=view.name, feature="income"),
        resolved_version=view.version, fingerprint=view.fingerprint)])


def _wait_stale(client: RegistryClient, model: str, version: int) -> resources_pb2.ModelVersion:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        current = client.stub.GetModelVersion(pb.GetModelVersionRequest(model_name=model, version=version))
        if current.model_version.stale:
            return current.model_version
        time.sleep(0.05)
    raise AssertionError(f"{model}/{version} was not marked stale within 15 s")


def test_definition_change_marks_versions_stale_across_a_restart(
        start_registry: Callable[..., RunningServer], database_url: str, featurestore: FeatureStore) -> None:
    profile_v1, _ = featurestore.apply_view("credit_profile", "1")
    payments_v1, _ = featurestore.apply_view("payments", "1")
    settings = {"featurestore_address": featurestore.address, "staleness_follower": True,
                "staleness_retry_seconds": 0.1}
    first = start_registry(database_url, **settings)
    client = RegistryClient(first.address)
    client.create_model("m")
    client.register("m", tiny_onnx(0), lineage=_lineage(profile_v1))
    client.register("m", tiny_onnx(1), lineage=_lineage(payments_v1))
    # A new tag is a new definition: the feature store makes version 2 and announces it.
    profile_v2, profile_revision = featurestore.apply_view("credit_profile", "2")
    assert (profile_v2.version, profile_v2.fingerprint != profile_v1.fingerprint) == (2, True)
    client.register("m", tiny_onnx(2), lineage=_lineage(profile_v2))  # trained on the new definition
    stale = _wait_stale(client, "m", 1)
    (reason,) = stale.stale_reasons
    assert reason.source == model_pb2.STALE_REASON_SOURCE_FEATURE_DEFINITION_CHANGE
    assert (reason.feature_view, reason.old_view_version, reason.new_view_version) == ("credit_profile", 1, 2)
    assert (reason.old_fingerprint, reason.new_fingerprint) == (profile_v1.fingerprint, profile_v2.fingerprint)
    assert 0 < reason.featurestore_revision <= profile_revision
    marked = read_events(client, 0, 1, kinds=[K.REGISTRY_EVENT_KIND_VERSION_MARKED_STALE])
    assert marked[0].version == 1 and marked[0].version_marked_stale.owner_team == "risk"
    # Cleared by hand: a registry that replayed the stream from the start would mark it again.
    client.stub.ClearVersionStale(pb.ClearVersionStaleRequest(model_name="m", version=1, reason="reviewed"))
    client.close()
    first.stop(0)

    # While the registry is down the feature store moves on; the restarted registry resumes after the
    # revision it applied last.
    payments_v2, _ = featurestore.apply_view("payments", "2")
    second = start_registry(database_url, **settings)
    client = RegistryClient(second.address)
    try:
        (reason,) = _wait_stale(client, "m", 2).stale_reasons
        assert (reason.feature_view, reason.old_fingerprint, reason.new_fingerprint) == (
            "payments", payments_v1.fingerprint, payments_v2.fingerprint)
        assert reason.featurestore_revision > profile_revision
        versions = {v.version: v for v in client.stub.ListModelVersions(
            pb.ListModelVersionsRequest(model_name="m")).model_versions}
        assert not versions[1].stale  # the change before the restart was not applied again
        assert not versions[3].stale  # trained on the new definition already
        by_view = client.stub.ListModelVersions(pb.ListModelVersionsRequest(feature_view="credit_profile",
                                                                            order_by="version"))
        assert [v.version for v in by_view.model_versions] == [1, 3]
        marked = read_events(client, 0, 2, kinds=[K.REGISTRY_EVENT_KIND_VERSION_MARKED_STALE])
        assert [e.version for e in marked] == [1, 2]
    finally:
        client.close()
