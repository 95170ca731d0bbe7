import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { minimumJoinStateTtlMs } from '@kse/enrich';

/** The two deployable shapes of the pipeline. */
export const TOPOLOGIES = ['seed', 'fused'] as const;
/** `seed`: enrich → OrdersEnrichedStream → sink → table (the sample's). `fused`: enrich writes the table itself. */
export type Topology = (typeof TOPOLOGIES)[number];

/** Billing of the OrdersEnriched table. */
export type TableBilling =
  { mode: 'on-demand' } | { mode: 'provisioned'; readCapacity: number; writeCapacity: number };

/** Options of {@link KseStack}. Every field has a default in {@link DEFAULT_KSE_STACK_OPTIONS}. */
export interface KseStackOptions {
  /** `seed` (three hops, as the sample) or `fused` (enrich writes the table). */
  topology: Topology;
  /** Default of the `OrdersShards` CloudFormation parameter. */
  ordersShards: number;
  /** Default of the `EnrichedShards` CloudFormation parameter (seed only). */
  enrichedShards: number;
  /** Default of the `CdcShards` CloudFormation parameter: the stream DMS (or any raw source) writes, read by `preprocess`. */
  cdcShards: number;
  /** Billing of OrdersEnriched: on-demand, or provisioned with capacities (the sample: 300 RCU, 2000 WCU). */
  tableBilling: TableBilling;
  /** Directory holding one folder per handler (`<name>/index.mjs`), as written by `npm run build`. */
  bundleDir: string;
  /** S3 key of the products reference object inside the products bucket. */
  productsKey: string;
  /** Join window in seconds (the sample's `RANGE INTERVAL '1' MINUTE`). */
  joinWindowSeconds: number;
  /** `arrival` (Kinesis arrival time, the sample's ROWTIME) or `event` (`orderDateTime`): enrich's and the sweeper's `JOIN_TIME`. */
  joinTime: 'arrival' | 'event';
  /** Allowed lateness in seconds (`JOIN_LATENESS_SECONDS`); unset: 0 for arrival time, 10 for event time. */
  joinLatenessSeconds?: number;
  /**
   * TTL of join-state keys after their last write, seconds (`JOIN_STATE_TTL_SECONDS`). Must
   * outlast window + lateness + sweep interval + sweep budget (+ 1 s): TTL only collects
   * garbage, never removes a key the sweeper has not dead-lettered. Synthesis fails otherwise.
   */
  joinStateTtlSeconds: number;
  /** Period of the sweeper's EventBridge schedule, seconds (`SWEEP_INTERVAL_SECONDS`; whole minutes). */
  sweepIntervalSeconds: number;
  /** The sweeper's timeout, seconds (`SWEEP_BUDGET_SECONDS`): the longest one sweep may take. */
  sweepBudgetSeconds: number;
  /** Batch size of every event source mapping (the sample: 500). */
  batchSize: number;
  /** Concurrent batches per shard for the sink (the sample: 5). */
  sinkParallelizationFactor: number;
  /** Retries of a failing batch before its records go to the on-failure queue. */
  retryAttempts: number;
  /** Records older than this are sent to the on-failure queue instead of being processed. */
  maxRecordAge: Duration;
  /** Keep tables and bucket on `cdk destroy` (default: they are deleted with the stack). */
  retainData: boolean;
  /** Iterator age above which the iterator-age alarms fire. */
  iteratorAgeAlarm: Duration;
  /** p99 end-to-end latency (source arrival → written) above which the latency alarm fires. */
  latencyAlarm: Duration;
}

/** Defaults of {@link KseStackOptions}: the sample's sizing, on-demand billing. */
export const DEFAULT_KSE_STACK_OPTIONS = {
  topology: 'seed',
  ordersShards: 2,
  enrichedShards: 2,
  cdcShards: 1,
  tableBilling: { mode: 'on-demand' },
  bundleDir: path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist/handlers'),
  productsKey: 'products/products.json',
  joinWindowSeconds: 60,
  joinTime: 'arrival',
  joinStateTtlSeconds: 86_400,
  sweepIntervalSeconds: 60,
  sweepBudgetSeconds: 120,
  batchSize: 500,
  sinkParallelizationFactor: 5,
  retryAttempts: 5,
  maxRecordAge: Duration.hours(1),
  retainData: false,
  iteratorAgeAlarm: Duration.minutes(1),
  latencyAlarm: Duration.millis(1_300),
} satisfies KseStackOptions;

