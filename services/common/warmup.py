"""One-time initialisations moved from a service's first requests to its start."""

from __future__ import annotations

import pyarrow as pa


def warm_up_arrow_compute() -> None:
    """Run one Arrow compute kernel now.

    Arrow initialises its compute functions on the first use of any kernel (a cast, say): 0.5-0.65 s of
    CPU in a fresh interpreter on the benchmark machine, less where part of it already ran. Otherwise
    the first request that casts pays it: an Arrow-input prediction, a batch online lookup (the first
    100-key lookup after the feature store started took 42-44 ms, 20-22 ms with this at start), the
    prediction log's first shipped batch."""
    pa.array([0]).cast(pa.string())
