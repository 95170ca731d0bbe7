import { describe, expect, it } from 'vitest';
import * as main from '../src/index.js';
import * as testing from '../src/testing/index.js';
import { uniqueName } from '../src/testing/index.js';

const HARNESS = [
  'TEST_AWS_CONFIG_ENV',
  'TEST_DYNAMODB_ENV',
  'TEST_STACK_MODE_ENV',
  'seededRandom',
  'testAwsConfig',
  'uniqueName',
  'vitestGlobalSetup',
];

describe('the testing entry', () => {
  it('exports the harness, which the main entry does not', () => {
    expect(Object.keys(testing).sort()).toEqual(HARNESS);
    expect(Object.keys(main).filter((name) => HARNESS.includes(name))).toEqual([]);
  });
});

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
