import {
  DmsRecordSchema,
  SchemaError,
  parseJson,
  validate,
  validateSourceRecord,
  type DmsRecord,
  type Order,
  type OrderItem,
  type RecordType,
} from '@kse/schemas';
import { invalidOption, type DeadLetter } from './errors.js';
import type { JoinInputRecord, RawInput, TimedRecord } from './types.js';

/**
 * Options of {@link preprocess} and {@link createPreprocessor}.
 *
 * @example
 * ```ts
 * const pre = createPreprocessor({ pruneAttributes: false, dmsTables: { orders: 'Order', order_lines: 'OrderItem' } });
 * ```
 */
export interface PreprocessOptions {
  /**
   * Add `recordType` when it is missing, judged by shape (`itemId` → `OrderItem`,
   * `shipToName` or `orderAmount` → `Order`). Default `true`.
   */
  inferRecordType?: boolean;
  /** Drop attributes that are not in the schema. Default `true`. */
  pruneAttributes?: boolean;
  /**
   * AWS DMS table name (as in `metadata.table-name`, case-insensitive) → record type.
   * Default `{ orders: 'Order', order_items: 'OrderItem' }`.
   */
  dmsTables?: Record<string, RecordType>;
  /** Largest accepted record in bytes. Default 1 MiB (a Kinesis record). */
  maxBytes?: number;
}

/**
 * Defaults of {@link PreprocessOptions}.
 *
 * @example
 * ```ts
 * createPreprocessor({ ...DEFAULT_PREPROCESS_OPTIONS, inferRecordType: false });
 * ```
 */
export const DEFAULT_PREPROCESS_OPTIONS = {
  inferRecordType: true,
  pruneAttributes: true,
  dmsTables: { orders: 'Order', order_items: 'OrderItem' },
} satisfies Partial<PreprocessOptions>;

/**
 * Counters of one preprocess call; `in = orders + items + deadLetters + skipped…`.
 *
 * @example
 * ```ts
 * const { counts } = pre(inputs); console.log(counts.in === counts.orders + counts.items + counts.deadLetters + counts.skippedDeletes + counts.skippedControl);
 * ```
 */
export interface PreprocessCounts {
  in: number;
  orders: number;
  items: number;
  deadLetters: number;
  /** DMS `delete` operations: counted and skipped (the join has no retraction). */
  skippedDeletes: number;
  /** DMS control records and DDL operations: counted and skipped. */
  skippedControl: number;
  /** Records whose `recordType` was added by shape. */
  recordTypeInferred: number;
  /** Records unwrapped from an AWS DMS envelope. */
  dmsUnwrapped: number;
}

/**
 * Result of {@link preprocess}.
 *
 * @example
 * ```ts
 * const { records, deadLetters, counts }: PreprocessResult = preprocess(inputs);
 * ```
 */
export interface PreprocessResult {
  /** Typed records, in input order. */
  records: TimedRecord[];
  deadLetters: DeadLetter[];
  counts: PreprocessCounts;
}

/**
 * A configured preprocess function (see {@link createPreprocessor}).
 *
 * @example
 * ```ts
 * const pre: Preprocessor = createPreprocessor(); const { records } = pre(inputs);
 * ```
 */
export type Preprocessor = (inputs: Iterable<RawInput>) => PreprocessResult;

// Shared, so that no origin object is allocated per record (dead letters carry the input's).
const NO_ORIGIN = Object.freeze({});
const ORDER_SHAPE_KEYS = ['shipToName', 'orderAmount', 'orderStatus'];
const NUMBER_FIELDS = new Set(['orderId', 'orderAmount', 'itemId', 'itemQuantity', 'itemAmount']);
const NAIVE_DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/**
 * Builds a preprocess function with fixed options: raw source records → typed
 * {@link TimedRecord}s and {@link DeadLetter}s. Adds a missing `recordType` by shape,
 * prunes attributes not in the schema, unwraps AWS DMS envelopes (table → record type,
 * snake_case columns → wire names, numeric strings → numbers, zone-less datetimes read as
 * UTC; `load`/`insert`/`update` pass, `delete` and control records are counted and
 * skipped). Undecodable input becomes a dead letter with the `@kse/schemas` error code.
 * Never throws for bad input.
 *
 * @example
 * ```ts
 * const pre = createPreprocessor({ dmsTables: { orders: 'Order', order_lines: 'OrderItem' } });
 * const { records, deadLetters, counts } = pre([{ data: bytes, arrivalTime: Date.now(), position: 1 }]);
 * ```
 */
