"""kill -9 of the policy and monitoring services in the middle of a stream of writes: after a restart
on the same SQLite files, every acknowledged write is there and intact.

- policy: every acknowledged policy version reads back with the source it was written with.
- monitoring: every acknowledged prediction record is stored (sending it again is a duplicate).
"""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.protobuf import field_mask_pb2

from sextant.monitoring.v1 import logs_pb2, monitoring_service_pb2_grpc
from sextant.monitoring.v1 import monitoring_service_pb2 as mon_pb
from sextant.policy.v1 import policy_service_pb2 as pol_pb
from sextant.policy.v1 import policy_service_pb2_grpc
from tests.faults.processes import ServiceProcess, write_until_killed
from tests.integration.serving.conftest import unused_address

SOURCE = """\
description: Marital status stays out of marketing models (revision {revision}).
scope: {{domains: [marketing], teams: [growth]}}
rules:
  - id: no-marital-status
    kind: prohibited_inputs
    prohibited_inputs: {{bases: [marital_status]}}
"""


def test_acknowledged_policy_versions_survive_kill_9(spawn: Callable[..., ServiceProcess]) -> None:
    policy = spawn("policy", featurestore_address=unused_address(), reg_b_preset="off")
    policy.start()
    acknowledged: dict[int, str] = {}
    with grpc.insecure_channel(policy.address) as channel:
        stub = policy_service_pb2_grpc.PolicyServiceStub(channel)
        stub.CreatePolicy(pol_pb.CreatePolicyRequest(policy={"name": "marketing", "format": "POLICY_FORMAT_YAML",
                                                             "source": SOURCE.format(revision=0)}), timeout=10)

        def write(i: int) -> None:
            source = SOURCE.format(revision=i + 1)
            answer = stub.UpdatePolicy(pol_pb.UpdatePolicyRequest(
                policy={"name": "marketing", "source": source},
                update_mask=field_mask_pb2.FieldMask(paths=["source"])), timeout=10)
            assert answer.version_created
            acknowledged[answer.policy.version] = source

        write_until_killed(policy, write, acknowledged)

    policy.start()
    with grpc.insecure_channel(policy.address) as channel:
        stub = policy_service_pb2_grpc.PolicyServiceStub(channel)
        for version, source in acknowledged.items():
            found = stub.GetPolicy(pol_pb.GetPolicyRequest(name="marketing", version=version), timeout=10).policy
            assert found.source == source, version
        latest = stub.GetPolicy(pol_pb.GetPolicyRequest(name="marketing"), timeout=10).policy
        assert latest.latest_version >= max(acknowledged)
        assert latest.document.rules[0].id == "no-marital-status"  # the latest version parses as a document


def _records(batch: int, rows: int = 20) -> logs_pb2.PredictionRecords:
    records = logs_pb2.PredictionRecords(records=[logs_pb2.PredictionRecord(
        request_id=f"b{batch}-r{row}", row_index=0, model_name="killed", model_version=1) for row in range(rows)])
    for record in records.records:
        record.prediction_time.GetCurrentTime()
        record.prediction.label = "1"
    return records


def test_acknowledged_prediction_logs_survive_kill_9(spawn: Callable[..., ServiceProcess]) -> None:
    monitoring = spawn("monitoring", registry_address=unused_address(), featurestore_address=unused_address(),
                       training_address=unused_address(), follow_registry_events=False)
    monitoring.start()
    acknowledged: dict[int, int] = {}
    with grpc.insecure_channel(monitoring.address) as channel:
        stub = monitoring_service_pb2_grpc.MonitoringServiceStub(channel)

        def write(i: int) -> None:
            answer = stub.LogPredictions(iter([mon_pb.LogPredictionsRequest(batch_id=f"b{i}", records=_records(i))]),
                                         timeout=10)
            assert answer.accepted_count == 20, answer
            acknowledged[i] = answer.accepted_count

        write_until_killed(monitoring, write, acknowledged)

    monitoring.start()
    with grpc.insecure_channel(monitoring.address) as channel:
        stub = monitoring_service_pb2_grpc.MonitoringServiceStub(channel)
        for batch in acknowledged:
            again = stub.LogPredictions(iter([mon_pb.LogPredictionsRequest(batch_id=f"again-{batch}",
                                                                           records=_records(batch))]), timeout=10)
            assert (again.duplicate_count, again.accepted_count) == (20, 0), batch
