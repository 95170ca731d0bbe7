import type { AwsClients } from '@kse/local-stack';
import type { KinesisLambdaHandler } from '@kse/lambda';
import type { Topology } from './pipeline.js';

/** What the pipeline needs to build its Lambda handlers. */
export interface PipelineHandlerContext {
  topology: Topology;
  /** Tapped clients: the handlers must use these, so that writes are counted and timed. */
  clients: AwsClients;
  table: string;
  enrichedStream: string;
  /** The products reference table in S3. */
  products: { bucket: string; key: string };
  /** Where dead-letter files go. */
  deadLetterDir: string;
}

/** The handlers of one run. */
export interface PipelineHandlers {
  /** On the source stream: preprocess, join, lookup; then the enriched stream or the table. */
  enrich: KinesisLambdaHandler;
  /** On the enriched stream (seed topology): the batch writer into the table. */
  sink?: KinesisLambdaHandler;
  /** Records the handlers dead-lettered so far (unmatched items, bad records). */
  deadLettered(): number;
  close(): Promise<void>;
}

/** Builds the enrich (and sink) handlers with `@kse/lambda`'s factories. */
export async function createPipelineHandlers(
  _context: PipelineHandlerContext,
): Promise<PipelineHandlers> {
  throw new Error(
    "@kse/lambda's enrich and sink handler factories are not available yet: kse run cannot run the pipeline",
  );
}
