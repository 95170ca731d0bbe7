import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RunManifestFile,
  readRunManifest,
  type RunManifest,
} from '../../src/pipeline/runManifest.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kse-manifest-'));
  dirs.push(dir);
  return dir;
}

const MANIFEST: RunManifest = {
  kind: 'kse-run',
  version: 1,
  state: 'running',
  startedAtMs: 1_700_000_000_000,
  resumes: 0,
  options: {
    orders: 10,
    products: 10,
    seed: 'kse',
    shards: 2,
    enrichedShards: 2,
    rate: 'max',
    aggregate: false,
    topology: 'seed',
    joinState: 'dynamodb',
    joinTime: 'arrival',
    table: 'OrdersEnriched',
    bucket: 'kse-orders',
    sourceStream: 'OrdersStream',
    enrichedStream: 'OrdersEnrichedStream',
    deadLetterStream: 'OrdersDeadLetterStream',
  },
  target: { owner: 'kse-stack', region: 'us-east-1', endpoints: {} },
  resources: {
    checkpoints: 'OrdersEnriched-checkpoints',
    joinState: 'OrdersEnriched-join-state',
    created: { streams: [], tables: [], objects: [] },
    freshStreams: true,
  },
  workerId: 'kse-run-test',
  process: { pid: 1, host: 'elsewhere' },
  progress: { replayedThroughOrderId: null, deadLettered: 0, updatedAt: '' },
};

async function refusal(dir: string): Promise<{ code: string; message: string }> {
  const error = (await readRunManifest(dir).catch((e: unknown) => e)) as Error & { code: string };
  return { code: error.code, message: error.message };
}

describe('readRunManifest', () => {
  it('refuses with KSE_NOTHING_TO_RESUME: no manifest, not JSON, a finished run, an in-memory join', async () => {
    const none = workDir();
    expect(await refusal(none)).toEqual({
      code: 'KSE_NOTHING_TO_RESUME',
      message: `nothing to resume: no ${join(none, 'kse-run.json')}`,
    });
    const torn = workDir();
    writeFileSync(join(torn, 'kse-run.json'), '{"kind":');
    expect((await refusal(torn)).message).toMatch(/is not JSON$/);
    const finished = workDir();
    writeFileSync(
      join(finished, 'kse-run.json'),
      JSON.stringify({ ...MANIFEST, state: 'finished', finishedBecause: 'verdict EXACT' }),
    );
    expect((await refusal(finished)).message).toMatch(/finished \(verdict EXACT\)$/);
    const memory = workDir();
    writeFileSync(
      join(memory, 'kse-run.json'),
      JSON.stringify({ ...MANIFEST, options: { ...MANIFEST.options, joinState: 'memory' } }),
    );
    expect(await refusal(memory)).toMatchObject({ code: 'KSE_NOTHING_TO_RESUME' });
  });
});

describe('RunManifestFile', () => {
  it('writes the latest content through a temporary file and a rename, leaving nothing else', async () => {
    const dir = workDir();
    const file = new RunManifestFile(dir, MANIFEST);
    for (let id = 1; id <= 20; id += 1) {
      void file.update((m) => ({ ...m, progress: { ...m.progress, replayedThroughOrderId: id } }));
    }
    await file.flush();
    expect(readdirSync(dir)).toEqual(['kse-run.json']);
    const written = JSON.parse(readFileSync(join(dir, 'kse-run.json'), 'utf8')) as RunManifest;
    expect(written.progress.replayedThroughOrderId).toBe(20);
    expect(await readRunManifest(dir)).toEqual(written);
  });
});
