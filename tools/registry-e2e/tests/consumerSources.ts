// Source files of the consumer project the end-to-end test creates: what a team's service
// would write after `npm install @kse/enrich` from its private registry. They are plain
// text here (not project files) because they must resolve `@kse/*` from the consumer's
// node_modules, never from this workspace.

/**
 * A handful of source records: one order with two items (the sample's shape; product
 * 999900002 is not in the reference table), an item whose order never comes, and, in the
 * consumers, one line that is not JSON.
 */
export const RECORDS = [
  {
    orderId: 10000001,
    orderAmount: 30.5,
    orderStatus: 'New',
    orderDateTime: '2026-01-01T00:00:00.000Z',
    shipToName: 'Zoë Ångström 東京',
    shipToAddress: '1 Main Street',
    shipToCity: 'Seattle',
    shipToState: 'WA',
    shipToZip: '98101',
    recordType: 'Order',
  },
  {
    orderId: 10000001,
    itemId: 999900001,
    itemQuantity: 2,
    itemAmount: 20.5,
    itemStatus: 'Ready',
    orderDateTime: '2026-01-01T00:00:00.000Z',
    recordType: 'OrderItem',
  },
  {
    orderId: 10000001,
    itemId: 999900002,
    itemQuantity: 1,
    itemAmount: 10,
    itemStatus: 'Ready',
    orderDateTime: '2026-01-01T00:00:00.000Z',
    recordType: 'OrderItem',
  },
  {
    // No order 10000002 ever comes: the join dead-letters this item.
    orderId: 10000002,
    itemId: 999900001,
    itemQuantity: 1,
    itemAmount: 10.25,
    itemStatus: 'Ready',
    orderDateTime: '2026-01-01T00:00:01.000Z',
    recordType: 'OrderItem',
  },
] as const;

/** What both runtime consumers print (one JSON line), for the records above. */
export const EXPECTED_OUTPUT = {
  rows: ['10000001/999900001/Desk', '10000001/999900002/null'],
  shipToName: 'Zoë Ångström 東京',
  deadLetters: ['KSE_JSON_INVALID@5', 'KSE_JOIN_UNMATCHED@4'],
  lookup: { '999900001': 'Desk', '999900003': null },
  stats: { orders: 1, items: 3, rows: 2, unmatchedItems: 1, unknownProducts: 1 },
};

// The body shared by the ESM and CJS consumers: preprocess raw lines, run the interval
// join of orders and items with the products LEFT JOIN, look products up.
const body = `const records = ${JSON.stringify(RECORDS)};
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const inputs = records.map((record, index) => ({
  data: JSON.stringify(record),
  arrivalTime: T0 + index * 1000,
  position: index + 1,
}));
inputs.push({ data: '{"orderId":', arrivalTime: T0 + 4000, position: 5 });

const products = await loadReferenceTable({
  products: [{ productId: 999900001, productName: 'Desk', productPrice: 10.25 }],
});
const pre = preprocess(inputs);
const join = new IntervalJoin({ store: new InMemoryJoinStore(), products });
const joined = await join.process(pre.records);
await joined.commit(); // outputs handled: the join state moves on
const rest = await join.flush();
await rest.commit();
const rows = [...joined.rows, ...rest.rows];
const deadLetters = [...pre.deadLetters, ...joined.deadLetters, ...rest.deadLetters];
const { orders, items, rows: rowCount, unmatchedItems, unknownProducts } = join.stats;
console.log(JSON.stringify({
  module: MODULE,
  rows: rows.map((row) => row.orderId + '/' + row.itemId + '/' + row.productName),
  shipToName: rows[0].shipToName,
  deadLetters: deadLetters.map((letter) => letter.code + '@' + letter.position),
  lookup: {
    999900001: products.get(999900001)?.productName ?? null,
    999900003: products.get(999900003)?.productName ?? null,
  },
  stats: { orders, items, rows: rowCount, unmatchedItems, unknownProducts },
}));`;

/** ESM consumer: `import` from the published package. */
export const ESM_SOURCE = `import { IntervalJoin, InMemoryJoinStore, loadReferenceTable, preprocess } from '@kse/enrich';

const MODULE = 'esm';
${body}
`;

/** CJS consumer: `require` of the published package. */
export const CJS_SOURCE = `const { IntervalJoin, InMemoryJoinStore, loadReferenceTable, preprocess } = require('@kse/enrich');

const MODULE = 'cjs';
(async () => {
${body}
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/**
 * TypeScript consumer: uses the published types (a wrong type anywhere fails `tsc`).
 * Type-checked as `.mts` and `.cts` under `nodenext` and as `.ts` under `bundler`.
 */
export const TS_SOURCE = `import { IntervalJoin, InMemoryJoinStore, loadReferenceTable, preprocess } from '@kse/enrich';
import type {
  DeadLetter,
  EnrichErrorCode,
  JoinBatch,
  JoinResult,
  ProductLookup,
  RawInput,
  TimedRecord,
} from '@kse/enrich';

