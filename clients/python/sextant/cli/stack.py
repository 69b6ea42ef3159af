"""The embedded local stack: ``sextant up``, ``sextant down`` and ``sextant status``.

``up`` starts each of the six services as its own process (``python -m services.<name>``) on fixed
ports, with SQLite databases and a filesystem artifact store under the state folder (``./.sextant``
by default), waits until every health check answers SERVING and prints the endpoints. In the
foreground, Ctrl-C (or ``sextant down`` from another shell) stops them cleanly; with ``--detach`` the
services keep running after ``up`` returns. Problems are reported in one line: a taken port, a child
that exited (with the last line it logged), a service that never became healthy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.settings import DEFAULT_PORTS, DEPENDENCIES

ORDER = ("policy", "featurestore", "registry", "monitoring", "training", "serving")
STATE_FILE = "stack.json"


class StackError(RuntimeError):
    """A problem worth one line to the user."""


@dataclass(frozen=True)
class Endpoint:
    """Where one service of the stack listens."""

    name: str
    port: int
    metrics_port: int
    pid: int

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>``."""
        return f"127.0.0.1:{self.port}"


def ports_for(base_port: int | None) -> dict[str, int]:
    """The gRPC port of every service: the documented defaults, or consecutive ports from ``base_port``."""
    if base_port is None:
        return dict(DEFAULT_PORTS)
    return {name: base_port + index for index, name in enumerate(DEFAULT_PORTS)}


def _service_env(name: str, state_dir: Path, ports: dict[str, int], metrics_offset: int) -> dict[str, str]:
    prefix = f"SEXTANT_{name.upper()}_"
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefix)}
    env.update({
        f"{prefix}HOST": "127.0.0.1",
        f"{prefix}PORT": str(ports[name]),
        f"{prefix}METRICS_PORT": str(ports[name] + metrics_offset),
        f"{prefix}DATA_DIR": str(state_dir),
        "SEXTANT_READY_FILE": str(state_dir / "run" / f"{name}.json"),
    })
    for dependency in DEPENDENCIES[name]:
        env[f"{prefix}{dependency.upper()}_ADDRESS"] = f"127.0.0.1:{ports[dependency]}"
    return env


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except FileNotFoundError:
        return ""
    return lines[-1] if lines else ""


