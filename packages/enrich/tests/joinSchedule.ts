/**
 * A random schedule for the interval join and the reference model it is checked against
 * (shared by the in-memory property test and the DynamoDB one).
 *
 * The stream: orders with up to three items at random offsets (some beyond the window,
 * some orders missing), some records sent twice with the same attributes (redelivery),
 * some sent again a little later with other attributes (an update). Records are routed
 * to shards by order id; the stream may be resharded once or twice (split then merge, or
 * merge then split) at random points. The schedule interleaves the shards as the event
 * source mapping does (a child starts once its parents are done), cuts batches at random,
 * and gives each batch a fate: its outputs acknowledged and committed; its outputs failed
 * (no commit, sometimes an explicit discard); a crash before the outputs; a crash after
 * them, before the commit. A crash drops the join object; a new one is built on the same
 * (durable) store. Shards also get idle sweeps, at a time no unread record is older than.
 */
import fc from 'fast-check';
import type { EnrichedOrderItem, Order, OrderItem } from '@kse/schemas';
import {
  IntervalJoin,
  buildEnrichedRow,
  type JoinBatch,
  type JoinParent,
  type JoinStateStore,
  type TimedRecord,
} from '../src/index.js';
import { T0, item, order, product } from './fixtures.js';

export const WINDOW = 60_000;
export const products = new Map([1, 2, 3].map((id) => [id, product(id)]));

type Fate = 'ok' | 'fail' | 'discard' | 'crashBefore' | 'crashAfter';

/** One record of the stream, in arrival order. */
export interface StreamRecord {
  timed: TimedRecord;
  /** `o:<orderId>` or `i:<orderId>/<itemId>`. */
  key: string;
}

/** The generated case: the stream, the reshards, and the random choices of the schedule. */
export interface ScheduleCase {
  records: StreamRecord[];
  /** Indexes into `records` where the next shard generation starts (0, 1 or 2 of them). */
  reshards: number[];
  topology: 'split-merge' | 'merge-split';
  /** Random numbers in [0, 1) that drive the schedule (reused cyclically). */
  choices: number[];
}

const updateOf = (record: Order | OrderItem): Order | OrderItem =>
  record.recordType === 'Order'
    ? { ...record, orderStatus: 'Shipped' }
    : { ...record, itemQuantity: record.itemQuantity + 1 };

/** The random case. */
export const scheduleCaseArb = (maxOrders = 12): fc.Arbitrary<ScheduleCase> =>
  fc
    .record({
      orders: fc.array(
        fc.record({
          start: fc.integer({ min: 0, max: 240_000 }),
          present: fc.integer({ min: 0, max: 9 }),
          copies: fc.constantFrom('one', 'one', 'one', 'same', 'update'),
          copyDelay: fc.integer({ min: 1, max: WINDOW / 2 }),
          items: fc.uniqueArray(
            fc.record({
              productId: fc.integer({ min: 1, max: 4 }),
              delay: fc.oneof(
                fc.integer({ min: -WINDOW, max: WINDOW }),
                fc.integer({ min: -3 * WINDOW, max: 3 * WINDOW }),
                fc.constantFrom(-WINDOW, WINDOW, -WINDOW - 1, WINDOW + 1),
              ),
              copies: fc.constantFrom('one', 'one', 'one', 'same', 'update'),
              copyDelay: fc.integer({ min: 1, max: WINDOW / 2 }),
            }),
            { maxLength: 3, selector: (i) => i.productId },
          ),
        }),
        { maxLength: maxOrders },
      ),
      reshardAt: fc.uniqueArray(fc.double({ min: 0.05, max: 0.95, noNaN: true }), {
        maxLength: 2,
      }),
      topology: fc.constantFrom('split-merge' as const, 'merge-split' as const),
      choices: fc.array(fc.double({ min: 0, max: 0.999_999, noNaN: true }), {
        minLength: 64,
        maxLength: 64,
      }),
    })
    .map(({ orders, reshardAt, topology, choices }) => {
      const records: (StreamRecord & { at: number })[] = [];
      let position = 0;
      const push = (
        record: Order | OrderItem,
        time: number,
        copies: string,
        copyDelay: number,
      ): void => {
        const key =
          record.recordType === 'Order'
            ? `o:${record.orderId}`
            : `i:${record.orderId}/${record.itemId}`;
        const add = (r: Order | OrderItem, at: number): void => {
          position += 1;
          records.push({ timed: { record: r, arrivalTime: T0 + at, position }, key, at });
        };
        add(record, time);
        if (copies === 'same') add(record, time + copyDelay);
        if (copies === 'update') add(updateOf(record), time + copyDelay);
      };
      orders.forEach((o, index) => {
        const orderId = index + 1;
        const dateOf = (t: number): string => new Date(T0 + t).toISOString();
        if (o.present > 0) {
          push(order(orderId, { orderDateTime: dateOf(o.start) }), o.start, o.copies, o.copyDelay);
        }
        for (const i of o.items) {
          const t = o.start + i.delay;
          push(item(orderId, i.productId, { orderDateTime: dateOf(t) }), t, i.copies, i.copyDelay);
        }
      });
      // Stable: records with one arrival time keep the order they were made in.
      records.sort((a, b) => a.at - b.at);
      const reshards = [...reshardAt]
        .sort((a, b) => a - b)
        .map((fraction) => Math.floor(fraction * records.length))
        .filter((index, i, all) => index > 0 && index < records.length && all.indexOf(index) === i);
      return { records, reshards, topology, choices };
    });

