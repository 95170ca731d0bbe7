import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PipelineSample } from '../report/index.js';
import { verifyTable, type VerifyResult } from '../verify/index.js';
import type { RunInput } from './input.js';

/**
 * Verifies the run's table against its input files, with the dead letters the run counted
 * (the last sample's): every one of them makes the verdict inexact.
 */
export function verifyRun(
  dynamodb: DynamoDBClient,
  table: string,
  input: RunInput,
  samples: readonly PipelineSample[],
): Promise<VerifyResult> {
  return verifyTable({
    dynamodb,
    tableName: table,
    // Scan segments in parallel: the emulator serves one page while this process checks another.
    segments: 4,
    productsPath: input.productsPath,
    ordersPath: input.ordersPath,
    deadLettered: samples[samples.length - 1]!.counts.deadLettered,
  });
}
