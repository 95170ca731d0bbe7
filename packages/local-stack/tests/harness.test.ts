import { describe, expect, it } from 'vitest';
import { uniqueName } from '../src/index.js';

describe('uniqueName', () => {
  it('returns a different name on every call', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('orders')));
    expect(names.size).toBe(100);
  });

  it('returns a name valid for a stream, a table and a bucket', () => {
    const name = uniqueName('Orders_Enriched.Stream');
    expect(name).toMatch(/^ordersenriched|^orders-enriched-stream-/);
    expect(name).toMatch(/^[a-z0-9][a-z0-9-]{2,62}$/);
  });

  it('keeps a long prefix within 63 characters', () => {
    expect(uniqueName('x'.repeat(200)).length).toBeLessThanOrEqual(63);
  });
});
