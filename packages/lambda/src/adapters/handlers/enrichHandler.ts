import { S3Client } from '@aws-sdk/client-s3';
import {
  BatchWriter,
  createPreprocessor,
  DynamoDbJoinStore,
  IntervalJoin,
  loadReferenceTable,
  type BatchWriterOptions,
  type JoinStateStore,
  type PreprocessOptions,
  type ProductLookup,
} from '@kse/enrich';
import { encodeRecord } from '@kse/schemas';
import { z } from 'zod';
import { processKinesisEvent } from '../batchResponse.js';
import {
  deadLetterDecodeFailures,
  dynamoDbClientOf,
  kinesisClientOf,
  newInvocationReport,
  toRawInputs,
  type HandlerBaseOptions,
} from './common.js';
import { positiveInt, readConfig, s3Uri } from './config.js';
import { sendDeadLetters } from './deadLetters.js';
import { createObservability, reportInvocation } from './observability.js';
import { putRecordsAll } from './putRecordsAll.js';
import type { KinesisBatchHandler } from './sinkHandler.js';

/**
 * Where enriched rows go: `seed` (the sample's topology) puts them on the enriched stream
 * for the sink; `fused` writes them straight to the table (one hop less).
 */
export type EnrichTopology = 'seed' | 'fused';

/** Options of {@link createEnrichHandler}; each falls back to its environment variable. */
export interface EnrichHandlerOptions extends HandlerBaseOptions {
  /** `seed` or `fused` (env `TOPOLOGY`, default `seed`). */
  topology?: EnrichTopology;
  /** Enriched stream, for `seed` (env `ENRICHED_STREAM`). */
  enrichedStream?: string;
  /** Target table, for `fused` (env `TABLE_NAME`). */
  tableName?: string;
  /** DynamoDB table of the join state (env `JOIN_STATE_TABLE`). */
  joinStateTable?: string;
  /** Products reference table in S3 (env `PRODUCTS_S3_URI`, `s3://bucket/key`). */
  productsS3Uri?: string;
  /** Products already loaded (tests, `kse run`); replaces `productsS3Uri`. */
  products?: ProductLookup;
  /** Reload period of the products (env `PRODUCTS_REFRESH_SECONDS`, default never). */
  productsRefreshSeconds?: number;
  /** Join window (env `JOIN_WINDOW_SECONDS`, default 60). */
  joinWindowSeconds?: number;
  /** A state store per shard in place of DynamoDB (tests, a long-running process). */
  joinStore?: (shardId: string) => JoinStateStore;
  s3?: S3Client;
  preprocess?: PreprocessOptions;
  /** Options of the fused topology's BatchWriter. */
  batchWriter?: Partial<Omit<BatchWriterOptions, 'client' | 'tableName'>>;
}

const enrichConfig = (given: { store: boolean; products: boolean }) =>
  z
    .object({
      TOPOLOGY: z.enum(['seed', 'fused']).default('seed'),
      ENRICHED_STREAM: z.string().min(1).optional(),
      TABLE_NAME: z.string().min(3).optional(),
      JOIN_STATE_TABLE: z.string().min(3).optional(),
      PRODUCTS_S3_URI: s3Uri.optional(),
      PRODUCTS_REFRESH_SECONDS: z.coerce.number().min(-1).default(-1),
      JOIN_WINDOW_SECONDS: positiveInt.default(60),
      DEAD_LETTER_STREAM: z.string().min(1).optional(),
    })
    .superRefine((config, ctx) => {
      if (config.TOPOLOGY === 'seed' && config.ENRICHED_STREAM === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['ENRICHED_STREAM'],
          message: 'required with TOPOLOGY=seed',
        });
      }
      if (config.TOPOLOGY === 'fused' && config.TABLE_NAME === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['TABLE_NAME'],
          message: 'required with TOPOLOGY=fused',
        });
      }
      if (!given.store && config.JOIN_STATE_TABLE === undefined) {
        ctx.addIssue({ code: 'custom', path: ['JOIN_STATE_TABLE'], message: 'required' });
      }
      if (!given.products && config.PRODUCTS_S3_URI === undefined) {
        ctx.addIssue({ code: 'custom', path: ['PRODUCTS_S3_URI'], message: 'required' });
      }
    });

/**
 * Builds the enrich handler: preprocess → interval join of orders and items on `orderId`
 * (state in DynamoDB, one scope per shard, so it survives between invocations) → LEFT
 * JOIN with the products → enriched rows, put on the enriched stream (`seed`) or written
 * to the table (`fused`). Unmatched items and bad input are dead-lettered with their
 * reason. A failed output fails the batch; Lambda retries it, and the join re-emits the
 * same rows byte for byte. Clients, configuration and the products are loaded once.
 *
 * @example
 * ```ts
 * export const handler = createEnrichHandler(); // TOPOLOGY, ENRICHED_STREAM, JOIN_STATE_TABLE, PRODUCTS_S3_URI
 * ```
 */
