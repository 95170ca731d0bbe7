import type { Order, OrderItem, Product } from '@kse/schemas';
import { centsToAmount } from './money.js';
import {
  resolveGeneratorOptions,
  type GeneratorOptions,
  type ResolvedGeneratorOptions,
} from './options.js';
import { createRandom, type Random } from './random.js';
import {
  CITIES,
  FIRST_NAMES,
  LAST_NAMES,
  PRODUCT_ADJECTIVES,
  PRODUCT_MATERIALS,
  PRODUCT_NOUNS,
  STREET_NAMES,
  STREET_SUFFIXES,
  UNIT_PREFIXES,
} from './words.js';

/** A record of orders.json: an order, or one of its items (which follow it). */
export type OrderRecord = Order | OrderItem;

/** An iterable that is also async-iterable, so `for` and `for await` both work. */
export interface RecordIterable<T> extends Iterable<T>, AsyncIterable<T> {}

const PRICE_ENDINGS = [99, 99, 99, 95, 49, 0] as const;

function pick<T>(random: Random, list: readonly T[]): T {
  return list[random.int(list.length)]!;
}

/** Draws one product; the order of draws is part of the output's definition. */
function drawProduct(random: Random): { name: string; cents: number } {
  const adjective = pick(random, PRODUCT_ADJECTIVES);
  const material = pick(random, PRODUCT_MATERIALS);
  const [noun, min, max] = pick(random, PRODUCT_NOUNS);
  // Skewed towards the cheap end of the range, as real catalogues are.
  const u = random.next();
  const dollars = min + Math.floor(u * u * (max - min + 1));
  const endingDraw = random.int(PRICE_ENDINGS.length + 1);
  const ending = endingDraw < PRICE_ENDINGS.length ? PRICE_ENDINGS[endingDraw]! : random.int(100);
  return { name: `${adjective} ${material} ${noun}`, cents: dollars * 100 + ending };
}

function* productsOf(options: ResolvedGeneratorOptions): Generator<Product> {
  const random = createRandom(options.seed, 'products');
  for (let i = 0; i < options.products; i += 1) {
    const { name, cents } = drawProduct(random);
    yield {
      productId: options.productStartId + i,
      productName: name,
      productPrice: centsToAmount(cents),
    };
  }
}

/** The catalogue's prices in cents, by product index (what orders need of products). */
function priceTable(options: ResolvedGeneratorOptions): Int32Array {
  const random = createRandom(options.seed, 'products');
  const cents = new Int32Array(options.products);
  for (let i = 0; i < options.products; i += 1) cents[i] = drawProduct(random).cents;
  return cents;
}

/**
 * Draws `k` distinct indices in [0, n) with Floyd's algorithm: exactly k draws, whatever
 * k is relative to n (rejection sampling would stall when k is close to n).
 */
function distinctIndices(random: Random, n: number, k: number, into: number[]): void {
  into.length = 0;
  for (let j = n - k; j < n; j += 1) {
    const t = random.int(j + 1);
    into.push(into.includes(t) ? j : t);
  }
}

/**
 * One order's draws. The generator yields the same object for every order (no garbage);
 * {@link ordersOf} turns it into typed records and {@link orderLinesOf} into NDJSON lines.
 */
interface OrderDraw {
  orderId: number;
  orderDateTime: string;
  orderCents: number;
  shipToName: string;
  shipToAddress: string;
  shipToCity: string;
  shipToState: string;
  shipToZip: string;
  /** Product indices of the items, distinct. */
  picked: number[];
  /** Quantity of each item. */
  quantities: number[];
}

/** The order of draws below is part of the output's definition. */
function* orderDraws(options: ResolvedGeneratorOptions, prices: Int32Array): Generator<OrderDraw> {
  const random = createRandom(options.seed, 'orders');
  const { itemsPerOrder, maxItemQuantity, rate, startMs } = options;
  const draw: OrderDraw = {
    orderId: 0,
    orderDateTime: '',
    orderCents: 0,
    shipToName: '',
    shipToAddress: '',
    shipToCity: '',
    shipToState: '',
    shipToZip: '',
    picked: [],
    quantities: new Array<number>(itemsPerOrder).fill(1),
  };
  // toISOString once per second of event time, not once per order.
  let second = -1;
  let secondPrefix = '';
  for (let i = 0; i < options.orders; i += 1) {
    draw.orderId = options.orderStartId + i;
    const ms = startMs + Math.floor((i * 1000) / rate);
    const msOfSecond = ms % 1000;
    if (ms - msOfSecond !== second) {
      second = ms - msOfSecond;
      secondPrefix = new Date(second).toISOString().slice(0, 20);
    }
    draw.orderDateTime = `${secondPrefix}${msOfSecond < 10 ? '00' : msOfSecond < 100 ? '0' : ''}${msOfSecond}Z`;
    distinctIndices(random, prices.length, itemsPerOrder, draw.picked);
    let orderCents = 0;
    for (let k = 0; k < itemsPerOrder; k += 1) {
      const quantity = maxItemQuantity === 1 ? 1 : 1 + random.int(maxItemQuantity);
      draw.quantities[k] = quantity;
      orderCents += prices[draw.picked[k]!]! * quantity;
    }
    draw.orderCents = orderCents;
    const first = pick(random, FIRST_NAMES);
    const last = pick(random, LAST_NAMES);
    const number = 1 + random.int(9999);
    const street = pick(random, STREET_NAMES);
    const suffix = pick(random, STREET_SUFFIXES);
    const unitDraw = random.int(8);
    const unit = unitDraw === 0 ? ` ${pick(random, UNIT_PREFIXES)} ${1 + random.int(999)}` : '';
    const [city, state, firstZip, span] = pick(random, CITIES);
    draw.shipToName = `${first} ${last}`;
    draw.shipToAddress = `${number} ${street} ${suffix}${unit}`;
    draw.shipToCity = city;
    draw.shipToState = state;
    draw.shipToZip = String(firstZip + random.int(span)).padStart(5, '0');
    yield draw;
  }
}

