"""Sessions of tiny ONNX graphs for the serving unit tests."""

from __future__ import annotations

import pytest
from onnx import GraphProto, helper

from services.serving.sessions import ModelSession
from sextant.registry.v1 import resources_pb2


def load_session(tmp_path_factory: pytest.TempPathFactory, graph: GraphProto, name: str,
                 version: int = 1) -> ModelSession:
    """A session of ``graph`` (opset 15) as version ``version`` of model ``name``."""
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    path = tmp_path_factory.mktemp(name) / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    return ModelSession(resources_pb2.ModelVersion(model_name=name, version=version), path, intra_op_threads=1,
                        inter_op_threads=1, from_disk_cache=False)
