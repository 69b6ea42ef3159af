"""The transport-neutral form of logged predictions: columnar rows of one model version."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from services.monitoring.summaries.column import ColumnValues


@dataclass
class Rejection:
    """One rejected record, row or message (reason is a RejectionReason name without prefix)."""

    message_index: int
    item_index: int
    reason: str
    field: str
    message: str
    whole_message: bool = False
    request_id: str = ""
    row_index: int = 0


@dataclass
class PredictionRows:
    """Valid rows of one model version from one message, in columnar form."""

    model_name: str
    model_version: int
    alias: list[str]
    deployment: list[str]
    deployment_team: list[str]
    request_id: list[str]
    row_index: np.ndarray          # int64
    prediction_us: np.ndarray      # int64 microseconds since the epoch
    status_code: np.ndarray        # int64
    latency_us: np.ndarray         # int64, -1 when unknown
    predicted_label: list[str | None]
    predicted_value: np.ndarray    # float64, NaN when unset
    probabilities: list[dict[str, float] | None]
    inputs: dict[str, ColumnValues] = field(default_factory=dict)
    outputs: dict[str, ColumnValues] = field(default_factory=dict)
    #: Each row's position within its stream message (for rejections).
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def size(self) -> int:
        """The number of rows."""
        return len(self.request_id)

    def take(self, positions: np.ndarray) -> PredictionRows:
        """The rows at ``positions`` (ascending), in order."""
        pick = positions.tolist()

        def sub(values: ColumnValues) -> ColumnValues:
            return ColumnValues(values.numbers[positions],
                                None if values.strings is None else values.strings[positions],
                                values.is_number[positions], values.is_string[positions],
                                values.null[positions], values.absent[positions])

        return PredictionRows(
            model_name=self.model_name, model_version=self.model_version,
            alias=[self.alias[i] for i in pick], deployment=[self.deployment[i] for i in pick],
            deployment_team=[self.deployment_team[i] for i in pick],
            request_id=[self.request_id[i] for i in pick], row_index=self.row_index[positions],
            prediction_us=self.prediction_us[positions], status_code=self.status_code[positions],
            latency_us=self.latency_us[positions], predicted_label=[self.predicted_label[i] for i in pick],
            predicted_value=self.predicted_value[positions],
            probabilities=[self.probabilities[i] for i in pick],
            inputs={k: sub(v) for k, v in self.inputs.items()},
            outputs={k: sub(v) for k, v in self.outputs.items()},
            positions=self.positions[positions] if self.positions.size else self.positions)


@dataclass
class OutcomeRecord:
    """One valid outcome."""

    request_id: str
    row_index: int
    class_label: str | None
    value: float | None
    outcome_us: int
