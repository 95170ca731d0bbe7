import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openAws,
  resolveAwsConfig,
  spawnLocalStack,
  type OpenAws,
  type SpawnedLocalStack,
} from '@kse/local-stack';
import { peakRssOfProcess } from './memory.js';
import type { RunPipelineOptions } from './options.js';

/** Heap cap of each emulator child process, MB. */
const STACK_HEAP_MB = 256;

/**
 * The AWS a run talks to: a real account, a given endpoint, or the embedded local stack
 * (in two child processes by default, or inline). It remembers what it started, so that
 * it can stop it, and remove its data, even when the run fails half way.
 */
export class RunStack {
  /** The clients and configuration, once {@link RunStack.open} has returned. */
  aws: OpenAws | undefined;
  /** True when the stack is on this machine (embedded, or loopback endpoints). */
  local = false;
  /** `export …` lines that point the AWS CLI at the stack (empty before it is open). */
  envLines: string[] = [];
  private spawned: SpawnedLocalStack | undefined;
  private dataDir: string | undefined;

  /**
   * Opens the AWS the options name. Without an endpoint or AWS settings, the embedded
   * stack starts: in child processes (`localStack: 'process'`) or in this one (`inline`).
   */
  async open(
    options: Pick<RunPipelineOptions, 'endpoint' | 'region' | 'localStack'>,
  ): Promise<OpenAws> {
    const given = {
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.region === undefined ? {} : { region: options.region }),
    };
    const resolved = resolveAwsConfig(given);
    if (!resolved.embedded || options.localStack === 'inline') {
      // Only an embedded stack (inline) gets the emulator speed patches; an endpoint is not ours.
      this.aws = await openAws({ ...given, localStack: { speedups: true } });
    } else {
      this.aws = await this.spawn(resolved.config.region);
    }
    const embedded = this.aws.stack !== undefined || this.spawned !== undefined;
    this.local = embedded || isLoopback(this.aws.config.endpoints);
    this.envLines = envLinesOf(this.aws, embedded);
    return this.aws;
  }

  /** The summed peak RSS of the stack's child processes (0 without any); read before close. */
  async childrenPeakRss(): Promise<number> {
    if (this.spawned === undefined) return 0;
    const peaks = await Promise.all(this.spawned.pids.map((pid) => peakRssOfProcess(pid)));
    return peaks.reduce((sum, peak) => sum + peak, 0);
  }

  /** Closes the clients, stops the embedded stack and removes its data. */
  async close(): Promise<void> {
    await this.aws?.close();
    await this.spawned?.stop();
    if (this.dataDir !== undefined) await rm(this.dataDir, { recursive: true, force: true });
  }

  private async spawn(region: string): Promise<OpenAws> {
    // The emulators are single-threaded and busier than the pipeline: Kinesis in one child
    // process and DynamoDB + S3 in another, they run on other cores than the pipeline.
    // Their data lives on disk (LevelDB), so that their memory stays flat whatever the run's
    // size (in memory, kinesalite holds ~1.4 KB of RSS per record). The children stop when
    // this process exits.
    this.dataDir = await mkdtemp(join(tmpdir(), 'kse-stack-'));
    this.spawned = await spawnLocalStack({
      region,
      split: true,
      dataDir: this.dataDir,
      // kse run's local default is the fast path: the emulators' speed patches, each of
      // which answers as the unpatched emulator does (see @kse/local-stack's README).
      speedups: true,
      // Their live heap is small (the data is on disk); without a cap, V8 sizes the heap
      // from the machine's memory and lets garbage pile up to hundreds of MB.
      nodeFlags: [`--max-old-space-size=${STACK_HEAP_MB}`],
    });
    return openAws({ ...this.spawned.config });
  }
}

/** True when every endpoint is on this machine (localhost, 127.x or [::1]). */
export function isLoopback(endpoints: Record<string, string | undefined>): boolean {
  const values = Object.values(endpoints).filter((e): e is string => e !== undefined);
  return (
    values.length > 0 &&
    values.every((e) => {
      const host = new URL(e).hostname;
      return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
    })
  );
}

/**
 * `export …` lines that point the AWS CLI at the stack the run used; with the embedded
 * stack's credentials when `embedded` (a real account's stay where they are).
 */
export function envLinesOf(aws: Pick<OpenAws, 'config'>, embedded: boolean): string[] {
  const { endpoints, region, credentials } = aws.config;
  const lines = [`export AWS_REGION=${region}`, `export AWS_DEFAULT_REGION=${region}`];
  if (endpoints.kinesis) lines.push(`export AWS_ENDPOINT_URL_KINESIS=${endpoints.kinesis}`);
  if (endpoints.dynamodb) lines.push(`export AWS_ENDPOINT_URL_DYNAMODB=${endpoints.dynamodb}`);
  if (endpoints.s3) lines.push(`export AWS_ENDPOINT_URL_S3=${endpoints.s3}`);
  if (embedded && credentials !== undefined) {
    lines.push(
      `export AWS_ACCESS_KEY_ID=${credentials.accessKeyId}`,
      `export AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`,
    );
  }
  return lines;
}
