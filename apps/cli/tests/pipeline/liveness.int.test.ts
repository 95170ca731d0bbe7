import { describe, expect, it } from 'vitest';
import { EXIT_CODES, classifyError, formatCliError } from '../../src/commands/exitCodes.js';
import { DEFAULT_RUN_OPTIONS, runPipeline, type RunIo } from '../../src/pipeline/index.js';

// The handlers log every batch at INFO, as in Lambda; kse run turns that down too.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

// An embedded stack in child processes (the default), paced so that the run is still
// landing rows when the Kinesis emulator's process is signalled.
const OPTIONS = { ...DEFAULT_RUN_OPTIONS, orders: 6000, rate: 3000 } as const;

/** A run's io that signals the Kinesis emulator's process once rows have started to land. */
function ioSignalling(act: (kinesisPid: number, landed: number) => void): {
  io: RunIo;
  notes: string[];
} {
  const notes: string[] = [];
  let pid: number | undefined;
  let acted = false;
  const io: RunIo = {
    log: (message) => notes.push(message),
    onStack: ({ processes }) => {
      pid = processes.find((p) => p.services.includes('kinesis'))?.pid;
    },
    progress: {
      update: (current) => {
        if (acted || pid === undefined || current.counts.written === 0) return;
        acted = true;
        act(pid, current.counts.written);
      },
      note: (message) => notes.push(message),
      done: () => undefined,
    },
  };
  return { io, notes };
}

describe('kse run: a dead or stalled emulator', () => {
  it('stops with KSE_ENDPOINT_DOWN naming the Kinesis endpoint (exit 3) when its process is killed mid-run', async () => {
    let killed: number | undefined;
    const { io } = ioSignalling((pid) => {
      process.kill(pid, 'SIGKILL');
      killed = pid;
    });
    const result = await runPipeline({ ...OPTIONS, seed: 'liveness-kill' }, io);

    expect(killed).toBeTypeOf('number');
    expect(result.verdict).toBeNull();
    expect(result.landed).toBeLessThan(result.expectedRows!);
    const classified = classifyError(result.error);
    expect(classified.code).toBe('KSE_ENDPOINT_DOWN');
    expect(classified.exitCode).toBe(EXIT_CODES.infrastructure);
    const [line] = formatCliError('kse run', classified, result.error, false);
    expect(line).toBe(
      `kse run: KSE_ENDPOINT_DOWN: the Kinesis endpoint ${result.access!.endpoints.kinesis} ` +
        `stopped answering (process ${killed} exited, SIGKILL)`,
    );
  }, 120_000);

  it('stops with KSE_ENDPOINT_DOWN (exit 3) when the Kinesis emulator stalls past the budget', async () => {
    let stopped: number | undefined;
    const { io } = ioSignalling((pid) => {
      process.kill(pid, 'SIGSTOP');
      stopped = pid;
    });
    let result;
    try {
      result = await runPipeline(
        { ...OPTIONS, seed: 'liveness-stall-long', stallBudgetMs: 3000 },
        io,
      );
    } finally {
      if (stopped !== undefined) {
        try {
          process.kill(stopped, 'SIGCONT');
        } catch {
          // already gone: the run killed the stalled stack on its way out
        }
      }
    }
    expect(stopped).toBeTypeOf('number');
    expect(result.verdict).toBeNull();
    const classified = classifyError(result.error);
    expect(classified.exitCode).toBe(EXIT_CODES.infrastructure);
    expect(classified.code).toBe('KSE_ENDPOINT_DOWN');
    expect(classified.message).toMatch(
      new RegExp(
        `^the Kinesis endpoint ${result.access!.endpoints.kinesis} stopped answering \\(no answer for \\d+ s; process ${stopped} is stopped\\)$`,
      ),
    );
  }, 120_000);

  it('rides out a 5 s SIGSTOP of the Kinesis emulator mid-run: the table is exact', async () => {
    let landedAtStop: number | undefined;
    let resumed = false;
    const { io } = ioSignalling((pid, landed) => {
      process.kill(pid, 'SIGSTOP');
      landedAtStop = landed;
      setTimeout(() => {
        process.kill(pid, 'SIGCONT');
        resumed = true;
      }, 5000);
    });
    const result = await runPipeline({ ...OPTIONS, seed: 'liveness-stall' }, io);

    // The stall happened mid-run: rows had started to land, and were not all in yet.
    expect(landedAtStop).toBeGreaterThan(0);
    expect(landedAtStop).toBeLessThan(12_000);
    expect(resumed).toBe(true);
    expect(result.error).toBeNull();
    expect(result.verdict).toMatchObject({ exact: true, expected: 12_000, landed: 12_000 });
  }, 180_000);
});
