/** The deployable handlers, one bundle and one function each. */
export const HANDLER_NAMES = ['preprocess', 'enrich', 'sink'] as const;
/** One of {@link HANDLER_NAMES}. */
export type HandlerName = (typeof HANDLER_NAMES)[number];

/** Names of kse's own metrics (Powertools EMF), as emitted by @kse/lambda. */
export const KSE_METRICS = {
  namespace: 'kse',
  serviceName: (name: HandlerName) => `kse-${name}`,
  recordsIn: 'RecordsIn',
  recordsOut: 'RecordsOut',
  deadLettered: 'DeadLettered',
  endToEndLatency: 'EndToEndLatency',
} as const;

/** Names of the resources a handler is wired to. */
export interface HandlerResources {
  topology: 'seed' | 'fused';
  ordersStreamName: string;
  enrichedStreamName?: string | undefined;
  ordersEnrichedTableName: string;
  joinStateTableName: string;
  productsBucket: string;
  productsKey: string;
  joinWindowMs: number;
}

/**
 * The environment variables each handler reads at cold start (validated there by @kse/lambda).
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
  };
  switch (name) {
    case 'preprocess':
      return { ...common, KSE_OUTPUT_STREAM: resources.ordersStreamName };
    case 'enrich':
      return {
        ...common,
        KSE_TOPOLOGY: resources.topology,
        ...(resources.topology === 'seed'
          ? { KSE_OUTPUT_STREAM: requireValue(resources.enrichedStreamName, 'enrichedStreamName') }
          : { KSE_TABLE_NAME: resources.ordersEnrichedTableName }),
        KSE_STATE_TABLE: resources.joinStateTableName,
        KSE_PRODUCTS_URI: `s3://${resources.productsBucket}/${resources.productsKey}`,
        KSE_JOIN_WINDOW_MS: String(resources.joinWindowMs),
      };
    case 'sink':
      return { ...common, KSE_TABLE_NAME: resources.ordersEnrichedTableName };
  }
}

function requireValue(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`handlerEnvironment: ${name} is required`);
  return value;
}
