import type { S3Client } from '@aws-sdk/client-s3';
import {
  BatchWriter,
  createPreprocessor,
  DynamoDbJoinStore,
  loadReferenceTable,
  type BatchWriterOptions,
  type DeadLetter,
  type JoinStateStore,
  type PreprocessOptions,
  type ProductLookup,
} from '@kse/enrich';
import { sdkClientConfig } from '@kse/core';
import { encodeRecord, type EnrichedOrderItem } from '@kse/schemas';
import * as z from 'zod/mini';
import { processKinesisEvent } from '../batchResponse.js';
import { shardIdOf } from '../kinesisEvent.js';
import type { IdleShard } from '../lambdaEvent.js';
import {
  deadLetterDecodeFailures,
  dynamoDbClientOf,
  kinesisClientOf,
  newInvocationReport,
  toRawInputs,
  type HandlerBaseOptions,
} from './common.js';
import { minLengthString, numberAtLeast, readConfig, s3Uri } from './config.js';
import { sendDeadLetters, withStream } from './deadLetters.js';
import { deliverFused, type FusedOutputs } from './fusedBatch.js';
import {
  checkJoinStateTtl,
  joinConfigExplicit,
  joinConfigShape,
  joinSettingsOf,
  type JoinConfigOptions,
} from './joinConfig.js';
import {
  createObservability,
  reportInvocation,
  traceClient,
  withObservability,
  type InvocationReport,
} from './observability.js';
import { putRecordsAll } from './putRecordsAll.js';
import { ShardJoins } from './shardJoins.js';
import { ShardLineage } from './shardLineage.js';
import type { KinesisBatchHandler } from './sinkHandler.js';

/**
 * Where enriched rows go: `seed` (the sample's topology) puts them on the enriched stream
 * for the sink; `fused` writes them straight to the table (one hop less).
 */
export type EnrichTopology = 'seed' | 'fused';

/** Options of {@link createEnrichHandler}; each falls back to its environment variable. */
export interface EnrichHandlerOptions extends HandlerBaseOptions, JoinConfigOptions {
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
  /** A state store per shard in place of DynamoDB (tests, a long-running process); called once per shard. */
  joinStore?: (shardId: string) => JoinStateStore;
  /**
   * Carry join state across reshards: a child shard takes over its parents' keys (those
   * whose partition key hashes into its range) on its first batch. Lists the source
   * stream's shards (`kinesis:ListShards`). Default true.
   */
  followReshards?: boolean;
  /** The partition key a record of an order id was put with; default `String(orderId)` (kse's replay). */
  partitionKeyOf?: (orderId: number) => string;
  /**
   * The S3 client the products are read with, or a function that makes it, called on the
   * products' first load (so code that needs S3 once per container, after its cold start, can
   * load it then: the handler bundles keep the S3 client out of the code read at cold start).
   * Default: a client made on first load with `@kse/core`'s defaults.
   */
  s3?: S3Client | (() => S3Client | Promise<S3Client>);
  preprocess?: PreprocessOptions;
  /** Options of the fused topology's BatchWriter. */
  batchWriter?: Partial<Omit<BatchWriterOptions, 'client' | 'tableName'>>;
}

const enrichConfig = (given: { store: boolean; products: boolean }) =>
  z
    .object({
      TOPOLOGY: z._default(z.enum(['seed', 'fused']), 'seed'),
      ENRICHED_STREAM: z.optional(minLengthString(1)),
      TABLE_NAME: z.optional(minLengthString(3)),
      JOIN_STATE_TABLE: z.optional(minLengthString(3)),
      PRODUCTS_S3_URI: z.optional(s3Uri()),
      PRODUCTS_REFRESH_SECONDS: z._default(numberAtLeast(-1), -1),
      ...joinConfigShape(),
      DEAD_LETTER_STREAM: z.optional(minLengthString(1)),
    })
    .check(
      z.superRefine((config, ctx) => {
        checkJoinStateTtl(config, ctx);
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
      }),
    );

/** What {@link EnrichHandler.sweep} did. */
export interface EnrichSweepResult {
  shardId: string;
  /** Records dead-lettered by this sweep (unmatched items and orders). */
  deadLettered: number;
}

/**
 * The enrich handler: a Kinesis batch handler, plus `sweep` — the expiry of a shard that
 * gets no records (for the local event source mapping's idle timer; on AWS the scheduled
 * sweeper of {@link createSweeperHandler} does it).
 */
