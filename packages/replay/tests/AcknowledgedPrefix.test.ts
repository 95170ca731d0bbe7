import { describe, expect, it } from 'vitest';
import { AcknowledgedPrefix, type ReplayPosition } from '../src/index.js';

const at = (lineNumber: number): ReplayPosition => ({
  source: 's3://b/orders.json',
  lineNumber,
  id: 10_000_000 + Math.ceil(lineNumber / 3),
});

describe('AcknowledgedPrefix', () => {
  it('moves only over a run with no gap, whatever order the acknowledgements come in', () => {
    const prefix = new AcknowledgedPrefix();
    expect(prefix.last).toBeNull();
    prefix.acknowledge(1, at(2));
    prefix.acknowledge(2, at(3));
    expect(prefix.last).toBeNull(); // line 1 is still out
    prefix.acknowledge(0, at(1));
    expect(prefix.last).toEqual(at(3));
    prefix.acknowledge(4, at(5));
    expect(prefix.last).toEqual(at(3));
    prefix.acknowledge(3, at(4));
    expect(prefix.last).toEqual(at(5));
  });

  it('stops for good at a line that will never be acknowledged (dead-lettered)', () => {
    const prefix = new AcknowledgedPrefix();
    prefix.acknowledge(0, at(1));
    prefix.end();
    prefix.acknowledge(1, at(2));
    expect(prefix.last).toEqual(at(1));
  });
});
