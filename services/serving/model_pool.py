"""The sessions this replica holds and which version each followed alias serves.

Requests look a session up with two dictionary reads (alias → version, (model, version) → session)
and never wait on a load: a version that is not loaded yet is loaded in a background thread and the
request answers UNAVAILABLE. When an alias moves, the new version is downloaded, loaded, validated
and warmed up in the background; only then is the alias pointed at it (one dictionary assignment,
atomic under the GIL). Requests already running keep the old session object and finish on it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from services.common.errors import FailedPrecondition, NotFound, SextantError, Unavailable
from services.common.logging import get_logger
from services.serving import metrics
from services.serving.artifact_cache import ArtifactCache
from services.serving.sessions import ModelSession
from sextant.registry.v1 import resources_pb2
from sextant.serving.v1 import resources_pb2 as serving_pb

#: How long a failed load is remembered before a request may trigger another attempt.
RETRY_FAILED_AFTER_SECONDS = 5.0


@dataclass
class LoadStatus:
    """The load state of one (model, version) on this replica."""

    state: int
    message: str = ""
    since: float = 0.0


class ModelPool:
    """Sessions by (model, version) and served versions by (model, alias)."""

    def __init__(self, cache: ArtifactCache, *, intra_op_threads: int, inter_op_threads: int,
                 warmup_rows: int, loader_threads: int = 2, memory_budget_bytes: int = 0) -> None:
        self._cache = cache
        self._budget = memory_budget_bytes
        #: (model, version) → tick of its last use (a counter, for least-recently-used eviction).
        self._used: dict[tuple[str, int], int] = {}
        self._tick = itertools.count(1)
        self.evicted = 0
        self._intra = intra_op_threads
        self._inter = inter_op_threads
        self._warmup_rows = warmup_rows
        self._sessions: dict[tuple[str, int], ModelSession] = {}
        self._aliases: dict[tuple[str, str], int] = {}
        self._pending_alias: dict[tuple[str, str], int] = {}
        self._status: dict[tuple[str, int], LoadStatus] = {}
        self._lock = threading.Lock()
        self._loader = ThreadPoolExecutor(max_workers=loader_threads, thread_name_prefix="serving-loader")
        self._log = get_logger("model_pool")
        self.on_swap: list[Callable[[str, str, int, int], None]] = []

    # --- the request path -----------------------------------------------------------------------

    def by_alias(self, model_name: str, alias: str) -> ModelSession:
        """The session serving ``alias``; UNAVAILABLE while it loads, NOT_FOUND for an unknown alias."""
        version = self._aliases.get((model_name, alias))
        if version is not None:
            session = self._sessions.get((model_name, version))
            if session is not None:
                if self._budget:
                    self._used[(model_name, version)] = next(self._tick)
                return session
        self.follow(model_name, alias)
        raise self._not_ready(model_name, self._pending_alias.get((model_name, alias), 0), alias)

    def by_version(self, model_name: str, version: int) -> ModelSession:
        """The session of an explicit version, loading it in the background on first use."""
        session = self._sessions.get((model_name, version))
        if session is not None:
            if self._budget:
                self._used[(model_name, version)] = next(self._tick)
            return session
        status = self._status.get((model_name, version))
        if status is None or self._retryable(status):
            model_version = self._cache.describe(model_name, version=version)
            self._start_load(model_version)
        raise self._not_ready(model_name, version, "")

    def peek_alias(self, model_name: str, alias: str) -> ModelSession | None:
        """The session serving ``alias`` right now, without loading anything."""
        version = self._aliases.get((model_name, alias))
        return self._sessions.get((model_name, version)) if version is not None else None

    def peek_version(self, model_name: str, version: int) -> ModelSession | None:
        """The session of an explicit version if it is loaded, without loading anything."""
        return self._sessions.get((model_name, version))

    # --- following aliases ----------------------------------------------------------------------

    def follow(self, model_name: str, alias: str) -> None:
        """Serve ``alias`` of ``model_name`` from now on, loading its version in the background.

        NOT_FOUND when the registry does not know the alias; UNAVAILABLE when the registry cannot be
        reached and the disk cache does not know the alias either."""
        key = (model_name, alias)
        pending = self._pending_alias.get(key)
        if pending is None and key in self._aliases:
            return  # already served; the registry follower keeps it current
        if pending is not None:
            status = self._status.get((model_name, pending))
            if status is None or not self._retryable(status):
                return
        model_version = self._cache.describe(model_name, alias=alias)
        self._point(key, model_version)

    def refresh_alias(self, model_name: str, alias: str) -> None:
        """Re-read where ``alias`` points (after an alias event) if this replica follows it."""
        key = (model_name, alias)
        if key not in self._aliases and key not in self._pending_alias:
            return
        try:
            model_version = self._cache.describe(model_name, alias=alias)
        except NotFound:
            self._log.warning("followed alias disappeared; keeping the last version", model=model_name, alias=alias)
            return
        self._point(key, model_version)

    def is_followed(self, model_name: str, alias: str) -> bool:
        """Whether this replica serves ``alias`` of ``model_name``."""
        key = (model_name, alias)
        return key in self._aliases or key in self._pending_alias

    def followed(self) -> list[tuple[str, str]]:
        """Every (model, alias) this replica follows."""
        with self._lock:
            return sorted(set(self._aliases) | set(self._pending_alias))

    def waiting(self) -> bool:
        """Whether some followed alias still waits for its version (loading, or failed and retryable)."""
        with self._lock:
            return bool(self._pending_alias)

    def unfollow(self, model_name: str, alias: str) -> None:
        """Stop serving ``alias``; sessions no alias points at remain until released."""
        with self._lock:
            self._aliases.pop((model_name, alias), None)
            self._pending_alias.pop((model_name, alias), None)

    def release_unreferenced(self, model_name: str = "") -> int:
        """Drop the sessions (of ``model_name``, or all) that no followed alias points at."""
        with self._lock:
            used = {(m, v) for (m, _a), v in self._aliases.items()} | {
                (m, v) for (m, _a), v in self._pending_alias.items()}
            dropped = [key for key in self._sessions if key not in used and (not model_name or key[0] == model_name)]
            for key in dropped:
                del self._sessions[key]
                self._status.pop(key, None)
                self._used.pop(key, None)
        self._update_gauges()
        return len(dropped)

    def _enforce_budget(self, keep: tuple[str, int] | None) -> None:
        """Evict least-recently-used sessions that no alias points at (nor waits for) until the loaded
        sessions fit the memory budget; ``keep`` (the session just loaded) is never evicted. Sessions an
        alias serves are never evicted, so the budget can be exceeded by them alone (logged)."""
        if not self._budget:
            return
        evicted = []
        with self._lock:
            total = sum(s.memory_bytes for s in self._sessions.values())
            if total <= self._budget:
                return
            used = {(m, v) for (m, _a), v in self._aliases.items()} | {
                (m, v) for (m, _a), v in self._pending_alias.items()}
            candidates = sorted((self._used.get(key, 0), key) for key in self._sessions if key not in used
                                and key != keep)
            for _tick, key in candidates:
                if total <= self._budget:
                    break
                total -= self._sessions.pop(key).memory_bytes
                self._status.pop(key, None)
                self._used.pop(key, None)
                evicted.append(key)
            self.evicted += len(evicted)
        for model_name, version in evicted:
            self._log.info("session evicted (memory budget)", model=model_name, version=version,
                           budget_bytes=self._budget)
        if total > self._budget:
            self._log.warning("memory budget exceeded by sessions that aliases serve", budget_bytes=self._budget,
                              loaded_bytes=total)
        self._update_gauges()

    def _point(self, key: tuple[str, str], model_version: resources_pb2.ModelVersion) -> None:
        model_name, version = model_version.model_name, model_version.version
        with self._lock:
            self._pending_alias[key] = version
            ready = (model_name, version) in self._sessions
        if ready:
            self._swap(key, version)
        else:
            self._start_load(model_version)

    def _swap(self, key: tuple[str, str], version: int) -> None:
        with self._lock:
            if self._pending_alias.get(key) != version or (key[0], version) not in self._sessions:
                return
            old = self._aliases.get(key, 0)
            self._aliases[key] = version
            del self._pending_alias[key]
        self._cache.remember_alias(key[0], key[1], version)
        if old != version:
            self._log.info("alias swapped", model=key[0], alias=key[1], from_version=old, to_version=version)
            for callback in self.on_swap:
                callback(key[0], key[1], old, version)
            self._enforce_budget(None)  # the old version may no longer be pointed at

    # --- loading --------------------------------------------------------------------------------

    def _start_load(self, model_version: resources_pb2.ModelVersion) -> None:
        key = (model_version.model_name, model_version.version)
        with self._lock:
            status = self._status.get(key)
            if key in self._sessions or (status is not None and not self._retryable(status)):
                return
            self._status[key] = LoadStatus(serving_pb.LOAD_STATE_DOWNLOADING, since=time.monotonic())
        self._loader.submit(self._load, model_version)

    def _load(self, model_version: resources_pb2.ModelVersion) -> None:
        key = (model_version.model_name, model_version.version)
        try:
            if model_version.status != resources_pb2.MODEL_VERSION_STATUS_READY:
                raise FailedPrecondition(f"version {key[1]} of {key[0]} is not READY in the registry",
                                         reason="VERSION_NOT_READY")
            artifact = self._cache.fetch(model_version)
            self._set_status(key, serving_pb.LOAD_STATE_LOADING)
            session = ModelSession(artifact.model_version, artifact.path, intra_op_threads=self._intra,
                                   inter_op_threads=self._inter, from_disk_cache=artifact.from_disk_cache)
            self._set_status(key, serving_pb.LOAD_STATE_WARMING)
            session.warm_up(self._warmup_rows)
        except SextantError as error:
            self._set_status(key, serving_pb.LOAD_STATE_FAILED, error.message)
            self._log.warning("load failed", model=key[0], version=key[1], error=error.message)
            return
        except Exception as error:  # noqa: BLE001 - a background thread must record, not die
            self._set_status(key, serving_pb.LOAD_STATE_FAILED, f"{type(error).__name__}: {error}")
            self._log.error("load failed", model=key[0], version=key[1], exc_info=error)
            return
        with self._lock:
            self._sessions[key] = session
            self._used[key] = next(self._tick)
            self._status[key] = LoadStatus(serving_pb.LOAD_STATE_READY, since=time.monotonic())
            waiting = [alias_key for alias_key, version in self._pending_alias.items()
                       if alias_key[0] == key[0] and version == key[1]]
        self._update_gauges()
        self._log.info("model loaded", model=key[0], version=key[1], from_disk_cache=artifact.from_disk_cache)
        for alias_key in waiting:
            self._swap(alias_key, key[1])
        self._enforce_budget(key)

    def _set_status(self, key: tuple[str, int], state: int, message: str = "") -> None:
        with self._lock:
            self._status[key] = LoadStatus(state, message, time.monotonic())

    @staticmethod
    def _retryable(status: LoadStatus) -> bool:
        return (status.state == serving_pb.LOAD_STATE_FAILED
                and time.monotonic() - status.since > RETRY_FAILED_AFTER_SECONDS)

    def _not_ready(self, model_name: str, version: int, alias: str) -> Unavailable:
        status = self._status.get((model_name, version))
        state = serving_pb.LoadState.Name(status.state) if status else "LOAD_STATE_DOWNLOADING"
        what = f"{model_name}@{alias}" if alias else f"{model_name}/{version}"
        detail = f": {status.message}" if status and status.message else ""
        return Unavailable(f"model {what} (version {version}) is not loaded yet ({state}){detail}",
                           reason="MODEL_NOT_READY",
                           metadata={"model_name": model_name, "version": version, "alias": alias, "state": state})

    def _update_gauges(self) -> None:
        sessions = list(self._sessions.values())
        metrics.LOADED_MODELS.set(len(sessions))
        metrics.LOADED_MEMORY.set(sum(s.memory_bytes for s in sessions))

    # --- views ----------------------------------------------------------------------------------

    def alias_version(self, model_name: str, alias: str) -> tuple[int, int]:
        """(serving version, pending version) of a followed alias; 0 where none."""
        return self._aliases.get((model_name, alias), 0), self._pending_alias.get((model_name, alias), 0)

    def status(self, model_name: str, version: int) -> LoadStatus | None:
        """The load status of a version on this replica, if it was ever asked for."""
        return self._status.get((model_name, version))

    def sessions(self) -> list[ModelSession]:
        """Every loaded session, ordered by model and version."""
        return [self._sessions[key] for key in sorted(self._sessions)]

    def aliases_of(self, model_name: str, version: int) -> list[str]:
        """The followed aliases currently served by this version."""
        return sorted(a for (m, a), v in self._aliases.items() if m == model_name and v == version)

    def wait_idle(self, timeout: float) -> None:
        """Wait until no load is running (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(s.state in (serving_pb.LOAD_STATE_DOWNLOADING, serving_pb.LOAD_STATE_LOADING,
                                   serving_pb.LOAD_STATE_WARMING) for s in list(self._status.values())):
                return
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the loader threads."""
        self._loader.shutdown(wait=False, cancel_futures=True)
