"""RerunTrainingJob (by job, with a dataset override, idempotent), UploadEntityRows, ListExperiments and the
update/end-time orderings of ListTrainingJobs, against real peers. Jobs here name an unknown feature so
they end FAILED at the policy check within a second: what is tested is what the rerun records."""

from __future__ import annotations

from typing import Any

import grpc
import pyarrow as pa
import pytest

from sextant.training.v1 import resources_pb2, spec_pb2
from sextant.training.v1 import training_service_pb2 as pb
from sextant.type.v1 import types_pb2
from tests.integration.training.conftest import StartTraining, _ipc, entity_rows
from tests.integration.training.helpers import S, spec, submit, wait_for


def _upload(stub: Any, *tables: pa.Table) -> pb.UploadEntityRowsResponse:
    return stub.UploadEntityRows(iter([pb.UploadEntityRowsRequest(rows=types_pb2.ArrowTable(ipc_stream=_ipc(t)))
                                       for t in tables]), timeout=30)


def _code(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value.code(), caught.value.details()


def _failing_spec(model_name: str, **fields: Any) -> spec_pb2.TrainingJobSpec:
    return spec(model_name, features=("income", "shoe_size"), trials=1, evaluation=False, **fields)


def test_uploaded_rows_feed_a_spec_and_bad_uploads_are_refused(start_training: StartTraining) -> None:
    _, stub = start_training()
    rows = entity_rows(40)
    stored = _upload(stub, rows.slice(0, 25), rows.slice(25))
    assert stored.row_count == 40 and list(stored.column_names) == rows.column_names and stored.size_bytes > 0
    assert _upload(stub, rows.slice(0, 25), rows.slice(25)).entity_rows_digest == stored.entity_rows_digest
    assert _upload(stub, rows.slice(0, 39)).entity_rows_digest != stored.entity_rows_digest

    job_spec = _failing_spec("credit-uploaded")
    job_spec.dataset.entity_rows_digest = stored.entity_rows_digest
    job = submit(stub, job_spec)
    assert job.spec.dataset.entity_rows_digest == stored.entity_rows_digest

    code, details = _code(lambda: stub.UploadEntityRows(iter([pb.UploadEntityRowsRequest(
        rows=types_pb2.ArrowTable(ipc_stream=b"not arrow"))]), timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "rows[0].ipc_stream" in details
    code, details = _code(lambda: _upload(stub, rows.slice(0, 5), rows.drop_columns(["sex"]).slice(5, 5)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "rows[1].ipc_stream" in details
    code, _ = _code(lambda: stub.UploadEntityRows(iter([]), timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    code, _ = _code(lambda: _upload(stub, rows.slice(0, 0)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT

    _, limited = start_training(max_entity_rows=30)
    code, details = _code(lambda: _upload(limited, rows.slice(0, 20), rows.slice(20)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "30" in details


def test_a_rerun_reuses_the_recorded_spec_and_records_its_origin(start_training: StartTraining,
                                                                  database_url: str) -> None:
    _, stub = start_training(database_url=database_url)
    first = wait_for(stub, submit(stub, _failing_spec("credit-rerun")).name)

    request = pb.RerunTrainingJobRequest(job_id=first.name, reason="new data arrived", idempotency_key="again-1")
    rerun = stub.RerunTrainingJob(request, timeout=10).job
    assert rerun.name != first.name and rerun.state == S.TRAINING_JOB_STATE_QUEUED
    assert rerun.spec == first.spec, "the recorded, normalised spec is reused as it is"
    assert rerun.origin == resources_pb2.JobOrigin(kind=S.JOB_ORIGIN_KIND_RERUN, source_job_id=first.name,
                                                   reason="new data arrived")
    assert first.origin.kind == S.JOB_ORIGIN_KIND_SUBMITTED
    # The same idempotency key answers the same job; with another reason it is refused.
    assert stub.RerunTrainingJob(request, timeout=10).job.name == rerun.name
    code, _ = _code(lambda: stub.RerunTrainingJob(pb.RerunTrainingJobRequest(
        job_id=first.name, reason="other", idempotency_key="again-1"), timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT

    later = spec_pb2.TrainingDataset()
    later.entity_rows.ipc_stream = _ipc(entity_rows(60))
    overridden = stub.RerunTrainingJob(pb.RerunTrainingJobRequest(job_id=rerun.name, dataset=later), timeout=10).job
    assert overridden.spec.dataset.entity_rows_digest not in ("", first.spec.dataset.entity_rows_digest)
    assert overridden.spec.model == first.spec.model and overridden.origin.source_job_id == rerun.name
    assert wait_for(stub, overridden.name).state_reason_code == "UNKNOWN_FEATURE"

    bad = spec_pb2.TrainingDataset()
    bad.entity_rows.ipc_stream = _ipc(entity_rows(10, drop_label=True))
    code, details = _code(lambda: stub.RerunTrainingJob(pb.RerunTrainingJobRequest(
        job_id=first.name, dataset=bad), timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "label_column" in details
    code, _ = _code(lambda: stub.RerunTrainingJob(pb.RerunTrainingJobRequest(job_id="tj-missing"), timeout=10))
    assert code == grpc.StatusCode.NOT_FOUND
    code, _ = _code(lambda: stub.RerunTrainingJob(pb.RerunTrainingJobRequest(), timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    code, _ = _code(lambda: stub.RerunTrainingJob(pb.RerunTrainingJobRequest(
        model_version={"model_name": "never-registered", "version": 1}), timeout=10))
    assert code == grpc.StatusCode.NOT_FOUND

    # Orderings by update and end time: every job here has ended, the rerun ones last.
    ended = [wait_for(stub, j.name) for j in (first, rerun, overridden)]
    for order, key in (("update_time desc", lambda j: (j.update_time.ToDatetime(), j.name)),
                       ("end_time", lambda j: (j.end_time.ToDatetime(), j.name))):
        names, token = [], ""
        for _ in range(5):
            page = stub.ListTrainingJobs(pb.ListTrainingJobsRequest(
                model_name="credit-rerun", order_by=order, page_size=2, page_token=token), timeout=10)
            names += [j.name for j in page.jobs]
            token = page.next_page_token
            if not token:
                break
        assert names == [j.name for j in sorted(ended, key=key, reverse=order.endswith("desc"))]
    code, _ = _code(lambda: stub.ListTrainingJobs(pb.ListTrainingJobsRequest(order_by="state"), timeout=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_experiments_are_listed_by_team_and_prefix_one_page_at_a_time(start_training: StartTraining,
                                                                      database_url: str) -> None:
    _, stub = start_training(database_url=database_url)
    for name, team in (("churn-a", "growth"), ("churn-b", "growth"), ("churn_c", "risk"), ("fraud", "risk")):
        stub.CreateExperiment(pb.CreateExperimentRequest(experiment=resources_pb2.Experiment(
            name=name, owner_team=team)), timeout=10)

    def listing(**fields: Any) -> list[str]:
        names, token = [], ""
        for _ in range(10):
            page = stub.ListExperiments(pb.ListExperimentsRequest(page_size=1, page_token=token, **fields), timeout=10)
            names += [e.name for e in page.experiments]
            token = page.next_page_token
            if not token:
                return names
        raise AssertionError("more pages than experiments")

    assert listing(order_by="name") == ["churn-a", "churn-b", "churn_c", "fraud"]
    assert listing(order_by="name desc", name_prefix="churn") == ["churn_c", "churn-b", "churn-a"]
    assert listing(name_prefix="churn_") == ["churn_c"], "the prefix is literal, `_` is no wildcard"
    assert listing(owner_team="growth", order_by="create_time") == ["churn-a", "churn-b"]
    assert listing() == ["fraud", "churn_c", "churn-b", "churn-a"], "default: update_time desc"
    first = stub.ListExperiments(pb.ListExperimentsRequest(page_size=1, order_by="name"), timeout=10)
    for request in (pb.ListExperimentsRequest(order_by="owner_team"), pb.ListExperimentsRequest(page_size=-1),
                    pb.ListExperimentsRequest(order_by="name desc", page_token=first.next_page_token)):
        code, _ = _code(lambda r=request: stub.ListExperiments(r, timeout=10))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
