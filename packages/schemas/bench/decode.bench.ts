/**
 * Decode benchmark: 1,000,000 source records (orders and items, 1:2 as generated) decoded
 * by bare `JSON.parse` and by `decodeRecord`, in the same process, interleaved rounds.
 * Prints records/s for each and the time ratio (goal: decodeRecord ≤ 2× JSON.parse).
 *
 *   npx nx run @kse/schemas:bench            # 1,000,000 records
 *   KSE_BENCH_RECORDS=200000 npx nx run @kse/schemas:bench
 */
import { decodeRecord, FIRST_ORDER_ID, FIRST_PRODUCT_ID } from '../src/index.js';

const total = Number(process.env.KSE_BENCH_RECORDS ?? 1_000_000);
const rounds = 3;

// Records shaped like the generator's, built with a fixed-seed LCG (no dependency on
// @kse/generator, which depends on this package).
let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const names = ['Zoë Ångström', 'Ana Silva', 'James Smith', 'Wei Zhang 东京', 'Olivia Brown'];
const start = Date.parse('2026-01-01T00:00:00.000Z');
const lines: Buffer[] = [];
for (let order = 0; lines.length < total; order += 1) {
  const orderId = FIRST_ORDER_ID + order;
  const orderDateTime = new Date(start + order).toISOString();
  const prices = [1 + Math.floor(random() * 99_900) / 100, 1 + Math.floor(random() * 99_900) / 100];
  lines.push(
    Buffer.from(
      JSON.stringify({
        orderId,
        orderAmount: Math.round((prices[0]! + prices[1]!) * 100) / 100,
        orderStatus: 'New',
        orderDateTime,
        shipToName: names[order % names.length],
        shipToAddress: `${100 + (order % 900)} Main Street`,
        shipToCity: 'Seattle',
        shipToState: 'WA',
        shipToZip: String(98_000 + (order % 999)).padStart(5, '0'),
        recordType: 'Order',
      }),
    ),
  );
  for (const [index, price] of prices.entries()) {
    lines.push(
      Buffer.from(
        JSON.stringify({
          orderId,
          itemId: FIRST_PRODUCT_ID + ((order * 2 + index) % 1000),
          itemQuantity: 1,
          itemAmount: price,
          itemStatus: 'Ready',
          orderDateTime,
          recordType: 'OrderItem',
        }),
      ),
    );
  }
}
lines.length = total;
const bytes = lines.reduce((sum, line) => sum + line.length, 0);
const decoder = new TextDecoder();

function timeParse(): number {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  // The floor decodes UTF-8 too: bytes are what Kinesis hands over.
  for (const line of lines)
    sink += (JSON.parse(decoder.decode(line)) as { orderId: number }).orderId;
  if (sink === 0) throw new Error('unreachable');
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function timeDecode(): number {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < lines.length; i += 1) {
    sink += (decodeRecord(lines[i]!, { position: i }) as { orderId: number }).orderId;
  }
  if (sink === 0) throw new Error('unreachable');
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

timeParse();
timeDecode(); // warm-up
let parseBest = Infinity;
let decodeBest = Infinity;
for (let round = 0; round < rounds; round += 1) {
  parseBest = Math.min(parseBest, timeParse());
  decodeBest = Math.min(decodeBest, timeDecode());
}
const rate = (seconds: number): string => Math.round(total / seconds).toLocaleString('en-US');
console.log(
  `records: ${total.toLocaleString('en-US')} (${(bytes / 1e6).toFixed(1)} MB), best of ${rounds} rounds`,
);
console.log(
  `JSON.parse     ${rate(parseBest).padStart(12)} records/s  (${parseBest.toFixed(3)} s)`,
);
console.log(
  `decodeRecord   ${rate(decodeBest).padStart(12)} records/s  (${decodeBest.toFixed(3)} s)`,
);
console.log(
  `ratio decodeRecord / JSON.parse time: ${(decodeBest / parseBest).toFixed(2)}x (goal <= 2.00x)`,
);
