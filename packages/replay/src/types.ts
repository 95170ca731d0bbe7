import type { ReplayErrorCode } from './errors.js';

/** One record on its way to Kinesis, with where it came from. */
export interface ReplayRecord {
  /** The record's bytes: the source line, unchanged. */
  data: Uint8Array;
  partitionKey: string;
  /** File path or S3 URI. */
  source: string;
  /** Line number in the source, from 1. */
  lineNumber: number;
}

/** A record that was not sent, and why. Written as one NDJSON line of the dead-letter file. */
export interface DeadLetter {
  source: string;
  lineNumber: number;
  code: ReplayErrorCode;
  reason: string;
  /** The error of every try, for records that were sent and failed. */
  attempts?: string[];
  partitionKey?: string;
  /** The original line, or null when it was too long to keep. */
  data: Uint8Array | null;
  /** Size of the original line in bytes, or null when unknown. */
  size: number | null;
}

/** Receives dead letters; may be async (the producer waits: back-pressure). */
export type DeadLetterSink = (letter: DeadLetter) => void | Promise<void>;