export function createPreprocessor(options: PreprocessOptions = {}): Preprocessor {
  const settings = { ...DEFAULT_PREPROCESS_OPTIONS, ...options };
  const tables = new Map<string, RecordType>();
  for (const [table, type] of Object.entries(settings.dmsTables)) {
    if (type !== 'Order' && type !== 'OrderItem') {
      throw invalidOption(`dmsTables.${table}`, type, '"Order" or "OrderItem"');
    }
    tables.set(table.toLowerCase(), type);
  }
  if (settings.maxBytes !== undefined && !(settings.maxBytes > 0)) {
    throw invalidOption('maxBytes', settings.maxBytes, 'a positive number of bytes');
  }

  const parseOptions = settings.maxBytes === undefined ? {} : { maxBytes: settings.maxBytes };

  return (inputs) => {
    const records: TimedRecord[] = [];
    const deadLetters: DeadLetter[] = [];
    const counts: PreprocessCounts = {
      in: 0,
      orders: 0,
      items: 0,
      deadLetters: 0,
      skippedDeletes: 0,
      skippedControl: 0,
      recordTypeInferred: 0,
      dmsUnwrapped: 0,
    };
    for (const input of inputs) {
      counts.in += 1;
      try {
        // Origin is not passed down: dead letters take it from the input, so the hot path
        // allocates nothing per record but the typed record and its wrapper.
        const parsed = parseJson(input.data, parseOptions);
        let value: unknown = parsed;
        if (isObject(parsed) && parsed.metadata !== undefined && parsed.data !== undefined) {
          const dms = validate(DmsRecordSchema, parsed, NO_ORIGIN);
          const op = dms.metadata.operation;
          if (dms.metadata['record-type'] !== 'data') {
            counts.skippedControl += 1;
            continue;
          }
          if (op === 'delete') {
            counts.skippedDeletes += 1;
            continue;
          }
          if (op !== 'load' && op !== 'insert' && op !== 'update') {
            counts.skippedControl += 1;
            continue;
          }
          const type = tables.get(dms.metadata['table-name'].toLowerCase());
          if (type === undefined) {
            counts.deadLetters += 1;
            deadLetters.push({
              code: 'KSE_DMS_TABLE_UNKNOWN',
              reason: `DMS table ${JSON.stringify(dms.metadata['table-name'])} maps to no record type (known: ${[...tables.keys()].join(', ')})`,
              ...originOf(input),
              data: inputText(input.data),
            });
            continue;
          }
          value = unwrapDms(dms, type);
          counts.dmsUnwrapped += 1;
        } else if (
          settings.inferRecordType &&
          isObject(parsed) &&
          parsed.recordType === undefined
        ) {
          const type = inferType(parsed);
          if (type !== undefined) {
            // `parsed` is ours (just parsed): completed in place rather than copied.
            parsed.recordType = type;
            counts.recordTypeInferred += 1;
          }
        }
        const typed = validateSourceRecord(value, NO_ORIGIN) as JoinInputRecord;
        // Unpruned, the record is `value` itself (ours: parsed or unwrapped here): it is
        // valid, and validation changes no value it keeps, so no merged copy is needed.
        const record = settings.pruneAttributes ? typed : (value as JoinInputRecord);
        if (record.recordType === 'Order') counts.orders += 1;
        else counts.items += 1;
        // One object shape for every record (absent origin fields are undefined).
        records.push({
          record,
          arrivalTime: input.arrivalTime,
          position: input.position,
          source: input.source,
        });
      } catch (error) {
        if (!(error instanceof SchemaError)) throw error;
        counts.deadLetters += 1;
        deadLetters.push({
          code: error.code,
          reason: error.reason,
          ...originOf(input),
          data: inputText(input.data),
        });
      }
    }
    return { records, deadLetters, counts };
  };
}

