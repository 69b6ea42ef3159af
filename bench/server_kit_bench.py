"""How much the common server kit costs, and sync vs grpc.aio, measured on this machine.

Servers run in a separate process pinned to one core when ``taskset`` is available, clients in this
process on the other. Each server answers a 200-byte unary request with its input:

- ``bare sync``: grpc.server with a thread pool, no interceptor (the floor);
- ``kit sync``: the same through ``services.common.server.create_server`` (interceptor: request id,
  auth hook, metrics, error mapping; access log off and on);
- ``bare aio``: grpc.aio with the same handler.

Prints a markdown table: sequential p50/p99 latency, and requests/s with 8 concurrent client threads.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc

SERVICE = "sextant.bench.v1.EchoService"
PAYLOAD = b"x" * 200
SEQUENTIAL = 3000
CONCURRENT_SECONDS = 4.0


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stolen_seconds() -> float:
    """CPU time the hypervisor has so far taken from this virtual machine's cores, all of them together
    (the ``steal`` column of /proc/stat): time a vCPU was ready to run and did not. A latency tail
    measured while it grows is at least partly the host's. 0.0 where the kernel does not report it."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return 0.0
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def wait_until_idle(pids: list[int], limit: float = 15.0) -> None:
    """Wait (at most ``limit`` seconds) until the processes together use under 5% of a core over
    0.2 s: work left from an earlier case (a checkpoint, logs to ship) is not timed as this one's."""
    deadline = time.monotonic() + limit
    while pids and time.monotonic() < deadline:
        before = sum(process_cpu_seconds(pid) for pid in pids)
        time.sleep(0.2)
        if sum(process_cpu_seconds(pid) for pid in pids) - before < 0.01:
            return


def _echo(request: bytes, _context: object) -> bytes:
    return request


def _serve(kind: str, ready: str) -> None:
    handlers = {"Echo": grpc.unary_unary_rpc_method_handler(_echo)}
    generic = grpc.method_handlers_generic_handler(SERVICE, handlers)
    if kind == "aio":
        async def main() -> None:
            server = grpc.aio.server()
            server.add_generic_rpc_handlers((generic,))
            port = server.add_insecure_port("127.0.0.1:0")
            await server.start()
            Path(ready).write_text(json.dumps({"port": port}))
            await server.wait_for_termination()

        asyncio.run(main())
        return
    if kind.startswith("kit"):
        from services.common.logging import configure_logging
        from services.common.server import create_server
        from services.common.settings import ServiceSettings

        configure_logging("bench", "info")

        def register(server: grpc.Server) -> list[str]:
            server.add_generic_rpc_handlers((generic,))
            return [SERVICE]

        running = create_server("bench", ServiceSettings(max_workers=8), register,
                                access_log=kind == "kit-log")
        Path(ready).write_text(json.dumps({"port": running.port}))
        running.server.wait_for_termination()
        return
    server = grpc.server(ThreadPoolExecutor(max_workers=8), options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((generic,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    Path(ready).write_text(json.dumps({"port": port}))
    server.wait_for_termination()


def _start(kind: str) -> tuple[subprocess.Popen[bytes], str]:
    ready = Path(tempfile.mkdtemp()) / "ready.json"
    command = [sys.executable, __file__, "--serve", kind, str(ready)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not ready.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{kind} server did not start")
        time.sleep(0.05)
    return process, f"127.0.0.1:{json.loads(ready.read_text())['port']}"


def _measure(address: str) -> tuple[float, float, float]:
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary(f"/{SERVICE}/Echo")
        for _ in range(300):
            call(PAYLOAD, timeout=5)
        samples = []
        for _ in range(SEQUENTIAL):
            started = time.perf_counter()
            call(PAYLOAD, timeout=5)
            samples.append(time.perf_counter() - started)
        samples.sort()
        p50 = statistics.median(samples) * 1000
        p99 = samples[int(len(samples) * 0.99)] * 1000
        count = [0] * 8
        stop = time.monotonic() + CONCURRENT_SECONDS

        def worker(index: int) -> None:
            while time.monotonic() < stop:
                call(PAYLOAD, timeout=5)
                count[index] += 1

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return p50, p99, sum(count) / CONCURRENT_SECONDS


def main() -> None:
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {1 % os.cpu_count()})
    rows = []
    for kind, label in (("bare", "bare sync (floor)"), ("kit", "kit sync, access log off"),
                        ("kit-log", "kit sync, access log on"), ("aio", "bare grpc.aio")):
        process, address = _start(kind)
        try:
            rows.append((label, *_measure(address)))
        finally:
            process.kill()
            process.wait()
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    print("| server | p50 ms | p99 ms | req/s (8 clients) |")
    print("|---|---|---|---|")
    for label, p50, p99, rps in rows:
        print(f"| {label} | {p50:.3f} | {p99:.3f} | {rps:,.0f} |")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        _serve(sys.argv[2], sys.argv[3])
    else:
        main()
