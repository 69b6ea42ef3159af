"""Random histories joined by every offline engine, checked against a brute-force reference.

The reference below is the issue's definition written as plainly as possible: for each entity row,
scan every stored row of the same entity, keep those in the window, and take the one with the
largest (event time, created time).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from tests.integration.featurestore.helpers import Client, T, entity, feature, refs, view

T0 = datetime(2026, 5, 1)
MINUTE = timedelta(minutes=1)

stored_row = st.tuples(st.integers(1, 3),                       # entity key
                       st.integers(0, 20),                      # event minute
                       st.one_of(st.none(), st.floats(-5, 5)),  # feature a
                       st.one_of(st.none(), st.integers(0, 9)))  # feature b
entity_row = st.tuples(st.integers(1, 4), st.integers(0, 25))


def reference(stored: list[tuple], created: list[int], queries: list[tuple], ttl: int | None,
              as_of_created: bool) -> list[tuple]:
    """The point-in-time join by brute force; times in minutes, created in seconds."""
    out = []
    for key, minute in queries:
        best = None
        for (k, event, a, b), made in zip(stored, created, strict=True):
            if k != key or event > minute:
                continue
            if ttl is not None and event < minute - ttl:
                continue
            if as_of_created and made > minute * 60:
                continue
            if best is None or (event, made) > (best[0], best[1]):
                best = (event, made, a, b)
        out.append((None, None) if best is None else (best[2], best[3]))
    return out


@pytest.mark.parametrize("engine", [fs_pb2.OFFLINE_ENGINE_EMBEDDED, fs_pb2.OFFLINE_ENGINE_DASK],
                         ids=["duckdb", "dask"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.lists(stored_row, min_size=0, max_size=12),
       queries=st.lists(entity_row, min_size=1, max_size=8),
       ttl=st.one_of(st.none(), st.integers(1, 10)),
       as_of_created=st.booleans(),
       seed=st.randoms(use_true_random=False))
def test_engines_match_the_reference(pit_client: Client, engine: int, stored: list[tuple], queries: list[tuple],
                                     ttl: int | None, as_of_created: bool, seed) -> None:  # noqa: ANN001
    # Distinct created times (in seconds from T0) so that the winner is always unique.
    created = seed.sample(range(0, 30 * 60), len(stored))
    name = f"p{uuid.uuid4().hex[:10]}"
    pit_client.apply(entity(), view(name, [feature("a"), feature("b", T.DATA_TYPE_INT64)],
                                    ttl=None if ttl is None else ttl * MINUTE))
    if stored:
        half = len(stored) // 2
        for part in (slice(0, half), slice(half, None)):
            rows, made = stored[part], created[part]
            if not rows:
                continue
            table = pa.table({
                "customer_id": pa.array([r[0] for r in rows], pa.int64()),
                "event_timestamp": pa.array([T0 + r[1] * MINUTE for r in rows], pa.timestamp("us")),
                "created_timestamp": pa.array([T0 + timedelta(seconds=m) for m in made], pa.timestamp("us")),
                "a": pa.array([r[2] for r in rows], pa.float64()),
                "b": pa.array([r[3] for r in rows], pa.int64())})
            pit_client.ingest(name, [table], ingest_id=uuid.uuid4().hex)
    entity_rows = pa.table({"customer_id": pa.array([q[0] for q in queries], pa.int64()),
                            "event_timestamp": pa.array([T0 + q[1] * MINUTE for q in queries], pa.timestamp("us")),
                            "row": list(range(len(queries)))})
    _, out = pit_client.historical(entity_rows, refs(f"{name}:a", f"{name}:b"), engine=engine,
                                   as_of_created=as_of_created)
    assert out.column("row").to_pylist() == list(range(len(queries)))
    got = list(zip(out.column("a").to_pylist(), out.column("b").to_pylist(), strict=True))
    assert got == reference(stored, created, queries, ttl, as_of_created)
