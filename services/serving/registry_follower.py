"""The background follower of the registry's event stream that drives hot swaps.

It streams WatchRegistryEvents (alias moves and deletions only), remembers the revision of the last
event it processed and resumes from it after a reconnect, so no alias move is missed. For an alias
this replica follows it asks the model pool to re-read the alias, which downloads, loads and warms
the new version in the background and then swaps it in.
"""

from __future__ import annotations

import threading

import grpc

from services.common.dependencies import Dependency
from services.common.logging import get_logger
from services.serving.model_pool import ModelPool
from sextant.registry.v1 import events_pb2
from sextant.registry.v1 import registry_service_pb2 as reg_pb

_KINDS = [events_pb2.REGISTRY_EVENT_KIND_ALIAS_MOVED, events_pb2.REGISTRY_EVENT_KIND_ALIAS_DELETED]


class RegistryFollower:
    """A daemon thread following registry alias events."""

    def __init__(self, registry: Dependency, pool: ModelPool, *, retry_seconds: float) -> None:
        self._registry = registry
        self._pool = pool
        self._retry = retry_seconds
        self._stopping = threading.Event()
        self._call: grpc.Future | None = None
        self._lock = threading.Lock()
        self._log = get_logger("registry_follower")
        self.revision = 0
        self.connected = False
        self._thread = threading.Thread(target=self._run, name="serving-registry-follower", daemon=True)

    def start(self) -> None:
        """Start following from the registry's current revision."""
        self._thread.start()

    def _current_revision(self) -> int:
        response = self._registry.call("ListAliases", reg_pb.ListAliasesRequest(page_size=1))
        return response.revision

    def _run(self) -> None:
        started = False
        while not self._stopping.is_set():
            try:
                if not started:
                    self.revision = self._current_revision()
                    started = True
                    # Aliases may have moved while this replica was not listening: re-read them all.
                    for model_name, alias in self._pool.followed():
                        self._pool.refresh_alias(model_name, alias)
                # The stream carries this service's credential like every call to a peer.
                call = self._registry.stub.WatchRegistryEvents(
                    reg_pb.WatchRegistryEventsRequest(after_revision=self.revision, kinds=_KINDS),
                    metadata=self._registry.metadata())
                with self._lock:
                    self._call = call
                if self._stopping.is_set():
                    call.cancel()
                    return
                self.connected = True
                for message in call:
                    event = message.event
                    self._handle(event)
                    self.revision = event.revision
            except grpc.RpcError as error:
                if self._stopping.is_set():
                    return
                if error.code() == grpc.StatusCode.OUT_OF_RANGE:
                    started = False  # the registry's history was reset: re-read the state
                self._log.info("registry stream interrupted; retrying", code=error.code().name)
            except Exception as error:  # noqa: BLE001 - the follower must survive anything and retry
                if self._stopping.is_set():
                    return
                self._log.warning("registry follower error; retrying", error=str(error))
            self.connected = False
            self._stopping.wait(self._retry)

    def _handle(self, event: events_pb2.RegistryEvent) -> None:
        kind = event.WhichOneof("payload")
        if kind == "alias_moved":
            alias = event.alias_moved.change.alias
        elif kind == "alias_deleted":
            alias = event.alias_deleted.change.alias
        else:
            return
        if self._pool.is_followed(event.model_name, alias):
            self._log.info("alias moved", model=event.model_name, alias=alias, revision=event.revision)
            self._pool.refresh_alias(event.model_name, alias)

    def stop(self) -> None:
        """Stop the thread and cancel the stream."""
        self._stopping.set()
        with self._lock:
            if self._call is not None:
                self._call.cancel()
        self._thread.join(timeout=5)
