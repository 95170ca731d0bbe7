import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamEvent } from 'aws-lambda';

/** Logger and metrics of a handler; build them once, outside the handler. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/** Options shared by the handler factories for logs and metrics. */
export interface ObservabilityOptions {
  /** Powertools logger; default a new one named after the handler. */
  logger?: Logger;
  /** Powertools metrics (EMF); default namespace `kse`. */
  metrics?: Metrics;
}

/** Powertools logger and metrics for a handler, unless given. */
export function createObservability(
  serviceName: string,
  options: ObservabilityOptions,
): Observability {
  return {
    logger: options.logger ?? new Logger({ serviceName }),
    metrics: options.metrics ?? new Metrics({ namespace: 'kse', serviceName }),
  };
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
