"""`sextant up` / `status` / `down`: six healthy processes with their contracts, nothing left behind."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.catalog import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def _sextant(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sextant.cli.main", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def _reflected_services(address: str) -> set[str]:
    with grpc.insecure_channel(address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                            timeout=10)
        return {s.name for reply in replies for s in reply.list_services_response.service}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and ") Z " not in stat.read_text()


@pytest.fixture()
def stack_dir(tmp_path: Path):
    yield tmp_path
    _sextant("down", "--dir", str(tmp_path / ".sextant"), cwd=tmp_path)


def _up(stack_dir: Path) -> dict:
    # The stack uses six consecutive ports; try a few random bases in case one is taken.
    result = None
    for _attempt in range(4):
        base = random.randrange(20000, 40000, 10)
        result = _sextant("up", "--detach", "--json", "--base-port", str(base), "--dir", ".sextant", cwd=stack_dir)
        if result.returncode == 0:
            return json.loads(result.stdout)
        assert "port" in result.stderr, result.stderr
    pytest.fail(f"sextant up failed: {result.stderr if result else ''}")


def test_up_status_down(stack_dir: Path) -> None:
    started = _up(stack_dir)
    services = {s["name"]: s for s in started["services"]}
    assert set(services) == set(SERVICES)
    pids = [s["pid"] for s in services.values()]
    assert len(set(pids)) == 6, "each service runs in its own process"
    for name, service in services.items():
        reflected = _reflected_services(service["address"])
        for full_name in SERVICES[name].full_names:
            assert full_name in reflected, (name, reflected)
        assert "grpc.health.v1.Health" in reflected
    assert (stack_dir / ".sextant" / "registry.db").exists(), "SQLite databases live under ./.sextant"

    status = _sextant("status", "--json", "--dir", ".sextant", cwd=stack_dir)
    assert status.returncode == 0, status.stdout + status.stderr
    assert {s["state"] for s in json.loads(status.stdout)["services"]} == {"SERVING"}
    # The embedded default runs open and says so, from what each service reported at start.
    assert json.loads(status.stdout)["authentication"].startswith("off (development mode")

    # Every service answers ListAuditRecords from its own audit log; bad input is INVALID_ARGUMENT.
    from grpc_status import rpc_status

    from sextant.policy.v1 import policy_service_pb2, policy_service_pb2_grpc

    with grpc.insecure_channel(services["policy"]["address"]) as channel:
        stub = policy_service_pb2_grpc.PolicyServiceStub(channel)
        stub.ListAuditRecords(policy_service_pb2.ListAuditRecordsRequest(page_size=5), timeout=10)  # answers, no error
        with pytest.raises(grpc.RpcError) as caught:
            stub.ListAuditRecords(policy_service_pb2.ListAuditRecordsRequest(order_by="colour"), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert rpc_status.from_call(caught.value) is not None

    down = _sextant("down", "--dir", ".sextant", cwd=stack_dir)
    assert down.returncode == 0, down.stderr
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids), "sextant down must leave no process behind"
    status = _sextant("status", "--dir", ".sextant", cwd=stack_dir)
    assert status.returncode == 1


def test_a_taken_port_is_reported_in_one_line(stack_dir: Path) -> None:
    import socket

    # Another program may hold one of the other eleven ports by chance; then try another base.
    for _attempt in range(4):
        with socket.socket() as blocker:
            blocker.bind(("127.0.0.1", 0))
            blocker.listen()
            taken = blocker.getsockname()[1]
            # Put the policy service (the sixth port from the base) on the taken port.
            base = taken - 5
            result = _sextant("up", "--detach", "--base-port", str(base), "--dir", ".sextant", "--timeout", "60",
                              cwd=stack_dir)
        assert result.returncode == 1
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert not (stack_dir / ".sextant" / "run" / "stack.json").exists()
        if "policy" in lines[0] and str(taken) in lines[0]:
            assert "is the port taken" in lines[0]
            return
        assert "in use" in lines[0] or "is the port taken" in lines[0], lines[0]
    pytest.fail("the stack never reported the port that was taken on purpose")


def test_bad_setting_stops_the_service_naming_the_variable(tmp_path: Path) -> None:
    env = dict(os.environ, SEXTANT_POLICY_PORT="not-a-port")
    result = subprocess.run([sys.executable, "-m", "services.policy"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "SEXTANT_POLICY_PORT" in result.stderr and "expected an integer" in result.stderr
    assert "Traceback" not in result.stderr


def _foreground(stack_dir: Path) -> tuple[subprocess.Popen[str], dict[str, int]]:
    for _attempt in range(4):
        base = random.randrange(20000, 40000, 10)
        process = subprocess.Popen([sys.executable, "-m", "sextant.cli.main", "up", "--base-port", str(base),
                                    "--dir", ".sextant"], cwd=stack_dir, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        for line in process.stdout:
            if "Press Ctrl-C" in line:
                state = json.loads((stack_dir / ".sextant" / "run" / "stack.json").read_text())
                return process, state["pids"]
        process.wait(30)
        assert "port" in process.stderr.read()
    pytest.fail("sextant up did not start in the foreground")


def test_ctrl_c_stops_the_foreground_stack(stack_dir: Path) -> None:
    import signal

    process, pids = _foreground(stack_dir)
    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 0
    assert not any(_alive(pid) for pid in pids.values())


def test_a_crashed_child_is_reported_in_one_line_and_the_rest_stopped(stack_dir: Path) -> None:
    import signal

    process, pids = _foreground(stack_dir)
    os.kill(pids["monitoring"], signal.SIGKILL)
    assert process.wait(60) == 1
    errors = [line for line in process.stderr.read().splitlines() if line.strip()]
    assert len(errors) == 1 and "monitoring exited with code -9" in errors[0], errors
    assert not any(_alive(pid) for pid in pids.values())
