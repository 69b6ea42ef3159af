"""The registry's gRPC edge: validate and convert requests, call the domain objects, convert back.

ListAuditRecords is not defined here: the common kit attaches it to every service (services/common/audit.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc

from services.common.app import ServiceContext
from services.common.artifacts import ArtifactStore, FilesystemArtifactStore, S3ArtifactStore
from services.common.dependencies import Dependency
from services.common.errors import InvalidArgument
from services.common.fieldmask import checked_paths
from services.common.handlers import bytes_field
from services.common.logging import bind_request
from services.registry import converters
from services.registry.aliases import Aliases, AliasOutcome
from services.registry.approvals import Approvals
from services.registry.artifact_transfer import ArtifactTransfer, UploadHeader
from services.registry.definition_follower import DefinitionChangeFollower
from services.registry.event_log import RegistryEventLog
from services.registry.model_catalog import ModelCatalog
from services.registry.promotion import PolicyGate
from services.registry.records import check_name, check_tags
from services.registry.repository import RegistryRepository
from services.registry.settings import RegistrySettings
from services.registry.staleness import Staleness
from services.registry.validation import BackgroundValidator
from services.registry.version_search import VersionQuery, VersionSearch
from sextant.featurestore.v1 import featurestore_service_pb2, featurestore_service_pb2_grpc
from sextant.policy.v1 import policy_service_pb2, policy_service_pb2_grpc
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import resources_pb2
from sextant.type.v1 import model_pb2

#: The longest model name (see records.NAME_PATTERN).
MAX_NAME_LENGTH = 63

#: How long before the call's deadline an upload waiting for validation gives up and says so.
_DEADLINE_MARGIN_SECONDS = 0.25
_CHUNK_FIELD = pb.DownloadArtifactResponse.DESCRIPTOR.fields_by_name["chunk"].number

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["RegistryService"].full_name
_COMPARISON_PREFIX = "COMPARISON_OPERATOR_"


def _full_view(view: int, default_full: bool) -> bool:
    if view == resources_pb2.MODEL_VERSION_VIEW_UNSPECIFIED:
        return default_full
    if view not in resources_pb2.ModelVersionView.values():
        raise InvalidArgument("view", "expected BASIC or FULL")
    return view == resources_pb2.MODEL_VERSION_VIEW_FULL


class RegistryServicer:
    """Implements sextant.registry.v1.RegistryService on the registry's domain objects."""

    def __init__(self, catalog: ModelCatalog, search: VersionSearch, transfer: ArtifactTransfer, aliases: Aliases,
                 staleness: Staleness, events: RegistryEventLog, approvals: Approvals) -> None:
        self._catalog = catalog
        self._search = search
        self._transfer = transfer
        self._aliases = aliases
        self._staleness = staleness
        self._events = events
        self._approvals = approvals

    # -- registered models -------------------------------------------------------------------

    def CreateRegisteredModel(self, request: pb.CreateRegisteredModelRequest, _context: grpc.ServicerContext
                              ) -> pb.CreateRegisteredModelResponse:
        model = self._catalog.create_model(converters.model_from_proto(request.model))
        return pb.CreateRegisteredModelResponse(model=converters.model_to_proto(model))

    def GetRegisteredModel(self, request: pb.GetRegisteredModelRequest, _context: grpc.ServicerContext
                           ) -> pb.GetRegisteredModelResponse:
        return pb.GetRegisteredModelResponse(model=converters.model_to_proto(self._catalog.get_model(request.name)))

    def ListRegisteredModels(self, request: pb.ListRegisteredModelsRequest, _context: grpc.ServicerContext
                             ) -> pb.ListRegisteredModelsResponse:
        if len(request.name_prefix) > MAX_NAME_LENGTH:
            # A prefix longer than any name matches nothing, and SQLite refuses LIKE patterns over 50 kB.
            raise InvalidArgument("name_prefix", f"at most {MAX_NAME_LENGTH} characters, the longest model name")
        models, token = self._catalog.list_models(
            page_size=request.page_size, page_token=request.page_token, owner_team=request.owner_team,
            domain=request.domain, tags=[(t.key, t.value) for t in request.tags], name_prefix=request.name_prefix,
            order_by=request.order_by)
        return pb.ListRegisteredModelsResponse(models=[converters.model_to_proto(m) for m in models],
                                               next_page_token=token)

    def UpdateRegisteredModel(self, request: pb.UpdateRegisteredModelRequest, _context: grpc.ServicerContext
                              ) -> pb.UpdateRegisteredModelResponse:
        check_name(request.model.name, "model.name")
        changes: dict[str, Any] = {}
        for path in checked_paths(request.update_mask.paths, ("description", "owner_team", "tags")):
            if path == "description":
                changes["description"] = request.model.description
            elif path == "owner_team":
                if not request.model.owner_team.strip():
                    raise InvalidArgument("model.owner_team", "expected the owning team")
                changes["owner_team"] = request.model.owner_team
            else:
                changes["tags"] = check_tags(dict(request.model.tags), "model.tags")
        model = self._catalog.update_model(request.model.name, changes)
        return pb.UpdateRegisteredModelResponse(model=converters.model_to_proto(model))

    def DeleteRegisteredModel(self, request: pb.DeleteRegisteredModelRequest, _context: grpc.ServicerContext
                              ) -> pb.DeleteRegisteredModelResponse:
        return pb.DeleteRegisteredModelResponse(deleted_version_count=self._catalog.delete_model(request.name))

    # -- model versions ----------------------------------------------------------------------

    def CreateModelVersion(self, request: pb.CreateModelVersionRequest, _context: grpc.ServicerContext
                           ) -> pb.CreateModelVersionResponse:
        bind_request(model=request.model_name)
        check_name(request.model_name, "model_name")
        given = request.model_version.model_name
        if given and given != request.model_name:
            raise InvalidArgument("model_version.model_name", "expected empty or equal to model_name")
        new = converters.new_version_from_proto(request.model_version)
        version, existed = self._catalog.create_version(request.model_name, new)
        return pb.CreateModelVersionResponse(model_version=converters.version_to_proto(version, full=True),
                                             already_exists=existed)

    def GetModelVersion(self, request: pb.GetModelVersionRequest, _context: grpc.ServicerContext
                        ) -> pb.GetModelVersionResponse:
        bind_request(model=request.model_name)
        full = _full_view(request.view, default_full=True)
        selector = request.WhichOneof("selector")
        if selector == "alias":
            check_name(request.alias, "alias")
            row = self._catalog.alias_version_row(request.model_name, request.alias)
            response = pb.GetModelVersionResponse(revision=row[-1] or 0)
            converters.fill_version_from_alias_row(response.model_version, row, full=full)
            return response
        if selector == "version":
            version, revision = self._catalog.get_version(request.model_name, number=request.version)
        elif selector == "latest" and request.latest:
            version, revision = self._catalog.get_version(request.model_name, latest=True)
        else:
            raise InvalidArgument("selector", "expected exactly one of version, alias or latest=true")
        return pb.GetModelVersionResponse(model_version=converters.version_to_proto(version, full=full),
                                          revision=revision)

    def ListModelVersions(self, request: pb.ListModelVersionsRequest, _context: grpc.ServicerContext
                          ) -> pb.ListModelVersionsResponse:
        full = _full_view(request.view, default_full=False)
        metrics = []
        for i, condition in enumerate(request.metrics):
            if condition.comparison not in model_pb2.ComparisonOperator.values() or not condition.comparison:
                raise InvalidArgument(f"metrics[{i}].comparison", "expected a comparison operator")
            operator = model_pb2.ComparisonOperator.Name(condition.comparison).removeprefix(_COMPARISON_PREFIX)
            metrics.append((condition.metric, operator, condition.value))
        if request.model_name:
            check_name(request.model_name, "model_name")
        query = VersionQuery(
            model_name=request.model_name,
            statuses=tuple(converters.status_name(s, f"statuses[{i}]") for i, s in enumerate(request.statuses)),
            tags=tuple((t.key, t.value) for t in request.tags), alias=request.alias,
            stale=request.stale if request.HasField("stale") else None, metrics=tuple(metrics),
            create_time_start=converters.from_timestamp(request.create_time_start, "create_time_start")
            if request.HasField("create_time_start") else None,
            create_time_end=converters.from_timestamp(request.create_time_end, "create_time_end")
            if request.HasField("create_time_end") else None,
            feature_view=request.feature_view, training_job_id=request.training_job_id, order_by=request.order_by)
        versions, token = self._search.search(query, page_size=request.page_size, page_token=request.page_token)
        return pb.ListModelVersionsResponse(model_versions=[converters.version_to_proto(v, full=full)
                                                            for v in versions], next_page_token=token)

    def UpdateModelVersion(self, request: pb.UpdateModelVersionRequest, _context: grpc.ServicerContext
                           ) -> pb.UpdateModelVersionResponse:
        check_name(request.model_version.model_name, "model_version.model_name")
        changes: dict[str, Any] = {}
        failure: str | None = None
        for path in checked_paths(request.update_mask.paths, ("description", "tags", "status")):
            if path == "description":
                changes["description"] = request.model_version.description
            elif path == "tags":
                changes["tags"] = check_tags(dict(request.model_version.tags), "model_version.tags")
            else:
                if request.model_version.status != resources_pb2.MODEL_VERSION_STATUS_FAILED:
                    raise InvalidArgument("model_version.status", "MODEL_VERSION_STATUS_FAILED (a PENDING version "
                                                                  "can only be abandoned)")
                failure = request.model_version.status_message or "abandoned by its creator"
        version = self._catalog.update_version(request.model_version.model_name, request.model_version.version,
                                               changes, failure=failure)
        return pb.UpdateModelVersionResponse(model_version=converters.version_to_proto(version, full=True))

    # -- artifacts ---------------------------------------------------------------------------

    def UploadArtifact(self, request_iterator: Iterator[pb.UploadArtifactRequest], context: grpc.ServicerContext
                       ) -> pb.UploadArtifactResponse:
        first = next(request_iterator, None)
        if first is None or first.WhichOneof("content") != "header":
            raise InvalidArgument("header", "expected the header in the first message")
        header = first.header
        if header.version <= 0:
            raise InvalidArgument("header.version", f"expected a version number of 1 or more, got {header.version}")
        if header.size_bytes <= 0:
            raise InvalidArgument("header.size_bytes", f"expected a positive size, got {header.size_bytes}")

        def chunks() -> Iterator[bytes]:
            for message in request_iterator:
                if message.WhichOneof("content") != "chunk":
                    raise InvalidArgument("header", "expected the header only in the first message")
                yield message.chunk

        remaining = context.time_remaining()
        # Answer a little before the deadline (the transfer's time included), so the caller reads why
        # rather than its own timeout; a caller that went away stops the wait.
        wait_until = None if remaining is None else time.monotonic() + remaining - _DEADLINE_MARGIN_SECONDS
        version = self._transfer.upload(UploadHeader(header.model_name, header.version, header.sha256.lower(),
                                                     header.size_bytes, header.wait_for_validation), chunks(),
                                        wait_until=wait_until, active=context.is_active)
        return pb.UploadArtifactResponse(model_version=converters.version_to_proto(version, full=False))

    def DownloadArtifact(self, request: pb.DownloadArtifactRequest, _context: grpc.ServicerContext
                         ) -> Iterator[pb.DownloadArtifactResponse]:
        selector = request.WhichOneof("selector")
        if selector == "alias":
            check_name(request.alias, "alias")
        elif selector != "version":
            raise InvalidArgument("selector", "expected exactly one of version or alias")
        download = self._transfer.download(request.model_name, number=request.version, alias=request.alias,
                                           offset=request.offset)
        version = download.version
        yield pb.DownloadArtifactResponse(header=pb.ArtifactHeader(
            model_name=version.model_name, version=version.version, format=resources_pb2.MODEL_FORMAT_ONNX,
            sha256=version.artifact_sha256, size_bytes=version.artifact_size, offset=download.offset))
        for chunk in download.chunks:
            yield bytes_field(_CHUNK_FIELD, chunk)  # DownloadArtifactResponse(chunk=chunk), one copy fewer

    # -- aliases -----------------------------------------------------------------------------

    @staticmethod
    def _outcome(outcome: AliasOutcome, response_cls: Any) -> Any:
        return response_cls(alias=converters.alias_to_proto(outcome.alias),
                            change=converters.change_to_proto(outcome.change), verdict=outcome.verdict,
                            warnings=list(outcome.warnings))

    def SetAlias(self, request: pb.SetAliasRequest, _context: grpc.ServicerContext) -> pb.SetAliasResponse:
        bind_request(model=request.model_name, version=request.version)
        outcome = self._aliases.set(request.model_name, request.alias, request.version,
                                    expected_version=request.expected_version, principal=request.principal,
                                    reason=request.reason)
        return self._outcome(outcome, pb.SetAliasResponse)

    def MoveAlias(self, request: pb.MoveAliasRequest, _context: grpc.ServicerContext) -> pb.MoveAliasResponse:
        bind_request(model=request.model_name)
        target = request.WhichOneof("target")
        if target is None or (target == "to_previous" and not request.to_previous):
            raise InvalidArgument("target", "expected exactly one of version or to_previous=true")
        outcome = self._aliases.set(request.model_name, request.alias, request.version,
                                    expected_version=request.expected_version, principal=request.principal,
                                    reason=request.reason, must_exist=True, to_previous=target == "to_previous")
        return self._outcome(outcome, pb.MoveAliasResponse)

    def DeleteAlias(self, request: pb.DeleteAliasRequest, _context: grpc.ServicerContext) -> pb.DeleteAliasResponse:
        bind_request(model=request.model_name)
        change = self._aliases.delete(request.model_name, request.alias, expected_version=request.expected_version,
                                      principal=request.principal, reason=request.reason)
        return pb.DeleteAliasResponse(change=converters.change_to_proto(change))

    def GetAlias(self, request: pb.GetAliasRequest, _context: grpc.ServicerContext) -> pb.GetAliasResponse:
        alias, revision = self._aliases.get(request.model_name, request.alias)
        return pb.GetAliasResponse(alias=converters.alias_to_proto(alias), revision=revision)

    def ListAliases(self, request: pb.ListAliasesRequest, _context: grpc.ServicerContext) -> pb.ListAliasesResponse:
        if request.model_name:
            check_name(request.model_name, "model_name")
        aliases, token, revision = self._aliases.list(model_name=request.model_name, alias=request.alias,
                                                      page_size=request.page_size, page_token=request.page_token)
        return pb.ListAliasesResponse(aliases=[converters.alias_to_proto(a) for a in aliases],
                                      next_page_token=token, revision=revision)

    def ListAliasHistory(self, request: pb.ListAliasHistoryRequest, _context: grpc.ServicerContext
                         ) -> pb.ListAliasHistoryResponse:
        at_time = converters.from_timestamp(request.at_time, "at_time") if request.HasField("at_time") else None
        entries, token = self._aliases.history(model_name=request.model_name, alias=request.alias, at_time=at_time,
                                               order_by=request.order_by, page_size=request.page_size,
                                               page_token=request.page_token)
        return pb.ListAliasHistoryResponse(entries=[converters.change_to_proto(e) for e in entries],
                                           next_page_token=token)

    def ApproveModelVersion(self, request: pb.ApproveModelVersionRequest, _context: grpc.ServicerContext
                            ) -> pb.ApproveModelVersionResponse:
        approval, version = self._approvals.approve(request.model_name, request.version, alias=request.alias,
                                                    comment=request.comment)
        return pb.ApproveModelVersionResponse(approval=converters.approval_to_proto(approval),
                                              model_version=converters.version_to_proto(version, full=False))

    # -- staleness and events ----------------------------------------------------------------

    def MarkVersionStale(self, request: pb.MarkVersionStaleRequest, _context: grpc.ServicerContext
                         ) -> pb.MarkVersionStaleResponse:
        bind_request(model=request.model_name, version=request.version)
        version = self._staleness.mark(request.model_name, request.version, reason=request.reason,
                                       feature_view=request.feature_view)
        return pb.MarkVersionStaleResponse(model_version=converters.version_to_proto(version, full=False))

    def ClearVersionStale(self, request: pb.ClearVersionStaleRequest, _context: grpc.ServicerContext
                          ) -> pb.ClearVersionStaleResponse:
        bind_request(model=request.model_name, version=request.version)
        version = self._staleness.clear(request.model_name, request.version, reason=request.reason)
        return pb.ClearVersionStaleResponse(model_version=converters.version_to_proto(version, full=False))

    def WatchRegistryEvents(self, request: pb.WatchRegistryEventsRequest, context: grpc.ServicerContext
                            ) -> Iterator[pb.WatchRegistryEventsResponse]:
        for i, name in enumerate(request.model_names):
            check_name(name, f"model_names[{i}]")
        for event in self._events.watch(request.after_revision, model_names=list(request.model_names),
                                        kinds=list(request.kinds), is_active=context.is_active):
            yield pb.WatchRegistryEventsResponse(event=event)


