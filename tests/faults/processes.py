"""Services as real child processes (``python -m services.<name>``), so a test can kill -9 them.

A process is configured like ``sextant up`` does it, through ``SEXTANT_<SERVICE>_*`` variables, and
reports its port through ``SEXTANT_READY_FILE``; it logs to a file in its data folder, which failure
messages quote.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
#: Writes acknowledged before the kill (the kill lands while further writes are in flight).
ACKNOWLEDGED_BEFORE_KILL = 8


class ServiceProcess:
    """One service run as a child process on a data folder that outlives restarts."""

    def __init__(self, name: str, data_dir: Path, port: int = 0, **settings: object) -> None:
        self.name = name
        self.data_dir = data_dir
        self.port = port
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.address = ""
        self._log = data_dir / f"{name}.log"

    def _environment(self, ready_file: Path) -> dict[str, str]:
        prefix = f"SEXTANT_{self.name.upper()}_"
        env = {key: value for key, value in os.environ.items() if not key.startswith("SEXTANT_")}
        values: dict[str, object] = {"host": "127.0.0.1", "port": self.port, "data_dir": self.data_dir,
                                     "log_level": "warning", "access_log": "false", "grace_seconds": 1,
                                     **self.settings}
        env.update({prefix + key.upper(): str(value).lower() if isinstance(value, bool) else str(value)
                    for key, value in values.items()})
        env["SEXTANT_READY_FILE"] = str(ready_file)
        return env

    def start(self) -> str:
        """Start the process and wait until it serves; returns its address (the same port on restarts)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ready = self.data_dir / f"{self.name}.ready.json"
        ready.unlink(missing_ok=True)
        with self._log.open("ab") as log:
            # A session of its own: the kill takes the service's worker processes with it, as when a
            # container or machine dies.
            self.process = subprocess.Popen([sys.executable, "-m", f"services.{self.name}"], cwd=ROOT,
                                            env=self._environment(ready), stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not start: {self.log_tail()}")
            time.sleep(0.05)
        self.port = json.loads(ready.read_text())["port"]
        self.address = f"127.0.0.1:{self.port}"
        with grpc.insecure_channel(self.address) as channel:
            status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10,
                                                               wait_for_ready=True).status
        assert status == health_pb2.HealthCheckResponse.SERVING
        return self.address

    def kill(self) -> None:
        """SIGKILL to the service and its workers: no drain, no cleanup, whatever was in flight is cut off."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM and wait (used at the end of a test)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)

    def rss_bytes(self) -> int:
        """Resident memory of the process, from /proc."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS line in /proc status")

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the process's log, for failure messages."""
        try:
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def write_until_killed(service: ServiceProcess, write: Callable[[int], None], acknowledged: dict) -> None:
    """Run ``write(i)`` for i = 0, 1, ... in a thread (it records what was acknowledged in ``acknowledged``);
    kill -9 the service once enough writes were acknowledged, while the next one is in flight."""
    stop = threading.Event()
    broken: list[BaseException] = []

    def writer() -> None:
        for i in range(5000):  # bounded; the kill ends it much sooner
            if stop.is_set():
                return
            try:
                write(i)
            except grpc.RpcError:
                return  # the kill cut this write off: it was never acknowledged
            except Exception as error:  # noqa: BLE001 - a wrong answer, re-raised in the test's thread
                broken.append(error)
                return

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    service.kill()
    stop.set()
    thread.join(timeout=30)
    if broken:
        raise broken[0]
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL, service.log_tail()
