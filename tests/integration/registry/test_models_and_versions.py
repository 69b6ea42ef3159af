"""Registered models and versions: CRUD, dedupe by artifact, Get by number/alias/latest, search, bad input."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import resources_pb2
from sextant.type.v1 import model_pb2, types_pb2
from tests.integration.registry.registry_kit import (
    RegistryClient,
    promotable_lineage,
    tiny_onnx,
    tiny_signature,
)


def _field_of(error: grpc.RpcError) -> str:
    status = rpc_status.from_call(error)
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.metadata.get("field", "")
    return ""


def _fails(call, code: grpc.StatusCode) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    assert caught.value.code() == code, caught.value.details()
    return caught.value


def test_model_crud_and_delete_refused_while_aliased(registry: RegistryClient) -> None:
    created = registry.create_model("credit_default", description="default risk", tags={"team": "risk"})
    assert created.creator and created.latest_version == 0
    _fails(lambda: registry.create_model("credit_default"), grpc.StatusCode.ALREADY_EXISTS)
    registry.create_model("fraud-score", tags={"team": "fraud"})

    updated = registry.stub.UpdateRegisteredModel(pb.UpdateRegisteredModelRequest(
        model=resources_pb2.RegisteredModel(name="credit_default", description="new", owner_team="credit-risk"),
        update_mask=field_mask_pb2.FieldMask(paths=["description", "owner_team"]))).model
    assert (updated.description, updated.owner_team, updated.domain) == ("new", "credit-risk", "credit")
    error = _fails(lambda: registry.stub.UpdateRegisteredModel(pb.UpdateRegisteredModelRequest(
        model=resources_pb2.RegisteredModel(name="credit_default", domain="x"),
        update_mask=field_mask_pb2.FieldMask(paths=["domain"]))), grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == "update_mask.paths[0]"

    listed = registry.stub.ListRegisteredModels(pb.ListRegisteredModelsRequest(page_size=1))
    assert [m.name for m in listed.models] == ["credit_default"]
    second = registry.stub.ListRegisteredModels(pb.ListRegisteredModelsRequest(page_size=1,
                                                                              page_token=listed.next_page_token))
    assert [m.name for m in second.models] == ["fraud-score"] and not second.next_page_token
    tagged = registry.stub.ListRegisteredModels(pb.ListRegisteredModelsRequest(
        tags=[pb.TagFilter(key="team", value="fraud")], order_by="create_time desc"))
    assert [m.name for m in tagged.models] == ["fraud-score"]

    registry.register("credit_default")
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="credit_default", alias="staging", version=1))
    error = _fails(lambda: registry.stub.DeleteRegisteredModel(pb.DeleteRegisteredModelRequest(name="credit_default")),
                   grpc.StatusCode.FAILED_PRECONDITION)
    assert "staging" in error.details()
    registry.stub.DeleteAlias(pb.DeleteAliasRequest(model_name="credit_default", alias="staging"))
    deleted = registry.stub.DeleteRegisteredModel(pb.DeleteRegisteredModelRequest(name="credit_default"))
    assert deleted.deleted_version_count == 1
    _fails(lambda: registry.stub.GetRegisteredModel(pb.GetRegisteredModelRequest(name="credit_default")),
           grpc.StatusCode.NOT_FOUND)


def test_versions_lineage_dedupe_and_selectors(registry: RegistryClient) -> None:
    registry.create_model("m")
    lineage = resources_pb2.Lineage(
        training_job_id="job-1", run_id="run-3", dataset_digest="ab" * 32, policy_decision_id="dec_1",
        features=[types_pb2.ResolvedFeature(
            reference=types_pb2.FeatureReference(feature_view="credit_profile", feature="income"),
            resolved_version=2, fingerprint="f" * 64)],
        parity_report=types_pb2.ParityReport(passed=True, rows_checked=100))
    first = registry.create_version("m", tiny_onnx(0), metrics={"roc_auc": 0.8}, params={"C": "1.0"},
                                    tags={"stage": "dev"}, lineage=lineage)
    assert not first.already_exists and first.model_version.status == resources_pb2.MODEL_VERSION_STATUS_PENDING
    again = registry.create_version("m", tiny_onnx(0))
    assert again.already_exists and again.model_version.version == first.model_version.version
    registry.upload("m", 1, tiny_onnx(0))
    registry.register("m", tiny_onnx(1), metrics={"roc_auc": 0.9})
    registry.create_version("m", tiny_onnx(2))  # stays PENDING

    full = registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", version=1)).model_version
    assert full.lineage.training_job_id == "job-1" and full.lineage.features[0].fingerprint == "f" * 64
    assert full.lineage.parity_report.passed and dict(full.metrics) == {"roc_auc": 0.8}
    assert dict(full.params) == {"C": "1.0"} and full.ready_time.seconds > 0
    basic = registry.stub.GetModelVersion(pb.GetModelVersionRequest(
        model_name="m", version=1, view=resources_pb2.MODEL_VERSION_VIEW_BASIC)).model_version
    assert not basic.HasField("lineage")
    latest = registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", latest=True))
    assert latest.model_version.version == 2 and latest.revision > 0
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1))
    by_alias = registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", alias="staging")).model_version
    assert by_alias.version == 1 and list(by_alias.aliases) == ["staging"]

    updated = registry.stub.UpdateModelVersion(pb.UpdateModelVersionRequest(
        model_version=resources_pb2.ModelVersion(model_name="m", version=1, tags={"stage": "prod"}),
        update_mask=field_mask_pb2.FieldMask(paths=["tags"]))).model_version
    assert dict(updated.tags) == {"stage": "prod"}

    _fails(lambda: registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", version=9)),
           grpc.StatusCode.NOT_FOUND)
    _fails(lambda: registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", alias="nope")),
           grpc.StatusCode.NOT_FOUND)
    _fails(lambda: registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="zz", version=1)),
           grpc.StatusCode.NOT_FOUND)


def test_get_by_alias_matches_get_by_number_as_the_version_changes(registry: RegistryClient) -> None:
    # The by-alias read serves a version's immutable part from a cache: every mutable field must still
    # be current, and the answer must equal the by-number one, in both views.
    registry.create_model("m")
    registry.register("m", tiny_onnx(0), metrics={"roc_auc": 0.7}, params={"C": "2"}, tags={"stage": "dev"},
                      lineage=promotable_lineage(run_id="run-9"))
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="canary", version=1))

    def same_answers() -> resources_pb2.ModelVersion:
        for view in (resources_pb2.MODEL_VERSION_VIEW_FULL, resources_pb2.MODEL_VERSION_VIEW_BASIC):
            by_alias = registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", alias="canary",
                                                                               view=view))
            by_number = registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", version=1,
                                                                                view=view))
            assert by_alias.model_version == by_number.model_version
            assert by_alias.revision >= 1
        return by_alias.model_version

    first = same_answers()
    assert first.lineage.ByteSize() == 0 and dict(first.tags) == {"stage": "dev"}
    assert registry.stub.GetModelVersion(pb.GetModelVersionRequest(
        model_name="m", alias="canary")).model_version.lineage.run_id == "run-9"
    registry.stub.UpdateModelVersion(pb.UpdateModelVersionRequest(
        model_version=resources_pb2.ModelVersion(model_name="m", version=1, description="tuned", tags={"stage": "qa"}),
        update_mask=field_mask_pb2.FieldMask(paths=["description", "tags"])))
    registry.stub.MarkVersionStale(pb.MarkVersionStaleRequest(model_name="m", version=1, reason="manual check"))
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1))
    changed = same_answers()
    assert changed.description == "tuned" and dict(changed.tags) == {"stage": "qa"}
    assert changed.stale and changed.stale_reasons[0].message == "manual check"
    assert list(changed.aliases) == ["canary", "staging"] and changed.update_time.ToDatetime() >= \
        first.update_time.ToDatetime()


def test_search_filters_order_and_pagination(gated_registry: RegistryClient) -> None:
    registry = gated_registry  # beta/1 goes to `production`, which the real policy service gates
    for name in ("alpha", "beta"):
        registry.create_model(name)
    for seed, (model, auc, tag) in enumerate([("alpha", 0.70, "a"), ("alpha", 0.95, "b"), ("beta", 0.85, "a"),
                                              ("beta", 0.60, "b")]):
        # beta/1 goes to `production`, so it carries the evidence the real policy service's reg-b asks for.
        registry.register(model, tiny_onnx(seed), metrics={"auc": auc}, tags={"kind": tag},
                          lineage=promotable_lineage(training_job_id=f"job-{seed}"))
    registry.create_version("alpha", tiny_onnx(10))  # PENDING, no metric
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="beta", alias="production", version=1))
    registry.stub.MarkVersionStale(pb.MarkVersionStaleRequest(model_name="alpha", version=1, reason="checked"))

    def search(**fields: object) -> list[tuple[str, int]]:
        reply = registry.stub.ListModelVersions(pb.ListModelVersionsRequest(**fields))
        return [(v.model_name, v.version) for v in reply.model_versions]

    assert search(metrics=[pb.MetricFilter(metric="auc", value=0.8,
                                           comparison=model_pb2.COMPARISON_OPERATOR_GREATER_THAN)],
                  order_by="metrics.auc desc") == [("alpha", 2), ("beta", 1)]
    assert search(order_by="metrics.auc") == [("beta", 2), ("alpha", 1), ("beta", 1), ("alpha", 2), ("alpha", 3)]
    assert search(statuses=[resources_pb2.MODEL_VERSION_STATUS_PENDING]) == [("alpha", 3)]
    assert search(model_name="beta", order_by="version") == [("beta", 1), ("beta", 2)]
    assert search(tags=[pb.TagFilter(key="kind", value="a")], order_by="model_name, version") == [
        ("alpha", 1), ("beta", 1)]
    assert search(stale=True) == [("alpha", 1)]
    assert search(alias="production") == [("beta", 1)]
    assert search(training_job_id="job-3") == [("beta", 2)]
    with_alias = registry.stub.ListModelVersions(pb.ListModelVersionsRequest(alias="production")).model_versions[0]
    assert list(with_alias.aliases) == ["production"] and dict(with_alias.tags) == {"kind": "a"}

    seen, token = [], ""
    for _ in range(10):
        page = registry.stub.ListModelVersions(pb.ListModelVersionsRequest(page_size=2, page_token=token,
                                                                           order_by="metrics.auc desc"))
        seen += [(v.model_name, v.version) for v in page.model_versions]
        token = page.next_page_token
        if not token:
            break
    assert seen == [("alpha", 2), ("beta", 1), ("alpha", 1), ("beta", 2), ("alpha", 3)]
    error = _fails(lambda: registry.stub.ListModelVersions(pb.ListModelVersionsRequest(
        page_size=2, page_token=token or "bm90LWEtdG9rZW4", order_by="version")), grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == "page_token"


@pytest.mark.parametrize(("request_factory", "field"), [
    (lambda: pb.CreateRegisteredModelRequest(model=resources_pb2.RegisteredModel(
        name="Bad Name", owner_team="t", domain="d")), "model.name"),
    (lambda: pb.CreateRegisteredModelRequest(model=resources_pb2.RegisteredModel(
        name="ok", owner_team="", domain="d")), "model.owner_team"),
])
def test_bad_model_input_names_the_field(sqlite_registry: RegistryClient, request_factory, field: str) -> None:
    error = _fails(lambda: sqlite_registry.stub.CreateRegisteredModel(request_factory()), grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == field


def test_bad_version_input_names_the_field(sqlite_registry: RegistryClient) -> None:
    sqlite_registry.create_model("m")
    empty = types_pb2.ModelSignature()
    error = _fails(lambda: sqlite_registry.stub.CreateModelVersion(pb.CreateModelVersionRequest(
        model_name="m", model_version=resources_pb2.ModelVersion(
            format=resources_pb2.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION,
            signature=empty, artifact_sha256="a" * 64, artifact_size_bytes=10))), grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == "model_version.signature.inputs"
    error = _fails(lambda: sqlite_registry.stub.CreateModelVersion(pb.CreateModelVersionRequest(
        model_name="m", model_version=resources_pb2.ModelVersion(
            format=resources_pb2.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION,
            signature=tiny_signature(), artifact_sha256="xyz", artifact_size_bytes=10))),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == "model_version.artifact_sha256"
    error = _fails(lambda: sqlite_registry.stub.ListModelVersions(pb.ListModelVersionsRequest(page_size=-1)),
                   grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == "page_size"
    error = _fails(lambda: sqlite_registry.stub.ListModelVersions(pb.ListModelVersionsRequest(order_by="colour")),
                   grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == "order_by"
    _fails(lambda: sqlite_registry.create_version("unknown", tiny_onnx()), grpc.StatusCode.NOT_FOUND)
    error = _fails(lambda: sqlite_registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="123", version=1)),
                   grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == "alias"
    sqlite_registry.create_version("m", b"not onnx")
    with pytest.raises(grpc.RpcError):
        sqlite_registry.upload("m", 1, b"not onnx")
    _fails(lambda: sqlite_registry.stub.ApproveModelVersion(pb.ApproveModelVersionRequest(model_name="m", version=1)),
           grpc.StatusCode.FAILED_PRECONDITION)
    error = _fails(lambda: sqlite_registry.stub.ListAuditRecords(pb.ListAuditRecordsRequest(order_by="colour")),
                   grpc.StatusCode.INVALID_ARGUMENT)
    assert _field_of(error) == "order_by"
