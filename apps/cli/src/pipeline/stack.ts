import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_REGION,
  FaultCounters,
  createAwsClients,
  destroyAwsClients,
  formatFaultSpec,
  openAws,
  startFaultProxy,
  type FaultCounts,
  type FaultProxy,
  type FaultSpec,
  spawnLocalStack,
  type AwsConfig,
  type EmulatorExit,
  type EmulatorProcess,
  type OpenAws,
  type SpawnedLocalStack,
} from '@kse/local-stack';
import { callerIdentity, type AwsIdentity } from './account.js';
import { peakRssOfProcess } from './memory.js';
import type { RunPipelineOptions } from './options.js';
import { RunError } from './runError.js';

/** Heap cap of each emulator child process, MB. */
const STACK_HEAP_MB = 256;

/**
 * Who owns the stack a run talks to, which decides what the run may do to it:
 * `embedded` (started by this run, gone at its end), `kse-stack` (started by
 * `kse local up`: may be reset), `foreign` (an account or an endpoint kse did not start:
 * shown and confirmed first, nothing deleted that the run did not create).
 */
export type StackOwner = 'embedded' | 'kse-stack' | 'foreign';

/** How to reach the stack from another shell (for `--keep`). */
export interface StackAccess {
  region: string;
  endpoints: AwsConfig['endpoints'];
  /** The stack's dummy credentials (local stacks only; a real account's stay where they are). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The AWS a run talks to: an embedded stack (in two child processes by default, or
 * inline), a `kse local up` stack, or a foreign target (an account, an endpoint). It
 * remembers what it started, so that it can stop it, and remove its data, even when the
 * run fails half way.
 */
export class RunStack {
  /** The clients and configuration, once {@link RunStack.open} has returned. */
  aws: OpenAws | undefined;
  /** Who owns the stack (set by {@link RunStack.open}). */
  owner: StackOwner = 'embedded';
  /** The account of a foreign target (set by {@link RunStack.identify}). */
  identity: AwsIdentity | undefined;
  /**
   * What the pipeline's calls go through: the fault proxies' clients with `--faults`,
   * otherwise {@link aws} itself. Setup, upload and verification always use {@link aws}.
   */
  pipelineAws: OpenAws | undefined;
  private proxies: FaultProxy[] = [];
  private faultCounters: FaultCounters | undefined;
  private faultSpec: FaultSpec | undefined;
  private spawned: SpawnedLocalStack | undefined;
  private dataDir: string | undefined;
  private closed = false;

  /**
   * Opens the target the options name: the embedded stack starts, in child processes
   * (`localStack: 'process'`) or in this one (`inline`); other targets only get clients
   * (no call is made).
   */
  async open(
    options: Pick<RunPipelineOptions, 'target' | 'localStack' | 'faults'>,
    tempDirs: string[] = [],
  ): Promise<OpenAws> {
    const { target } = options;
    if (target.kind === 'embedded') {
      this.owner = 'embedded';
      const region = target.region ?? DEFAULT_REGION;
      this.aws =
        options.localStack === 'inline'
          ? // Only an embedded stack gets the emulator speed patches; an endpoint is not ours.
            await openAws({ target: 'local', env: {}, region, localStack: { speedups: true } })
          : await this.spawn(region, tempDirs);
    } else {
      this.owner = target.kind === 'kse-stack' ? 'kse-stack' : 'foreign';
      this.aws = await openAws({ target: 'aws', env: {}, ...target.config });
    }
    this.pipelineAws = options.faults === undefined ? this.aws : await this.proxy(options.faults);
    return this.aws;
  }

  /** What the fault proxies injected and the retries they saw, with `--faults`. */
  faultReport(): (FaultCounts & { spec: string }) | undefined {
    if (this.faultCounters === undefined || this.faultSpec === undefined) return undefined;
    return { spec: formatFaultSpec(this.faultSpec), ...this.faultCounters.snapshot() };
  }

