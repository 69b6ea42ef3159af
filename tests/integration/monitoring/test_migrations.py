"""monitoring_0002 moves logged predictions into their batches without losing or changing any."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa

from services.common.app import COMMON_MIGRATIONS
from services.common.db import Database
from services.monitoring import repository as repo

_VERSIONS = Path(repo.__file__).resolve().parent / "migrations"


def _ipc(values: list[float]) -> bytes:
    table = pa.table({"in:x": pa.array(values, pa.float64())})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def test_rows_of_the_first_schema_survive_the_move_into_batches(database_url: str, tmp_path: Path) -> None:
    first_only = tmp_path / "first"
    first_only.mkdir()
    shutil.copy(_VERSIONS / "monitoring_0001_initial.py", first_only)
    database = Database(database_url)
    try:
        database.migrate(COMMON_MIGRATIONS, [first_only])
        with database.write() as session:
            for batch_id, values in ((1, [0.5, 1.5, 2.5]), (2, [7.0, 8.0])):
                session.execute(sa.text("INSERT INTO mon_prediction_batches (id, model_name, model_version, "
                                        "received_us, ipc) VALUES (:id, 'credit', 1, 0, :ipc)"),
                                {"id": batch_id, "ipc": _ipc(values)})
            rows = [(1, "a", 0, 1, 0, "api", 100, "yes", None, json.dumps({"yes": 0.9, "no": 0.1}), 0),
                    (2, "b", 0, 1, 1, "api", 101, "no", None, None, 0),
                    (3, "c", 0, 1, 2, "batch", 102, None, 4.5, None, 500),
                    (4, "d", 0, 2, 0, "api", 900, "yes", None, None, 0),
                    (5, "d", 1, 2, 1, "api", 901, "no", None, None, 0)]
            for seq, rid, index, batch, row, deployment, us, label, value, probabilities, status in rows:
                session.execute(sa.text(
                    "INSERT INTO mon_predictions (seq, request_id, row_index, batch_id, batch_row, model_name, "
                    "model_version, deployment, prediction_us, predicted_label, predicted_value, probabilities, "
                    "status_code, schema_error) VALUES (:seq, :rid, :index, :batch, :row, 'credit', 1, :deployment, "
                    ":us, :label, :value, :probabilities, :status, :error)"),
                    {"seq": seq, "rid": rid, "index": index, "batch": batch, "row": row, "deployment": deployment,
                     "us": us, "label": label, "value": value, "probabilities": probabilities, "status": status,
                     "error": False})
            session.execute(sa.text("INSERT INTO mon_outcomes (request_id, row_index, class_label, outcome_us) "
                                    "VALUES ('a', 0, 'yes', 1), ('d', 1, 'yes', 1)"))
        database.migrate(COMMON_MIGRATIONS, [_VERSIONS])
        with database.read() as session:
            assert repo.existing_prediction_keys(session, [("a", 0), ("d", 9)]) == {("a", 0), ("d", 0), ("d", 1)}
            labelled = repo.window_predictions(session, "credit", 1, "", 0, 0, 1, 5, labelled_only=True)
            assert [(r.predicted_label, r.class_label, r.probabilities) for r in labelled] == [
                ("yes", "yes", json.dumps({"yes": 0.9, "no": 0.1})), ("no", "yes", None)]
            by_time = repo.window_predictions(session, "credit", 1, "batch", 100, 200, None, None, labelled_only=False)
            assert [(r.predicted_value, r.status_code, r.outcome_id) for r in by_time] == [(4.5, 500, None)]
            traffic = repo.batches_in_range(session, "credit", 1, 101, 901, "api")
            tables = [pa.ipc.open_stream(pa.py_buffer(ipc)).read_all().take(pa.array(rows)) for ipc, rows in traffic]
            assert [t.column("in:x").to_pylist() for t in tables] == [[1.5], [7.0]]
    finally:
        database.close()
