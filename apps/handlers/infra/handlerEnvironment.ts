/** The deployable handlers, one bundle and one function each. */
export const HANDLER_NAMES = ['preprocess', 'enrich', 'sink'] as const;
/** One of {@link HANDLER_NAMES}. */
export type HandlerName = (typeof HANDLER_NAMES)[number];
/**
 * Every bundle: the stream handlers, and the sweeper, which an EventBridge schedule invokes
 * (no stream feeds it; it expires the join state of idle shards).
 */
export const BUNDLE_NAMES = [...HANDLER_NAMES, 'sweeper'] as const;
/** One of {@link BUNDLE_NAMES}. */
export type BundleName = (typeof BUNDLE_NAMES)[number];

/**
 * kse's own metrics, as @kse/lambda's handlers emit them (Powertools EMF, namespace `kse`,
 * dimension `service` = `kse-<handler>`).
 */
export const KSE_METRICS = {
  namespace: 'kse',
  serviceName: (name: BundleName) => `kse-${name}`,
  recordsIn: 'RecordsIn',
  recordsOut: 'RecordsOut',
  deadLettered: 'DeadLettered',
  retries: 'Retries',
  batchItemFailures: 'BatchItemFailures',
  /** Per invocation: the largest (now − source arrival) of the rows written. */
  endToEndLatencyMax: 'EndToEndLatencyMax',
  /** Per invocation: the mean (now − source arrival) of the rows written. */
  endToEndLatencyMean: 'EndToEndLatencyMean',
} as const;

/** Names of the resources a handler is wired to. */
export interface HandlerResources {
  topology: 'seed' | 'fused';
  ordersStreamName: string;
  enrichedStreamName?: string | undefined;
  deadLetterStreamName: string;
  ordersEnrichedTableName: string;
  joinStateTableName: string;
  productsBucket: string;
  productsKey: string;
  joinWindowSeconds: number;
  /** `JOIN_TIME` of enrich and the sweeper (unset: the handlers' default, `arrival`). */
  joinTime?: 'arrival' | 'event' | undefined;
  /** `JOIN_LATENESS_SECONDS` (unset: 0 for arrival time, 10 for event time). */
  joinLatenessSeconds?: number | undefined;
  /** `JOIN_STATE_TTL_SECONDS` (unset: one day). */
  joinStateTtlSeconds?: number | undefined;
  /** `SWEEP_INTERVAL_SECONDS`: the sweeper's schedule period (unset: 60). */
  sweepIntervalSeconds?: number | undefined;
  /** `SWEEP_BUDGET_SECONDS`: the sweeper's timeout (unset: 120). */
  sweepBudgetSeconds?: number | undefined;
}

/**
 * The join's variables, the same for enrich and the sweeper (both check the TTL rule
 * against them at cold start); unset ones are left to the handlers' defaults.
 */
function joinEnvironment(resources: HandlerResources): Record<string, string> {
  const values: Record<string, string | number | undefined> = {
    JOIN_STATE_TABLE: resources.joinStateTableName,
    JOIN_WINDOW_SECONDS: resources.joinWindowSeconds,
    JOIN_TIME: resources.joinTime,
    JOIN_LATENESS_SECONDS: resources.joinLatenessSeconds,
    JOIN_STATE_TTL_SECONDS: resources.joinStateTtlSeconds,
    SWEEP_INTERVAL_SECONDS: resources.sweepIntervalSeconds,
    SWEEP_BUDGET_SECONDS: resources.sweepBudgetSeconds,
  };
  return Object.fromEntries(
    Object.entries(values)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );
}

/**
 * The environment variables each handler reads at cold start — the names @kse/lambda's
 * factories (`createPreprocessHandler`, `createEnrichHandler`, `createSinkHandler`, `createSweeperHandler`) validate.
 * Used by the CDK stack and by the bundle smoke test, so both wire the handlers the same way.
 */
export function handlerEnvironment(
  name: BundleName,
  resources: HandlerResources,
): Record<string, string> {
  const common = {
    POWERTOOLS_SERVICE_NAME: KSE_METRICS.serviceName(name),
    POWERTOOLS_METRICS_NAMESPACE: KSE_METRICS.namespace,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    DEAD_LETTER_STREAM: resources.deadLetterStreamName,
  };
  switch (name) {
    case 'preprocess':
      return { ...common, OUTPUT_STREAM: resources.ordersStreamName };
    case 'enrich':
      return {
        ...common,
        TOPOLOGY: resources.topology,
        ...(resources.topology === 'seed'
          ? { ENRICHED_STREAM: requireValue(resources.enrichedStreamName, 'enrichedStreamName') }
          : { TABLE_NAME: resources.ordersEnrichedTableName }),
        PRODUCTS_S3_URI: `s3://${resources.productsBucket}/${resources.productsKey}`,
        ...joinEnvironment(resources),
      };
    case 'sink':
      return { ...common, TABLE_NAME: resources.ordersEnrichedTableName };
    case 'sweeper':
      return {
        ...common,
        SOURCE_STREAM: resources.ordersStreamName,
        ...joinEnvironment(resources),
      };
  }
}

function requireValue(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`handlerEnvironment: ${name} is required`);
  return value;
}
