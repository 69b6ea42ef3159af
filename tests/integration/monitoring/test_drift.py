"""Drift values against scipy and direct numpy computations on the same data."""

from __future__ import annotations

import numpy as np
import pytest
from prometheus_client import REGISTRY
from scipy import stats

from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from sextant.monitoring.v1 import reports_pb2, resources_pb2
from tests.integration.monitoring.conftest import Server, create_monitor, rows, set_traffic_reference, stream


def _direct_psi(reference: np.ndarray, current: np.ndarray, edges: np.ndarray) -> float:
    ref = np.histogram(reference, bins=edges)[0] / reference.size
    cur = np.histogram(np.clip(current, edges[0], edges[-1]), bins=edges)[0] / current.size
    ref = np.where(ref == 0, 1e-4, ref)
    cur = np.where(cur == 0, 1e-4, cur)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def test_drift_equals_scipy_and_direct_psi(server: Server) -> None:
    rng = np.random.default_rng(11)
    reference_x = rng.normal(0.0, 1.0, 300)
    current_x = rng.normal(0.4, 1.2, 200)
    reference_rows = rows("ref", reference_x, rng=np.random.default_rng(1))
    current_rows = rows("cur", current_x, start=1000, rng=np.random.default_rng(2))
    server.stub.LogPredictions(stream(reference_rows))
    reference = set_traffic_reference(server.stub, 0, 300)
    assert reference.source == resources_pb2.REFERENCE_SOURCE_TRAFFIC
    assert list(reference.prediction_columns) == ["score"]
    create_monitor(server.stub, rows_per_window=200)
    answer = server.stub.LogPredictions(stream(current_rows[:120], current_rows[120:]))
    assert (answer.message_count, answer.accepted_count, answer.rejected_count) == (2, 200, 0)

    report = server.stub.GetDriftReport(pb.GetDriftReportRequest(monitor="credit-watch")).report
    assert report.window.index == 1 and report.window.complete and report.window.row_count == 200
    columns = {c.feature: c for c in report.features}

    x = columns["x"]
    expected = stats.ks_2samp(reference_x, current_x)
    assert x.method == resources_pb2.DRIFT_METHOD_KOLMOGOROV_SMIRNOV
    assert x.column_kind == reports_pb2.COLUMN_KIND_NUMERIC
    assert x.statistic == pytest.approx(expected.statistic, abs=1e-12)
    assert x.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert x.drifted == (expected.pvalue < 0.05)
    profile_x = next(c for c in reference.profile.columns if c.name == "x")
    edges = np.asarray([b.lower for b in profile_x.histogram] + [profile_x.histogram[-1].upper])
    assert x.psi == pytest.approx(_direct_psi(reference_x, current_x, edges), rel=1e-9)

    grade = columns["grade"]
    ref_grades = [r.inputs["grade"].string_value for r in reference_rows]
    cur_grades = [r.inputs["grade"].string_value for r in current_rows]
    labels = sorted(set(ref_grades) | set(cur_grades))
    ref_counts = np.asarray([ref_grades.count(k) for k in labels], dtype=float)
    cur_counts = np.asarray([cur_grades.count(k) for k in labels], dtype=float)
    chi = stats.chisquare(cur_counts, ref_counts / ref_counts.sum() * cur_counts.sum())
    assert grade.method == resources_pb2.DRIFT_METHOD_CHI_SQUARE
    assert grade.statistic == pytest.approx(chi.statistic, rel=1e-9)
    assert grade.p_value == pytest.approx(chi.pvalue, rel=1e-9)
    ref_share, cur_share = ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum()
    assert grade.psi == pytest.approx(float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share))), rel=1e-9)

    owner = columns["owner"]
    assert owner.method == resources_pb2.DRIFT_METHOD_Z_TEST
    assert owner.column_kind == reports_pb2.COLUMN_KIND_BINARY
    n1, n2 = len(reference_rows), len(current_rows)
    k1 = sum(not r.inputs["owner"].bool_value for r in reference_rows)
    k2 = sum(not r.inputs["owner"].bool_value for r in current_rows)
    pooled = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert owner.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)

    assert [p.feature for p in report.predictions] == ["score"]
    drifted = sum(c.drifted for c in report.features)
    assert report.drifted_feature_count == drifted
    assert report.drift_share == pytest.approx(drifted / 3)
    assert report.reference.row_count == 300
    # The completed window's drift is exported as bounded Prometheus gauges.
    exported = REGISTRY.get_sample_value("sextant_monitoring_feature_drift_psi", {"model": "credit", "feature": "x"})
    assert exported == pytest.approx(x.psi)


def test_overrides_and_large_reference_methods(sqlite_server: Server) -> None:
    rng = np.random.default_rng(5)
    reference_x = rng.normal(0.0, 1.0, 1500)
    sqlite_server.stub.LogPredictions(stream(rows("ref", reference_x, rng=rng)))
    set_traffic_reference(sqlite_server.stub, 0, 1500)
    drift = resources_pb2.DriftSettings(overrides=[resources_pb2.FeatureDriftOverride(
        feature="grade", method=resources_pb2.DRIFT_METHOD_PSI, threshold=0.2)])
    create_monitor(sqlite_server.stub, rows_per_window=300, drift=drift)
    current_x = rng.normal(1.0, 1.0, 300)
    sqlite_server.stub.LogPredictions(stream(rows("cur", current_x, start=5000, rng=rng)))
    report = sqlite_server.stub.GetDriftReport(pb.GetDriftReportRequest(monitor="credit-watch", window_index=1,
                                                                 include_profiles=True)).report
    columns = {c.feature: c for c in report.features}
    x = columns["x"]
    assert x.method == resources_pb2.DRIFT_METHOD_WASSERSTEIN_NORMED
    assert not x.HasField("p_value")
    # The window kept its 300 raw values but the 1500-row reference did not (limit 5000 keeps it):
    # the distance is exact here, so it matches scipy.
    exact = stats.wasserstein_distance(reference_x, current_x) / reference_x.std()
    assert x.statistic == pytest.approx(exact, rel=1e-9)
    assert x.drifted
    assert columns["owner"].method == resources_pb2.DRIFT_METHOD_JENSEN_SHANNON
    grade = columns["grade"]
    assert grade.overridden and grade.method == resources_pb2.DRIFT_METHOD_PSI and grade.threshold == 0.2
    assert grade.statistic == pytest.approx(grade.psi)
    assert x.current_profile.count == 300 and len(x.current_profile.histogram) == 20