export type EnrichHandler = KinesisBatchHandler & {
  /**
   * Moves the shard's join time on to `now` (it must be caught up: every record that
   * arrived before `now` processed), dead-letters what can no longer match, then commits.
   */
  sweep(shard: IdleShard): Promise<EnrichSweepResult>;
};

/**
 * Builds the enrich handler: preprocess → interval join of orders and items on `orderId`
 * (state in DynamoDB, one scope per shard, so it survives between invocations) → LEFT
 * JOIN with the products → enriched rows, put on the enriched stream (`seed`) or written
 * to the table (`fused`). Unmatched items and orders and bad input are dead-lettered with
 * their reason.
 *
 * State follows output: the join's state change of a batch is committed only after its
 * dead letters and rows are acknowledged. A failed output fails the batch with the state
 * as it was before it; Lambda retries the batch and the join re-emits the same rows byte
 * for byte. In the `fused` topology, rows the BatchWriter could not write within its
 * retry budget give a partial batch response naming the records that produced them; the
 * state committed is that of the records before the first of them (Lambda retries from
 * there). A child shard takes over its parents' state after a reshard. Clients,
 * configuration and the products are loaded once.
 *
 * @example
 * ```ts
 * export const handler = createEnrichHandler(); // TOPOLOGY, ENRICHED_STREAM, JOIN_STATE_TABLE, PRODUCTS_S3_URI, JOIN_TIME, …
 * ```
 */
