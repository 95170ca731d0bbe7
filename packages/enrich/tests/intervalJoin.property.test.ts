import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EnrichedOrderItem } from '@kse/schemas';
import {
  InMemoryJoinStore,
  IntervalJoin,
  buildEnrichedRow,
  type JoinBatch,
  type TimedRecord,
} from '../src/index.js';
import { T0, committed, item, order, product } from './fixtures.js';

const WINDOW = 60_000;
const products = new Map([1, 2, 3].map((id) => [id, product(id)]));

interface Case {
  records: { timed: TimedRecord; joinTime: number }[];
  batchCuts: number[];
}

/**
 * Random orders, each with up to three items at a random offset from the order (some
 * beyond the window, either side); some orders missing; some records duplicated.
 */
const caseArb = (mode: 'arrival' | 'event', lateness: number): fc.Arbitrary<Case> =>
  fc
    .record({
      orders: fc.array(
        fc.record({
          start: fc.integer({ min: 0, max: 300_000 }),
          present: fc.boolean(),
          presentWeight: fc.integer({ min: 0, max: 9 }),
          items: fc.uniqueArray(
            fc.record({
              productId: fc.integer({ min: 1, max: 4 }),
              delay: fc.oneof(
                fc.integer({ min: -WINDOW, max: WINDOW }),
                fc.integer({ min: -3 * WINDOW, max: 3 * WINDOW }),
                fc.constantFrom(-WINDOW, WINDOW, -WINDOW - 1, WINDOW + 1),
              ),
              duplicate: fc.boolean(),
            }),
            { maxLength: 3, selector: (i) => i.productId },
          ),
          duplicate: fc.boolean(),
        }),
        { maxLength: 25 },
      ),
      jitters: fc.array(fc.integer({ min: 0, max: lateness }), { minLength: 200, maxLength: 200 }),
      batchCuts: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 50 }),
    })
    .map(({ orders, jitters, batchCuts }) => {
      const records: { timed: TimedRecord; joinTime: number; sortKey: number }[] = [];
      let n = 0;
      const push = (record: TimedRecord['record'], joinTime: number, copies: number): void => {
        const jitter = mode === 'event' ? jitters[n % jitters.length]! : 0;
        n += 1;
        // Arrival order: by arrival time; with event time, arrival lags by a bounded jitter.
        const arrivalTime = T0 + joinTime + jitter;
        for (let c = 0; c < copies; c += 1) {
          records.push({
            timed: { record, arrivalTime, position: n },
            joinTime,
            sortKey: arrivalTime,
          });
        }
      };
      orders.forEach((o, index) => {
        const orderId = index + 1;
        const dateOf = (t: number): string => new Date(T0 + t).toISOString();
        // Orders missing about 1 time in 10, so that whole orders go unmatched.
        if (o.present || o.presentWeight > 0) {
          push(order(orderId, { orderDateTime: dateOf(o.start) }), o.start, o.duplicate ? 2 : 1);
        }
        for (const i of o.items) {
          const t = o.start + i.delay;
          push(item(orderId, i.productId, { orderDateTime: dateOf(t) }), t, i.duplicate ? 2 : 1);
        }
      });
      records.sort((a, b) => a.sortKey - b.sortKey);
      return { records, batchCuts };
    });

/** The reference: every (order, item) pair whose times differ by at most the window. */
function referenceJoin(records: Case['records']): {
  rows: Map<string, string>;
  unmatched: Set<string>;
  unmatchedOrders: Set<string>;
} {
  const orders = new Map<number, { timed: TimedRecord; joinTime: number }>();
  const items = new Map<string, { timed: TimedRecord; joinTime: number }>();
  for (const r of records) {
    const rec = r.timed.record;
    if (rec.recordType === 'Order') {
      if (!orders.has(rec.orderId)) orders.set(rec.orderId, r);
    } else if (!items.has(`${rec.orderId}/${rec.itemId}`))
      items.set(`${rec.orderId}/${rec.itemId}`, r);
  }
  const rows = new Map<string, string>();
  const unmatched = new Set<string>();
  const matchedOrders = new Set<number>();
  for (const [key, i] of items) {
    const o = orders.get(i.timed.record.orderId);
    if (o === undefined || Math.abs(o.joinTime - i.joinTime) > WINDOW) {
      unmatched.add(key);
      continue;
    }
    matchedOrders.add(o.timed.record.orderId);
    const itemRecord = i.timed.record as ReturnType<typeof item>;
    const row = buildEnrichedRow(
      o.timed.record as ReturnType<typeof order>,
      itemRecord,
      products.get(itemRecord.itemId),
      {
        eventTs: Math.max(o.timed.arrivalTime, i.timed.arrivalTime),
        orderArrivalTs: o.timed.arrivalTime,
        itemArrivalTs: i.timed.arrivalTime,
      },
    );
    rows.set(key, JSON.stringify(row));
  }
  const unmatchedOrders = new Set(
    [...orders.keys()].filter((id) => !matchedOrders.has(id)).map(String),
  );
  return { rows, unmatched, unmatchedOrders };
}

