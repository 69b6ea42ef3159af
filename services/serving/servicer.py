"""gRPC edge of the serving service: the Sextant ServingService and the Open Inference Protocol's
GRPCInferenceService on one port. Handlers only validate and convert; the domain objects
(DeploymentCatalog, Predictor, ModelPool) do the work.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
from google.protobuf import timestamp_pb2

from inference import grpc_service_pb2 as oip
from services.common.app import ServiceContext
from services.common.dependencies import Dependency
from services.common.errors import FailedPrecondition, InvalidArgument, SextantError, Unavailable
from services.common.handlers import Encoded
from services.common.pagination import page_request
from services.common.warmup import warm_up_arrow_compute
from services.serving.artifact_cache import ArtifactCache
from services.serving.deployments import DeploymentCatalog
from services.serving.feature_lookup import FeatureLookup
from services.serving.model_pool import ModelPool
from services.serving.prediction_log import PredictionLog
from services.serving.predictor import Predictor
from services.serving.registry_follower import RegistryFollower
from services.serving.replica_status import deployment_state, loaded_models_page
from services.serving.repository import DeploymentRepository
from services.serving.settings import ServingSettings
from services.serving.shadow import ShadowScorer
from sextant.featurestore.v1 import featurestore_service_pb2, featurestore_service_pb2_grpc
from sextant.monitoring.v1 import monitoring_service_pb2, monitoring_service_pb2_grpc
from sextant.policy.v1 import policy_service_pb2, policy_service_pb2_grpc
from sextant.registry.v1 import registry_service_pb2, registry_service_pb2_grpc
from sextant.serving.v1 import resources_pb2 as res
from sextant.serving.v1 import serving_service_pb2 as pb

SERVER_NAME = "sextant-serving"
SERVER_VERSION = "0.1.0"
#: How long RepositoryModelLoad waits for the model to become ready.
LOAD_WAIT_SECONDS = 60.0


class ServingServicer:
    """sextant.serving.v1.ServingService."""

    def __init__(self, settings: ServingSettings, catalog: DeploymentCatalog, predictor: Predictor,
                 pool: ModelPool, follower: RegistryFollower | None, prediction_log: PredictionLog | None) -> None:
        self._prediction_log = prediction_log
        self._settings = settings
        self._catalog = catalog
        self._predictor = predictor
        self._pool = pool
        self._follower = follower
        self._start = timestamp_pb2.Timestamp()
        self._start.GetCurrentTime()

    def _with_state(self, deployment: res.Deployment) -> res.Deployment:
        state, message, versions = deployment_state(self._pool, deployment)
        deployment.state = state
        deployment.state_message = message
        deployment.served_versions.extend(versions)
        return deployment

    def CreateDeployment(self, request: pb.CreateDeploymentRequest, context: grpc.ServicerContext
                         ) -> pb.CreateDeploymentResponse:
        change = self._catalog.create(request.deployment, request.validate_only)
        return pb.CreateDeploymentResponse(deployment=self._with_state(change.deployment),
                                           policy_warnings=change.warnings)

    def GetDeployment(self, request: pb.GetDeploymentRequest, context: grpc.ServicerContext
                      ) -> pb.GetDeploymentResponse:
        return pb.GetDeploymentResponse(deployment=self._with_state(self._catalog.get(request.name)))

    def ListDeployments(self, request: pb.ListDeploymentsRequest, context: grpc.ServicerContext
                        ) -> pb.ListDeploymentsResponse:
        items, token = self._catalog.list(request.page_size, request.page_token, request.model_name,
                                          request.owner_team, request.order_by, request.state)
        items = [self._with_state(d) for d in items]
        if request.state:
            items = [d for d in items if d.state == request.state]
        return pb.ListDeploymentsResponse(deployments=items, next_page_token=token)

    def UpdateDeployment(self, request: pb.UpdateDeploymentRequest, context: grpc.ServicerContext
                         ) -> pb.UpdateDeploymentResponse:
        change = self._catalog.update(request.deployment, list(request.update_mask.paths), request.validate_only)
        return pb.UpdateDeploymentResponse(deployment=self._with_state(change.deployment),
                                           policy_warnings=change.warnings)

    def DeleteDeployment(self, request: pb.DeleteDeploymentRequest, context: grpc.ServicerContext
                         ) -> pb.DeleteDeploymentResponse:
        self._catalog.delete(request.name, request.etag)
        return pb.DeleteDeploymentResponse()

    def Predict(self, request: pb.PredictRequest, context: grpc.ServicerContext) -> pb.PredictResponse:
        return self._predictor.predict(request)

    def PredictStream(self, request_iterator: Iterator[pb.PredictStreamRequest], context: grpc.ServicerContext
                      ) -> Iterator[pb.PredictStreamResponse]:
        for message in request_iterator:
            try:
                yield pb.PredictStreamResponse(response=self._predictor.predict(message.request))
            except SextantError as error:
                yield pb.PredictStreamResponse(error=pb.StreamError(
                    request_id=message.request.request_id, code=error.code.value[0], reason=error.reason,
                    message=error.message, metadata=error.metadata))

    def GetServingStatus(self, request: pb.GetServingStatusRequest, context: grpc.ServicerContext
                         ) -> pb.GetServingStatusResponse:
        sessions = self._pool.sessions()
        response = pb.GetServingStatusResponse(
            replica_id=f"{socket.gethostname()}:{self._settings.port}", server_version=SERVER_VERSION,
            start_time=self._start, ready=True, authentication_enabled=self._settings.auth_mode == "enforce",
            loaded_model_count=len(sessions), memory_used_bytes=sum(s.memory_bytes for s in sessions),
            registry_event_revision=self._follower.revision if self._follower else 0)
        for deployment in self._catalog.all_cached():
            state, message, versions = deployment_state(self._pool, deployment)
            response.deployments.add(name=deployment.name, model_name=deployment.model_name, state=state,
                                     state_message=message, served_versions=versions)
        response.dependencies.add(service="registry", target=self._settings.registry_address,
                                  reachable=bool(self._follower and self._follower.connected))
        log = self._prediction_log
        if log is not None:
            stats = response.prediction_log
            stats.queued, stats.shipped, stats.spilled, stats.dropped = log.queued, log.shipped, log.spilled, log.dropped
            stats.journal_bytes, stats.journal_budget_bytes = log.journal_bytes, log.journal_budget_bytes
            if log.last_shipped:
                stats.last_shipped_time.FromNanoseconds(int(log.last_shipped * 1e9))
        return response

    def ListLoadedModels(self, request: pb.ListLoadedModelsRequest, context: grpc.ServicerContext
                         ) -> pb.ListLoadedModelsResponse:
        filters = {"model_name": request.model_name, "deployment": request.deployment}
        page = page_request(request.page_size, request.page_token, filters, default=100)
        items, token = loaded_models_page(self._catalog, self._pool, model_name=request.model_name,
                                          deployment=request.deployment, page=page, filters=filters)
        return pb.ListLoadedModelsResponse(loaded_models=items, next_page_token=token)


class InferenceServicer:
    """inference.GRPCInferenceService (the Open Inference Protocol, KServe V2)."""

    def __init__(self, catalog: DeploymentCatalog, predictor: Predictor, pool: ModelPool) -> None:
        self._catalog = catalog
        self._predictor = predictor
        self._pool = pool
        self._infer = predictor.model_infer

    def ServerLive(self, request: oip.ServerLiveRequest, context: grpc.ServicerContext) -> oip.ServerLiveResponse:
        return oip.ServerLiveResponse(live=True)

    def ServerReady(self, request: oip.ServerReadyRequest, context: grpc.ServicerContext) -> oip.ServerReadyResponse:
        return oip.ServerReadyResponse(ready=True)

    def ServerMetadata(self, request: oip.ServerMetadataRequest, context: grpc.ServicerContext
                       ) -> oip.ServerMetadataResponse:
        return oip.ServerMetadataResponse(name=SERVER_NAME, version=SERVER_VERSION,
                                          extensions=["model_repository", "statistics"])

    def ModelReady(self, request: oip.ModelReadyRequest, context: grpc.ServicerContext) -> oip.ModelReadyResponse:
        return oip.ModelReadyResponse(ready=self._predictor.model_ready(request.name, request.version))

    def ModelMetadata(self, request: oip.ModelMetadataRequest, context: grpc.ServicerContext
                      ) -> oip.ModelMetadataResponse:
        return self._predictor.model_metadata(request.name, request.version)

    def ModelInfer(self, request: oip.ModelInferRequest, context: grpc.ServicerContext
                   ) -> oip.ModelInferResponse | Encoded:
        return self._infer(request, True)

    def ModelStreamInfer(self, request_iterator: Iterator[oip.ModelInferRequest], context: grpc.ServicerContext
                         ) -> Iterator[oip.ModelStreamInferResponse]:
        for request in request_iterator:
            try:
                yield oip.ModelStreamInferResponse(infer_response=self._infer(request))
            except SextantError as error:
                yield oip.ModelStreamInferResponse(error_message=error.message)

    def ModelStatistics(self, request: oip.ModelStatisticsRequest, context: grpc.ServicerContext
                        ) -> oip.ModelStatisticsResponse:
        return self._predictor.statistics(request.name, request.version)

    def RepositoryIndex(self, request: oip.RepositoryIndexRequest, context: grpc.ServicerContext
                        ) -> oip.RepositoryIndexResponse:
        response = oip.RepositoryIndexResponse()
        for deployment in self._catalog.all_cached():
            state, message, versions = deployment_state(self._pool, deployment)
            ready = state in (res.DEPLOYMENT_STATE_READY, res.DEPLOYMENT_STATE_DEGRADED)
            if request.ready and not ready:
                continue
            response.models.add(name=deployment.name, version=str(versions[0].model_version or ""),
                                state="READY" if ready else "UNAVAILABLE", reason=message)
        return response

    def RepositoryModelLoad(self, request: oip.RepositoryModelLoadRequest, context: grpc.ServicerContext
                            ) -> oip.RepositoryModelLoadResponse:
        deployment = self._catalog.ensure(request.model_name)
        deadline = time.monotonic() + min(LOAD_WAIT_SECONDS, context.time_remaining() or LOAD_WAIT_SECONDS)
        while time.monotonic() < deadline:
            state, message, _versions = deployment_state(self._pool, deployment)
            if state in (res.DEPLOYMENT_STATE_READY, res.DEPLOYMENT_STATE_DEGRADED):
                return oip.RepositoryModelLoadResponse()
            if state == res.DEPLOYMENT_STATE_FAILED:
                raise FailedPrecondition(f"loading {request.model_name!r} failed: {message}", reason="LOAD_FAILED",
                                         metadata={"model_name": request.model_name})
            time.sleep(0.02)
        raise Unavailable(f"{request.model_name!r} is still loading", reason="MODEL_NOT_READY",
                          metadata={"model_name": request.model_name})

    def RepositoryModelUnload(self, request: oip.RepositoryModelUnloadRequest, context: grpc.ServicerContext
                              ) -> oip.RepositoryModelUnloadResponse:
        if not request.model_name:
            raise InvalidArgument("model_name", "expected a deployment or model name")
        self._catalog.unload(request.model_name)
        return oip.RepositoryModelUnloadResponse()


def build_servicers(ctx: ServiceContext) -> dict[str, object]:
    """Wire the domain objects and return both servicers keyed by full service name."""
    settings: ServingSettings = ctx.settings
    sys.setswitchinterval(settings.gil_switch_interval_us / 1_000_000)
    warm_up_arrow_compute()
    timeout = settings.dependency_timeout_seconds
    registry = Dependency("registry", settings.registry_address, registry_service_pb2_grpc.RegistryServiceStub,
                          registry_service_pb2.DESCRIPTOR.services_by_name["RegistryService"], timeout=timeout)
    policy = None
    if settings.require_policy:
        policy = Dependency("policy", settings.policy_address, policy_service_pb2_grpc.PolicyServiceStub,
                            policy_service_pb2.DESCRIPTOR.services_by_name["PolicyService"], timeout=timeout)
    cache = ArtifactCache(settings.resolved_model_cache_dir(), registry)
    pool = ModelPool(cache, intra_op_threads=settings.intra_op_threads, inter_op_threads=settings.inter_op_threads,
                     warmup_rows=settings.warmup_rows, memory_budget_bytes=settings.model_memory_budget_bytes)
    catalog = DeploymentCatalog(DeploymentRepository(ctx.database), pool, registry, policy)
    catalog.refresh()
    ctx.closers.append(catalog.start_refresh(settings.deployment_refresh_seconds))
    shadow = ShadowScorer()
    prediction_log = None
    if settings.prediction_logging:
        monitoring = Dependency("monitoring", settings.monitoring_address, monitoring_service_pb2_grpc.MonitoringServiceStub,
                                monitoring_service_pb2.DESCRIPTOR.services_by_name["MonitoringService"], timeout=timeout)
        prediction_log = PredictionLog(
            monitoring, Path(settings.data_dir).resolve() / "prediction-journal.bin",
            capacity=settings.prediction_log_capacity, batch_size=settings.prediction_log_batch,
            flush_seconds=settings.prediction_log_flush_seconds,
            journal_budget_bytes=settings.prediction_journal_budget_bytes,
            retry_seconds=settings.prediction_log_retry_seconds)
        ctx.closers.extend([monitoring.close, prediction_log.close])
    featurestore = Dependency("featurestore", settings.featurestore_address,
                              featurestore_service_pb2_grpc.FeatureStoreServiceStub,
                              featurestore_service_pb2.DESCRIPTOR.services_by_name["FeatureStoreService"],
                              timeout=timeout)
    ctx.closers.append(featurestore.close)
    max_rows = min(settings.max_batch_rows, settings.max_rows_per_call)
    predictor = Predictor(pool, catalog, shadow, max_rows=max_rows, prediction_log=prediction_log,
                          lookup=FeatureLookup(featurestore, chunk_rows=settings.featurestore_lookup_rows))
    follower = None
    if settings.registry_follower:
        follower = RegistryFollower(registry, pool, retry_seconds=settings.registry_retry_seconds)
        follower.start()
        ctx.closers.append(follower.stop)
    ctx.closers.extend([shadow.close, pool.close, registry.close])
    if policy is not None:
        ctx.closers.append(policy.close)
    return {
        pb.DESCRIPTOR.services_by_name["ServingService"].full_name:
            ServingServicer(settings, catalog, predictor, pool, follower, prediction_log),
        oip.DESCRIPTOR.services_by_name["GRPCInferenceService"].full_name:
            InferenceServicer(catalog, predictor, pool),
    }

