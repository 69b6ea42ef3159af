"""The TrainingService servicer: thin conversion between the contract and :class:`TrainingJobs`.

RPCs built: SubmitTrainingJob, RerunTrainingJob, GetTrainingJob, ListTrainingJobs, CancelTrainingJob,
WatchTrainingJob, UploadEntityRows, CreateExperiment, GetExperiment, ListExperiments, GetRun, ListRuns.
ListAuditRecords is added to every service by services.common.app, answered from the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc

from services.common.app import ServiceContext
from services.common.auth import current_principal
from services.common.errors import InvalidArgument
from services.training.converters import optional_time
from services.training.dispatchers import make_dispatcher
from services.training.entity_rows import EntityRowsStore
from services.training.jobs import TrainingJobs
from services.training.journal import JobJournal
from services.training.peers import Peers
from services.training.runner import JobRunner, RunnerConfig
from services.training.settings import TrainingSettings
from sextant.training.v1 import training_service_pb2 as pb
from sextant.training.v1 import training_service_pb2_grpc

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["TrainingService"].full_name


class TrainingServicer(training_service_pb2_grpc.TrainingServiceServicer):
    """Validates and converts at the edge; the work happens in :class:`TrainingJobs`."""

    def __init__(self, jobs: TrainingJobs, rows: EntityRowsStore, *, max_entity_rows: int,
                 max_upload_bytes: int) -> None:
        self._jobs = jobs
        self._rows = rows
        self._max_entity_rows = max_entity_rows
        self._max_upload_bytes = max_upload_bytes

    def SubmitTrainingJob(self, request: pb.SubmitTrainingJobRequest, _context: grpc.ServicerContext
                          ) -> pb.SubmitTrainingJobResponse:
        if not request.HasField("spec"):
            raise InvalidArgument("spec", "a training job spec")
        job = self._jobs.submit(request.spec, request.idempotency_key, current_principal().subject)
        return pb.SubmitTrainingJobResponse(job=job)

    def RerunTrainingJob(self, request: pb.RerunTrainingJobRequest, _context: grpc.ServicerContext
                         ) -> pb.RerunTrainingJobResponse:
        source = request.WhichOneof("source")
        if source is None:
            raise InvalidArgument("job_id", "the id of an earlier job, or a model_version (exactly one)")
        job = self._jobs.rerun(
            request.job_id, request.model_version if source == "model_version" else None,
            request.dataset if request.HasField("dataset") else None, request.idempotency_key, request.alert_id,
            request.reason, current_principal().subject)
        return pb.RerunTrainingJobResponse(job=job)

    def GetTrainingJob(self, request: pb.GetTrainingJobRequest, _context: grpc.ServicerContext
                       ) -> pb.GetTrainingJobResponse:
        return pb.GetTrainingJobResponse(job=self._jobs.get(request.name))

    def ListTrainingJobs(self, request: pb.ListTrainingJobsRequest, _context: grpc.ServicerContext
                         ) -> pb.ListTrainingJobsResponse:
        jobs, token = self._jobs.list_jobs(
            page_size=request.page_size, page_token=request.page_token, states=list(request.states),
            experiment=request.experiment, model_name=request.model_name, principal=request.principal,
            owner_team=request.owner_team, start=optional_time(request, "create_time_start"),
            end=optional_time(request, "create_time_end"), order_by=request.order_by)
        return pb.ListTrainingJobsResponse(jobs=jobs, next_page_token=token)

    def CancelTrainingJob(self, request: pb.CancelTrainingJobRequest, _context: grpc.ServicerContext
                          ) -> pb.CancelTrainingJobResponse:
        return pb.CancelTrainingJobResponse(job=self._jobs.cancel(request.name, request.reason))

    def WatchTrainingJob(self, request: pb.WatchTrainingJobRequest, context: grpc.ServicerContext
                         ) -> Iterator[pb.WatchTrainingJobResponse]:
        for event in self._jobs.watch(request.name, request.after_revision, context.is_active):
            yield pb.WatchTrainingJobResponse(event=event)

    def UploadEntityRows(self, request_iterator: Iterator[pb.UploadEntityRowsRequest],
                         _context: grpc.ServicerContext) -> pb.UploadEntityRowsResponse:
        stored = self._rows.put_parts((message.rows.ipc_stream for message in request_iterator),
                                      max_rows=self._max_entity_rows, max_bytes=self._max_upload_bytes)
        return pb.UploadEntityRowsResponse(entity_rows_digest=stored.digest, row_count=stored.row_count,
                                           column_names=stored.column_names, size_bytes=stored.size_bytes)

    def CreateExperiment(self, request: pb.CreateExperimentRequest, _context: grpc.ServicerContext
                         ) -> pb.CreateExperimentResponse:
        experiment = self._jobs.create_experiment(request.experiment, current_principal().subject)
        return pb.CreateExperimentResponse(experiment=experiment)

    def GetExperiment(self, request: pb.GetExperimentRequest, _context: grpc.ServicerContext
                      ) -> pb.GetExperimentResponse:
        return pb.GetExperimentResponse(experiment=self._jobs.get_experiment(request.name))

    def ListExperiments(self, request: pb.ListExperimentsRequest, _context: grpc.ServicerContext
                        ) -> pb.ListExperimentsResponse:
        experiments, token = self._jobs.list_experiments(
            page_size=request.page_size, page_token=request.page_token, owner_team=request.owner_team,
            name_prefix=request.name_prefix, order_by=request.order_by)
        return pb.ListExperimentsResponse(experiments=experiments, next_page_token=token)

    def GetRun(self, request: pb.GetRunRequest, _context: grpc.ServicerContext) -> pb.GetRunResponse:
        return pb.GetRunResponse(run=self._jobs.get_run(request.name))

    def ListRuns(self, request: pb.ListRunsRequest, _context: grpc.ServicerContext) -> pb.ListRunsResponse:
        runs, token = self._jobs.list_runs(
            page_size=request.page_size, page_token=request.page_token, experiment=request.experiment,
            job_id=request.job_id, statuses=list(request.statuses), best_only=request.best_only,
            order_by=request.order_by)
        return pb.ListRunsResponse(runs=runs, next_page_token=token)


def build_servicers(ctx: ServiceContext) -> dict[str, object]:
    """The training servicer, its job runner (started, with restart recovery) and peer clients."""
    settings: TrainingSettings = ctx.settings
    peers = Peers(settings.featurestore_address, settings.policy_address, settings.registry_address,
                  timeout=settings.dependency_timeout_seconds)
    rows = EntityRowsStore(Path(settings.data_dir).resolve() / "training" / "entity_rows")
    dispatcher = make_dispatcher(settings)
    journal = JobJournal(ctx.database, ctx.outbox)
    runner = JobRunner(journal, peers, dispatcher, rows, RunnerConfig(
        max_trials=settings.max_trials, target_opset=settings.target_opset,
        job_timeout_seconds=settings.job_timeout_seconds, max_entity_rows=settings.max_entity_rows,
        threads=settings.max_concurrent_jobs, dependency_timeout=settings.dependency_timeout_seconds))
    jobs = TrainingJobs(ctx.database, ctx.outbox, journal, runner, rows, peers, max_trials=settings.max_trials,
                        target_opset=settings.target_opset, max_entity_rows=settings.max_entity_rows,
                        dispatcher_kind=dispatcher.kind)
    runner.start()
    ctx.closers.append(peers.close)
    ctx.closers.append(runner.stop)
    return {SERVICE_NAME: TrainingServicer(jobs, rows, max_entity_rows=settings.max_entity_rows,
                                           max_upload_bytes=settings.max_upload_bytes)}
