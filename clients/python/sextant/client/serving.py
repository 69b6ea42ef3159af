"""The serving client: deployments and predictions as DataFrames, plus a small Open Inference
Protocol (KServe V2) client for callers that feed tensors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
from google.protobuf import field_mask_pb2

from inference import grpc_service_pb2 as oip
from inference import grpc_service_pb2_grpc as oip_grpc
from sextant import errors
from sextant.client import tabular
from sextant.client._base import ServiceClient
from sextant.serving.v1 import resources_pb2
from sextant.serving.v1 import serving_service_pb2 as pb
from sextant.serving.v1 import serving_service_pb2_grpc as pb_grpc
from sextant.type.v1 import tabular_pb2

#: The Deployment fields :meth:`ServingClient.deploy` sets from keywords; the rest pass as messages.
_DEPLOYMENT_SCALARS = ("description", "model_name", "alias", "owner_team")


def deployment_message(name: str, **fields: Any) -> resources_pb2.Deployment:
    """A ``Deployment`` from keywords; ``canary_alias``/``canary_percent`` and ``shadow_alias`` fill
    the canary and shadow configs, ``labels`` is a mapping, other fields are messages."""
    deployment = resources_pb2.Deployment(name=name)
    canary_alias = fields.pop("canary_alias", None)
    canary_percent = fields.pop("canary_percent", None)
    shadow_alias = fields.pop("shadow_alias", None)
    for key, value in fields.items():
        if value is None:
            continue
        if key == "labels":
            deployment.labels.update(value)
        elif key in _DEPLOYMENT_SCALARS:
            setattr(deployment, key, value)
        else:
            getattr(deployment, key).CopyFrom(value)
    if canary_alias is not None:
        deployment.canary.alias = canary_alias
        deployment.canary.traffic_percent = int(canary_percent or 0)
    if shadow_alias is not None:
        deployment.shadow.alias = shadow_alias
    return deployment


def _mask_paths(fields: Mapping[str, Any]) -> list[str]:
    paths = []
    for key, value in fields.items():
        if value is None:
            continue
        paths.append({"canary_alias": "canary", "canary_percent": "canary", "shadow_alias": "shadow"}.get(key, key))
    return sorted(set(paths))


class ServingClient(ServiceClient):
    """Client of ``sextant.serving.v1.ServingService``."""

    SERVICE = "serving"
    STUB = pb_grpc.ServingServiceStub
    DESCRIPTOR = pb.DESCRIPTOR.services_by_name["ServingService"]

    def create_deployment(self, name: str, *, model_name: str, alias: str = "production",
                          timeout: float | None = None, **fields: Any) -> resources_pb2.Deployment:
        """Create a deployment serving ``alias`` of ``model_name`` (policy-checked)."""
        deployment = deployment_message(name, model_name=model_name, alias=alias, **fields)
        return self._call("CreateDeployment", pb.CreateDeploymentRequest(deployment=deployment), timeout).deployment

    def update_deployment(self, name: str, *, timeout: float | None = None,
                          **fields: Any) -> resources_pb2.Deployment:
        """Change the given fields of a deployment (only those, through the update mask)."""
        request = pb.UpdateDeploymentRequest(deployment=deployment_message(name, **dict(fields)),
                                             update_mask=field_mask_pb2.FieldMask(paths=_mask_paths(fields)))
        return self._call("UpdateDeployment", request, timeout).deployment

    def deploy(self, name: str, *, model_name: str, alias: str = "production", timeout: float | None = None,
               **fields: Any) -> resources_pb2.Deployment:
        """Create the deployment, or update it (alias and the given fields) when it already exists."""
        try:
            existing = self.get_deployment(name, timeout=timeout)
        except errors.NotFoundError:
            return self.create_deployment(name, model_name=model_name, alias=alias, timeout=timeout, **fields)
        if existing.model_name != model_name:
            raise ValueError(f"deployment {name!r} serves model {existing.model_name!r}, not {model_name!r}; "
                             "a deployment's model cannot change (delete it first)")
        return self.update_deployment(name, alias=alias, timeout=timeout, **fields)

    def get_deployment(self, name: str, *, timeout: float | None = None) -> resources_pb2.Deployment:
        """One deployment with its state and served versions."""
        return self._call("GetDeployment", pb.GetDeploymentRequest(name=name), timeout).deployment

    def iter_deployments(self, *, model_name: str = "", owner_team: str = "", page_size: int = 0,
                         timeout: float | None = None) -> Iterator[resources_pb2.Deployment]:
        """Every deployment matching the filters, page after page."""
        request = pb.ListDeploymentsRequest(model_name=model_name, owner_team=owner_team, page_size=page_size)
        return self._pages("ListDeployments", request, "deployments", timeout)

    def delete_deployment(self, name: str, *, timeout: float | None = None) -> None:
        """Delete a deployment."""
        self._call("DeleteDeployment", pb.DeleteDeploymentRequest(name=name), timeout)

    def predict(self, data: tabular.Tabular | None = None, *, entity_keys: tabular.Tabular | None = None,
                deployment: str = "", model_name: str = "", alias: str = "", model_version: int = 0,
                request_id: str = "", return_features: bool = False, arrow: bool = False,
                timeout: float | None = None) -> pd.DataFrame:
        """Predictions as a DataFrame, one row per input row, one column per model output.

        Give feature values (``data``: one column per model input) or ``entity_keys`` (serving
        fetches the features online). Target a ``deployment`` or a ``model_name`` with ``alias`` or
        ``model_version``. ``frame.attrs`` holds the request id, model version, alias and route; with
        ``return_features`` the values the model ran on are in ``frame.attrs["features"]``. With
        ``arrow`` the rows travel as Arrow IPC both ways: the cheapest form for many rows.
        """
        if (data is None) == (entity_keys is None):
            raise ValueError("pass either feature values (data) or entity_keys")
        request = pb.PredictRequest(request_id=request_id or uuid.uuid4().hex, deployment=deployment,
                                    model_name=model_name, return_features=return_features)
        if alias:
            request.alias = alias
        elif model_version:
            request.model_version = model_version
        if arrow:
            request.output_format = pb.OUTPUT_FORMAT_ARROW
        if data is not None and arrow:
            request.feature_values.CopyFrom(tabular_pb2.TabularData(arrow=tabular.arrow_message(data)))
        elif data is not None:
            request.feature_values.CopyFrom(tabular_pb2.TabularData(columns=tabular.column_batch(data)))
        else:
            request.entity_keys.keys.CopyFrom(tabular.column_batch(entity_keys))
        response = self._call("Predict", request, timeout)
        frame = tabular.tabular_to_pandas(response.outputs)
        frame.attrs.update(request_id=response.request_id, deployment=response.deployment,
                           model_name=response.model_name, model_version=response.model_version,
                           alias=response.alias, class_labels=list(response.class_labels))
        if return_features:
            frame.attrs["features"] = tabular.tabular_to_pandas(response.features.values)
        return frame

    def status(self, *, timeout: float | None = None) -> pb.GetServingStatusResponse:
        """The replica's readiness, loaded models, memory and dependencies."""
        return self._call("GetServingStatus", pb.GetServingStatusRequest(), timeout)


