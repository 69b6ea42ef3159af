"""Proxy statistics against reference implementations, and the proxy rule's levels."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from sklearn.metrics import normalized_mutual_info_score, roc_auc_score

from services.common.errors import InvalidArgument
from services.policy.proxies import (
    ProxyOptions,
    _auc,
    cramers_v,
    detect_proxies,
    normalized_mutual_information,
)


def _table(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(table, (ai, bi), 1)
    return table


def test_statistics_match_their_definitions() -> None:
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, 2000)
    b = np.where(rng.random(2000) < 0.6, a % 3, rng.integers(0, 3, 2000))
    table = _table(a, b)
    assert normalized_mutual_information(table) == pytest.approx(normalized_mutual_info_score(a, b), abs=1e-9)
    n = table.sum()
    expected = np.outer(table.sum(1), table.sum(0)) / n
    chi2 = ((table - expected) ** 2 / expected).sum()
    assert cramers_v(table) == pytest.approx(np.sqrt(chi2 / n / 2))
    scores = rng.normal(size=500)
    labels = rng.random(500) < 0.3
    assert _auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores))
    assert cramers_v(_table(a, a)) == pytest.approx(1.0)


def test_proxy_is_found_and_independent_feature_is_not() -> None:
    rng = np.random.default_rng(11)
    rows = 4000
    group = rng.choice(["a", "b"], rows)
    proxy = np.where(group == "a", rng.normal(0, 1, rows), rng.normal(3, 1, rows))  # numeric, binned
    noise = rng.normal(size=rows)
    table = pa.table({"group": group, "proxy": proxy, "noise": noise, "flag": rng.random(rows) < 0.5})
    report = detect_proxies(table, ["group"], ["proxy", "noise", "flag"], ProxyOptions(seed=1))
    measured = {m.feature: m for m in report.measurements}
    assert measured["proxy"].level == "deny" and measured["proxy"].bins == 10
    assert measured["noise"].level == "below_warn" and measured["flag"].level == "below_warn"
    [joint] = report.joint_results
    assert joint.auc > 0.9 and joint.rescaled_auc == pytest.approx(2 * joint.auc - 1)
    assert joint.level == "deny"
    only_noise = detect_proxies(table, ["group"], ["noise"], ProxyOptions(seed=1))
    assert only_noise.joint_results[0].rescaled_auc < 0.1


def test_down_sampling_nulls_and_bad_attributes() -> None:
    rng = np.random.default_rng(5)
    rows = 1000
    group = pa.array([None if i % 10 == 0 else ("x" if i % 2 else "y") for i in range(rows)])
    table = pa.table({"group": group, "value": pa.array([None if i % 7 == 0 else float(v)
                                                         for i, v in enumerate(rng.normal(size=rows))])})
    report = detect_proxies(table, ["group"], ["value"], ProxyOptions(max_sample_rows=500, seed=2))
    assert report.rows_received == 1000 and report.rows_used < 500
    with pytest.raises(InvalidArgument) as caught:
        detect_proxies(pa.table({"group": ["x"] * 10, "value": list(range(10))}), ["group"], ["value"],
                       ProxyOptions())
    assert caught.value.field == "protected_attribute_columns[0]"
    with pytest.raises(InvalidArgument):
        detect_proxies(table, ["group"], ["missing"], ProxyOptions())


def test_numeric_attribute_is_binned_into_groups() -> None:
    rng = np.random.default_rng(8)
    rows = 3000
    age = rng.integers(18, 90, rows)
    tenure = np.clip(age - 18 - rng.integers(0, 5, rows), 0, None)  # tracks age closely
    table = pa.table({"applicant_age": age, "tenure": tenure, "noise": rng.normal(size=rows)})
    report = detect_proxies(table, ["applicant_age"], ["tenure", "noise"],
                            ProxyOptions(methods=("cramers_v", "normalized_mutual_information")))
    measured = {m.feature: m for m in report.measurements}
    assert measured["tenure"].level == "deny" and measured["noise"].level == "below_warn"
    assert report.joint_results == ()
