"""Training sets stream in chunks bounded by rows and by the gRPC message size."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from services.featurestore.offline.retrieval import TrainingSet


def test_training_set_chunks_respect_rows_and_message_size() -> None:
    table = pa.table({"x": pa.array(np.arange(1000, dtype=np.float64))})
    result = TrainingSet([], ["x"], table)
    assert [c.num_rows for c in result.chunks(300, 1 << 20)] == [300, 300, 300, 100]
    assert [c.num_rows for c in result.chunks(0, 8 * 250 * 2)] == [250] * 4
    assert [c.num_rows for c in TrainingSet([], ["x"], table.slice(0, 0)).chunks(0, 100)] == [0]