interface JoinOutput {
  rows: EnrichedOrderItem[];
  letters: string[];
  orderLetters: string[];
}

async function runJoin(join: IntervalJoin, c: Case): Promise<JoinOutput> {
  const rows: EnrichedOrderItem[] = [];
  const letters: string[] = [];
  const orderLetters: string[] = [];
  const collect = (out: JoinBatch): void => {
    rows.push(...out.rows);
    for (const d of out.deadLetters) {
      const rec = d.data as ReturnType<typeof item> | ReturnType<typeof order>;
      if (d.code === 'KSE_JOIN_UNMATCHED_ORDER') orderLetters.push(String(rec.orderId));
      else {
        expect(d.code).toBe('KSE_JOIN_UNMATCHED');
        letters.push(`${rec.orderId}/${(rec as ReturnType<typeof item>).itemId}`);
      }
    }
  };
  let offset = 0;
  let cut = 0;
  while (offset < c.records.length) {
    const size = c.batchCuts[cut % c.batchCuts.length]!;
    cut += 1;
    const batch = c.records.slice(offset, offset + size).map((r) => r.timed);
    offset += size;
    collect(await committed(join.process(batch)));
  }
  collect(await committed(join.flush()));
  return { rows, letters, orderLetters };
}

function checkAgainstReference(c: Case, out: JoinOutput): void {
  const expected = referenceJoin(c.records);
  const seen = new Map<string, string>();
  for (const row of out.rows) {
    const key = `${row.orderId}/${row.itemId}`;
    const json = JSON.stringify(row);
    // Every copy of a row (redelivery) is byte-identical to the reference row.
    expect(json).toBe(expected.rows.get(key));
    seen.set(key, json);
  }
  expect([...seen.keys()].sort()).toEqual([...expected.rows.keys()].sort());
  // Each unreachable item is dead-lettered exactly once; no other item is. So is each
  // order no item met.
  expect([...out.letters].sort()).toEqual([...expected.unmatched].sort());
  expect([...out.orderLetters].sort()).toEqual([...expected.unmatchedOrders].sort());
}

describe('IntervalJoin against a reference join (property)', () => {
  it('matches the reference join for arrival time, random batches, delays and duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb('arrival', 0), async (c) => {
        const store = new InMemoryJoinStore({ bucketMs: 7_000 });
        const join = new IntervalJoin({ store, products, windowMs: WINDOW });
        checkAgainstReference(c, await runJoin(join, c));
        expect(store.size).toBe(0);
      }),
      { seed: 20260101, numRuns: 300 },
    );
  });

  it('matches the reference join for event time with out-of-order arrival within the lateness', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb('event', 15_000), async (c) => {
        const join = new IntervalJoin({
          products,
          windowMs: WINDOW,
          time: 'event',
          allowedLatenessMs: 15_000,
        });
        checkAgainstReference(c, await runJoin(join, c));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('keeps in = matched items + dead-lettered items for every run', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb('arrival', 0), async (c) => {
        const join = new IntervalJoin({ products, windowMs: WINDOW });
        const out = await runJoin(join, c);
        const distinctItems = new Set(
          c.records
            .filter((r) => r.timed.record.recordType === 'OrderItem')
            .map(
              (r) =>
                `${r.timed.record.orderId}/${(r.timed.record as ReturnType<typeof item>).itemId}`,
            ),
        );
        const matched = new Set(out.rows.map((r) => `${r.orderId}/${r.itemId}`));
        expect(matched.size + out.letters.length).toBe(distinctItems.size);
        expect(join.stats.unmatchedItems).toBe(out.letters.length);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
