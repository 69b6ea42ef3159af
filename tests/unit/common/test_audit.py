"""The audit classification tables against the contracts, resource paths, row counting and token buckets."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from google.protobuf import message_factory
from google.rpc import error_details_pb2

from services import catalog
from services.common import audit, ratelimit
from services.common.app import COMMON_MIGRATIONS
from services.common.audit import ResourcePath
from services.common.db import Database
from services.common.errors import InvalidArgument
from services.common.pagination import next_page_token
from sextant.policy.v1 import policy_service_pb2 as policy_pb2
from sextant.registry.v1 import registry_service_pb2 as registry_pb2
from sextant.training.v1 import resources_pb2 as training_resources_pb2
from sextant.training.v1 import training_service_pb2 as training_pb2
from sextant.type.v1 import tabular_pb2, types_pb2


def _methods() -> list:
    return [method for entry in catalog.SERVICES.values() for contract in entry.contracts
            for method in catalog._load_service(contract).methods]


def _ipc(rows: int) -> bytes:
    table = pa.table({"x": pa.array(range(rows), pa.int64())})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=2)
    return sink.getvalue().to_pybytes()


def test_every_rpc_of_every_contract_is_classified_exactly_once() -> None:
    unclassified = sorted({m.full_name for m in _methods() if not audit.is_classified(m.name)})
    assert unclassified == []


def test_the_tables_name_only_rpcs_that_exist() -> None:
    names = {m.name for m in _methods()}
    declared = (set(audit.MUTATIONS) | set(audit.EVALUATIONS) | set(audit.SENSITIVE_READS)
                | audit.MAY_READ_SENSITIVE | audit.READS | set(ratelimit.ROW_FIELDS) | ratelimit.RATE_LIMITED)
    assert sorted(declared - names) == []


def test_no_rpc_changes_or_removes_audit_records() -> None:
    touching = {m.name for m in _methods() if "Audit" in m.name}
    assert touching == {"ListAuditRecords"}


def _path_exists(descriptor: object, path: str) -> bool:
    for part in path.split("."):
        name = part.removesuffix("[]")
        field = descriptor.fields_by_name.get(name)  # type: ignore[attr-defined]
        if field is None:
            return False
        descriptor = field.message_type
    return True


@pytest.mark.parametrize("table", [audit.MUTATIONS, audit.EVALUATIONS, audit.SENSITIVE_READS])
def test_every_declared_resource_path_is_a_field_of_the_request_or_response(table: dict) -> None:
    methods = {m.name: m for m in _methods()}
    broken = []
    for name, paths in table.items():
        method = methods[name]
        for resource in paths:
            for path in [p for p in (resource.name, resource.version) if p]:
                for part in path.split("@"):
                    source = method.output_type if part.startswith("=") else method.input_type
                    if not _path_exists(source, part.lstrip("=")):
                        broken.append(f"{name}: {part}")
    assert broken == []


def test_every_row_field_is_a_field_of_the_request() -> None:
    methods = {m.name: m for m in _methods()}
    broken = [f"{name}: {path}" for name, paths in ratelimit.ROW_FIELDS.items() for path in paths
              if not _path_exists(methods[name].input_type, path)]
    assert broken == []


def test_resources_are_read_by_their_paths() -> None:
    move = registry_pb2.MoveAliasRequest(model_name="credit", alias="production", version=3)
    assert audit.resources_of(audit.MUTATIONS["MoveAlias"], move, None) == [("alias", "credit@production", 3)]
    submit = training_pb2.SubmitTrainingJobResponse(job=training_resources_pb2.TrainingJob(name="job-7"))
    assert audit.resources_of(audit.MUTATIONS["SubmitTrainingJob"], training_pb2.SubmitTrainingJobRequest(),
                              submit) == [("training_job", "job-7", 0)]
    many = (ResourcePath("entity", "entities[].name"),)
    request = message_factory.GetMessageClass(
        next(m for m in _methods() if m.name == "ApplyDefinitions").input_type)()
    request.entities.add(name="customer")
    request.entities.add(name="merchant")
    assert audit.resources_of(many, request, None) == [("entity", "customer", 0), ("entity", "merchant", 0)]
    assert audit.resources_of(audit.MUTATIONS["LogOutcomes"], None, None) == [("outcome_log", "", 0)]


def test_details_keep_only_declared_fields_that_are_set() -> None:
    request = registry_pb2.MoveAliasRequest(model_name="credit", alias="production", version=3, expected_version=2,
                                            reason="fairness passed")
    assert audit.details_of(request) == {"expected_version": "2"}


def test_rows_are_counted_from_arrow_column_batches_and_repeated_fields() -> None:
    ingest = message_factory.GetMessageClass(
        next(m for m in _methods() if m.name == "IngestBatch").input_type)(chunk=types_pb2.ArrowTable(ipc_stream=_ipc(5)))
    assert ratelimit.count_rows("IngestBatch", ingest) == [("chunk", 5)]
    online = message_factory.GetMessageClass(next(m for m in _methods() if m.name == "GetOnlineFeatures").input_type)(
        entity_keys=tabular_pb2.ColumnBatch(row_count=7))
    assert ratelimit.count_rows("GetOnlineFeatures", online) == [("entity_keys", 7)]
    garbage = types_pb2.ArrowTable(ipc_stream=b"not arrow")
    assert ratelimit.count_rows("IngestBatch", type(ingest)(chunk=garbage)) == [("chunk", 0)]
    assert ratelimit.count_rows("ListEntities", online) == []


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_buckets_admit_the_limit_per_key_then_refill() -> None:
    clock = _Clock()
    buckets = ratelimit.TokenBuckets(3, clock)
    assert [buckets.take("alice") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = buckets.take("alice")
    assert wait == pytest.approx(20.0)
    assert buckets.take("bob") == 0.0
    clock.now += 20.0
    assert buckets.take("alice") == 0.0
    assert buckets.take("alice") > 0


def test_rate_limited_errors_carry_retry_info() -> None:
    status = ratelimit.RateLimited("/x.Y/Z", "alice", 3, 12.5).to_proto("training.sextant")
    retry = error_details_pb2.RetryInfo()
    assert status.details[-1].Unpack(retry)
    assert (retry.retry_delay.seconds, retry.retry_delay.nanos) == (12, 500_000_000)


def test_a_forged_page_token_is_an_invalid_argument_not_an_internal_error(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'audit.db'}")
    try:
        database.migrate(COMMON_MIGRATIONS)
        log = audit.AuditLog(database)
        for index in range(3):
            log.append(audit.AuditEntry("alice", "", "", "/x.Y/Create", audit.MUTATION, "OK", "", f"r{index}"))
        handler = audit.list_audit_records_handler(log, policy_pb2.ListAuditRecordsResponse)
        first = handler(policy_pb2.ListAuditRecordsRequest(page_size=2), None)
        assert [r.request_id for r in first.audit_records] == ["r2", "r1"] and first.next_page_token
        filters = audit.audit_query(policy_pb2.ListAuditRecordsRequest()).as_filters()
        forged = next_page_token(("yesterday", 1), filters)
        with pytest.raises(InvalidArgument) as caught:
            handler(policy_pb2.ListAuditRecordsRequest(page_token=forged), None)
        assert caught.value.field == "page_token"
    finally:
        database.close()


def test_any_corruption_of_an_arrow_payload_counts_as_no_rows_instead_of_raising() -> None:
    import random

    table = pa.table({"a": pa.array([1, 2, 3], pa.int64()), "b": pa.array(["x", "y", "z"]).dictionary_encode()})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    payload = sink.getvalue().to_pybytes()
    assert ratelimit._arrow_rows(payload) == 3
    rng = random.Random(7)
    escaped = 0
    for _ in range(3000):
        mutated = bytearray(payload)
        for _flip in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        try:
            with pa.ipc.open_stream(pa.py_buffer(bytes(mutated))) as reader:
                reader.read_all()
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError):
            pass
        except pa.ArrowException:
            escaped += 1  # an Arrow error outside the three the counter used to catch
        assert ratelimit._arrow_rows(bytes(mutated)) >= 0
    assert escaped > 0, "the corpus no longer exercises the Arrow errors that used to escape"