// ── Shards ─────────────────────────────────────────────────────────────────────────────

interface ShardPlan {
  id: string;
  generation: number;
  parents: string[];
  /** The order ids that land on this shard in its generation. */
  owns: (orderId: number) => boolean;
}

/** The shard generations: before the first reshard, between, after the last. */
function plan(c: ScheduleCase): ShardPlan[][] {
  const even = (id: number): boolean => id % 2 === 0;
  const halves = (id: number): boolean => Math.floor(id / 2) % 2 === 0;
  const all = (): boolean => true;
  const one = (id: string, generation: number, parents: string[]): ShardPlan => ({
    id,
    generation,
    parents,
    owns: all,
  });
  const two = (a: string, b: string, generation: number, parents: string[], by = even) => [
    { id: a, generation, parents, owns: by },
    { id: b, generation, parents, owns: (id: number) => !by(id) },
  ];
  const generations: ShardPlan[][] =
    c.topology === 'merge-split'
      ? [two('A', 'B', 0, []), [one('C', 1, ['A', 'B'])], two('D', 'E', 2, ['C'], halves)]
      : [[one('A', 0, [])], two('B', 'C', 1, ['A']), [one('D', 2, ['B', 'C'])]];
  return generations.slice(0, c.reshards.length + 1);
}

/** One acknowledged dead letter: its code, the key of its record, the record. */
export interface Letter {
  code: string;
  /** `i:<orderId>/<itemId>` or `o:<orderId>`. */
  key: string;
  data: Order | OrderItem;
}

/** What came out: acknowledged outputs only (a failed output's never reached anyone). */
export interface Outcome {
  rows: EnrichedOrderItem[];
  letters: Letter[];
  /** `<code> <key>` → copies acknowledged by a batch that then crashed before its commit. */
  repeated: Map<string, number>;
  /** Batches and sweeps run (with their retries). */
  steps: number;
  /** Faults injected: failed outputs, discards, crashes. */
  faults: number;
}

/** How the schedule gets a store for a shard (the same durable store each time). */
export interface StoreFactory {
  /** The store of a shard; a second call (after a crash) returns the same durable state. */
  open(shardId: string): JoinStateStore;
  /** Every order id held by a shard's store, for the end check. */
  held(shardId: string): Promise<number[]>;
}