/**
 * The defaults overlaid with every option the caller set (an `undefined` field keeps its
 * default), checked: a bad value fails synthesis with a message naming the option.
 */
export function resolveKseStackOptions(given: Partial<KseStackOptions>): KseStackOptions {
  const options: KseStackOptions = { ...DEFAULT_KSE_STACK_OPTIONS, ...definedOnly(given) };
  validateOptions(options);
  return options;
}

function validateOptions(options: KseStackOptions): void {
  if (!TOPOLOGIES.includes(options.topology)) {
    throw new Error(
      `KseStack: topology must be one of ${TOPOLOGIES.join(', ')} (got ${String(options.topology)})`,
    );
  }
  for (const key of ['ordersShards', 'enrichedShards', 'cdcShards'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new Error(`KseStack: ${key} must be a positive integer (got ${String(options[key])})`);
    }
  }
  validateJoinOptions(options);
  if (options.batchSize < 1 || options.batchSize > 10_000) {
    throw new Error(`KseStack: batchSize must be within 1..10000 (got ${options.batchSize})`);
  }
  if (options.sinkParallelizationFactor < 1 || options.sinkParallelizationFactor > 10) {
    throw new Error(
      `KseStack: sinkParallelizationFactor must be within 1..10 (got ${options.sinkParallelizationFactor})`,
    );
  }
}

/** The join's lateness as the handlers default it: 0 for arrival time, 10 s for event time. */
export function effectiveJoinLatenessSeconds(
  options: Pick<KseStackOptions, 'joinTime' | 'joinLatenessSeconds'>,
): number {
  return options.joinLatenessSeconds ?? (options.joinTime === 'event' ? 10 : 0);
}

function validateJoinOptions(options: KseStackOptions): void {
  if (options.joinTime !== 'arrival' && options.joinTime !== 'event') {
    throw new Error(
      `KseStack: joinTime must be arrival or event (got ${String(options.joinTime)})`,
    );
  }
  if (!Number.isInteger(options.joinWindowSeconds) || options.joinWindowSeconds < 1) {
    throw new Error(
      `KseStack: joinWindowSeconds must be a positive integer (got ${String(options.joinWindowSeconds)})`,
    );
  }
  const lateness = options.joinLatenessSeconds;
  if (lateness !== undefined && !(Number.isFinite(lateness) && lateness >= 0)) {
    throw new Error(`KseStack: joinLatenessSeconds must be >= 0 (got ${String(lateness)})`);
  }
  const interval = options.sweepIntervalSeconds;
  if (!Number.isInteger(interval) || interval < 60 || interval % 60 !== 0) {
    throw new Error(
      `KseStack: sweepIntervalSeconds must be whole minutes, at least 60 (an EventBridge schedule's rate; got ${String(interval)})`,
    );
  }
  const budget = options.sweepBudgetSeconds;
  if (!Number.isInteger(budget) || budget < 10 || budget > 900) {
    throw new Error(
      `KseStack: sweepBudgetSeconds must be within 10..900 (the sweeper's Lambda timeout; got ${String(budget)})`,
    );
  }
  const minimumSeconds = Math.ceil(
    minimumJoinStateTtlMs({
      windowMs: options.joinWindowSeconds * 1000,
      allowedLatenessMs: effectiveJoinLatenessSeconds(options) * 1000,
      sweepIntervalMs: interval * 1000,
      sweepBudgetMs: budget * 1000,
    }) / 1000,
  );
  if (
    !Number.isInteger(options.joinStateTtlSeconds) ||
    options.joinStateTtlSeconds < minimumSeconds
  ) {
    throw new Error(
      `KseStack: joinStateTtlSeconds must be at least ${minimumSeconds} (window ${options.joinWindowSeconds} s + lateness ${effectiveJoinLatenessSeconds(options)} s + sweep interval ${interval} s + sweep budget ${budget} s, + 1 s), so that TTL never deletes join state the sweeper has not dead-lettered yet (got ${String(options.joinStateTtlSeconds)})`,
    );
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
