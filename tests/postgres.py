"""A throwaway PostgreSQL cluster for tests, from the PostgreSQL server programs on this machine.

``initdb`` refuses to run as root, so when the tests run as root (CI does) the cluster is created and
started as the unprivileged ``postgres`` user through ``runuser``. The cluster lives in a temporary
folder, listens on 127.0.0.1 only, trusts local connections, and is removed at the end.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_SEARCH = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]


def server_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    for folder in _SEARCH:
        if (Path(folder) / "pg_ctl").exists() and (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


@dataclass
class PostgresCluster:
    """A running cluster: its port and how to make databases in it."""

    bin_dir: Path
    root: Path
    port: int
    run_as: str | None

    @property
    def admin_url(self) -> str:
        """URL of the ``postgres`` maintenance database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        """Create database ``name``; returns its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL server program (as the unprivileged user when the tests run as root)."""
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def stop(self) -> None:
        """Stop the server and remove its files."""
        self.run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def _candidate_port() -> int:
    # PostgreSQL cannot listen on port 0, so ask the OS for a free port and retry if another process
    # takes it before the server binds it.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_cluster() -> PostgresCluster:
    """Create and start a cluster; raises RuntimeError with initdb's or pg_ctl's output on failure."""
    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server programs (initdb, pg_ctl) are not installed")
    run_as = None
    if os.geteuid() == 0:
        run_as = "postgres"
        pwd.getpwnam(run_as)
    root = Path(tempfile.mkdtemp(prefix="sextant-pg-"))
    os.chmod(root, 0o755)
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    cluster = PostgresCluster(bin_dir, root, 0, run_as)
    result = cluster.run("initdb", "-D", str(root / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                          "--no-sync")
    if result.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
    last_error = ""
    for _attempt in range(5):
        cluster.port = _candidate_port()
        options = (f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        result = cluster.run("pg_ctl", "-D", str(root / "data"), "-o", options, "-l", str(root / "server.log"),
                              "-w", "-t", "60", "start")
        if result.returncode == 0:
            return cluster
        last_error = (root / "server.log").read_text(errors="replace")[-2000:] if (root / "server.log").exists() \
            else result.stderr
        time.sleep(0.2)
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"pg_ctl start failed: {last_error.strip()}")