function* ordersOf(options: ResolvedGeneratorOptions): Generator<OrderRecord> {
  const prices = priceTable(options);
  for (const draw of orderDraws(options, prices)) {
    const { orderId, orderDateTime } = draw;
    yield {
      orderId,
      orderAmount: centsToAmount(draw.orderCents),
      orderStatus: 'New',
      orderDateTime,
      shipToName: draw.shipToName,
      shipToAddress: draw.shipToAddress,
      shipToCity: draw.shipToCity,
      shipToState: draw.shipToState,
      shipToZip: draw.shipToZip,
      recordType: 'Order',
    };
    for (let k = 0; k < draw.picked.length; k += 1) {
      const index = draw.picked[k]!;
      const quantity = draw.quantities[k]!;
      yield {
        orderId,
        itemId: options.productStartId + index,
        itemQuantity: quantity,
        itemAmount: centsToAmount(prices[index]! * quantity),
        itemStatus: 'Ready',
        orderDateTime,
        recordType: 'OrderItem',
      };
    }
  }
}

// Every word list entry is plain text for JSON (no quote, backslash or control
// character), so the line writer below may put draws between quotes as they are. Checked
// once here rather than per line; a list that ever needs escaping takes the slow path.
const WORDS_ARE_JSON_SAFE = [
  FIRST_NAMES,
  LAST_NAMES,
  STREET_NAMES,
  STREET_SUFFIXES,
  UNIT_PREFIXES,
  CITIES.map(([city, state]) => `${city}${state}`),
].every((list) => list.every((word) => JSON.stringify(word) === `"${word}"`));

const quote = WORDS_ARE_JSON_SAFE
  ? (value: string): string => `"${value}"`
  : (value: string): string => JSON.stringify(value);

/**
 * The NDJSON lines of {@link ordersOf}, written straight from the draws: byte-identical
 * to `JSON.stringify` of each record (a test holds it to that), about twice as fast, and
 * with far less garbage. Fragments shared by an order's lines are built once per order,
 * and each product's id and price text once per run.
 */
export function* orderLinesOf(options: ResolvedGeneratorOptions): Generator<string> {
  const prices = priceTable(options);
  const itemHead: string[] = [];
  const unitAmount: string[] = [];
  for (let i = 0; i < prices.length; i += 1) {
    itemHead.push(`"itemId":${options.productStartId + i},"itemQuantity":`);
    unitAmount.push(String(centsToAmount(prices[i]!)));
  }
  for (const draw of orderDraws(options, prices)) {
    const head = `{"orderId":${draw.orderId},`;
    const time = `"orderDateTime":"${draw.orderDateTime}"`;
    yield (
      `${head}"orderAmount":${centsToAmount(draw.orderCents)},"orderStatus":"New",${time},` +
      `"shipToName":${quote(draw.shipToName)},"shipToAddress":${quote(draw.shipToAddress)},` +
      `"shipToCity":${quote(draw.shipToCity)},"shipToState":${quote(draw.shipToState)},` +
      `"shipToZip":"${draw.shipToZip}","recordType":"Order"}`
    );
    const tail = `,"itemStatus":"Ready",${time},"recordType":"OrderItem"}`;
    for (let k = 0; k < draw.picked.length; k += 1) {
      const index = draw.picked[k]!;
      const quantity = draw.quantities[k]!;
      const amount =
        quantity === 1 ? unitAmount[index]! : String(centsToAmount(prices[index]! * quantity));
      yield `${head}${itemHead[index]!}${quantity},"itemAmount":${amount}${tail}`;
    }
  }
}

function both<T>(make: () => Generator<T>): RecordIterable<T> {
  return {
    [Symbol.iterator]: make,
    async *[Symbol.asyncIterator]() {
      yield* make();
    },
  };
}

/**
 * The products of the catalogue, in id order, as typed records. Deterministic: the same
 * `seed`, `products` and `productStartId` give the same products (the order options do
 * not change them). Options are validated when called.
 *
 * @example
 * ```ts
 * for await (const product of generateProducts({ products: 3 })) console.log(product.productName);
 * ```
 */
export function generateProducts(options: Partial<GeneratorOptions> = {}): RecordIterable<Product> {
  const resolved = resolveGeneratorOptions({ ...options, orders: 0 });
  return both(() => productsOf(resolved));
}

/**
 * The orders, each followed by its items (distinct products of the catalogue that
 * {@link generateProducts} yields for the same options), as typed records.
 * `orderAmount` is the exact sum of `itemAmount`s, computed in integer cents.
 *
 * @example
 * ```ts
 * for await (const record of generateOrders({ orders: 2, seed: 'demo' })) {
 *   if (record.recordType === 'Order') console.log(record.orderId, record.orderAmount);
 * }
 * ```
 */
export function generateOrders(
  options: Partial<GeneratorOptions> = {},
): RecordIterable<OrderRecord> {
  const resolved = resolveGeneratorOptions(options);
  return both(() => ordersOf(resolved));
}
