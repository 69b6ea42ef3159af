"""How one entity's latest feature values are packed into an online store payload.

Views whose features are all fixed-width (bool, integers, floats, timestamps) use a packed row: one
validity byte and one little-endian value per feature, laid out by a NumPy structured dtype, so that
a batch of payloads decodes with one ``np.frombuffer`` into columns. Other views store each row as a
serialized one-row Arrow record batch, and a batch of them decodes as one framed Arrow IPC stream.
Both forms are derived from the view version's schema, so a reader needs only the version.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_END_OF_STREAM = b"\xff\xff\xff\xff\x00\x00\x00\x00"


def _numpy_type(kind: pa.DataType) -> str | None:
    if pa.types.is_boolean(kind):
        return "?"
    if pa.types.is_timestamp(kind):
        return "<i8"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return np.dtype(kind.to_pandas_dtype()).newbyteorder("<").str
    return None


def _zero(kind: pa.DataType) -> object:
    """The placeholder of a null value of ``kind`` (timestamps already cast to integers)."""
    if pa.types.is_string(kind):
        return ""
    if pa.types.is_binary(kind):
        return b""
    if pa.types.is_boolean(kind):
        return False
    return 0


class RowCodec:
    """Encodes table rows to payloads and decodes payloads to a table, for one feature schema."""

    def __init__(self, schema: pa.Schema) -> None:
        self.schema = schema
        kinds = [_numpy_type(f.type) for f in schema]
        self.packed = all(k is not None for k in kinds)
        if self.packed:
            fields = []
            for i, kind in enumerate(kinds):
                fields += [(f"n{i}", "u1"), (f"v{i}", kind)]
            self.dtype = np.dtype(fields)
            self._validity_offsets = np.array([self.dtype.fields[f"n{i}"][1] for i in range(len(kinds))], np.intp)
            # Columns of one NumPy type are gathered together: the bytes of all their values, taken
            # from every row with one fancy index, reinterpret as a (rows, columns) block.
            groups: dict[str, list[int]] = {}
            for i, kind in enumerate(kinds):
                groups.setdefault(kind, []).append(i)
            self._groups = []
            for kind, members in groups.items():
                size = np.dtype(kind).itemsize
                offsets = np.concatenate([np.arange(size) + self.dtype.fields[f"v{i}"][1] for i in members])
                self._groups.append((np.dtype(kind), members, offsets.astype(np.intp)))
        self._header = schema.serialize().to_pybytes()

    def encode(self, table: pa.Table) -> list[bytes]:
        """One payload per row of ``table`` (which has exactly this codec's columns)."""
        n = table.num_rows
        if n == 0:
            return []
        table = table.combine_chunks()
        if not self.packed:
            batch = table.to_batches()[0]
            return [batch.slice(i, 1).serialize().to_pybytes() for i in range(n)]
        rows = np.zeros(n, dtype=self.dtype)
        for i, field in enumerate(self.schema):
            column = table.column(i)
            rows[f"n{i}"] = ~np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            if pa.types.is_timestamp(field.type):
                column = column.cast(pa.int64())
            zero = _zero(field.type)
            rows[f"v{i}"] = pc.fill_null(column, zero).to_numpy() if column.null_count else column.to_numpy()
        raw = rows.view(np.uint8).reshape(n, self.dtype.itemsize)
        return [row.tobytes() for row in raw]

    def decode_columns(self, payloads: list[bytes]) -> list[tuple[np.ndarray, np.ndarray]]:
        """The rows of ``payloads`` as (values, validity) NumPy pairs, one per column.

        Null positions hold the type's zero (``""``/``b""`` for strings and bytes); timestamps are
        microseconds since the epoch.
        """
        if self.packed:
            values, valid = self.decode_block(payloads)
            return list(zip(values, valid, strict=True))
        table = self.decode(payloads)
        columns = []
        for field, column in zip(self.schema, table.columns, strict=True):
            valid = ~np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            zero = _zero(field.type)
            if pa.types.is_timestamp(field.type):
                column = column.cast(pa.int64())
            filled = pc.fill_null(column, zero) if column.null_count else column
            columns.append((filled.to_numpy(zero_copy_only=False), valid))
        return columns

    def decode_block(self, payloads: list[bytes]) -> tuple[list[np.ndarray], np.ndarray]:
        """Packed payloads as one contiguous values array per column and a (columns, rows) validity matrix.

        The cost is a handful of NumPy calls per distinct feature type, not per feature.
        """
        count = len(payloads)
        raw = np.frombuffer(b"".join(payloads), dtype=np.uint8).reshape(count, self.dtype.itemsize)
        valid = raw[:, self._validity_offsets].T.astype(bool)
        values: list[np.ndarray] = [None] * len(self.schema)  # type: ignore[list-item]
        for kind, members, offsets in self._groups:
            block = np.ascontiguousarray(np.ascontiguousarray(raw[:, offsets]).view(kind).T)
            if len(self._groups) == 1:
                return list(block), valid  # one type: the block's rows are the columns, in order
            for slot, column in enumerate(members):
                values[column] = block[slot]
        return values, valid

    def decode(self, payloads: list[bytes]) -> pa.Table:
        """The rows of ``payloads`` as a table in this codec's schema."""
        if not self.packed:
            framed = b"".join([self._header, *payloads, _END_OF_STREAM])
            with pa.ipc.open_stream(pa.py_buffer(framed)) as reader:
                return reader.read_all().combine_chunks()
        rows = np.frombuffer(b"".join(payloads), dtype=self.dtype)
        arrays = []
        for i, field in enumerate(self.schema):
            valid = rows[f"n{i}"].astype(bool)
            values = np.ascontiguousarray(rows[f"v{i}"])
            mask = None if valid.all() else ~valid
            if pa.types.is_timestamp(field.type):
                arrays.append(pa.array(values, pa.int64(), mask=mask).cast(field.type))
            else:
                arrays.append(pa.array(values, field.type, mask=mask))
        return pa.Table.from_arrays(arrays, schema=self.schema)
