"""Fixtures of the feature store integration tests: a real server on port 0 per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.featurestore.helpers import Client, connect, start_server


@pytest.fixture
def client(tmp_path: Path, database_url: str) -> Iterator[Client]:
    """A client of a fresh feature store (SQLite and PostgreSQL metadata databases)."""
    running = start_server(tmp_path, database_url)
    channel, stub = connect(running)
    try:
        yield stub
    finally:
        channel.close()
        running.stop(0)


@pytest.fixture
def sqlite_client(tmp_path: Path) -> Iterator[Client]:
    """A client of a fresh feature store on SQLite only (for tests about data, not metadata)."""
    running = start_server(tmp_path)
    channel, stub = connect(running)
    try:
        yield stub
    finally:
        channel.close()
        running.stop(0)
