import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, KinesisStreamEvent } from 'aws-lambda';

/** Logger, metrics and (when tracing is on) tracer of a handler; build them once, outside the handler. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
  /**
   * The tracer, or `undefined` when tracing is off. Loaded only where tracing is on: the X-Ray
   * SDK behind Powertools Tracer is ~130 KiB of bundle that a handler outside Lambda never needs.
   */
  tracer: () => Promise<Tracer | undefined>;
  /**
   * The SDK clients the handler calls; each gets an X-Ray subsegment per call when tracing is
   * on. A client made later joins with {@link traceClient}.
   */
  clients: object[];
}

/** Options shared by the handler factories for logs, metrics and traces. */
export interface ObservabilityOptions {
  /** Powertools logger; default a new one named after the handler. */
  logger?: Logger;
  /** Powertools metrics (EMF); default namespace `kse`. */
  metrics?: Metrics;
  /**
   * Powertools tracer. Default: one named after the handler, loaded at cold start only where
   * Powertools would trace (inside Lambda, `POWERTOOLS_TRACE_ENABLED` not `false`); elsewhere
   * no tracer is loaded and nothing is traced.
   */
  tracer?: Tracer;
}

/**
 * Powertools logger, metrics and tracer for a handler, unless given. `clients` are the SDK
 * clients the handler calls (undefined entries are skipped): the tracer captures them.
 */
export function createObservability(
  serviceName: string,
  options: ObservabilityOptions,
  clients: readonly (object | undefined)[] = [],
): Observability {
  return {
    logger: options.logger ?? new Logger({ serviceName }),
    metrics: options.metrics ?? new Metrics({ namespace: 'kse', serviceName }),
    tracer: options.tracer
      ? () => Promise.resolve(options.tracer)
      : lazyTracer(serviceName, process.env),
    clients: clients.filter((client): client is object => client !== undefined),
  };
}

/**
 * Whether Powertools Tracer would trace in `env`: inside Lambda (`AWS_EXECUTION_ENV` set), not
 * under SAM local or the Amplify mock, and `POWERTOOLS_TRACE_ENABLED` not `false` — the rule
 * of the Tracer's own constructor, checked here so the tracer is not even loaded otherwise.
 */
export function tracingWanted(env: Record<string, string | undefined>): boolean {
  if (env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() === 'false') return false;
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && !env.AWS_SAM_LOCAL;
}

// The import starts at once, during Lambda's init phase (outside any invocation's timeout), and
// the first invocation awaits it. Being an import(), a bundle can keep the tracer and the X-Ray
// SDK in a file of their own that only this line reads (the kse handler bundles do: tracer.mjs).
function lazyTracer(
  serviceName: string,
  env: Record<string, string | undefined>,
): () => Promise<Tracer | undefined> {
  if (!tracingWanted(env)) return () => Promise.resolve(undefined);
  const loading = import('@aws-lambda-powertools/tracer').then(
    ({ Tracer }) => new Tracer({ serviceName }),
  );
  // Rejections surface when an invocation awaits the tracer, not as an unhandled rejection.
  loading.catch(() => undefined);
  return () => loading;
}

// Capturing twice would add the X-Ray middleware twice to a client shared by two handlers.
const capturedClients = new WeakSet<object>();

function captureClients(tracer: Tracer, clients: readonly object[]): void {
  for (const client of clients) {
    if (capturedClients.has(client)) continue;
    tracer.captureAWSv3Client(client);
    capturedClients.add(client);
  }
}

/**
 * Adds a client made after the handler was built (on first use) to those the tracer
 * captures: at once when tracing is on, so its first call is traced too.
 */
export async function traceClient(observability: Observability, client: object): Promise<void> {
  observability.clients.push(client);
  const tracer = await observability.tracer();
  if (tracer?.isTracingEnabled()) captureClients(tracer, [client]);
}

/**
 * Wraps a handler with what Powertools' Middy middlewares do, without Middy: per invocation,
 * the Lambda context on every log line (`addContext`) and the keys appended during the
 * invocation removed after it (`resetKeys`); a `ColdStart` metric on the first invocation; and,
 * when tracing is on, the SDK clients captured once and a `## <handler>` subsegment annotated
 * with `ColdStart` and `Service`, holding the response or the error.
 *
 * @example
 * ```ts
 * const observability = createObservability('kse-sink', options, [kinesis, dynamodb]);
 * return withObservability(observability, async (event, context) => ({ batchItemFailures: [] }));
 * ```
 */
