import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PipelineSample } from '../report/index.js';
import { formatVerifyProgress, verifyTable, type VerifyResult } from '../verify/index.js';
import type { RunInput } from './input.js';

/**
 * Verifies the run's table against its input files, with the dead letters the run counted
 * (the last sample's): every one of them makes the verdict inexact. The same verification
 * as `kse verify`'s, with its defaults (parallel Scan segments, memory bounded by the
 * partition budget); a progress line goes to `log` every 5 s while it runs.
 */
export function verifyRun(
  dynamodb: DynamoDBClient,
  table: string,
  input: RunInput,
  samples: readonly PipelineSample[],
  log?: (message: string) => void,
): Promise<VerifyResult> {
  return verifyTable({
    dynamodb,
    tableName: table,
    productsPath: input.productsPath,
    ordersPath: input.ordersPath,
    deadLettered: samples[samples.length - 1]!.counts.deadLettered,
    ...(log === undefined ? {} : { onProgress: (progress) => log(formatVerifyProgress(progress)) }),
  });
}
