/** The deployable handlers, one bundle and one function each. */
export const HANDLER_NAMES = ['preprocess', 'enrich', 'sink'] as const;
/** One of {@link HANDLER_NAMES}. */
export type HandlerName = (typeof HANDLER_NAMES)[number];

/**
 * kse's own metrics, as @kse/lambda's handlers emit them (Powertools EMF, namespace `kse`,
 * dimension `service` = `kse-<handler>`).
 */
export const KSE_METRICS = {
  namespace: 'kse',
  serviceName: (name: HandlerName) => `kse-${name}`,
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
}

/**
 * The environment variables each handler reads at cold start — the names @kse/lambda's
 * factories (`createPreprocessHandler`, `createEnrichHandler`, `createSinkHandler`) validate.
 * Used by the CDK stack and by the bundle smoke test, so both wire the handlers the same way.
 */
export function handlerEnvironment(
  name: HandlerName,
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
        JOIN_STATE_TABLE: resources.joinStateTableName,
        PRODUCTS_S3_URI: `s3://${resources.productsBucket}/${resources.productsKey}`,
        JOIN_WINDOW_SECONDS: String(resources.joinWindowSeconds),
      };
    case 'sink':
      return { ...common, TABLE_NAME: resources.ordersEnrichedTableName };
  }
}

function requireValue(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`handlerEnvironment: ${name} is required`);
  return value;
}
