import { DescribeTableCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { AwsClients, AwsConfig } from '@kse/local-stack';
import type { ResolvedRunOptions } from './options.js';
import type { RunTables } from './resources.js';
import { RunError } from './runError.js';
import {
  RunManifestFile,
  newWorkerId,
  thisProcess,
  type ManifestOptions,
  type RunManifest,
} from './runManifest.js';
import type { StackOwner } from './stack.js';
import type { WriteTap } from './taps.js';

/** The workload options a manifest keeps, taken from the run's. */
export function manifestOptions(options: ResolvedRunOptions): ManifestOptions {
  return {
    orders: options.orders,
    products: options.products,
    seed: options.seed,
    shards: options.shards,
    enrichedShards: options.enrichedShards,
    rate: options.rate,
    aggregate: options.aggregate,
    topology: options.topology,
    joinState: options.joinState,
    joinTime: options.joinTime,
    ...(options.joinLatenessSeconds === undefined
      ? {}
      : { joinLatenessSeconds: options.joinLatenessSeconds }),
    table: options.table,
    bucket: options.bucket,
    sourceStream: options.sourceStream,
    enrichedStream: options.enrichedStream,
    deadLetterStream: options.deadLetterStream,
  };
}

/** Where the calls go, as a manifest keeps it (endpoints that are set, by service). */
function targetOf(owner: StackOwner, config: AwsConfig): RunManifest['target'] {
  const endpoints: Record<string, string> = {};
  for (const [service, url] of Object.entries(config.endpoints)) {
    if (url !== undefined) endpoints[service] = url;
  }
  return {
    owner: owner === 'kse-stack' ? 'kse-stack' : 'foreign',
    region: config.region,
    endpoints,
  };
}

/**
 * The manifest of a new resumable run, written once its resources exist (before any
 * record is replayed): a `kill -9` from then on leaves a run that `--resume` continues.
 */
export async function startManifest(context: {
  workDir: string;
  options: ResolvedRunOptions;
  tables: RunTables;
  owner: StackOwner;
  config: AwsConfig;
  created: RunManifest['resources']['created'];
  freshStreams: boolean;
  startedAtMs: number;
}): Promise<RunManifestFile> {
  const file = new RunManifestFile(context.workDir, {
    kind: 'kse-run',
    version: 1,
    state: 'running',
    startedAtMs: context.startedAtMs,
    resumes: 0,
    options: manifestOptions(context.options),
    target: targetOf(context.owner, context.config),
    resources: {
      checkpoints: context.tables.checkpoints,
      joinState: context.tables.joinState,
      created: context.created,
      freshStreams: context.freshStreams,
    },
    workerId: newWorkerId(),
    process: thisProcess(),
    progress: {
      replayedThroughOrderId: null,
      deadLettered: 0,
      updatedAt: new Date().toISOString(),
    },
  });
  await file.update((m) => m);
  await file.flush();
  return file;
}

/**
 * The `resume` phase: the run goes on where the manifest says, on the same target (else
 * `KSE_RESUME_CONFLICT`), with its streams and tables as they are (nothing is reset or
 * created; one that is gone is `KSE_NOTHING_TO_RESUME`). Returns the manifest file, its
 * count of resumes bumped.
 */
export async function resumeRun(context: {
  workDir: string;
  manifest: RunManifest;
  owner: StackOwner;
  config: AwsConfig;
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb'>;
}): Promise<RunManifestFile> {
  const { manifest, clients } = context;
  const here = targetOf(context.owner, context.config);
  const there = manifest.target;
  // A `kse local up` stack may have been restarted on other ports over the same
  // --data-dir: any kse stack will do (whether the run's resources are there is checked
  // next). Another target must be the same endpoints and region.
  const sameEndpoints =
    JSON.stringify(sorted(here.endpoints)) === JSON.stringify(sorted(there.endpoints));
  if (
    context.owner === 'embedded' ||
    here.owner !== there.owner ||
    here.region !== there.region ||
    (there.owner === 'foreign' && !sameEndpoints)
  ) {
    const where = (t: RunManifest['target']): string =>
      `${Object.values(t.endpoints).join(', ') || 'AWS'} (region ${t.region})`;
    throw new RunError(
      'KSE_RESUME_CONFLICT',
      `the run in ${context.workDir} ran on ${where(there)}; this one would run on ${
        context.owner === 'embedded' ? 'a new embedded stack' : where(here)
      }`,
      {
        hint: 'point kse run at the same stack (for kse local up: eval "$(kse local env)" and --target aws)',
      },
    );
  }
  const { options, resources } = manifest;
  const streams = [
    options.sourceStream,
    options.deadLetterStream,
    ...(options.topology === 'seed' ? [options.enrichedStream] : []),
  ];
  const tables = [options.table, resources.checkpoints, resources.joinState];
  const missing: string[] = [];
  await Promise.all([
    ...streams.map(async (name) => {
      if (
        !(await exists(() =>
          clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })),
        ))
      )
        missing.push(`stream ${name}`);
    }),
    ...tables.map(async (name) => {
      if (
        !(await exists(() => clients.dynamodb.send(new DescribeTableCommand({ TableName: name }))))
      )
        missing.push(`table ${name}`);
    }),
  ]);
  if (missing.length > 0) {
    throw new RunError(
      'KSE_NOTHING_TO_RESUME',
      `nothing to resume: ${missing.sort().join(', ')} of the run in ${context.workDir} no longer ${
        missing.length === 1 ? 'exists' : 'exist'
      }`,
      { hint: 'start a new run without --resume' },
    );
  }
  const file = new RunManifestFile(context.workDir, {
    ...manifest,
    resumes: manifest.resumes + 1,
    process: thisProcess(),
  });
  await file.update((m) => m);
  await file.flush();
  return file;
}

/**
 * Counts the rows already in the table as landed (a Scan of the keys), so that the resumed
 * run waits for the rows still missing, not for every row again.
 */
export async function countLandedRows(
  dynamodb: AwsClients['dynamodb'],
  table: string,
  writeTap: WriteTap,
): Promise<number> {
  let start: Record<string, AttributeValue> | undefined;
  let rows = 0;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: 'orderId, itemId',
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) {
      writeTap.markLanded(item as Record<string, { N?: string }>);
      rows += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return rows;
}

async function exists(describe: () => Promise<unknown>): Promise<boolean> {
  try {
    await describe();
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