/**
 * {@link createPreprocessor} for one call. Prefer `createPreprocessor` in a hot loop so the
 * options are checked once.
 *
 * @example
 * ```ts
 * const { records, deadLetters } = preprocess([{ data: '{"orderId":1,"itemId":2,…}', arrivalTime: 0 }]);
 * ```
 */
export function preprocess(
  inputs: Iterable<RawInput>,
  options: PreprocessOptions = {},
): PreprocessResult {
  return createPreprocessor(options)(inputs);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function inferType(value: Record<string, unknown>): RecordType | undefined {
  if (value.itemId !== undefined) return 'OrderItem';
  for (const key of ORDER_SHAPE_KEYS) if (value[key] !== undefined) return 'Order';
  return undefined;
}

function originOf(input: RawInput): { source?: string; position?: string | number } {
  const origin: { source?: string; position?: string | number } = {};
  if (input.source !== undefined) origin.source = input.source;
  if (input.position !== undefined) origin.position = input.position;
  return origin;
}

function inputText(data: Uint8Array | string): string {
  if (typeof data === 'string') return data;
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const text = buffer.toString('utf8');
  // Invalid UTF-8 would be mangled by toString: keep the exact bytes as base64.
  return Buffer.from(text, 'utf8').equals(buffer) ? text : `base64:${buffer.toString('base64')}`;
}

// Source-database column names whose camelCase is not the wire name (`order_datetime`,
// as @kse/generator and typical schemas spell it), plus all-lowercase spellings.
const COLUMN_ALIASES: Record<string, string> = {
  order_datetime: 'orderDateTime',
  orderdatetime: 'orderDateTime',
  orderid: 'orderId',
  orderamount: 'orderAmount',
  orderstatus: 'orderStatus',
  shiptoname: 'shipToName',
  shiptoaddress: 'shipToAddress',
  shiptocity: 'shipToCity',
  shiptostate: 'shipToState',
  shiptozip: 'shipToZip',
  itemid: 'itemId',
  itemquantity: 'itemQuantity',
  itemamount: 'itemAmount',
  itemstatus: 'itemStatus',
};

/** A source column name → the wire name: `ship_to_name` → `shipToName`. */
function wireName(column: string): string {
  const lower = column.toLowerCase();
  const alias = COLUMN_ALIASES[lower];
  if (alias !== undefined) return alias;
  if (!column.includes('_')) return column;
  return lower.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A DMS row → a wire-format record of `type` (columns renamed, types normalised). */
function unwrapDms(dms: DmsRecord, type: RecordType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(dms.data)) {
    const name = wireName(column);
    let value = raw;
    if (NUMBER_FIELDS.has(name) && typeof value === 'string' && value.trim() !== '') {
      const number = Number(value);
      if (Number.isFinite(number)) value = number;
    } else if (
      name === 'orderDateTime' &&
      typeof value === 'string' &&
      NAIVE_DATETIME.test(value)
    ) {
      // DMS writes source DATETIME columns without a zone; kse's wire format is UTC.
      value = `${value.replace(' ', 'T')}Z`;
    }
    out[name] = value;
  }
  out.recordType = type;
  return out;
}

/** Narrows a typed record. */
export function isOrder(record: JoinInputRecord): record is Order {
  return record.recordType === 'Order';
}

/** Narrows a typed record. */
export function isOrderItem(record: JoinInputRecord): record is OrderItem {
  return record.recordType === 'OrderItem';
}
