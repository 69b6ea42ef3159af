"""The requests the fuzzer found answered INTERNAL, kept as plain regression tests.

Each one is bad input and must be answered INVALID_ARGUMENT naming the field (timestamps outside
the range protobuf defines; names the registry refuses, relayed by its callers; an error quoting a
huge input, which used to exceed gRPC's metadata limit and reach the client as RESOURCE_EXHAUSTED; a
name prefix too long for SQLite's LIKE).
"""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from google.protobuf import timestamp_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sextant.featurestore.v1 import featurestore_service_pb2 as fs
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.monitoring.v1 import monitoring_service_pb2 as mon
from sextant.monitoring.v1 import monitoring_service_pb2_grpc as mon_grpc
from sextant.policy.v1 import policy_service_pb2 as pol
from sextant.policy.v1 import policy_service_pb2_grpc as pol_grpc
from sextant.registry.v1 import registry_service_pb2 as reg
from sextant.registry.v1 import registry_service_pb2_grpc as reg_grpc
from sextant.serving.v1 import resources_pb2 as serving_resources
from sextant.serving.v1 import serving_service_pb2 as srv
from sextant.serving.v1 import serving_service_pb2_grpc as srv_grpc
from sextant.training.v1 import training_service_pb2 as trn
from sextant.training.v1 import training_service_pb2_grpc as trn_grpc
from sextant.type.v1 import model_pb2
from tests.fuzz.conftest import Suite

BAD_TIMES = [timestamp_pb2.Timestamp(seconds=2**62), timestamp_pb2.Timestamp(seconds=-(2**63)),
             timestamp_pb2.Timestamp(nanos=-1)]


def invalid_argument_field(call: Callable[[], object]) -> str:
    """Run ``call``; it must fail with INVALID_ARGUMENT. Returns the field its ErrorInfo names."""
    with pytest.raises(grpc.RpcError) as raised:
        result = call()
        for _response in result if hasattr(result, "__iter__") else ():  # server streams fail on reading
            pass
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT, raised.value.details()
    status = rpc_status.from_call(raised.value)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return info.metadata["field"]


def with_time(message: Message, field: str, stamp: timestamp_pb2.Timestamp) -> Message:
    getattr(message, field).CopyFrom(stamp)
    return message


@pytest.mark.parametrize("stamp", BAD_TIMES, ids=["far-future", "far-past", "negative-nanos"])
def test_timestamps_outside_protobuf_range_are_invalid_arguments(suite: Suite, stamp: timestamp_pb2.Timestamp
                                                                 ) -> None:
    channels = suite.channels
    training = trn_grpc.TrainingServiceStub(channels["training"])
    registry = reg_grpc.RegistryServiceStub(channels["registry"])
    monitoring = mon_grpc.MonitoringServiceStub(channels["monitoring"])
    policy = pol_grpc.PolicyServiceStub(channels["policy"])
    featurestore = fs_grpc.FeatureStoreServiceStub(channels["featurestore"])
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: training.ListTrainingJobs(with_time(trn.ListTrainingJobsRequest(), "create_time_end", stamp)),
         "create_time_end"),
        (lambda: registry.ListAliasHistory(with_time(reg.ListAliasHistoryRequest(), "at_time", stamp)), "at_time"),
        (lambda: registry.ListModelVersions(with_time(reg.ListModelVersionsRequest(), "create_time_start", stamp)),
         "create_time_start"),
        (lambda: monitoring.ListAlerts(with_time(mon.ListAlertsRequest(), "end_time", stamp)), "end_time"),
        (lambda: monitoring.SilenceAlert(with_time(mon.SilenceAlertRequest(name="a"), "silence_until", stamp)),
         "silence_until"),
        (lambda: policy.ListDecisions(with_time(pol.ListDecisionsRequest(), "start_time", stamp)), "start_time"),
        (lambda: featurestore.MaterializeFeatures(with_time(fs.MaterializeFeaturesRequest(), "start_time", stamp)),
         "start_time"),
    ]
    audited = {"policy": (policy, pol), "registry": (registry, reg), "training": (training, trn),
               "monitoring": (monitoring, mon), "featurestore": (featurestore, fs),
               "serving": (srv_grpc.ServingServiceStub(channels["serving"]), srv)}
    for stub, module in audited.values():
        cases.append((lambda stub=stub, module=module: stub.ListAuditRecords(
            with_time(module.ListAuditRecordsRequest(), "start_time", stamp)), "start_time"))
    historical = fs.GetHistoricalFeaturesRequest()
    historical.entity_feature_view.feature_view = "v"
    historical.entity_feature_view.end_time.CopyFrom(stamp)
    cases.append((lambda: featurestore.GetHistoricalFeatures(historical), "entity_feature_view.end_time"))
    for call, field in cases:
        assert invalid_argument_field(call) == field


def test_names_the_registry_refuses_are_invalid_arguments_in_its_callers(suite: Suite) -> None:
    training = trn_grpc.TrainingServiceStub(suite.channels["training"])
    serving = srv_grpc.ServingServiceStub(suite.channels["serving"])
    rerun = trn.RerunTrainingJobRequest(model_version=model_pb2.ModelVersionReference(model_name=":", version=1))
    assert invalid_argument_field(lambda: training.RerunTrainingJob(rerun)) == "model_version"
    create = srv.CreateDeploymentRequest(deployment=serving_resources.Deployment(name="d0", model_name=":"))
    assert invalid_argument_field(lambda: serving.CreateDeployment(create)) == "deployment.model_name"


def test_an_error_quoting_a_huge_input_still_reaches_the_client(suite: Suite) -> None:
    registry = reg_grpc.RegistryServiceStub(suite.channels["registry"])
    training = trn_grpc.TrainingServiceStub(suite.channels["training"])
    huge = "x" * (1 << 20)
    assert invalid_argument_field(lambda: registry.GetRegisteredModel(reg.GetRegisteredModelRequest(name=huge))) \
        == "name"
    rerun = trn.RerunTrainingJobRequest(model_version=model_pb2.ModelVersionReference(model_name=huge, version=1))
    assert invalid_argument_field(lambda: training.RerunTrainingJob(rerun)) == "model_version"


def test_a_model_name_prefix_longer_than_any_name_is_an_invalid_argument(suite: Suite) -> None:
    # SQLite refused the LIKE pattern of a 1 MB prefix ("pattern too complex"), answered INTERNAL.
    registry = reg_grpc.RegistryServiceStub(suite.channels["registry"])
    request = reg.ListRegisteredModelsRequest(name_prefix="x" * (1 << 20))
    assert invalid_argument_field(lambda: registry.ListRegisteredModels(request)) == "name_prefix"
    assert registry.ListRegisteredModels(reg.ListRegisteredModelsRequest(name_prefix="x" * 63)).models == []