/** Runs the schedule of `c` through joins on `stores`; returns what came out. */
export async function runSchedule(c: ScheduleCase, stores: StoreFactory): Promise<Outcome> {
  let choice = 0;
  const random = (): number => {
    const value = c.choices[choice % c.choices.length]!;
    choice += 1;
    // Spread the cyclic reuse so that a short list does not repeat in lockstep.
    return (value + choice * 0.618_033_988_75) % 1;
  };
  const generations = plan(c);
  const bounds = [0, ...c.reshards, c.records.length];
  const shards = new Map<
    string,
    ShardPlan & { queue: StreamRecord[]; next: number; join: IntervalJoin; done: boolean }
  >();
  const parentsOf = (shard: ShardPlan, owns: (id: number) => boolean): JoinParent[] =>
    shard.parents.map((parentId) => ({
      store: stores.open(parentId),
      owns,
      parents: () => parentsOf(shards.get(parentId)!, owns),
    }));
  const newJoin = (shard: ShardPlan): IntervalJoin =>
    new IntervalJoin({
      store: stores.open(shard.id),
      products,
      windowMs: WINDOW,
      parents: () => parentsOf(shard, shard.owns),
    });
  for (const [g, generation] of generations.entries()) {
    for (const shard of generation) {
      const queue = c.records
        .slice(bounds[g], bounds[g + 1])
        .filter((r) => shard.owns(r.timed.record.orderId));
      shards.set(shard.id, { ...shard, queue, next: 0, join: newJoin(shard), done: false });
    }
  }
  const last = generations.length - 1;
  const nextGenerationAt = (generation: number): number =>
    generation < last ? c.records[bounds[generation + 1]!]!.timed.arrivalTime : Infinity;

  const outcome: Outcome = { rows: [], letters: [], repeated: new Map(), steps: 0, faults: 0 };
  const acknowledge = (batch: JoinBatch, repeated: boolean): void => {
    outcome.rows.push(...batch.rows);
    for (const letter of batch.deadLetters) {
      const data = letter.data as Order | OrderItem;
      const key =
        data.recordType === 'Order' ? `o:${data.orderId}` : `i:${data.orderId}/${data.itemId}`;
      outcome.letters.push({ code: letter.code, key, data });
      const id = `${letter.code} ${key}`;
      if (repeated) outcome.repeated.set(id, (outcome.repeated.get(id) ?? 0) + 1);
    }
  };
  /** Applies a fate to a batch; returns true when the batch was committed. */
  const settle = async (
    shard: { join: IntervalJoin } & ShardPlan,
    batch: JoinBatch,
    fate: Fate,
  ): Promise<boolean> => {
    if (fate !== 'ok') outcome.faults += 1;
    switch (fate) {
      case 'ok':
        acknowledge(batch, false);
        await batch.commit();
        return true;
      case 'fail':
        return false; // the next call undoes it
      case 'discard':
        await batch.discard();
        return false;
      case 'crashBefore':
        shard.join = newJoin(shard);
        return false;
      case 'crashAfter':
        acknowledge(batch, true);
        shard.join = newJoin(shard);
        return false;
    }
  };
  const fateOf = (forceOk: boolean): Fate => {
    if (forceOk) return 'ok';
    const r = random();
    return r < 0.55
      ? 'ok'
      : r < 0.7
        ? 'fail'
        : r < 0.78
          ? 'discard'
          : r < 0.89
            ? 'crashBefore'
            : 'crashAfter';
  };
  const runnable = () =>
    [...shards.values()].filter(
      (s) => !s.done && s.parents.every((parent) => shards.get(parent)!.done),
    );

  for (let step = 0; ; step += 1) {
    const open = runnable();
    if (open.length === 0) break;
    const shard = open[Math.floor(random() * open.length)]!;
    if (shard.next >= shard.queue.length && shard.generation < last) {
      // Read to the end of a closed shard: its children may start.
      shard.done = true;
      continue;
    }
    const forceOk = step > 400;
    if (shard.next >= shard.queue.length) {
      // A last-generation shard with nothing more to read: sweeps until the end.
      if (random() < 0.3 || forceOk) {
        shard.done = true;
        continue;
      }
    }
    outcome.steps += 1;
    if (random() < 0.2 || shard.next >= shard.queue.length) {
      // An idle sweep, at a time no unread record of this shard (or its children) is older than.
      const processed = shard.queue[shard.next - 1]?.timed.arrivalTime ?? T0;
      const nextArrival = Math.min(
        shard.queue[shard.next]?.timed.arrivalTime ?? Infinity,
        nextGenerationAt(shard.generation),
      );
      const now = Math.min(nextArrival, processed + Math.floor(random() * 3 * WINDOW));
      const batch = await shard.join.sweep(now);
      await settle(shard, batch, fateOf(forceOk));
      continue;
    }
    const size = 1 + Math.floor(random() * 6);
    const records = shard.queue.slice(shard.next, shard.next + size).map((r) => r.timed);
    const batch = await shard.join.process(records);
    if (await settle(shard, batch, fateOf(forceOk))) shard.next += records.length;
  }
  // End of the stream: flush every last-generation shard (what remains can never match).
  for (const shard of generations[last]!) {
    const s = shards.get(shard.id)!;
    for (;;) {
      const batch = await s.join.flush();
      if (await settle(s, batch, fateOf(outcome.steps > 400 || random() < 0.5))) break;
    }
  }
  return outcome;
}

// ── The reference model ──────────────────────────────────────────────────────────────

