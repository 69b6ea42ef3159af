"""Fixtures shared by every test folder: databases on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import secret_watch
from tests.postgres import PostgresCluster, server_bin_dir, start_cluster

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the whole run (skipped only where it is not installed)."""
    if server_bin_dir() is None:
        pytest.skip("PostgreSQL server programs (initdb, pg_ctl) are not installed on this machine")
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database(f"test_{next(_counter)}")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Scan what every test printed and logged for the credentials minted so far."""
    secret_watch.scan(report.nodeid, report.sections)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any test's captured output held a secret, a token or an API key."""
    if secret_watch.LEAKS:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for test_id, section in secret_watch.LEAKS:
            line = f"credential leaked into the output: {test_id} ({section})"
            if reporter is not None:
                reporter.write_line(line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