def artifact_store(settings: RegistrySettings) -> ArtifactStore:
    """The artifact store the settings name."""
    root = settings.resolved_artifact_root()
    if settings.artifact_store == "s3":
        if not settings.s3_bucket:
            raise ValueError("SEXTANT_REGISTRY_S3_BUCKET is required with SEXTANT_REGISTRY_ARTIFACT_STORE=s3")
        return S3ArtifactStore(settings.s3_bucket, endpoint_url=settings.s3_endpoint_url or None,
                               prefix=settings.s3_prefix, spool_dir=str(root / "s3-spool"))
    return FilesystemArtifactStore(root)


def build_servicers(ctx: ServiceContext) -> dict[str, object]:
    """The registry's servicer, its domain objects and (when enabled) the staleness follower."""
    settings: RegistrySettings = ctx.settings
    repository = RegistryRepository(ctx.database.dialect)
    events = RegistryEventLog(ctx.outbox)
    store = artifact_store(settings)
    catalog = ModelCatalog(ctx.database, repository, events, store, max_artifact_bytes=settings.max_artifact_bytes)
    ctx.closers.append(catalog.close)
    policy = Dependency("policy", settings.policy_address, policy_service_pb2_grpc.PolicyServiceStub,
                        policy_service_pb2.DESCRIPTOR.services_by_name["PolicyService"],
                        timeout=settings.dependency_timeout_seconds)
    ctx.closers.append(policy.close)
    aliases = Aliases(ctx.database, repository, catalog, events, PolicyGate(policy), settings.protected_aliases)
    staleness = Staleness(ctx.database, repository, catalog, events)
    validator = BackgroundValidator(ctx.database, repository, catalog, events, store,
                                    workers=settings.validation_workers, attempts_dir=Path(settings.data_dir).resolve() / "validation-attempts")
    validator.start()
    ctx.closers.append(validator.stop)
    transfer = ArtifactTransfer(ctx.database, repository, catalog, events, store, validator)
    if settings.staleness_follower:
        featurestore = Dependency("featurestore", settings.featurestore_address,
                                  featurestore_service_pb2_grpc.FeatureStoreServiceStub,
                                  featurestore_service_pb2.DESCRIPTOR.services_by_name["FeatureStoreService"],
                                  timeout=settings.dependency_timeout_seconds)
        follower = DefinitionChangeFollower(featurestore, staleness, retry_seconds=settings.staleness_retry_seconds)
        follower.start()
        ctx.closers.append(follower.stop)
    servicer = RegistryServicer(catalog, VersionSearch(ctx.database, repository, catalog), transfer, aliases,
                                staleness, events, Approvals(ctx.database, repository, catalog))
    return {SERVICE_NAME: servicer}
