"""The local disk cache of model artifacts and signatures, filled from the registry.

Layout under the cache folder: ``<model>/<version>/model.onnx`` and ``<model>/<version>/version.pb``
(the registry's ModelVersion message), plus ``<model>/aliases.json`` with the last alias → version
mapping this replica served. Every file is written to a temporary name and renamed, so a crash never
leaves a half-written artifact that looks complete, and a restart while the registry is down serves
the last known versions from here.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import grpc

from services.common.dependencies import Dependency
from services.common.errors import DataLoss, NotFound, SextantError, Unavailable
from sextant.registry.v1 import registry_service_pb2 as reg_pb
from sextant.registry.v1 import resources_pb2


@dataclass(frozen=True)
class CachedArtifact:
    """A model version available on local disk."""

    model_version: resources_pb2.ModelVersion
    path: Path
    from_disk_cache: bool


def _safe(name: str) -> str:
    if not name or "/" in name or name.startswith("."):
        raise NotFound("model", name)
    return name


class ArtifactCache:
    """Downloads versions from the registry (sha256-checked) and keeps them on disk."""

    def __init__(self, root: Path, registry: Dependency, *, timeout: float = 60.0) -> None:
        self._root = root
        self._registry = registry
        self._timeout = timeout
        self._alias_lock = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)

    def describe(self, model_name: str, *, version: int = 0, alias: str = "") -> resources_pb2.ModelVersion:
        """The registry's view of a version (by number or alias); falls back to the disk cache when the
        registry is unreachable. NOT_FOUND for an unknown model, version or alias."""
        request = reg_pb.GetModelVersionRequest(model_name=model_name)
        if version:
            request.version = version
        else:
            request.alias = alias
        try:
            return self._registry.call("GetModelVersion", request).model_version
        except Unavailable:
            cached = self._cached_version(model_name, version or self.last_alias(model_name, alias))
            if cached is None:
                raise
            return cached
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                what = f"{model_name}@{alias}" if alias else f"{model_name}/{version}"
                raise NotFound("model_version", what, metadata={"model_name": model_name}) from None
            if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise NotFound("model", model_name) from None
            raise

    def fetch(self, model_version: resources_pb2.ModelVersion) -> CachedArtifact:
        """The version's artifact on disk, downloading it when it is not cached yet."""
        folder = self._root / _safe(model_version.model_name) / str(model_version.version)
        path = folder / "model.onnx"
        if path.exists() and (folder / "version.pb").exists():
            return CachedArtifact(model_version, path, True)
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        tmp = folder / f".model.onnx.{os.getpid()}.{threading.get_ident()}.tmp"
        request = reg_pb.DownloadArtifactRequest(model_name=model_version.model_name,
                                                 version=model_version.version)
        try:
            with tmp.open("wb") as out:
                for message in self._registry.stub.DownloadArtifact(request, timeout=self._timeout,
                                                                    metadata=self._registry.metadata()):
                    if message.WhichOneof("content") == "chunk":
                        digest.update(message.chunk)
                        out.write(message.chunk)
                out.flush()
                os.fsync(out.fileno())
        except grpc.RpcError as error:
            tmp.unlink(missing_ok=True)
            raise Unavailable(f"downloading {model_version.model_name}/{model_version.version} failed: "
                              f"{error.code().name}", reason="REGISTRY_DOWNLOAD_FAILED",
                              metadata={"model_name": model_version.model_name,
                                        "version": model_version.version}) from None
        if model_version.artifact_sha256 and digest.hexdigest() != model_version.artifact_sha256:
            tmp.unlink(missing_ok=True)
            raise DataLoss(f"artifact of {model_version.model_name}/{model_version.version} does not match its "
                           f"sha256", metadata={"expected": model_version.artifact_sha256,
                                                "actual": digest.hexdigest()})
        os.replace(tmp, path)
        self._write(folder / "version.pb", model_version.SerializeToString())
        return CachedArtifact(model_version, path, False)

    def remember_alias(self, model_name: str, alias: str, version: int) -> None:
        """Record that ``alias`` served ``version``, for restarts while the registry is down."""
        with self._alias_lock:
            path = self._root / _safe(model_name) / "aliases.json"
            aliases = self._aliases(path)
            if aliases.get(alias) == version:
                return
            aliases[alias] = version
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write(path, json.dumps(aliases, sort_keys=True).encode())

    def last_alias(self, model_name: str, alias: str) -> int:
        """The version ``alias`` last served on this replica; 0 when unknown."""
        try:
            return int(self._aliases(self._root / _safe(model_name) / "aliases.json").get(alias, 0))
        except SextantError:
            return 0

    def _cached_version(self, model_name: str, version: int) -> resources_pb2.ModelVersion | None:
        if not version:
            return None
        path = self._root / _safe(model_name) / str(version) / "version.pb"
        if not path.exists():
            return None
        return resources_pb2.ModelVersion.FromString(path.read_bytes())

    @staticmethod
    def _aliases(path: Path) -> dict[str, int]:
        try:
            return {str(k): int(v) for k, v in json.loads(path.read_text()).items()}
        except (OSError, ValueError, AttributeError):
            return {}

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
