"""The Sextant Python SDK: one client per service, and :class:`Sextant` holding all of them.

    from sextant.client import Sextant

    with Sextant.local() as sx:                       # the stack `sextant up` started
        sx.featurestore.apply(load_definitions("features.py"))
        sx.featurestore.ingest("credit_profile", history_frame)
        training_set = sx.featurestore.get_historical_features(entity_rows, ["credit_profile:income"])
        job = sx.training.submit(model_name="credit", features=[...], entity_rows=rows, label_column="approved")
        for event in sx.training.watch(job.name): ...
        sx.registry.promote("credit", "production", version=1)
        sx.serving.predict(entity_keys={"customer_id": [7]}, deployment="credit")

Failed calls raise the exceptions of :mod:`sextant.errors` (``NotFoundError``, ``ConflictError`` …)
carrying the server's reason. Every client also exposes ``.stub`` for the RPCs it does not wrap;
calls on it carry the credential and the default deadline too.
"""

from sextant.client.definitions import Entity, Feature, FeatureService, FeatureView, load_definitions
from sextant.client.featurestore import FeatureStoreClient
from sextant.client.monitoring import MonitoringClient
from sextant.client.policy import PolicyClient
from sextant.client.registry import RegistryClient
from sextant.client.serving import InferenceClient, ServingClient
from sextant.client.sextant import Sextant, discover_addresses
from sextant.client.training import TrainingClient

__all__ = [
    "Entity", "Feature", "FeatureService", "FeatureStoreClient", "FeatureView", "InferenceClient",
    "MonitoringClient", "PolicyClient", "RegistryClient", "ServingClient", "Sextant", "TrainingClient",
    "discover_addresses", "load_definitions",
]
