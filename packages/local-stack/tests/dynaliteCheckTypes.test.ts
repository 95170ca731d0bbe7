import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTypes } from '../src/emulators/speedups/dynaliteCheckTypes.js';

const requireHere = createRequire(import.meta.url);
type Types = Parameters<typeof checkTypes>[1];
type Spec = Types[string];

// dynalite's own checkTypes, whatever the speedups do to the module object later.
const original = (requireHere('dynalite/validations') as { checkTypes: typeof checkTypes })
  .checkTypes;
const validationsDir = dirname(requireHere.resolve('dynalite/validations'));
/** Every action's request types, as dynalite's server checks them. */
const ACTION_TYPES: [string, Types][] = readdirSync(validationsDir)
  .filter((file) => file.endsWith('.js') && file !== 'index.js')
  .map((file) => [
    file.replace(/\.js$/, ''),
    (requireHere(`${validationsDir}/${file}`) as { types: Types }).types,
  ]);

const SEED = 20_251_128;

/** The value returned (and the input as it was left), or the error thrown. */
function outcome(run: (data: unknown) => unknown, input: unknown): unknown {
  const data = structuredClone(input);
  try {
    return { value: run(data), input: data };
  } catch (error) {
    const { message, name, statusCode, body } = error as Error & {
      statusCode?: number;
      body?: unknown;
    };
    return { error: { name, message, statusCode, body }, input: data };
  }
}

const junk = fc.jsonValue({ maxDepth: 2 });
const keyName = fc.oneof(
  fc.constantFrom(
    'S',
    'N',
    'B',
    'BOOL',
    'NULL',
    'SS',
    'NS',
    'BS',
    'L',
    'M',
    'x',
    'toString',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 4 }),
);
const base64 = fc
  .uint8Array({ maxLength: 8 })
  .map((bytes) => Buffer.from(bytes).toString('base64'));
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1.5, -3),
);

/** Values shaped like `spec` (down to `depth`), with some junk in their place. */
function valueFor(spec: Spec, depth: number): fc.Arbitrary<unknown> {
  let children = typeof spec == 'string' ? undefined : spec.children;
  if (typeof children == 'string') children = { type: children };
  const name = typeof spec == 'string' ? spec : spec.type!;
  const match = name.match(/(.+?)<(.+)>$/);
  const type = match ? match[1]! : name;
  const subtype = match ? match[2]! : undefined;
  const shaped = (): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'AttrStruct':
        return fc.oneof(
          fc.record({ S: fc.string({ maxLength: 6 }) }),
          fc.record({ N: fc.oneof(fc.string({ maxLength: 6 }), number.map(String)) }),
          depth <= 0
            ? fc.record({ S: junk })
            : valueFor(
                {
                  type: `${subtype}<AttributeValue>`,
                  children: {
                    S: 'String',
                    B: 'Blob',
                    N: 'String',
                    BOOL: 'Boolean',
                    NULL: 'Boolean',
                    BS: { type: 'List', children: 'Blob' },
                    NS: { type: 'List', children: 'String' },
                    SS: { type: 'List', children: 'String' },
                    L: { type: 'List', children: 'AttrStruct<ValueStruct>' },
                    M: { type: 'Map<AttributeValue>', children: 'AttrStruct<ValueStruct>' },
                  },
                },
                depth - 1,
              ),
        );
      case 'Boolean':
        return fc.oneof(
          fc.boolean(),
          fc.constantFrom('true', 'FALSE', '1', '0', 'yes', 'No', 'maybe'),
          number,
        );
      case 'Short':
      case 'Integer':
      case 'Long':
      case 'Double':
        return fc.oneof(number, fc.boolean(), fc.string({ maxLength: 3 }));
      case 'String':
        return fc.oneof(fc.string({ maxLength: 8 }), number, fc.boolean());
      case 'Blob':
        return fc.oneof(base64, fc.string({ maxLength: 6 }), number);
      case 'List':
      case 'ParameterizedList':
        return depth <= 0
          ? fc.constant([])
          : fc.array(valueFor(children as Spec, depth - 1), { maxLength: 3 });
      case 'Map':
      case 'ParameterizedMap':
        return depth <= 0
          ? fc.constant({})
          : fc.dictionary(keyName, valueFor(children as Spec, depth - 1), { maxKeys: 3 });
      case 'ValueStruct':
      case 'FieldStruct':
        return depth <= 0 ? fc.constant({}) : struct(children as Types, depth - 1);
      default:
        throw new Error(`type ${type} not covered by the test`);
    }
  };
  return fc.oneof(
    { weight: 8, arbitrary: shaped() },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined, [], {}, 'x', 1, true) },
  );
}