_NUMPY_OF_OIP = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32,
                 "BOOL": np.bool_, "UINT8": np.uint8, "FP16": np.float16, "INT8": np.int8, "INT16": np.int16}
_OIP_OF_NUMPY = {np.dtype(v): k for k, v in _NUMPY_OF_OIP.items()}


class InferenceClient(ServiceClient):
    """Client of the Open Inference Protocol (``inference.GRPCInferenceService``) on the serving
    address: numeric tensors in, numeric tensors out."""

    SERVICE = "serving"
    STUB = oip_grpc.GRPCInferenceServiceStub
    DESCRIPTOR = oip.DESCRIPTOR.services_by_name["GRPCInferenceService"]

    def model_ready(self, model_name: str, version: str = "", *, timeout: float | None = None) -> bool:
        """Whether the model (version) is loaded and ready."""
        request = oip.ModelReadyRequest(name=model_name, version=version)
        return self._call("ModelReady", request, timeout).ready

    def infer(self, model_name: str, inputs: Mapping[str, np.ndarray], *, version: str = "",
              timeout: float | None = None) -> dict[str, np.ndarray]:
        """Run the model on named numeric tensors; the outputs by name."""
        request = oip.ModelInferRequest(model_name=model_name, model_version=version)
        for name, value in inputs.items():
            array = np.ascontiguousarray(value)
            if array.dtype not in _OIP_OF_NUMPY:
                raise TypeError(f"input {name!r} has dtype {array.dtype}; only numeric tensors are supported")
            request.inputs.add(name=name, datatype=_OIP_OF_NUMPY[array.dtype], shape=list(array.shape))
            request.raw_input_contents.append(array.tobytes())
        response = self._call("ModelInfer", request, timeout)
        outputs = {}
        for index, output in enumerate(response.outputs):
            dtype = _NUMPY_OF_OIP.get(output.datatype)
            if dtype is None or index >= len(response.raw_output_contents):
                continue
            outputs[output.name] = np.frombuffer(response.raw_output_contents[index], dtype=dtype).reshape(output.shape)
        return outputs
