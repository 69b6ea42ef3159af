// A runnable tour of Sextant from TypeScript over plain gRPC (Connect's gRPC transport, HTTP/2):
// define an entity and a PUSH feature view, push one row, read it back online, and ask a serving
// deployment for a prediction by entity key, which makes serving fetch the same features itself.
//
//   SEXTANT_FEATURESTORE_ADDRESS=127.0.0.1:50051 SEXTANT_SERVING_ADDRESS=127.0.0.1:50054 \
//     npx tsx src/example.ts --deployment credit-scorer [--customer-id 4242]
//
// The deployment's model must take its inputs from features of the view defined here
// (`example_credit_live`). Every step prints one line; any failure exits non-zero.

import { parseArgs } from "node:util";

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

import { FeatureStoreService } from "./gen/sextant/featurestore/v1/featurestore_service_pb.js";
import { SourceKind } from "./gen/sextant/featurestore/v1/resources_pb.js";
import {
  PredictRequestSchema,
  ServingService,
  type PredictResponse,
} from "./gen/sextant/serving/v1/serving_service_pb.js";
import { FeatureValueStatus } from "./gen/sextant/type/v1/features_pb.js";
import { PredictionRoute } from "./gen/sextant/type/v1/model_pb.js";
import { DataType } from "./gen/sextant/type/v1/types_pb.js";
import { encodeFeatureRows, int64KeyBatch, numericValues, type FeatureRow } from "./rows.js";

const ENTITY = "example_customer";
const JOIN_KEY = "customer_id";
const VIEW = "example_credit_live";
const EVENT_TIMESTAMP = "event_timestamp";
const FEATURES = ["utilization", "late_payments", "tenure_years"] as const;
const OWNER_TEAM = "examples";
const CALL_TIMEOUT_MS = 10_000;
/** How long Predict keeps retrying while serving answers UNAVAILABLE (the model is loading). */
const LOAD_WAIT_MS = 30_000;

interface Config {
  featurestoreAddress: string;
  servingAddress: string;
  deployment: string;
  customerId: bigint;
  credential: string | undefined;
}

function readConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const { values } = parseArgs({
    args: argv,
    options: { deployment: { type: "string" }, "customer-id": { type: "string" } },
  });
  const deployment = values.deployment ?? env.SEXTANT_DEPLOYMENT ?? "";
  if (deployment === "") {
    throw new UsageError("name the serving deployment with --deployment NAME or SEXTANT_DEPLOYMENT");
  }
  const customerId = values["customer-id"] ?? "4242";
  if (!/^-?\d+$/.test(customerId)) {
    throw new UsageError(`--customer-id must be an integer, got ${JSON.stringify(customerId)}`);
  }
  return {
    featurestoreAddress: env.SEXTANT_FEATURESTORE_ADDRESS || "127.0.0.1:50051",
    servingAddress: env.SEXTANT_SERVING_ADDRESS || "127.0.0.1:50054",
    deployment,
    customerId: BigInt(customerId),
    credential: env.SEXTANT_CREDENTIAL || undefined,
  };
}

class UsageError extends Error {}

/** Sends `authorization: Bearer <credential>` on every call, as the Python SDK does. */
function bearer(credential: string | undefined): Interceptor[] {
  if (credential === undefined) {
    return [];
  }
  return [(next) => (request) => {
    request.header.set("authorization", `Bearer ${credential}`);
    return next(request);
  }];
}

/** A gRPC transport: always HTTP/2, here in cleartext (h2c), as the servers listen by default. */
function transportTo(address: string, credential: string | undefined) {
  return createGrpcTransport({
    baseUrl: `http://${address}`,
    defaultTimeoutMs: CALL_TIMEOUT_MS,
    interceptors: bearer(credential),
  });
}

async function applyDefinitions(featurestore: Client<typeof FeatureStoreService>): Promise<void> {
  const response = await featurestore.applyDefinitions({
    entities: [{ name: ENTITY, ownerTeam: OWNER_TEAM, joinKeys: [{ name: JOIN_KEY, dtype: DataType.INT64 }],
                 description: "A customer of the TypeScript example." }],
    featureViews: [{
      name: VIEW,
      entities: [ENTITY],
      ownerTeam: OWNER_TEAM,
      sourceKind: SourceKind.PUSH,
      eventTimestampColumn: EVENT_TIMESTAMP,
      description: "Live credit signals pushed by the TypeScript example.",
      features: FEATURES.map((name) => ({ name, dtype: DataType.FLOAT64 })),
    }],
    changeNote: "TypeScript example",
  });
  const view = response.featureViews.find((candidate) => candidate.name === VIEW);
  if (view === undefined) {
    throw new Error(`ApplyDefinitions did not return feature view ${VIEW}`);
  }
  console.log(`applied feature view ${VIEW} version ${view.version} (fingerprint ${view.fingerprint}, `
    + `applied=${response.applied}, entity ${ENTITY} keyed by ${JOIN_KEY})`);
}

