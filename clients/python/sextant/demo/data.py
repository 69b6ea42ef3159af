"""The demo's synthetic lending data: seeded, deterministic, with real signal and a hidden proxy.

Every applicant has monthly snapshots of a credit profile (income, debt ratio, card utilisation,
recent delinquencies, length of credit history, age, zip code) and one credit application whose
label says whether the loan defaulted. The label depends only on the financial features, never on
age, sex or race, so a model that does not read protected attributes can pass the four-fifths
screen. Sex and race are kept on the application rows for fairness evaluation only. Zip codes are
drawn mostly from a cluster that depends on race: the zip code is a proxy for race, which is why the
model must not read it either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa

SEED = 20_251
FIRST_CUSTOMER_ID = 100_001
#: The first day of the first monthly snapshot.
FIRST_SNAPSHOT = datetime(2025, 7, 1)
SNAPSHOT_MONTHS = 6
#: The snapshot a data engineer loads later for the shifted segment (step 7 of the demo).
SHIFT_SNAPSHOT = datetime(2026, 1, 1)
RACES = ("white", "black", "hispanic", "asian")
RACE_SHARES = (0.6, 0.14, 0.18, 0.08)
ZIPS_PER_RACE = 5
#: How often an applicant lives in the zip cluster of their race (the rest are uniform).
ZIP_CLUSTER_SHARE = 0.8

#: The model inputs: financial features only.
MODEL_FEATURES = ("income", "debt_ratio", "credit_utilization", "delinquencies_12m", "credit_history_months")


@dataclass(frozen=True)
class LendingData:
    """The feature history, the application (entity) rows and the people behind them."""

    history: pa.Table
    applications: pa.Table
    customer_ids: np.ndarray
    #: Every customer's zip code, aligned with ``customer_ids``.
    zip_codes: np.ndarray
    #: The latest snapshot of every customer, as numpy columns by feature name.
    latest: dict[str, np.ndarray]

    @property
    def default_rate(self) -> float:
        """The share of applications that defaulted."""
        return float(np.mean(self.applications.column("defaulted").to_numpy()))


def _month(index: int) -> datetime:
    year, month = divmod(FIRST_SNAPSHOT.month - 1 + index, 12)
    return FIRST_SNAPSHOT.replace(year=FIRST_SNAPSHOT.year + year, month=month + 1)


def _zip_codes(race_index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    clustered = rng.random(race_index.size) < ZIP_CLUSTER_SHARE
    own = race_index * ZIPS_PER_RACE + rng.integers(0, ZIPS_PER_RACE, race_index.size)
    anywhere = rng.integers(0, ZIPS_PER_RACE * len(RACES), race_index.size)
    names = np.array([f"6{z // ZIPS_PER_RACE}{z % ZIPS_PER_RACE:03d}" for z in range(ZIPS_PER_RACE * len(RACES))])
    return names[np.where(clustered, own, anywhere)]


def default_logit(income: np.ndarray, debt_ratio: np.ndarray, utilization: np.ndarray,
                  delinquencies: np.ndarray, history_months: np.ndarray) -> np.ndarray:
    """The log-odds of default: only financial features carry signal."""
    return (-2.4 - 1.1 * (np.log(income) - np.log(55.0)) + 3.2 * (debt_ratio - 0.35)
            + 2.4 * (utilization - 0.4) + 0.7 * delinquencies - 0.012 * (history_months - 90))


def generate(customers: int = 20_000, seed: int = SEED) -> LendingData:
    """The whole data set for ``customers`` applicants (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(FIRST_CUSTOMER_ID, FIRST_CUSTOMER_ID + customers, dtype=np.int64)
    race_index = rng.choice(len(RACES), customers, p=RACE_SHARES)
    sex = rng.choice(np.array(["female", "male"]), customers)
    age0 = rng.integers(21, 84, customers)
    zips = _zip_codes(race_index, rng)
    base_income = rng.lognormal(np.log(55.0), 0.45, customers)
    base_debt = rng.beta(2.2, 4.0, customers)
    base_util = rng.beta(2.0, 3.0, customers)
    history0 = rng.integers(6, 240, customers)

    columns: dict[str, list[np.ndarray]] = {name: [] for name in (
        "customer_id", "event_timestamp", "income", "debt_ratio", "credit_utilization", "delinquencies_12m",
        "credit_history_months", "age", "zip_code")}
    snapshots = []
    for month in range(SNAPSHOT_MONTHS):
        snapshot = {
            "income": np.round(base_income * rng.normal(1.0, 0.03, customers), 2),
            "debt_ratio": np.clip(base_debt + rng.normal(0, 0.03, customers), 0, 1.5).round(4),
            "credit_utilization": np.clip(base_util + rng.normal(0, 0.05, customers), 0, 1).round(4),
            "delinquencies_12m": rng.poisson(0.25 + 0.6 * base_util, customers).astype(np.int64),
            "credit_history_months": (history0 + month).astype(np.int64),
            "age": (age0 + (month // 12)).astype(np.int64),
        }
        snapshots.append(snapshot)
        stamp = _month(month)
        columns["customer_id"].append(ids)
        columns["event_timestamp"].append(np.full(customers, np.datetime64(stamp, "us")))
        columns["zip_code"].append(zips)
        for name, values in snapshot.items():
            columns[name].append(values)
    history = pa.table({
        "customer_id": pa.array(np.concatenate(columns["customer_id"]), pa.int64()),
        "event_timestamp": pa.array(np.concatenate(columns["event_timestamp"]), pa.timestamp("us")),
        "income": pa.array(np.concatenate(columns["income"]), pa.float64()),
        "debt_ratio": pa.array(np.concatenate(columns["debt_ratio"]), pa.float64()),
        "credit_utilization": pa.array(np.concatenate(columns["credit_utilization"]), pa.float64()),
        "delinquencies_12m": pa.array(np.concatenate(columns["delinquencies_12m"]), pa.int64()),
        "credit_history_months": pa.array(np.concatenate(columns["credit_history_months"]), pa.int64()),
        "age": pa.array(np.concatenate(columns["age"]), pa.int64()),
        "zip_code": pa.array(np.concatenate(columns["zip_code"]), pa.string()),
    })

    # Each applicant applies once, a few days after one of the snapshots; the label follows the
    # snapshot the lender saw then.
    seen = rng.integers(0, SNAPSHOT_MONTHS, customers)
    picked = {name: np.stack([s[name] for s in snapshots])[seen, np.arange(customers)] for name in snapshots[0]}
    logit = default_logit(picked["income"], picked["debt_ratio"], picked["credit_utilization"],
                          picked["delinquencies_12m"], picked["credit_history_months"])
    defaulted = (rng.random(customers) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    month_starts = np.array([_month(m) for m in range(SNAPSHOT_MONTHS)], dtype="datetime64[us]")
    applied = (month_starts[seen] + rng.integers(1, 27, customers).astype("timedelta64[D]")
               + rng.integers(8, 18, customers).astype("timedelta64[h]"))
    order = np.argsort(applied, kind="stable")
    applications = pa.table({
        "customer_id": pa.array(ids[order], pa.int64()),
        "event_timestamp": pa.array(applied[order], pa.timestamp("us")),
        "defaulted": pa.array(defaulted[order], pa.int64()),
        "sex": pa.array(sex[order], pa.string()),
        "race": pa.array(np.array(RACES)[race_index][order], pa.string()),
    })
    return LendingData(history=history, applications=applications, customer_ids=ids, zip_codes=zips,
                       latest=snapshots[-1])


def shifted_segment(data: LendingData, size: int, seed: int = SEED + 1) -> pa.Table:
    """A new monthly snapshot for ``size`` customers whose finances worsened: debt and card
    utilisation up, income down (a segment bought from a partner lender, say)."""
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(data.customer_ids.size, size, replace=False))
    latest = {name: values[chosen] for name, values in data.latest.items()}
    return pa.table({
        "customer_id": pa.array(data.customer_ids[chosen], pa.int64()),
        "event_timestamp": pa.array([SHIFT_SNAPSHOT] * size, pa.timestamp("us")),
        "income": pa.array(np.round(latest["income"] * 0.7, 2), pa.float64()),
        "debt_ratio": pa.array(np.clip(latest["debt_ratio"] + 0.35, 0, 1.5).round(4), pa.float64()),
        "credit_utilization": pa.array(np.clip(latest["credit_utilization"] + 0.3, 0, 1).round(4), pa.float64()),
        "delinquencies_12m": pa.array(latest["delinquencies_12m"] + 1, pa.int64()),
        "credit_history_months": pa.array(latest["credit_history_months"] + 1, pa.int64()),
        "age": pa.array(latest["age"], pa.int64()),
        "zip_code": pa.array(data.zip_codes[chosen], pa.string()),
    })


def ipc_bytes(table: pa.Table) -> bytes:
    """``table`` as one Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