export function withObservability<E, R>(
  observability: Observability,
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  const { logger, metrics } = observability;
  return async (event, context) => {
    const tracer = await observability.tracer();
    if (context) logger.addContext(context);
    metrics.captureColdStartMetric();
    const segment = tracer ? openHandlerSegment(tracer, observability.clients) : undefined;
    try {
      const result = await handler(event, context);
      if (tracer && segment) tracer.addResponseAsMetadata(result, handlerName());
      return result;
    } catch (error) {
      if (tracer && segment) tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      if (tracer && segment) closeHandlerSegment(tracer, segment);
      logger.resetKeys();
    }
  };
}

type Segment = NonNullable<ReturnType<Tracer['getSegment']>>;

function handlerName(): string {
  return process.env._HANDLER ?? 'handler';
}

/** What `captureLambdaHandler` does before the handler; `undefined` when there is no segment to hang it on. */
function openHandlerSegment(
  tracer: Tracer,
  clients: readonly object[],
): { parent: Segment; handler: Segment } | undefined {
  if (!tracer.isTracingEnabled()) return undefined;
  captureClients(tracer, clients);
  const parent = tracer.getSegment();
  if (parent === undefined) return undefined;
  const handler = parent.addNewSubsegment(`## ${handlerName()}`);
  tracer.setSegment(handler);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  return { parent, handler };
}

function closeHandlerSegment(tracer: Tracer, segment: { parent: Segment; handler: Segment }): void {
  try {
    segment.handler.close();
  } catch (error) {
    // A segment that cannot be serialized loses its trace, never the invocation's result.
    console.warn('could not close the X-Ray subsegment %s', segment.handler.name, error);
  }
  tracer.setSegment(segment.parent);
}

/** What one invocation did, for its metrics and summary log line. */
export interface InvocationReport {
  recordsIn: number;
  recordsOut: number;
  deadLettered: number;
  retries: number;
  /** Records reported back to Lambda as batch item failures. */
  failed: number;
  /** End-to-end latencies (now − source arrival) of the rows written, ms. */
  latenciesMs: number[];
}

/** Emits the EMF metrics and the summary log line of one invocation. */
export function reportInvocation(
  observability: Observability,
  event: KinesisStreamEvent,
  context: Context | undefined,
  report: InvocationReport,
  now: number,
): void {
  const { logger, metrics } = observability;
  const last = event.Records[event.Records.length - 1];
  const iteratorAgeMs = last
    ? Math.max(0, now - last.kinesis.approximateArrivalTimestamp * 1000)
    : 0;
  metrics.addMetric('RecordsIn', MetricUnit.Count, report.recordsIn);
  metrics.addMetric('RecordsOut', MetricUnit.Count, report.recordsOut);
  metrics.addMetric('DeadLettered', MetricUnit.Count, report.deadLettered);
  metrics.addMetric('Retries', MetricUnit.Count, report.retries);
  metrics.addMetric('BatchItemFailures', MetricUnit.Count, report.failed);
  metrics.addMetric('IteratorAge', MetricUnit.Milliseconds, iteratorAgeMs);
  let maxLatency: number | undefined;
  if (report.latenciesMs.length > 0) {
    maxLatency = Math.max(...report.latenciesMs);
    const mean = report.latenciesMs.reduce((a, b) => a + b, 0) / report.latenciesMs.length;
    metrics.addMetric('EndToEndLatencyMax', MetricUnit.Milliseconds, maxLatency);
    metrics.addMetric('EndToEndLatencyMean', MetricUnit.Milliseconds, mean);
  }
  metrics.publishStoredMetrics();
  logger.info('batch processed', {
    awsRequestId: context?.awsRequestId,
    eventSourceARN: event.Records[0]?.eventSourceARN,
    ...report,
    latenciesMs: undefined,
    iteratorAgeMs,
    endToEndLatencyMaxMs: maxLatency,
  });
}