async function pushRow(featurestore: Client<typeof FeatureStoreService>, row: FeatureRow): Promise<void> {
  const ipcStream = encodeFeatureRows([row], JOIN_KEY, EVENT_TIMESTAMP, FEATURES);
  async function* messages() {
    yield { featureView: VIEW, rows: { ipcStream } };
  }
  const response = await featurestore.pushFeatures(messages());
  if (response.rowsWritten !== 1n) {
    throw new Error(`PushFeatures wrote ${response.rowsWritten} rows, expected 1`);
  }
  console.log(`pushed ${JOIN_KEY}=${row.key}: ${formatValues(row.values)} (rows written: ${response.rowsWritten})`);
}

async function readOnline(featurestore: Client<typeof FeatureStoreService>, row: FeatureRow): Promise<void> {
  const response = await featurestore.getOnlineFeatures({
    features: { selection: { case: "references", value: {
      references: FEATURES.map((feature) => ({ featureView: VIEW, feature })) } } },
    entityKeys: int64KeyBatch(JOIN_KEY, [row.key]),
  });
  const read: Record<string, number> = {};
  for (const column of response.columns) {
    const status = column.statuses[0];
    if (status !== FeatureValueStatus.PRESENT) {
      throw new Error(`online ${column.feature} is ${FeatureValueStatus[status ?? 0]}, expected PRESENT`);
    }
    const [value] = column.values ? numericValues(column.values) : [];
    if (value === undefined || value !== row.values[column.feature]) {
      throw new Error(`online ${column.feature} is ${value}, pushed ${row.values[column.feature]}`);
    }
    read[column.feature] = value;
  }
  if (Object.keys(read).length !== FEATURES.length) {
    throw new Error(`GetOnlineFeatures returned ${response.columns.length} columns, expected ${FEATURES.length}`);
  }
  console.log(`online ${JOIN_KEY}=${row.key}: ${formatValues(read)} (all PRESENT)`);
}

async function predict(serving: Client<typeof ServingService>, deployment: string, key: bigint): Promise<void> {
  const request = create(PredictRequestSchema, {
    deployment,
    input: { case: "entityKeys", value: { keys: int64KeyBatch(JOIN_KEY, [key]) } },
    returnFeatures: true,
  });
  const deadline = Date.now() + LOAD_WAIT_MS;
  let response: PredictResponse | undefined;
  while (response === undefined) {
    try {
      response = await serving.predict(request);
    } catch (error) {
      if (!(error instanceof ConnectError) || error.code !== Code.Unavailable || Date.now() > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (response.outputs?.format.case !== "columns") {
    throw new Error("Predict returned no output columns");
  }
  const outputs = response.outputs.format.value.columns.map(
    (column) => `${column.name}=${numericValues(column).join(",")}`);
  const inputs = response.features?.provenance.map((used) => used.feature?.reference?.feature) ?? [];
  console.log(`predicted with deployment ${deployment}: model ${response.modelName} version `
    + `${response.modelVersion} (route ${PredictionRoute[response.route]}, features ${inputs.join(",")}): `
    + outputs.join(" "));
}

function formatValues(values: Record<string, number>): string {
  return FEATURES.map((feature) => `${feature}=${values[feature]}`).join(" ");
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2), process.env);
  const featurestore = createClient(FeatureStoreService,
    transportTo(config.featurestoreAddress, config.credential));
  const serving = createClient(ServingService, transportTo(config.servingAddress, config.credential));
  const row: FeatureRow = {
    key: config.customerId,
    eventTime: new Date(),
    values: { utilization: 0.42, late_payments: 3, tenure_years: 7.5 },
  };
  await applyDefinitions(featurestore);
  await pushRow(featurestore, row);
  await readOnline(featurestore, row);
  await predict(serving, config.deployment, row.key);
}

main().then(
  // Exit at once: idle HTTP/2 sessions would otherwise keep the process alive for a while.
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`usage: ${error.message}`);
      process.exit(2);
    }
    const detail = error instanceof ConnectError ? `${Code[error.code]}: ${error.rawMessage}` : String(error);
    console.error(`example failed: ${detail}`);
    process.exit(1);
  },
);
