import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RunPipelineOptions } from './options.js';
import type { CreatedResources } from './resources.js';
import { RunError } from './runError.js';

/** The manifest's file name in the run's work directory. */
export const RUN_MANIFEST_FILE = 'kse-run.json';

/** The options a resumed run takes from its manifest (the workload and the resource names). */
export type ManifestOptions = Pick<
  RunPipelineOptions,
  | 'orders'
  | 'products'
  | 'seed'
  | 'shards'
  | 'enrichedShards'
  | 'rate'
  | 'aggregate'
  | 'topology'
  | 'joinState'
  | 'joinTime'
  | 'joinLatenessSeconds'
  | 'table'
  | 'sourceStream'
  | 'enrichedStream'
  | 'deadLetterStream'
> & { bucket: string };

/**
 * What `kse run` writes into its work directory (`kse-run.json`) when the run can be
 * resumed (a stack that outlives it, a work directory of the user's): enough for
 * `kse run --resume` to continue it after a crash.
 */
export interface RunManifest {
  kind: 'kse-run';
  version: 1;
  /** `running` until the run ends by itself; `finished` once it has (nothing to resume). */
  state: 'running' | 'finished';
  /** Why it finished (a verdict, a failure whose cleanup removed the resources). */
  finishedBecause?: string;
  /** Wall clock (epoch ms) of the first start: mappings on streams that existed start there. */
  startedAtMs: number;
  /** Times the run was resumed. */
  resumes: number;
  options: ManifestOptions;
  /** Where the run's calls went: a resumed run must go to the same place. */
  target: { owner: 'kse-stack' | 'foreign'; region: string; endpoints: Record<string, string> };
  /** The run's tables besides its table, and what it created (removed at the end unless --keep). */
  resources: {
    checkpoints: string;
    joinState: string;
    created: CreatedResources;
    /** The run created its streams: its mappings read them from the trim horizon. */
    freshStreams: boolean;
  };
  /** The lease owner of both mappings: a resumed run takes its leases back at once. */
  workerId: string;
  /** The process that runs it now (its latest start): `--resume` refuses while it lives. */
  process: { pid: number; host: string };
  progress: {
    /**
     * The orderId of the last input line of the longest run of lines Kinesis acknowledged,
     * or null: a resumed replay starts at that order (its records and a few later ones go
     * twice; none is skipped).
     */
    replayedThroughOrderId: number | null;
    /** Dead letters counted by every start of the run so far, at the last write. */
    deadLettered: number;
    updatedAt: string;
  };
}

/** This process, as a manifest names the process that runs the run. */
export function thisProcess(): RunManifest['process'] {
  return { pid: process.pid, host: hostname() };
}

/** A fresh worker (lease owner) id for a resumable run. */
export function newWorkerId(): string {
  return `kse-run-${randomUUID()}`;
}

/**
 * Reads the manifest of the run in `workDir`; `KSE_NOTHING_TO_RESUME` when there is none, it
 * is not one, or its run finished.
 */
export async function readRunManifest(workDir: string): Promise<RunManifest> {
  const path = join(workDir, RUN_MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RunError('KSE_NOTHING_TO_RESUME', `nothing to resume: no ${path}`, {
        hint: 'pass the --work-dir of a run that was started with it, on kse local up or a persistent stack',
      });
    }
    throw error;
  }
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(text) as RunManifest;
  } catch {
    throw new RunError('KSE_NOTHING_TO_RESUME', `nothing to resume: ${path} is not JSON`);
  }
  if (manifest?.kind !== 'kse-run' || manifest.version !== 1) {
    throw new RunError(
      'KSE_NOTHING_TO_RESUME',
      `nothing to resume: ${path} is not a kse run manifest (version 1)`,
    );
  }
  if (manifest.state === 'finished') {
    throw new RunError(
      'KSE_NOTHING_TO_RESUME',
      `nothing to resume: the run in ${workDir} finished (${manifest.finishedBecause ?? 'done'})`,
      { hint: 'start a new run without --resume' },
    );
  }
  if (manifest.options.joinState !== 'dynamodb') {
    throw new RunError(
      'KSE_NOTHING_TO_RESUME',
      `nothing to resume exactly: the run in ${workDir} kept its join state in memory, which died with it`,
      {
        hint: 'start a new run; resumable runs keep their join state in DynamoDB (--join-state dynamodb)',
      },
    );
  }
  return manifest;
}

/**
 * The run's manifest file: written whole, atomically (a temporary file renamed over it),
 * one write at a time, the latest content winning; so that a `kill -9` at any instant
 * leaves the previous or the next content, never a torn file.
 */
export class RunManifestFile {
  private writing: Promise<void> = Promise.resolve();
  private queued: RunManifest | undefined;
  private failure: Error | undefined;

  constructor(
    readonly workDir: string,
    private current: RunManifest,
  ) {}

  /** The content last asked for. */
  get manifest(): RunManifest {
    return this.current;
  }

  /** Writes `update` applied to the content, after the writes before it. */
  update(update: (manifest: RunManifest) => RunManifest): Promise<void> {
    this.current = update(this.current);
    const first = this.queued === undefined;
    this.queued = this.current;
    if (!first) return this.writing;
    this.writing = this.writing.then(async () => {
      const next = this.queued!;
      this.queued = undefined;
      try {
        await writeManifest(this.workDir, next);
      } catch (error) {
        this.failure ??= error as Error;
      }
    });
    return this.writing;
  }

  /** Waits for the writes asked for; throws the first one that failed. */
  async flush(): Promise<void> {
    await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }
}

async function writeManifest(workDir: string, manifest: RunManifest): Promise<void> {
  const path = join(workDir, RUN_MANIFEST_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await mkdir(workDir, { recursive: true });
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, path);
}