/** What must come out of `c`, computed with no state, no batches and no faults. */
export function expected(c: ScheduleCase): {
  /** Pair key → the final row and every row version a pair may show on its way. */
  pairs: Map<string, { final: string; versions: Set<string> }>;
  /** Unmatched key → the record as last sent (what its dead letter carries). */
  unmatched: Map<string, Order | OrderItem>;
} {
  const copies = new Map<string, StreamRecord[]>();
  for (const r of c.records) copies.set(r.key, [...(copies.get(r.key) ?? []), r]);
  const pairs = new Map<string, { final: string; versions: Set<string> }>();
  const matched = new Set<string>();
  for (const [key, itemCopies] of copies) {
    if (!key.startsWith('i:')) continue;
    const first = itemCopies[0]!;
    const orderCopies = copies.get(`o:${first.timed.record.orderId}`);
    if (orderCopies === undefined) continue;
    const firstOrder = orderCopies[0]!;
    if (Math.abs(firstOrder.timed.arrivalTime - first.timed.arrivalTime) > WINDOW) continue;
    matched.add(key).add(firstOrder.key);
    const row = (o: StreamRecord, i: StreamRecord): string => {
      const itemRecord = i.timed.record as OrderItem;
      return JSON.stringify(
        buildEnrichedRow(o.timed.record as Order, itemRecord, products.get(itemRecord.itemId), {
          // The first copies' times: an update changes attributes, never times.
          eventTs: Math.max(firstOrder.timed.arrivalTime, first.timed.arrivalTime),
          orderArrivalTs: firstOrder.timed.arrivalTime,
          itemArrivalTs: first.timed.arrivalTime,
        }),
      );
    };
    const versions = new Set<string>();
    for (const o of orderCopies) for (const i of itemCopies) versions.add(row(o, i));
    pairs.set(`${first.timed.record.orderId}/${(first.timed.record as OrderItem).itemId}`, {
      final: row(orderCopies.at(-1)!, itemCopies.at(-1)!),
      versions,
    });
  }
  const unmatched = new Map<string, Order | OrderItem>();
  for (const [key, all] of copies) {
    if (!matched.has(key)) unmatched.set(key, all.at(-1)!.timed.record);
  }
  return { pairs, unmatched };
}

/** One broken promise, or undefined when the outcome is what the model allows. */
export function violation(c: ScheduleCase, out: Outcome): string | undefined {
  const model = expected(c);
  const copiesOf = new Map<string, string[]>();
  for (const r of c.records) {
    copiesOf.set(r.key, [...(copiesOf.get(r.key) ?? []), JSON.stringify(r.timed.record)]);
  }
  // Rows: only pairs within the window, each a version the pair can show; the last one
  // the final version unless an update of the pair was dead-lettered as too late.
  const last = new Map<string, string>();
  for (const row of out.rows) {
    const key = `${row.orderId}/${row.itemId}`;
    const json = JSON.stringify(row);
    const pair = model.pairs.get(key);
    if (pair === undefined) return `a row for ${key}, which has no partner within the window`;
    if (!pair.versions.has(json)) return `row ${json} is no version of pair ${key}`;
    last.set(key, json);
  }
  const late = new Set(
    out.letters.filter((l) => l.code === 'KSE_JOIN_LATE_UPDATE').map((l) => l.key),
  );
  for (const [key, pair] of model.pairs) {
    const seen = last.get(key);
    if (seen === undefined) return `no row for pair ${key}`;
    const orderKey = `o:${key.split('/')[0]}`;
    if (seen !== pair.final && !late.has(orderKey) && !late.has(`i:${key}`)) {
      return `pair ${key} ends with ${seen}, not ${pair.final}, and no late update was dead-lettered`;
    }
  }
  // Dead letters: each record without a partner exactly once (more only where a batch
  // acknowledged it and then crashed before its commit), carrying its last copy.
  const counts = new Map<string, number>();
  for (const letter of out.letters) {
    const id = `${letter.code} ${letter.key}`;
    if (letter.code === 'KSE_JOIN_LATE_UPDATE') {
      if (!(copiesOf.get(letter.key) ?? []).includes(JSON.stringify(letter.data))) {
        return `late update ${id} carries ${JSON.stringify(letter.data)}, no copy of it`;
      }
      continue;
    }
    const unmatched = model.unmatched.get(letter.key);
    if (unmatched === undefined) return `dead letter ${id} for a record that has a partner`;
    const code = letter.key.startsWith('o:') ? 'KSE_JOIN_UNMATCHED_ORDER' : 'KSE_JOIN_UNMATCHED';
    if (letter.code !== code) return `dead letter ${id} has the wrong code`;
    if (JSON.stringify(letter.data) !== JSON.stringify(unmatched)) {
      return `dead letter ${id} carries ${JSON.stringify(letter.data)}, not the last copy`;
    }
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const key of model.unmatched.keys()) {
    const code = key.startsWith('o:') ? 'KSE_JOIN_UNMATCHED_ORDER' : 'KSE_JOIN_UNMATCHED';
    const id = `${code} ${key}`;
    const want = 1 + (out.repeated.get(id) ?? 0);
    if ((counts.get(id) ?? 0) !== want) {
      return `${id} dead-lettered ${counts.get(id) ?? 0} times, expected ${want}`;
    }
  }
  return undefined;
}
