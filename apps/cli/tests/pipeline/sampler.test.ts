import type { EventSourceMapping } from '@kse/lambda';
import { describe, expect, it } from 'vitest';
import { createSampler, shardIteratorAges } from '../../src/pipeline/sampler.js';
import { PeakRss } from '../../src/pipeline/memory.js';
import { LatencyRecorder } from '../../src/report/latency.js';

type Stats = ReturnType<EventSourceMapping['stats']>;

// A mapping's stats snapshot: `read` records read, shards with their age and in-flight count.
function stats(
  read: number,
  retries: number,
  shards: [string, number | undefined, number][],
): Stats {
  return {
    counters: { recordsRead: read, recordsDeadLettered: 0, retries } as Stats['counters'],
    shards: Object.fromEntries(
      shards.map(([shardId, iteratorAgeMs, inFlight]) => [
        shardId,
        { shardId, iteratorAgeMs, inFlight } as Stats['shards'][string],
      ]),
    ),
    finishedShards: [],
    failedShards: [],
  };
}

describe('the run sampler', () => {
  it("reads each shard's iterator age; a mapping that has read everything is at 0", () => {
    const behind = stats(90, 0, [
      ['shardId-000000000000', 120, 5],
      ['shardId-000000000001', undefined, 0],
    ]);
    expect(shardIteratorAges(behind, 100)).toEqual({
      'shardId-000000000000': 120,
      'shardId-000000000001': null,
    });
    const caughtUp = stats(100, 0, [['shardId-000000000000', 120, 0]]);
    expect(shardIteratorAges(caughtUp, 100)).toEqual({ 'shardId-000000000000': 0 });
    expect(shardIteratorAges(undefined, 100)).toEqual({});
  });

  it('samples retries by kind with the mappings’ batch retries, faults, and the latency of each interval', () => {
    const latency = new LatencyRecorder();
    latency.add(5_000); // before sampling starts: in no interval
    const retries = { byKind: { 'sdk.ThrottlingException': 2 } };
    let injected: Record<string, number> = { throttle: 3 };
    const mapping = { stats: () => stats(10, 4, [['shardId-000000000000', 50, 1]]) };
    const sample = createSampler({
      counters: {
        generated: 30,
        replayed: 30,
        replayRetries: 0,
        replayDeadLettered: 0,
        earlierDeadLettered: 0,
      },
      mappings: [mapping as unknown as EventSourceMapping],
      wired: {
        handlers: { deadLettered: () => 0 } as never,
        writeTap: { written: 0, landed: 0, unprocessed: 0, markLanded: () => undefined },
        joinTap: { accepted: 0, failed: 0 },
      },
      topology: 'fused',
      memory: new PeakRss(),
      now: () => 1000,
      startedAt: 0,
      retries,
      faultsInjected: () => injected,
      latency,
    });
    for (const ms of [10, 20, 30, 40]) latency.add(ms);
    const first = sample();
    expect(first).toMatchObject({
      retriesByKind: { 'sdk.ThrottlingException': 2, 'mapping.batch': 4 },
      faultsInjected: { throttle: 3 },
      iteratorAgeByShardMs: { source: { 'shardId-000000000000': 50 }, enriched: {} },
      latencyMs: { count: 4, p50: 20, p99: 40 },
    });
    injected = { throttle: 5 };
    latency.add(7);
    expect(sample()).toMatchObject({
      faultsInjected: { throttle: 5 },
      latencyMs: { count: 1, p50: 7, p99: 7 },
    });
    expect(sample().latencyMs).toEqual({ count: 0, p50: null, p99: null });
  });
});
