"""Fixtures of the SDK tests: the six real services on port 0 (one set for the folder, SQLite) and a
``Sextant`` facade dialled to them, with the lending definitions applied and history ingested."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from sextant.client import Sextant, load_definitions
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from tests.integration.sdk.stack import Services, history, running_stack, write_definitions


@pytest.fixture(scope="package")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The six services, wired to each other."""
    with running_stack(tmp_path_factory.mktemp("stack")) as started:
        yield started


@pytest.fixture(scope="package")
def sx(services: Services) -> Iterator[Sextant]:
    """The SDK facade on the running services."""
    with Sextant(services.addresses, timeout=30.0) as client:
        yield client


@dataclass
class Lending:
    """What setting up the lending features answered."""

    applied: fs_pb2.ApplyDefinitionsResponse
    ingested: fs_pb2.IngestBatchResponse


@pytest.fixture(scope="package")
def lending(sx: Sextant, tmp_path_factory: pytest.TempPathFactory) -> Lending:
    """The lending definitions file applied and its history ingested offline and online."""
    definitions = load_definitions(write_definitions(tmp_path_factory.mktemp("definitions")))
    applied = sx.featurestore.apply(definitions, change_note="sdk tests")
    ingested = sx.featurestore.ingest("credit_profile", history(), ingest_id="history-1", write_online=True)
    return Lending(applied, ingested)