type EnrichedRow = JoinResult['rows'][number];

export async function enrich(inputs: readonly RawInput[]): Promise<EnrichedRow[]> {
  const products: ProductLookup = await loadReferenceTable({
    products: [{ productId: 999900001, productName: 'Desk', productPrice: 10.25 }],
  });
  const { records, deadLetters } = preprocess(inputs);
  const first: TimedRecord | undefined = records[0];
  const join = new IntervalJoin({ store: new InMemoryJoinStore(), products, windowMs: 60_000 });
  const batch: JoinBatch = await join.process(first ? records : []);
  const result: JoinResult = batch;
  await batch.commit();
  const letters: DeadLetter[] = [...deadLetters, ...result.deadLetters];
  const codes: string[] = letters.map((letter) => letter.code);
  void codes;
  const name: string | null | undefined = result.rows[0]?.productName;
  void name;
  return result.rows;
}

export const unmatched: EnrichErrorCode = 'KSE_JOIN_UNMATCHED';
`;

// The vitest harness of @kse/local-stack, from its `testing` subpath, as a team's test setup
// would load it: it starts the emulators, hands their config over, and stops them. The
// ESM consumer runs them in a child process (spawned from the installed package), the CJS
// one in its own process.
const harnessBody = `const HARNESS = ['vitestGlobalSetup', 'testAwsConfig', 'uniqueName', 'TEST_STACK_MODE_ENV'];
process.env[testing.TEST_STACK_MODE_ENV] = MODE;
const stop = await testing.vitestGlobalSetup();
const created = [];
let loopback = false;
try {
  const config = testing.testAwsConfig();
  const clients = main.createAwsClients(config);
  try {
    await main.ensureStream(clients.kinesis, { streamName: testing.uniqueName('e2e'), shardCount: 1 });
    created.push('stream');
    await main.ensureTable(clients.dynamodb, {
      tableName: testing.uniqueName('e2e'),
      partitionKey: { name: 'id', type: 'S' },
    });
    created.push('table');
    await main.ensureBucket(clients.s3, testing.uniqueName('e2e'));
    created.push('bucket');
  } finally {
    main.destroyAwsClients(clients);
  }
  loopback = Object.values(config.endpoints).every((url) => /^http:\\/\\/127\\.0\\.0\\.1:\\d+$/.test(url));
} finally {
  await stop();
}
console.log(JSON.stringify({
  module: MODULE,
  mode: MODE,
  inTesting: HARNESS.filter((name) => name in testing),
  inMain: HARNESS.filter((name) => name in main),
  created,
  loopback,
}));`;

/** What both harness consumers print (one JSON line), besides `module` and `mode`. */
export const EXPECTED_HARNESS_OUTPUT = {
  inTesting: ['vitestGlobalSetup', 'testAwsConfig', 'uniqueName', 'TEST_STACK_MODE_ENV'],
  inMain: [],
  created: ['stream', 'table', 'bucket'],
  loopback: true,
};

/** ESM consumer of `@kse/local-stack/testing`: the emulators in a child process. */
export const HARNESS_ESM_SOURCE = `import * as main from '@kse/local-stack';
import * as testing from '@kse/local-stack/testing';

const MODULE = 'esm';
const MODE = 'child-process';
${harnessBody}
`;

/** CJS consumer of `@kse/local-stack/testing`: the emulators in this process. */
export const HARNESS_CJS_SOURCE = `const main = require('@kse/local-stack');
const testing = require('@kse/local-stack/testing');

const MODULE = 'cjs';
const MODE = 'in-process';
(async () => {
${harnessBody}
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/** TypeScript consumer of the `testing` subpath next to the main entry. */
export const HARNESS_TS_SOURCE = `import { createAwsClients, type AwsClients, type AwsConfig } from '@kse/local-stack';
import {
  TEST_STACK_MODE_ENV,
  testAwsConfig,
  uniqueName,
  vitestGlobalSetup,
} from '@kse/local-stack/testing';

export const setup: () => Promise<() => Promise<void>> = vitestGlobalSetup;

export function clients(): AwsClients {
  const config: AwsConfig = testAwsConfig();
  return createAwsClients(config);
}

export const stream: string = uniqueName('orders');
export const modeVariable: string = TEST_STACK_MODE_ENV;
`;
