"""Dispatchers: where a job's training code runs.

A :class:`Dispatcher` opens one :class:`Execution` per job, which receives the job's training data
once and then runs tasks (functions of :mod:`services.training.work`) on it. Two backends, chosen by
the ``dispatcher`` setting:

- ``local``: a process pool started with the ``spawn`` method (never fork: the server has gRPC
  threads running), one pool per job; cancelling terminates the pool's processes.
- ``dask``: a client of the Dask distributed scheduler at ``dask_scheduler_address``; the data is
  scattered once and trials fan out across the workers; cancelling cancels the futures.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sextant.training.v1 import resources_pb2


class ExecutionCancelled(Exception):
    """The execution was cancelled while a task ran."""


class Execution(ABC):
    """One job's tasks on one backend."""

    @abstractmethod
    def map_unordered(self, fn: Callable[..., Any], argument_lists: Sequence[tuple[Any, ...]]
                      ) -> Iterator[tuple[int, Any, BaseException | None]]:
        """Run ``fn(data, *args)`` for every argument tuple; yield (position, result, error) as each ends."""

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run one task and return its result (its exception is raised here)."""
        for _, result, error in self.map_unordered(fn, [args]):
            if error is not None:
                raise error
            return result
        raise ExecutionCancelled("no result")

    @abstractmethod
    def cancel(self) -> None:
        """Stop every running task; pending iterations raise ExecutionCancelled."""

    @abstractmethod
    def close(self) -> None:
        """Release the execution's resources."""


class Dispatcher(ABC):
    """A backend that opens executions."""

    kind: int = resources_pb2.DISPATCHER_UNSPECIFIED

    @abstractmethod
    def open(self, data: Any, parallelism: int) -> Execution:
        """An execution holding ``data`` with at most ``parallelism`` tasks at once (0: backend default)."""


_worker_data: Any = None


def _install(data: Any) -> None:
    global _worker_data
    _worker_data = data


def _call(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return fn(_worker_data, *args)


class LocalExecution(Execution):
    """Tasks on a private spawn process pool."""

    def __init__(self, data: Any, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(processes=processes, initializer=_install, initargs=(data,))
        self._cancelled = threading.Event()
        self._results: queue.Queue[tuple[int, Any, BaseException | None] | None] = queue.Queue()

    def map_unordered(self, fn: Callable[..., Any], argument_lists: Sequence[tuple[Any, ...]]
                      ) -> Iterator[tuple[int, Any, BaseException | None]]:
        results: queue.Queue[tuple[int, Any, BaseException | None]] = queue.Queue()
        for position, args in enumerate(argument_lists):
            if self._cancelled.is_set():
                raise ExecutionCancelled("the job was cancelled")
            try:
                self._pool.apply_async(
                    _call, (fn, args),
                    callback=lambda result, p=position: results.put((p, result, None)),
                    error_callback=lambda error, p=position: results.put((p, None, error)))
            except ValueError:
                # cancel() terminated the pool between the check above and the submission.
                if self._cancelled.is_set():
                    raise ExecutionCancelled("the job was cancelled") from None
                raise
        for _ in argument_lists:
            while True:
                if self._cancelled.is_set():
                    raise ExecutionCancelled("the job was cancelled")
                try:
                    item = results.get(timeout=0.2)
                    break
                except queue.Empty:
                    continue
            yield item

    def cancel(self) -> None:
        self._cancelled.set()
        self._pool.terminate()

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()


class LocalDispatcher(Dispatcher):
    """The ``local`` backend: a spawn process pool per job."""

    kind = resources_pb2.DISPATCHER_LOCAL

    def __init__(self, processes: int) -> None:
        self._processes = processes

    def open(self, data: Any, parallelism: int) -> Execution:
        return LocalExecution(data, max(1, min(self._processes, parallelism or self._processes)))


class DaskExecution(Execution):
    """Tasks on a Dask distributed cluster."""

    def __init__(self, address: str, data: Any) -> None:
        from distributed import Client

        self._client = Client(address, timeout=30, set_as_default=False)
        self._data = self._client.scatter(data, broadcast=True, hash=False)
        self._futures: list[Any] = []
        self._cancelled = threading.Event()

    def map_unordered(self, fn: Callable[..., Any], argument_lists: Sequence[tuple[Any, ...]]
                      ) -> Iterator[tuple[int, Any, BaseException | None]]:
        futures = [self._client.submit(fn, self._data, *args, pure=False) for args in argument_lists]
        self._futures.extend(futures)
        pending = dict(enumerate(futures))
        # Polling keeps this thread free of the client's event loop (and of a default client).
        while pending:
            if self._cancelled.is_set():
                raise ExecutionCancelled("the job was cancelled")
            finished = [(i, f) for i, f in pending.items() if f.done()]
            if not finished:
                time.sleep(0.05)
                continue
            for position, future in finished:
                del pending[position]
                if future.status == "cancelled":
                    raise ExecutionCancelled("the job was cancelled")
                if future.status == "error":
                    yield position, None, future.exception()
                else:
                    yield position, future.result(), None

    def cancel(self) -> None:
        self._cancelled.set()
        self._client.cancel(self._futures, force=True)

    def close(self) -> None:
        self._client.close()


class DaskDispatcher(Dispatcher):
    """The ``dask`` backend: the scheduler at a configured address."""

    kind = resources_pb2.DISPATCHER_DASK

    def __init__(self, address: str) -> None:
        self._address = address

    def open(self, data: Any, parallelism: int) -> Execution:
        return DaskExecution(self._address, data)


def make_dispatcher(settings: Any) -> Dispatcher:
    """The dispatcher the settings choose."""
    if settings.dispatcher == "dask":
        if not settings.dask_scheduler_address:
            raise ValueError("dispatcher=dask needs dask_scheduler_address")
        return DaskDispatcher(settings.dask_scheduler_address)
    return LocalDispatcher(settings.local_processes)
