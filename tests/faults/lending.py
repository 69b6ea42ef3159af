"""The lending feature view the training tests use, applied to a real feature store."""

from __future__ import annotations

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.featurestore.v1 import resources_pb2 as fs_resources
from sextant.type.v1 import governance_pb2, types_pb2
from tests.integration.training.conftest import _ipc, lending_history


def apply_lending_view(fs: fs_grpc.FeatureStoreServiceStub) -> None:
    """The `customer` entity and `credit_profile` view (age tagged as protected), with their history."""
    fs.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(
        entities=[fs_resources.Entity(name="customer", join_keys=[fs_resources.JoinKey(
            name="customer_id", dtype=types_pb2.DATA_TYPE_INT64)], owner_team="risk", description="a customer")],
        feature_views=[fs_resources.FeatureView(
            name="credit_profile", entities=["customer"], owner_team="risk", description="credit profile",
            source_kind=fs_resources.SOURCE_KIND_BATCH, features=[
                fs_resources.Feature(name="income", dtype=types_pb2.DATA_TYPE_FLOAT64),
                fs_resources.Feature(name="debt_ratio", dtype=types_pb2.DATA_TYPE_FLOAT64),
                fs_resources.Feature(name="region", dtype=types_pb2.DATA_TYPE_STRING),
                fs_resources.Feature(name="age", dtype=types_pb2.DATA_TYPE_INT64,
                                     protected_basis=governance_pb2.PROTECTED_BASIS_AGE)])]), timeout=30)
    fs.IngestBatch(iter([
        fs_pb2.IngestBatchRequest(header=fs_pb2.IngestBatchHeader(feature_view="credit_profile", ingest_id="h1")),
        fs_pb2.IngestBatchRequest(chunk=types_pb2.ArrowTable(ipc_stream=_ipc(lending_history())))]), timeout=60)