def _healthy(address: str, timeout: float = 1.0) -> bool:
    with grpc.insecure_channel(address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.RpcError:
            return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING


def _alive(pid: int, name: str | None = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    if ") Z " in stat:
        return False
    return name is None or f"services.{name}" in cmdline or "sextant" in cmdline


def _stop_pids(pids: dict[str, int], grace: float) -> list[str]:
    """SIGTERM every live pid, wait up to ``grace``, SIGKILL the rest; returns names that needed SIGKILL."""
    for name, pid in pids.items():
        if _alive(pid, name):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(pid, name) for name, pid in pids.items()):
        time.sleep(0.05)
    killed = []
    for name, pid in pids.items():
        if _alive(pid, name):
            killed.append(name)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return killed


class Stack:
    """The six service processes of one state folder."""

    def __init__(self, state_dir: Path, base_port: int | None = None) -> None:
        self.state_dir = state_dir.resolve()
        self.ports = ports_for(base_port)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def state_file(self) -> Path:
        """Where the running stack is recorded for ``down`` and ``status``."""
        return self.state_dir / "run" / STATE_FILE

    def start(self, timeout: float = 60.0) -> list[Endpoint]:
        """Start every service and wait until all are healthy; raises StackError (nothing left running)."""
        existing = read_state(self.state_dir)
        if existing and any(_alive(pid, name) for name, pid in existing["pids"].items()):
            raise StackError(f"a stack is already running from {self.state_dir} (run `sextant down` first)")
        (self.state_dir / "run").mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(parents=True, exist_ok=True)
        metrics_offset = 1000
        for name in ORDER:
            (self.state_dir / "run" / f"{name}.json").unlink(missing_ok=True)
            log = open(self.state_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}"],
                env=_service_env(name, self.state_dir, self.ports, metrics_offset),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
        self._write_state()
        try:
            return self._wait_healthy(timeout)
        except BaseException:
            self.stop(grace=5.0)
            raise

    def _wait_healthy(self, timeout: float) -> list[Endpoint]:
        deadline = time.monotonic() + timeout
        pending = set(ORDER)
        while pending:
            for name in sorted(pending):
                process = self.processes[name]
                code = process.poll()
                if code is not None:
                    detail = _explain_exit(_last_line(self.state_dir / "logs" / f"{name}.log"))
                    raise StackError(f"{name} exited with code {code} at start: {detail}")
                if (self.state_dir / "run" / f"{name}.json").exists() and _healthy(self._address(name)):
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise StackError(f"not healthy after {timeout:.0f}s: {', '.join(sorted(pending))} "
                                 f"(see {self.state_dir / 'logs'})")
            if pending:
                time.sleep(0.1)
        return self.endpoints()

    def _address(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"

    def endpoints(self) -> list[Endpoint]:
        """Every service's endpoint, read from the ready files the services wrote."""
        found = []
        for name in ORDER:
            ready = json.loads((self.state_dir / "run" / f"{name}.json").read_text())
            found.append(Endpoint(name, ready["port"], ready.get("metrics_port") or 0, ready["pid"]))
        return found

    def _write_state(self) -> None:
        state = {"supervisor": os.getpid(), "ports": self.ports,
                 "pids": {name: process.pid for name, process in self.processes.items()}}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        os.replace(tmp, self.state_file)

    def crashed(self) -> tuple[str, int, str] | None:
        """The first child that exited: (name, exit code, last log line)."""
        for name, process in self.processes.items():
            code = process.poll()
            if code is not None:
                return name, code, _last_line(self.state_dir / "logs" / f"{name}.log")
        return None

    def stop(self, grace: float = 15.0) -> None:
        """Stop every child gracefully and forget the state."""
        _stop_pids({name: p.pid for name, p in self.processes.items()}, grace)
        for process in self.processes.values():
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        self.state_file.unlink(missing_ok=True)


def _explain_exit(last_line: str) -> str:
    if not last_line:
        return "no output (see its log)"
    try:
        record = json.loads(last_line)
    except ValueError:
        return last_line
    return str(record.get("event", last_line))


def read_state(state_dir: Path) -> dict | None:
    """The recorded stack of ``state_dir``, or None."""
    path = state_dir.resolve() / "run" / STATE_FILE
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def running(state_dir: Path) -> list[str]:
    """The services of the stack recorded in ``state_dir`` whose processes are alive."""
    state = read_state(state_dir)
    if not state:
        return []
    return [name for name, pid in state["pids"].items() if _alive(int(pid), name)]


def down(state_dir: Path, grace: float = 15.0) -> list[str]:
    """Stop the stack recorded in ``state_dir``; returns the names that were running."""
    state = read_state(state_dir)
    if not state:
        return []
    pids = {name: int(pid) for name, pid in state["pids"].items()}
    alive = running(state_dir)
    supervisor = int(state.get("supervisor", 0))
    if supervisor and supervisor != os.getpid() and _alive(supervisor, None):
        os.kill(supervisor, signal.SIGTERM)
    _stop_pids(pids, grace)
    (state_dir.resolve() / "run" / STATE_FILE).unlink(missing_ok=True)
    return alive


def status(state_dir: Path) -> list[tuple[str, str, str]]:
    """(service, address, state) for every service of the recorded stack."""
    state = read_state(state_dir)
    if not state:
        return []
    rows = []
    for name in ORDER:
        address = f"127.0.0.1:{state['ports'][name]}"
        pid = int(state["pids"][name])
        if not _alive(pid, name):
            rows.append((name, address, "stopped"))
        else:
            rows.append((name, address, "SERVING" if _healthy(address) else "NOT_SERVING"))
    return rows


def authentication(state_dir: Path) -> str:
    """How the recorded stack admits callers, from what each service wrote in its ready file."""
    modes = {}
    for name in ORDER:
        try:
            modes[name] = json.loads((Path(state_dir) / "run" / f"{name}.json").read_text()).get("auth_mode", "none")
        except (FileNotFoundError, ValueError):
            continue
    if not modes:
        return "unknown (no service has reported)"
    if set(modes.values()) == {"none"}:
        return "off (development mode: every caller is admitted)"
    if set(modes.values()) == {"enforce"}:
        return "enforced"
    return "MIXED: " + ", ".join(f"{name} {mode}" for name, mode in modes.items())


def format_endpoints(endpoints: Iterable[Endpoint]) -> str:
    """The endpoint table printed by ``up``."""
    lines = [f"  {'service':<13} {'gRPC':<18} {'metrics':<26} pid"]
    for e in endpoints:
        metrics = f"http://127.0.0.1:{e.metrics_port}/metrics" if e.metrics_port else "-"
        lines.append(f"  {e.name:<13} {e.address:<18} {metrics:<26} {e.pid}")
    return "\n".join(lines)