export function createEnrichHandler(options: EnrichHandlerOptions = {}): KinesisBatchHandler {
  const explicitProducts = options.products;
  const schema = enrichConfig({
    store: options.joinStore !== undefined,
    products: explicitProducts !== undefined,
  });
  const config = readConfig(schema, options.env ?? process.env, {
    TOPOLOGY: options.topology,
    ENRICHED_STREAM: options.enrichedStream,
    TABLE_NAME: options.tableName,
    JOIN_STATE_TABLE: options.joinStateTable,
    PRODUCTS_S3_URI: options.productsS3Uri,
    PRODUCTS_REFRESH_SECONDS: options.productsRefreshSeconds,
    JOIN_WINDOW_SECONDS: options.joinWindowSeconds,
    DEAD_LETTER_STREAM: options.deadLetterStream,
  });
  const kinesis = kinesisClientOf(options);
  const dynamodb = dynamoDbClientOf(options);
  const observability = createObservability('kse-enrich', options);
  const preprocessor = createPreprocessor(options.preprocess);
  const now = options.now ?? Date.now;
  const writer =
    config.TOPOLOGY === 'fused'
      ? new BatchWriter({ ...options.batchWriter, client: dynamodb, tableName: config.TABLE_NAME! })
      : undefined;
  let products: Promise<ProductLookup> | undefined;
  const productsOnce = (): Promise<ProductLookup> => {
    if (explicitProducts) return Promise.resolve(explicitProducts);
    const { bucket, key } = config.PRODUCTS_S3_URI!;
    const loading =
      products ??
      loadReferenceTable({
        s3: options.s3 ?? new S3Client({ maxAttempts: 3 }),
        bucket,
        key,
        refreshIntervalMs:
          config.PRODUCTS_REFRESH_SECONDS < 0 ? -1 : config.PRODUCTS_REFRESH_SECONDS * 1000,
      }).catch((error: unknown) => {
        products = undefined; // the next invocation tries again
        throw error;
      });
    products = loading;
    return loading;
  };
  const joins = new Map<string, Promise<IntervalJoin>>();
  const joinOf = (shardId: string): Promise<IntervalJoin> => {
    let join = joins.get(shardId);
    if (!join) {
      join = productsOnce().then(
        (lookup) =>
          new IntervalJoin({
            store: options.joinStore
              ? options.joinStore(shardId)
              : new DynamoDbJoinStore({
                  client: dynamodb,
                  tableName: config.JOIN_STATE_TABLE!,
                  scope: shardId,
                }),
            products: lookup,
            windowMs: config.JOIN_WINDOW_SECONDS * 1000,
          }),
      );
      join.catch(() => joins.delete(shardId));
      joins.set(shardId, join);
    }
    return join;
  };
  const deadLetterTarget = {
    kinesis,
    streamName: config.DEAD_LETTER_STREAM,
    logger: observability.logger,
  };

  return async (event, context) => {
    const report = newInvocationReport();
    const response = await processKinesisEvent(
      event,
      async (records) => {
        report.recordsIn += records.length;
        const shardId = records[0]!.shardId;
        const inputs = toRawInputs(records);
        const pre = preprocessor(inputs);
        const join = await joinOf(shardId);
        const joined = await join.process(pre.records);
        const deadLetters = [...pre.deadLetters, ...joined.deadLetters];
        report.retries += await sendDeadLetters(deadLetters, deadLetterTarget, options.putRecords);
        report.deadLettered += deadLetters.length;
        const rows = joined.rows;
        if (writer) {
          const result = await writer.write(rows);
          report.retries += result.retried;
        } else {
          const put = await putRecordsAll(
            kinesis,
            config.ENRICHED_STREAM!,
            rows.map((row) => ({ partitionKey: String(row.orderId), data: encodeRecord(row) })),
            options.putRecords,
          );
          report.retries += put.retries;
        }
        report.recordsOut += rows.length;
        const end = now();
        for (const row of rows) {
          const arrival = Math.max(row.order_arrival_ts ?? 0, row.item_arrival_ts ?? 0);
          if (arrival > 0) report.latenciesMs.push(end - arrival);
        }
      },
      {
        ...(context ? { lambdaContext: context } : {}),
        onDecodeFailure: deadLetterDecodeFailures(report, deadLetterTarget, options.putRecords),
      },
    );
    reportInvocation(observability, event, context, report, now());
    return response;
  };
}
