"""Fixtures of the fault tests: services as child processes, stopped at the end of each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults.processes import ServiceProcess


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """Create (not start) a service process on a data folder of this test; all are stopped afterwards."""
    made: list[ServiceProcess] = []

    def make(name: str, port: int = 0, **settings: object) -> ServiceProcess:
        service = ServiceProcess(name, tmp_path / name, port, **settings)
        made.append(service)
        return service

    yield make
    for service in made:
        service.stop()