  // Starts a fault proxy in front of Kinesis and of DynamoDB, and clients that go through them.
  private async proxy(spec: FaultSpec): Promise<OpenAws> {
    const config = this.aws!.config;
    const { kinesis, dynamodb } = config.endpoints;
    if (kinesis === undefined || dynamodb === undefined) {
      throw new RunError(
        'KSE_USAGE',
        '--faults needs local endpoints for Kinesis and DynamoDB (the embedded stack, kse local up or --endpoint-url)',
        { hint: 'drop --faults to run against an AWS account' },
      );
    }
    const counters = (this.faultCounters = new FaultCounters());
    this.faultSpec = spec;
    for (const [service, upstream] of [
      ['kinesis', kinesis],
      ['dynamodb', dynamodb],
    ] as const) {
      this.proxies.push(await startFaultProxy({ service, upstream, spec, counters }));
    }
    const proxied = {
      ...config,
      endpoints: {
        ...config.endpoints,
        kinesis: this.proxies[0]!.endpoint,
        dynamodb: this.proxies[1]!.endpoint,
      },
    };
    const clients = createAwsClients(proxied);
    return {
      config: proxied,
      clients,
      close: () => {
        destroyAwsClients(clients);
        return Promise.resolve();
      },
    };
  }

  /** Asks STS for the account of a foreign target (nothing for a local stack). */
  async identify(options: Pick<RunPipelineOptions, 'target'>): Promise<AwsIdentity | undefined> {
    const { target } = options;
    if (target.kind !== 'aws' || this.aws === undefined) return undefined;
    this.identity = await callerIdentity(this.aws.config, target.stsEndpoint);
    return this.identity;
  }

  /** How to reach the stack from another shell. */
  access(): StackAccess | undefined {
    if (this.aws === undefined) return undefined;
    const { region, endpoints, credentials } = this.aws.config;
    return {
      region,
      endpoints: { ...endpoints },
      ...(this.owner !== 'foreign' && credentials !== undefined
        ? {
            credentials: {
              accessKeyId: credentials.accessKeyId,
              secretAccessKey: credentials.secretAccessKey,
            },
          }
        : {}),
    };
  }

  /** True when closing stops a stack (the embedded one): `--keep` then has to hold it up. */
  get ownsProcesses(): boolean {
    return this.owner === 'embedded';
  }

  /** The child processes of the embedded stack (none for another target, or inline). */
  get processes(): readonly EmulatorProcess[] {
    return this.spawned?.processes ?? [];
  }

  /** Calls `listener` when a process of the embedded stack ends unasked (killed, crashed). */
  onProcessExit(listener: (exit: EmulatorExit) => void): void {
    this.spawned?.onExit(listener);
  }

  /** The summed peak RSS of the stack's child processes (0 without any); read before close. */
  async childrenPeakRss(): Promise<number> {
    if (this.spawned === undefined) return 0;
    const peaks = await Promise.all(this.spawned.pids.map((pid) => peakRssOfProcess(pid)));
    return peaks.reduce((sum, peak) => sum + peak, 0);
  }

  /** Closes the clients, stops the embedded stack and removes its data. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.pipelineAws !== this.aws) await this.pipelineAws?.close();
      await Promise.all(this.proxies.map((proxy) => proxy.close()));
      await this.aws?.close();
      await this.spawned?.stop();
    } finally {
      if (this.dataDir !== undefined) await rm(this.dataDir, { recursive: true, force: true });
    }
  }

  private async spawn(region: string, tempDirs: string[]): Promise<OpenAws> {
    // The emulators are single-threaded and busier than the pipeline: Kinesis in one child
    // process and DynamoDB + S3 in another, they run on other cores than the pipeline.
    // Their data lives on disk (LevelDB), so that their memory stays flat whatever the run's
    // size (in memory, kinesalite holds ~1.4 KB of RSS per record). The children stop when
    // this process exits.
    this.dataDir = await mkdtemp(join(tmpdir(), 'kse-stack-'));
    tempDirs.push(this.dataDir);
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
    return openAws({ target: 'aws', env: {}, ...this.spawned.config });
  }
}
