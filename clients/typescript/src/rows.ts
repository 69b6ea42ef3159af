// Row payloads of the Sextant APIs built from plain TypeScript values: an Arrow IPC stream for
// PushFeatures and IngestBatch (the bytes pyarrow reads on the server), and the typed protobuf
// columns (ColumnBatch) that entity keys and online lookups use.

import { create } from "@bufbuild/protobuf";
import {
  Float64,
  Int64,
  Table,
  TimestampMicrosecond,
  makeVector,
  tableToIPC,
  type Vector,
} from "apache-arrow";

import { DataType } from "./gen/sextant/type/v1/types_pb.js";
import { type Column, type ColumnBatch, ColumnBatchSchema } from "./gen/sextant/type/v1/tabular_pb.js";

/** One row of a feature view with a single INT64 join key and FLOAT64 features. */
export interface FeatureRow {
  /** The join key's value. */
  key: bigint;
  /** When the values were observed. */
  eventTime: Date;
  /** The feature values by feature name. */
  values: Record<string, number>;
}

/**
 * Encodes rows as an Arrow IPC stream with the columns a push or ingest expects: the join key
 * (int64), the event timestamp (timestamp[us, UTC]) and one float64 column per feature.
 */
export function encodeFeatureRows(
  rows: readonly FeatureRow[],
  joinKey: string,
  eventTimestampColumn: string,
  features: readonly string[],
): Uint8Array {
  const columns: Record<string, Vector> = {
    [joinKey]: makeVector({ type: new Int64(), data: BigInt64Array.from(rows.map((row) => row.key)) }),
    [eventTimestampColumn]: makeVector({
      type: new TimestampMicrosecond("UTC"),
      data: BigInt64Array.from(rows.map((row) => BigInt(row.eventTime.getTime()) * 1000n)),
    }),
  };
  for (const feature of features) {
    const values = rows.map((row) => {
      const value = row.values[feature];
      if (value === undefined) {
        throw new Error(`row for key ${row.key} has no value for feature ${feature}`);
      }
      return value;
    });
    columns[feature] = makeVector({ type: new Float64(), data: Float64Array.from(values) });
  }
  return tableToIPC(new Table(columns), "stream");
}

/** A batch of one INT64 key column, as entity keys of an online lookup or a prediction. */
export function int64KeyBatch(name: string, keys: readonly bigint[]): ColumnBatch {
  return create(ColumnBatchSchema, {
    rowCount: keys.length,
    columns: [{ name, dtype: DataType.INT64, values: { case: "int64Values", value: { values: [...keys] } } }],
  });
}

/** The values of a column as numbers, whatever numeric array it carries. */
export function numericValues(column: Column): number[] {
  switch (column.values.case) {
    case "doubleValues":
    case "floatValues":
      return [...column.values.value.values];
    case "int64Values":
      return column.values.value.values.map(Number);
    case "boolValues":
      return column.values.value.values.map((value) => (value ? 1 : 0));
    default:
      throw new Error(`column ${column.name} is not numeric (${column.values.case ?? "no values"})`);
  }
}