export function createEnrichHandler(options: EnrichHandlerOptions = {}): EnrichHandler {
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
    ...joinConfigExplicit(options),
    DEAD_LETTER_STREAM: options.deadLetterStream,
  });
  const join = joinSettingsOf(config);
  const kinesis = kinesisClientOf(options);
  const dynamodb = dynamoDbClientOf(options);
  const givenS3 = typeof options.s3 === 'function' ? undefined : options.s3;
  const observability = createObservability('kse-enrich', options, [kinesis, dynamodb, givenS3]);
  let s3: Promise<S3Client> | undefined;
  const s3Once = (): Promise<S3Client> => {
    s3 ??= (async () => {
      const client =
        givenS3 ??
        (typeof options.s3 === 'function'
          ? await options.s3()
          : new (await import('@aws-sdk/client-s3')).S3Client(sdkClientConfig()));
      // Made during an invocation: traced from its first call, like the clients given up front.
      if (client !== givenS3) await traceClient(observability, client);
      return client;
    })();
    s3.catch(() => {
      s3 = undefined; // the next load tries again
    });
    return s3;
  };
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
      s3Once()
        .then((client) =>
          loadReferenceTable({
            s3: client,
            bucket,
            key,
            refreshIntervalMs:
              config.PRODUCTS_REFRESH_SECONDS < 0 ? -1 : config.PRODUCTS_REFRESH_SECONDS * 1000,
          }),
        )
        .catch((error: unknown) => {
          products = undefined; // the next invocation tries again
          throw error;
        });
    products = loading;
    return loading;
  };
  const shards = new ShardJoins({
    storeOf: (shardId) =>
      options.joinStore
        ? options.joinStore(shardId)
        : new DynamoDbJoinStore({
            client: dynamodb,
            tableName: config.JOIN_STATE_TABLE!,
            scope: shardId,
            ttlMs: join.ttlMs,
          }),
    join: { windowMs: join.windowMs, time: join.time, allowedLatenessMs: join.allowedLatenessMs },
    products: productsOnce,
    lineage: options.followReshards === false ? undefined : new ShardLineage(kinesis),
    partitionKeyOf: options.partitionKeyOf ?? String,
  });
  const deadLetterTarget = {
    kinesis,
    streamName: config.DEAD_LETTER_STREAM,
    logger: observability.logger,
  };

  /** Counts rows acknowledged, with their latencies. */
  const delivered = (rows: readonly EnrichedOrderItem[], report: InvocationReport): void => {
    report.recordsOut += rows.length;
    const end = now();
    for (const row of rows) {
      const arrival = Math.max(row.order_arrival_ts ?? 0, row.item_arrival_ts ?? 0);
      if (arrival > 0) report.latenciesMs.push(end - arrival);
    }
  };

  /** Sends dead letters; throws when they are not acknowledged. */
  const sendLetters = async (
    deadLetters: DeadLetter[],
    report: InvocationReport,
  ): Promise<void> => {
    report.retries += await sendDeadLetters(deadLetters, deadLetterTarget, options.putRecords);
    report.deadLettered += deadLetters.length;
  };

  /** Sends a batch's dead letters and rows; throws when either is not acknowledged. */
  const deliver = async (
    deadLetters: DeadLetter[],
    rows: EnrichedOrderItem[],
    report: InvocationReport,
  ): Promise<void> => {
    await sendLetters(deadLetters, report);
    if (rows.length === 0) return;
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
    delivered(rows, report);
  };

  /** Where a fused batch's outputs go, counted on `report`. */
  const fusedOutputs = (streamArn: string, report: InvocationReport): FusedOutputs => ({
    writer: writer!,
    sendDeadLetters: (letters) => sendLetters(withStream(letters, streamArn), report),
    written: (rows, retried) => {
      report.retries += retried;
      delivered(rows, report);
    },
    partial: (error, failed) => {
      report.failed += failed;
      observability.logger.warn('rows not written; reporting batch item failures', {
        unwritten: error.unwrittenKeys.length,
        failedRecords: failed,
        error: error.message,
      });
    },
  });

  const handler = withObservability(
    observability,
    async (
      event: Parameters<KinesisBatchHandler>[0],
      context?: Parameters<KinesisBatchHandler>[1],
    ): ReturnType<KinesisBatchHandler> => {
      const report = newInvocationReport();
      const streamArn = event.Records[0]?.eventSourceARN ?? '';
      // Where this batch ends in the shard (decode failures included): committed with the
      // state, so that the AWS sweeper can tell an idle shard from one whose consumer is behind.
      const checkpoint = event.Records[event.Records.length - 1]?.kinesis.sequenceNumber;
      let joined = false;
      const response = await processKinesisEvent(
        event,
        async (records) => {
          report.recordsIn += records.length;
          const shardId = records[0]!.shardId;
          joined = true;
          const failed = await shards.withShard(shardId, streamArn, async (shardJoin) => {
            const pre = preprocessor(toRawInputs(records));
            const batch = await shardJoin.process(
              pre.records,
              checkpoint === undefined ? {} : { checkpoint },
            );
            try {
              if (writer) {
                // Rows not written come back as batch item failures (state committed
                // before the first of them only).
                return await deliverFused(
                  { event, records, pre, join: shardJoin, batch },
                  fusedOutputs(streamArn, report),
                );
              }
              await deliver(
                withStream([...pre.deadLetters, ...batch.deadLetters], streamArn),
                batch.rows,
                report,
              );
            } catch (error) {
              await batch.discard();
              throw error;
            }
            await batch.commit();
            return [];
          });
          return { failed };
        },
        {
          ...(context ? { lambdaContext: context } : {}),
          onDecodeFailure: deadLetterDecodeFailures(report, deadLetterTarget, options.putRecords),
        },
      );
      const first = event.Records[0];
      if (!joined && first !== undefined && checkpoint !== undefined) {
        // Every record was undecodable (dead-lettered above): the join still records where
        // the shard's batch ended, or the AWS sweeper would take the shard for one behind.
        await shards.withShard(shardIdOf(first), streamArn, async (shardJoin) => {
          const batch = await shardJoin.process([], { checkpoint });
          await batch.commit();
        });
      }
      reportInvocation(observability, event, context, report, now());
      return response;
    },
  );

  const sweep = (shard: IdleShard): Promise<EnrichSweepResult> =>
    shards.withShard(shard.shardId, shard.streamArn, async (shardJoin) => {
      const batch = await shardJoin.sweep(shard.now);
      if (batch.rows.length > 0 || batch.deadLetters.length > 0) {
        try {
          await deliver(
            withStream(batch.deadLetters, shard.streamArn),
            batch.rows,
            newInvocationReport(),
          );
        } catch (error) {
          await batch.discard();
          throw error;
        }
      }
      await batch.commit();
      if (batch.deadLetters.length > 0) {
        observability.logger.info('idle shard swept', {
          shardId: shard.shardId,
          deadLettered: batch.deadLetters.length,
        });
      }
      return { shardId: shard.shardId, deadLettered: batch.deadLetters.length };
    });

  return Object.assign(handler, { sweep });
}
