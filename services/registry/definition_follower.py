"""The background follower of the feature store's definition-change stream.

It resumes after the last revision the registry applied (stored in the registry's own database),
turns each new feature view version into a staleness pass, and reconnects after a pause when the
feature store is unreachable or not built yet. ``stop`` cancels the open stream and joins the thread.
"""

from __future__ import annotations

import threading

import grpc

from services.common.dependencies import Dependency
from services.common.logging import get_logger
from services.registry.staleness import DefinitionChange, Staleness
from sextant.featurestore.v1 import events_pb2 as fs_events_pb2
from sextant.featurestore.v1 import featurestore_service_pb2
from sextant.featurestore.v1 import resources_pb2 as fs_resources_pb2

_log = get_logger("registry.definition_follower")
_VERSION_CREATED = fs_events_pb2.DEFINITION_CHANGE_KIND_FEATURE_VIEW_VERSION_CREATED


class DefinitionChangeFollower:
    """Follows WatchDefinitionChanges on a daemon thread until stopped."""

    def __init__(self, featurestore: Dependency, staleness: Staleness, *, retry_seconds: float) -> None:
        self._featurestore = featurestore
        self._staleness = staleness
        self._retry = retry_seconds
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._call: grpc.Future | None = None
        self._thread = threading.Thread(target=self._run, name="registry-definition-follower", daemon=True)

    def start(self) -> None:
        """Start following."""
        self._thread.start()

    def stop(self) -> None:
        """Cancel the stream and wait for the thread to end."""
        self._stopping.set()
        with self._lock:
            if self._call is not None:
                self._call.cancel()
        self._thread.join(timeout=10)
        self._featurestore.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._follow_once()
            except grpc.RpcError as error:
                if self._stopping.is_set():
                    return
                code = error.code() if hasattr(error, "code") else None
                _log.warning("feature store definition stream interrupted; retrying",
                             code=getattr(code, "name", str(code)), retry_seconds=self._retry)
            except Exception as error:  # noqa: BLE001 - keep following; the next pass retries from the cursor
                if self._stopping.is_set():
                    return
                _log.error("applying a definition change failed; retrying", exc_info=error)
            self._stopping.wait(self._retry)

    def _follow_once(self) -> None:
        request = featurestore_service_pb2.WatchDefinitionChangesRequest(
            after_revision=self._staleness.cursor(), kinds=[_VERSION_CREATED])
        call = self._featurestore.stub.WatchDefinitionChanges(request, metadata=self._featurestore.metadata())
        with self._lock:
            if self._stopping.is_set():
                call.cancel()
                return
            self._call = call
        try:
            for response in call:
                event = response.event
                change = event.feature_view_change
                if event.kind != _VERSION_CREATED or not change.feature_view:
                    self._staleness.skip_to(event.revision)
                    continue
                self._staleness.apply(DefinitionChange(
                    revision=event.revision, feature_view=change.feature_view, old_version=change.old_version,
                    new_version=change.new_version, old_fingerprint=change.old_fingerprint,
                    new_fingerprint=change.new_fingerprint,
                    compatibility=_compatibility(change.compatibility)))
        finally:
            with self._lock:
                self._call = None


def _compatibility(number: int) -> str:
    if not number or number not in fs_resources_pb2.Compatibility.values():
        return ""
    return fs_resources_pb2.Compatibility.Name(number).removeprefix("COMPATIBILITY_")
