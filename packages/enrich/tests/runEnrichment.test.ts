import { describe, expect, it } from 'vitest';
import { IntervalJoin, runEnrichment, type EnrichmentOutput, type RawInput } from '../src/index.js';
import { T0, item, order, product } from './fixtures.js';

async function collect(outputs: AsyncIterable<EnrichmentOutput>): Promise<EnrichmentOutput[]> {
  const all: EnrichmentOutput[] = [];
  for await (const output of outputs) all.push(output);
  return all;
}

async function* source(inputs: RawInput[]): AsyncGenerator<RawInput> {
  for (const input of inputs) yield input;
}

describe('runEnrichment', () => {
  it('yields rows and dead letters with in = rows-matched items + dead letters + skipped', async () => {
    const inputs: RawInput[] = [
      { data: JSON.stringify(order(1)), arrivalTime: T0, position: 1 },
      { data: JSON.stringify(item(1, 10)), arrivalTime: T0 + 1, position: 2 },
      { data: JSON.stringify(item(1, 11)), arrivalTime: T0 + 2, position: 3 },
      { data: 'garbage', arrivalTime: T0 + 3, position: 4 },
      { data: JSON.stringify(item(2, 10)), arrivalTime: T0 + 4, position: 5 },
    ];
    const products = new Map([[10, product(10, 'Desk')]]);
    const outputs = await collect(
      runEnrichment(source(inputs), { join: { products }, batchSize: 2 }),
    );
    const rows = outputs.flatMap((o) => o.rows);
    const letters = outputs.flatMap((o) => o.deadLetters);
    expect(rows.map((r) => [r.orderId, r.itemId, r.productName])).toEqual([
      [1, 10, 'Desk'],
      [1, 11, null],
    ]);
    expect(letters.map((l) => [l.code, l.position])).toEqual([
      ['KSE_JSON_INVALID', 4],
      ['KSE_JOIN_UNMATCHED', 5],
    ]);
    const last = outputs.at(-1)!.counts;
    expect(last).toEqual({ in: 5, rows: 2, deadLetters: 2, skipped: 0 });
  });

  it('accepts already typed records and a join built by the caller', async () => {
    const join = new IntervalJoin({ windowMs: 10 });
    const outputs = await collect(
      runEnrichment(
        [
          { record: order(1), arrivalTime: 0 },
          { record: item(1, 10), arrivalTime: 5 },
        ],
        { join },
      ),
    );
    expect(outputs.flatMap((o) => o.rows)).toHaveLength(1);
    expect(join.stats.rows).toBe(1);
  });

  it('processes a partial batch after flushIntervalMs when the source stalls', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* stalling(): AsyncGenerator<RawInput> {
      yield { data: JSON.stringify(order(1)), arrivalTime: 0 };
      yield { data: JSON.stringify(item(1, 10)), arrivalTime: 1 };
      await gate;
    }
    const iterator = runEnrichment(stalling(), { batchSize: 100, flushIntervalMs: 20 })[
      Symbol.asyncIterator
    ]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(first.value?.rows).toHaveLength(1);
    release();
    const end = await iterator.next();
    expect(end.done).toBe(true);
  });

  it('dead-letters unmatched items on an idle stream with idleExpiry', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* stalling(): AsyncGenerator<RawInput> {
      yield { data: JSON.stringify(item(9, 10)), arrivalTime: T0, position: 'x' };
      await gate;
    }
    const outputs = runEnrichment(stalling(), {
      idleExpiry: true,
      flushIntervalMs: 10,
      clock: () => T0 + 120_000,
    })[Symbol.asyncIterator]();
    const first = await outputs.next();
    expect((first.value as EnrichmentOutput).deadLetters.map((l) => [l.code, l.position])).toEqual([
      ['KSE_JOIN_UNMATCHED', 'x'],
    ]);
    release();
    expect((await outputs.next()).done).toBe(true);
  });
});
