import { describe, expect, it } from 'vitest';
import { JoinTable, NONE } from '../src/joinTable.js';
import { T0, item, order } from './fixtures.js';

describe('JoinTable (internal state of the in-memory join)', () => {
  it('finds, adds and removes keys exactly as a Map does, through growth and collisions', () => {
    let seed = 1;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (const keys of [1, 17, 1_000]) {
      const table = new JoinTable(1_000, keys);
      const reference = new Map<number, number>();
      for (let step = 0; step < 20_000; step += 1) {
        // Small ids collide often; large ones exercise the high 21 bits of the hash.
        const id =
          random() < 0.5 ? 1 + Math.floor(random() * 300) : 1 + Math.floor(random() * 2 ** 53);
        const op = random();
        if (op < 0.5) {
          if (!reference.has(id)) reference.set(id, table.create(id, T0 + step));
        } else if (op < 0.8) {
          const slot = reference.get(id);
          if (slot !== undefined) {
            table.remove(slot);
            reference.delete(id);
          }
        }
        expect(table.slotOf(id)).toBe(reference.get(id) ?? NONE);
      }
      expect(table.size).toBe(reference.size);
      for (const [id, slot] of reference) expect(table.slotOf(id)).toBe(slot);
      expect(table.allSlots().sort((a, b) => a - b)).toEqual(
        [...reference.values()].sort((a, b) => a - b),
      );
    }
  });

  it('exports what it imported, rebuilding plain records and keeping ones with extra attributes', () => {
    const table = new JoinTable(1_000);
    const extra = { ...item(7, 2), note: 'kept' };
    const state = {
      orderId: 7,
      order: {
        record: order(7),
        time: T0,
        arrivalTime: T0 + 1,
        matched: true,
        position: 'o1',
        source: 's',
      },
      items: [
        { record: item(7, 1), time: T0 + 2, arrivalTime: T0 + 3, matched: false, position: 5 },
        { record: extra, time: T0 + 4, arrivalTime: T0 + 5, matched: true, source: 's' },
      ],
      expiresAt: T0 + 60_000,
    };
    const slot = table.importState(state);
    const exported = table.exportState(slot);
    expect(exported).toEqual({
      ...state,
      items: [
        { ...state.items[0], source: undefined },
        { ...state.items[1], position: undefined },
      ],
    });
    expect(exported.items[1]!.record).toBe(extra);
  });
});
