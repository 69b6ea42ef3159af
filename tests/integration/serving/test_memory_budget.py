"""Memory-budget eviction: with a tiny budget (`model_memory_budget_bytes`), least-recently-used
sessions that no alias points at are evicted; the served alias's session never is."""

from __future__ import annotations

from collections.abc import Callable

import onnx

from sextant.serving.v1 import serving_service_pb2 as pb
from tests.integration.serving.conftest import Registry, Serving, tiny_onnx

MODEL = "evictable"


def relabelled(data: bytes) -> bytes:
    """The same model with another doc string: distinct artifact bytes (the registry dedups by digest)."""
    model = onnx.load_from_string(data)
    model.doc_string = "third version"
    return model.SerializeToString()


def loaded_versions(serving: Serving) -> list[int]:
    """The versions of MODEL loaded in the server."""
    listed = serving.sextant.ListLoadedModels(pb.ListLoadedModelsRequest(model_name=MODEL), timeout=10)
    return sorted(m.model_version for m in listed.loaded_models)


def test_tiny_budget_evicts_least_recently_used_unaliased_versions(
        registry: Registry, start_serving: Callable[..., Serving]) -> None:
    registry.create_model(MODEL)
    v1 = registry.register(MODEL, tiny_onnx())
    v2 = registry.register(MODEL, tiny_onnx(flip=True))
    v3 = registry.register(MODEL, relabelled(tiny_onnx()))
    registry.set_alias(MODEL, "production", v1)
    serving = start_serving(model_memory_budget_bytes=1)
    serving.wait_ready(MODEL)
    serving.wait_ready(MODEL, version=str(v2))
    assert loaded_versions(serving) == [v1, v2]  # over budget, but v2 was just loaded and v1 is served
    serving.wait_ready(MODEL, version=str(v3))
    assert loaded_versions(serving) == [v1, v3]  # v2 was the least recently used version without an alias
    serving.wait_ready(MODEL, version=str(v2))  # reloaded on its next use; v3 makes room
    assert loaded_versions(serving) == [v1, v2]
    status = serving.sextant.GetServingStatus(pb.GetServingStatusRequest(), timeout=10)
    assert status.loaded_model_count >= 2
