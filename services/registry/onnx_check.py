"""Checks an uploaded artifact: it must load in onnxruntime and match the version's signature.

A signature matches when the model has exactly the declared inputs and outputs by name, each with
the declared element type and rank, and every fixed dimension the signature declares equals the
model's (``-1`` in the signature, or a symbolic dimension in the model, matches any size). When the
signature lists class labels and the model carries its classifier's labels, they must be equal and
in the same order.

Two checks share the comparison. ``check_structure`` runs during the upload on the verified temporary
file: it reads only the graph's inputs and outputs from the wire format (``onnx_scan``), a few
milliseconds for any size. ``check_onnx`` is the full validation the background validator runs on the
stored artifact: onnxruntime loads it, and the class labels are compared too. Neither holds the model
in Python memory when given a path; bytes are accepted too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from services.registry.onnx_scan import NotOnnx, scan_onnx, scan_onnx_file
from services.registry.records import Signature, TensorSpec

#: onnxruntime type strings by the registry's DataType names.
ORT_TYPES = {
    "BOOL": "tensor(bool)", "INT32": "tensor(int32)", "INT64": "tensor(int64)", "FLOAT32": "tensor(float)",
    "FLOAT64": "tensor(double)", "STRING": "tensor(string)", "BYTES": "tensor(uint8)",
}


@dataclass(frozen=True)
class ArtifactProblem:
    """Why an artifact was refused: the signature path concerned (or ``artifact``) and what is wrong."""

    path: str
    problem: str

    @property
    def message(self) -> str:
        """The status message of a version refused for this problem."""
        return f"the artifact is not a valid ONNX model for the signature: {self.path}: {self.problem}"


def check_structure(data: bytes | Path, signature: Signature) -> ArtifactProblem | None:
    """None when ``data`` (bytes or a file's path) is an ONNX model whose graph inputs and outputs match
    ``signature``; the first problem otherwise. Initializers and nodes are not read."""
    try:
        interface = scan_onnx(data) if isinstance(data, bytes) else scan_onnx_file(data)
    except NotOnnx as error:
        return ArtifactProblem("artifact", f"not an ONNX model: {error}")
    return compare_io("inputs", signature.inputs, interface.inputs) or \
        compare_io("outputs", signature.outputs, interface.outputs)


def check_onnx(data: bytes | Path, signature: Signature) -> ArtifactProblem | None:
    """None when ``data`` (the model's bytes or the path of its file) is a loadable ONNX model matching
    ``signature``; the first problem otherwise."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    # Loading is the check; graph optimisations would only cost time (serving optimises on its own load).
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    # Nothing runs, so no thread pools: creating them costs more than the load itself on a busy host.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(data if isinstance(data, bytes) else str(data), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as error:  # noqa: BLE001 - onnxruntime raises several unrelated types for bad bytes
        text = str(error).strip()
        if not isinstance(data, bytes):
            text = text.replace(str(data), "the artifact")  # the server's temporary path is no business of the caller
        first_line = text.splitlines()[0] if text else type(error).__name__
        return ArtifactProblem("artifact", f"not a loadable ONNX model: {first_line[:300]}")
    problem = (compare_io("inputs", signature.inputs, session.get_inputs())
               or compare_io("outputs", signature.outputs, session.get_outputs()))
    if problem is None and signature.class_labels:
        problem = _compare_labels(data, signature.class_labels)
    return problem


def compare_io(kind: str, declared: tuple[TensorSpec, ...], actual: Sequence) -> ArtifactProblem | None:
    """The first disagreement between the signature's ``kind`` ("inputs" or "outputs") and the model's
    (onnxruntime NodeArgs or ``onnx_scan.GraphArg``s: ``name``, ``type``, ``shape``)."""
    by_name = {arg.name: arg for arg in actual}
    declared_names = [spec.name for spec in declared]
    for i, spec in enumerate(declared):
        path = f"signature.{kind}[{i}]"
        arg = by_name.get(spec.name)
        if arg is None:
            return ArtifactProblem(path, f"the model has no {kind[:-1]} named {spec.name!r} "
                                         f"(it has {', '.join(sorted(by_name))})")
        expected_type = ORT_TYPES.get(spec.dtype)
        if expected_type != arg.type:
            return ArtifactProblem(f"{path}.dtype", f"{spec.name!r} is {arg.type} in the model, the signature "
                                                    f"declares {spec.dtype}")
        shape = list(arg.shape or [])
        if spec.shape and len(shape) != len(spec.shape):
            return ArtifactProblem(f"{path}.shape", f"{spec.name!r} has rank {len(shape)} in the model, the "
                                                    f"signature declares rank {len(spec.shape)}")
        for j, (want, have) in enumerate(zip(spec.shape, shape, strict=False)):
            if want != -1 and isinstance(have, int) and have != want:
                return ArtifactProblem(f"{path}.shape[{j}]", f"{spec.name!r} dimension {j} is {have} in the "
                                                             f"model, the signature declares {want}")
    extra = sorted(set(by_name) - set(declared_names))
    if extra:
        return ArtifactProblem(f"signature.{kind}", f"the model has {kind} the signature does not declare: "
                                                    f"{', '.join(extra)}")
    return None


def _compare_labels(data: bytes | Path, labels: tuple[str, ...]) -> ArtifactProblem | None:
    import onnx

    model = onnx.load_model_from_string(data) if isinstance(data, bytes) else \
        onnx.load(str(data), load_external_data=False)
    for node in model.graph.node:
        for attribute in node.attribute:
            if attribute.name == "classlabels_strings":
                found = [s.decode() for s in attribute.strings]
            elif attribute.name == "classlabels_ints":
                found = [str(i) for i in attribute.ints]
            else:
                continue
            if found != list(labels):
                return ArtifactProblem("signature.class_labels", f"the model's class labels are {found}, the "
                                                                 f"signature declares {list(labels)}")
            return None
    return None
