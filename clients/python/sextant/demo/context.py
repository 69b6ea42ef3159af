"""What the demo's steps share: the stubs of the six services, the data, and what earlier steps made."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc

from sextant.channels import open_channel
from sextant.demo.data import LendingData, ipc_bytes
from sextant.featurestore.v1 import featurestore_service_pb2, featurestore_service_pb2_grpc
from sextant.featurestore.v1 import resources_pb2 as fs_res
from sextant.monitoring.v1 import monitoring_service_pb2, monitoring_service_pb2_grpc
from sextant.policy.v1 import policy_service_pb2, policy_service_pb2_grpc
from sextant.registry.v1 import registry_service_pb2, registry_service_pb2_grpc
from sextant.serving.v1 import serving_service_pb2, serving_service_pb2_grpc
from sextant.training.v1 import training_service_pb2, training_service_pb2_grpc

MODEL = "credit-default"
VIEW = "credit_profile"
#: The data engineering team that owns the customer features: feature alerts go to it.
FEATURE_TEAM = "risk-data"
#: The data science team that owns the model: model alerts go to it.
MODEL_TEAM = "credit-science"
#: The ML engineers who run the deployment.
SERVING_TEAM = "ml-platform"
DEPLOYMENT = "credit-default-live"

_SERVICES = {
    "featurestore": (featurestore_service_pb2, "FeatureStoreService", featurestore_service_pb2_grpc),
    "training": (training_service_pb2, "TrainingService", training_service_pb2_grpc),
    "registry": (registry_service_pb2, "RegistryService", registry_service_pb2_grpc),
    "serving": (serving_service_pb2, "ServingService", serving_service_pb2_grpc),
    "monitoring": (monitoring_service_pb2, "MonitoringService", monitoring_service_pb2_grpc),
    "policy": (policy_service_pb2, "PolicyService", policy_service_pb2_grpc),
}


@dataclass
class Context:
    """Stubs, data and the results later steps build on."""

    channels: list[grpc.Channel]
    featurestore: featurestore_service_pb2_grpc.FeatureStoreServiceStub
    training: training_service_pb2_grpc.TrainingServiceStub
    registry: registry_service_pb2_grpc.RegistryServiceStub
    serving: serving_service_pb2_grpc.ServingServiceStub
    monitoring: monitoring_service_pb2_grpc.MonitoringServiceStub
    policy: policy_service_pb2_grpc.PolicyServiceStub
    data: LendingData
    applications_ipc: bytes = b""
    view_v1: fs_res.FeatureView | None = None
    version: int = 0
    #: The smallest adverse impact ratio the fairness gate accepts (from the reg-b policy).
    min_adverse_impact_ratio: float = 0.0
    #: The fairness results of the registered version, by attribute: adverse impact ratio.
    adverse_impact_ratios: dict[str, float] = field(default_factory=dict)
    #: (request id, customer ids, P(default) per customer) of each prediction request of step 5.
    predictions: list[tuple[str, list[int], list[float]]] = field(default_factory=list)

    @classmethod
    def connect(cls, addresses: dict[str, str], data: LendingData) -> Context:
        """Open one channel per service."""
        channels: list[grpc.Channel] = []
        stubs = {}
        for name, (module, service, grpc_module) in _SERVICES.items():
            channel = open_channel(addresses[name], [module.DESCRIPTOR.services_by_name[service]])
            channels.append(channel)
            stubs[name] = getattr(grpc_module, f"{service}Stub")(channel)
        return cls(channels=channels, data=data, applications_ipc=ipc_bytes(data.applications), **stubs)

    def close(self) -> None:
        """Close every channel."""
        for channel in self.channels:
            channel.close()