/** A structure of `types`: some of its members, and now and then one it does not have. */
function struct(types: Types, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const members = Object.fromEntries(
    Object.entries(types).map(([key, spec]) => [key, valueFor(spec, depth)]),
  );
  return fc
    .tuple(
      fc.record(members, { requiredKeys: [] }),
      fc.dictionary(keyName, junk, { maxKeys: 2 }),
      fc.boolean(),
    )
    .map(([known, extra, withExtra]) => (withExtra ? { ...extra, ...known } : known));
}

describe('dynalite checkTypes (fast copy)', () => {
  it('matches the original (result, error, what is left of the input) for random requests of every action', () => {
    expect(ACTION_TYPES.map(([name]) => name)).toContain('batchWriteItem');
    for (const [, types] of ACTION_TYPES) {
      fc.assert(
        fc.property(fc.oneof({ weight: 9, arbitrary: struct(types, 5) }, junk), (input) => {
          expect(outcome((data) => checkTypes(data as never, types), input)).toEqual(
            outcome((data) => original(data as never, types), input),
          );
        }),
        { seed: SEED, numRuns: 300 },
      );
    }
  });

  it('matches the original for BatchWriteItem requests of plain S/N items (the fast path)', () => {
    const types = ACTION_TYPES.find(([name]) => name === 'batchWriteItem')![1];
    const item = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.oneof(
        fc.record({ S: fc.string({ maxLength: 10 }) }),
        fc.record({ N: number.map(String) }),
        fc.record({ NULL: fc.constant(true) }),
      ),
      { minKeys: 1, maxKeys: 17 },
    );
    const request = fc.record(
      {
        RequestItems: fc.dictionary(
          fc.constantFrom('OrdersEnriched', 'Other'),
          fc.array(fc.record({ PutRequest: fc.record({ Item: item }) }), {
            minLength: 1,
            maxLength: 25,
          }),
        ),
        ReturnConsumedCapacity: fc.constantFrom('NONE', 'TOTAL'),
      },
      { requiredKeys: ['RequestItems'] },
    );
    fc.assert(
      fc.property(request, (input) => {
        const fast = outcome((data) => checkTypes(data as never, types), input);
        expect(fast).toEqual(outcome((data) => original(data as never, types), input));
        expect(fast).toHaveProperty('value.RequestItems');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('answers attribute values that only look plain (inherited or extra keys) as the original', () => {
    const types = ACTION_TYPES.find(([name]) => name === 'putItem')![1];
    const inherited = Object.create({ S: 'from prototype' }) as Record<string, unknown>;
    const withExtra = { S: 'a', extra: 1 };
    const nullS = { S: null, N: '1' };
    const numberS = { S: 5 };
    for (const value of [inherited, withExtra, nullS, numberS, ['S'], 'S']) {
      const run = (check: typeof checkTypes) => {
        // structuredClone drops the prototype: hand both the same-shaped fresh objects.
        const data = {
          TableName: 'Orders',
          Item: { a: value === inherited ? inherited : structuredClone(value) },
        };
        try {
          return { value: check(data as never, types), input: data };
        } catch (error) {
          return { error: (error as Error).message, input: data };
        }
      };
      expect(run(checkTypes)).toEqual(run(original));
    }
  });
});
