"""One onnxruntime session per (model, version): creation, validation against the signature, warm-up
and the per-session statistics the Open Inference Protocol and ListLoadedModels report.

Small tabular models run in microseconds, so the session is run directly in the request's thread
with one intra-op thread by default: handing the work to an onnxruntime thread pool costs more than
the model itself (GIL and thread hand-offs).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime as ort

from services.common.errors import FailedPrecondition, InvalidArgument
from sextant.registry.v1 import resources_pb2
from sextant.type.v1 import types_pb2

#: onnxruntime element types → numpy dtypes and Open Inference Protocol datatype names.
ORT_TYPES: dict[str, tuple[np.dtype, str]] = {
    "tensor(float)": (np.dtype(np.float32), "FP32"),
    "tensor(double)": (np.dtype(np.float64), "FP64"),
    "tensor(int64)": (np.dtype(np.int64), "INT64"),
    "tensor(int32)": (np.dtype(np.int32), "INT32"),
    "tensor(int16)": (np.dtype(np.int16), "INT16"),
    "tensor(int8)": (np.dtype(np.int8), "INT8"),
    "tensor(uint8)": (np.dtype(np.uint8), "UINT8"),
    "tensor(bool)": (np.dtype(np.bool_), "BOOL"),
    "tensor(float16)": (np.dtype(np.float16), "FP16"),
    "tensor(string)": (np.dtype(object), "BYTES"),
}

#: Sextant data types → the onnxruntime element type they must match.
SIGNATURE_TYPES: dict[int, str] = {
    types_pb2.DATA_TYPE_FLOAT32: "tensor(float)",
    types_pb2.DATA_TYPE_FLOAT64: "tensor(double)",
    types_pb2.DATA_TYPE_INT64: "tensor(int64)",
    types_pb2.DATA_TYPE_INT32: "tensor(int32)",
    types_pb2.DATA_TYPE_BOOL: "tensor(bool)",
    types_pb2.DATA_TYPE_STRING: "tensor(string)",
    types_pb2.DATA_TYPE_BYTES: "tensor(string)",
}

#: The model version tag listing inputs (comma-separated, or `*`) that may carry NaN.
ALLOW_NAN_TAG = "serving.allow_nan_inputs"


@dataclass(frozen=True)
class TensorInfo:
    """One input or output as the session knows it."""

    name: str
    dtype: np.dtype
    datatype: str
    #: The shape with -1 for variable dimensions; the first dimension is the batch.
    shape: tuple[int, ...]
    allow_nan: bool = True

    @property
    def row_shape(self) -> tuple[int, ...]:
        """The shape of one row (every dimension after the batch)."""
        return self.shape[1:]


@dataclass
class SessionStats:
    """Cumulative counters of one session (Open Inference Protocol ModelStatistics)."""

    inference_count: int = 0
    execution_count: int = 0
    success_count: int = 0
    success_ns: int = 0
    fail_count: int = 0
    fail_ns: int = 0
    compute_ns: int = 0
    last_inference_ms: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def _dims(shape: list) -> tuple[int, ...]:
    return tuple(d if isinstance(d, int) and d >= 0 else -1 for d in shape)


class ModelSession:
    """A loaded, validated and warmed-up model version, shared by every request."""

    def __init__(self, model_version: resources_pb2.ModelVersion, path: Path, *, intra_op_threads: int,
                 inter_op_threads: int, from_disk_cache: bool) -> None:
        self.model_version = model_version
        self.model_name = model_version.model_name
        self.version = model_version.version
        self.version_text = str(model_version.version)
        self.signature = model_version.signature
        self.from_disk_cache = from_disk_cache
        self.memory_bytes = path.stat().st_size
        options = ort.SessionOptions()
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = inter_op_threads
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(path), sess_options=options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as error:  # noqa: BLE001 - onnxruntime raises its own hierarchy
            raise FailedPrecondition(f"onnxruntime cannot load {self.model_name}/{self.version}: {error}",
                                     reason="MODEL_LOAD_FAILED") from None
        allow = {name.strip() for name in model_version.tags.get(ALLOW_NAN_TAG, "").split(",") if name.strip()}
        self.inputs = tuple(self._info(node, "*" in allow or node.name in allow)
                            for node in self._session.get_inputs())
        self.outputs = tuple(self._info(node, True) for node in self._session.get_outputs())
        self.input_by_name = {info.name: info for info in self.inputs}
        self.output_by_name = {info.name: info for info in self.outputs}
        self.output_names = [info.name for info in self.outputs]
        # What the Open Inference Protocol edge learned about this session's requests (see
        # converters.infer_feeds and converters.encoded_infer_response).
        self.feed_layouts: dict[tuple, tuple[TensorInfo, tuple[int, ...]]] = {}
        self.response_prefixes: dict[tuple, bytes] = {}
        self.stats = SessionStats()
        self.load_time = time.time()
        # onnxruntime's Python run() checks on every call what the converters already guarantee (every
        # input fed, NumPy feeds, no WebGPU graph capture) before calling the native session's run; the
        # native run is the same execution without those checks (~10 µs less for a 20-input model).
        native = getattr(self._session, "_sess", None)
        if native is not None and callable(getattr(native, "run", None)):
            self._run = lambda names, feeds, run=native.run: run(names, feeds, None)
        else:
            self._run = self._session.run
        self._check_signature()

    def _info(self, node: ort.NodeArg, allow_nan: bool) -> TensorInfo:
        if node.type not in ORT_TYPES:
            raise FailedPrecondition(f"{self.model_name}/{self.version}: tensor {node.name!r} has unsupported "
                                     f"type {node.type}", reason="MODEL_LOAD_FAILED")
        dtype, datatype = ORT_TYPES[node.type]
        return TensorInfo(node.name, dtype, datatype, _dims(node.shape), allow_nan)

    def _check_signature(self) -> None:
        """The registered signature must describe the ONNX graph's inputs and outputs."""
        problems = []
        for spec in self.signature.inputs:
            info = self.input_by_name.get(spec.name)
            if info is None:
                problems.append(f"signature input {spec.name!r} is not an input of the graph")
            elif SIGNATURE_TYPES.get(spec.dtype) not in (None, _ort_name(info)):
                problems.append(f"signature input {spec.name!r} is {types_pb2.DataType.Name(spec.dtype)} but "
                                f"the graph says {info.datatype}")
        if self.signature.inputs:
            declared = {spec.name for spec in self.signature.inputs}
            missing = [info.name for info in self.inputs if info.name not in declared]
            if missing:
                problems.append(f"graph inputs {missing} are not in the signature")
        for spec in self.signature.outputs:
            if spec.name not in self.output_by_name:
                problems.append(f"signature output {spec.name!r} is not an output of the graph")
        if problems:
            raise FailedPrecondition(f"{self.model_name}/{self.version} does not match its signature: "
                                     + "; ".join(problems), reason="SIGNATURE_MISMATCH")

    def warm_up(self, rows: int) -> None:
        """Score ``rows`` synthetic rows and check that every output has one entry per row."""
        feeds = {}
        for info in self.inputs:
            shape = (rows, *(d if d > 0 else 1 for d in info.row_shape))
            if info.dtype == object:
                feeds[info.name] = np.full(shape, "", dtype=object)
            else:
                feeds[info.name] = np.zeros(shape, dtype=info.dtype)
        try:
            results = self._run(self.output_names, feeds)
        except Exception as error:  # noqa: BLE001 - any failure means the version cannot serve
            raise FailedPrecondition(f"warm-up of {self.model_name}/{self.version} failed: {error}",
                                     reason="WARMUP_FAILED") from None
        for info, result in zip(self.outputs, results, strict=True):
            if getattr(result, "shape", (0,))[:1] != (rows,):
                raise FailedPrecondition(f"warm-up of {self.model_name}/{self.version}: output {info.name!r} "
                                         f"has shape {getattr(result, 'shape', None)} for {rows} rows",
                                         reason="WARMUP_FAILED")

    def run(self, output_names: list[str], feeds: dict[str, np.ndarray], rows: int) -> list[np.ndarray]:
        """Score ``feeds`` in the calling thread and count the execution."""
        started = time.perf_counter_ns()
        try:
            results = self._run(output_names, feeds)
        except Exception as error:  # noqa: BLE001 - onnxruntime reports bad input as generic errors
            raise InvalidArgument("inputs", f"the model rejected the input: {error}",
                                  reason="MODEL_REJECTED_INPUT") from None
        elapsed = time.perf_counter_ns() - started
        stats = self.stats
        with stats.lock:
            stats.inference_count += rows
            stats.execution_count += 1
            stats.success_count += 1
            stats.success_ns += elapsed
            stats.compute_ns += elapsed
            stats.last_inference_ms = int(time.time() * 1000)
        return results


def _ort_name(info: TensorInfo) -> str:
    for name, (_dtype, datatype) in ORT_TYPES.items():
        if datatype == info.datatype:
            return name
    return ""
