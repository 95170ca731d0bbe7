import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { LIMITS, RECORD_TYPES } from './constants.js';
import { SchemaError, type RecordOrigin, type SchemaIssue } from './errors.js';
import { fastEnrichedOrderItem, fastOrder, fastOrderItem } from './fastValidate.js';
import {
  DmsRecordSchema,
  EnrichedOrderItemSchema,
  OrderItemSchema,
  OrderSchema,
  type DmsRecord,
  type SourceRecord,
} from './records.js';

/** Options of the decode functions. */
export interface DecodeOptions extends RecordOrigin {
  /** Largest accepted input in bytes; default {@link LIMITS.kinesisMaxRecordBytes} (1 MiB). */
  maxBytes?: number;
}

/** A decode outcome that does not throw: the value, or the typed error. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: SchemaError };

// `fatal: true` makes invalid UTF-8 an error instead of U+FFFD replacement characters.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8 bytes to text, rejecting invalid sequences with `KSE_UTF8_INVALID`.
 */
export function decodeUtf8(bytes: Uint8Array, origin: RecordOrigin = {}): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new SchemaError('KSE_UTF8_INVALID', 'bytes are not valid UTF-8', { ...origin, cause });
  }
}

/**
 * Parses one JSON value from UTF-8 bytes or text, with the size limit checked first.
 * Throws {@link SchemaError} with `KSE_RECORD_TOO_LARGE`, `KSE_UTF8_INVALID` or
 * `KSE_JSON_INVALID`. Used by {@link decodeRecord}; exported for callers that inspect a
 * record before choosing a schema (e.g. to add a missing `recordType`).
 */
export function parseJson(input: Uint8Array | string, options: DecodeOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? LIMITS.kinesisMaxRecordBytes;
  let text: string;
  if (typeof input === 'string') {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: only long strings need measuring.
    if (input.length * 3 > maxBytes) {
      const size = Buffer.byteLength(input, 'utf8');
      if (size > maxBytes) throw tooLarge(size, maxBytes, options);
    }
    text = input;
  } else {
    if (input.byteLength > maxBytes) throw tooLarge(input.byteLength, maxBytes, options);
    text = decodeUtf8(input, options);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SchemaError('KSE_JSON_INVALID', (cause as Error).message, { ...options, cause });
  }
}

function tooLarge(size: number, maxBytes: number, origin: RecordOrigin): SchemaError {
  return new SchemaError('KSE_RECORD_TOO_LARGE', `record is ${size} bytes; limit ${maxBytes}`, {
    source: origin.source,
    position: origin.position,
  });
}

// zod/mini leaves messages to a locale the application configures; kse's errors say them in
// English whatever the application chose (a per-parse error map, not a global setting).
const ENGLISH: z.core.ParseContext<z.core.$ZodIssue> = { error: en().localeError };

/**
 * Validates an already-parsed value against a zod schema (zod/mini's or zod's), returning
 * the typed value (unknown attributes stripped) or throwing `KSE_SCHEMA_INVALID` with every
 * issue, in English.
 */
export function validate<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  origin: RecordOrigin = {},
): z.output<S> {
  const fast = FAST_PATHS.get(schema);
  if (fast !== undefined && typeof value === 'object' && value !== null) {
    const valid = fast(value as Record<string, unknown>);
    if (valid !== undefined) return valid as z.output<S>;
  }
  const result = z.safeParse(schema, value, ENGLISH);
  if (result.success) return result.data;
  throw schemaInvalid(result.error, origin);
}

// Schemas with a cheap check of their common valid case (see fastValidate.ts): it accepts
// exactly what zod accepts, with the same output; only invalid values pay for zod.
const FAST_PATHS = new Map<z.core.$ZodType, (record: Record<string, unknown>) => unknown>([
  [OrderSchema, fastOrder],
  [OrderItemSchema, fastOrderItem],
  [EnrichedOrderItemSchema, fastEnrichedOrderItem],
]);

function schemaInvalid(error: z.core.$ZodError, origin: RecordOrigin): SchemaError {
  const issues: SchemaIssue[] = error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
    message: issue.message,
  }));
  const reason = issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ` : '') + issue.message)
    .join('; ');
  return new SchemaError('KSE_SCHEMA_INVALID', reason, { ...origin, issues, cause: error });
}

/**
 * Validates a parsed source-stream value: an AWS DMS envelope (it has `data` and
 * `metadata`), or an order or item chosen by `recordType`.
 */
export function validateSourceRecord(
  value: unknown,
  origin: RecordOrigin = {},
): SourceRecord | DmsRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SchemaError('KSE_SCHEMA_INVALID', 'record is not a JSON object', origin);
  }
  const record = value as Record<string, unknown>;
  if (record.metadata !== undefined && record.data !== undefined) {
    return validate(DmsRecordSchema, record, origin);
  }
  const recordType = record.recordType;
  if (recordType === 'Order') return fastOrder(record) ?? validate(OrderSchema, record, origin);
  if (recordType === 'OrderItem') {
    return fastOrderItem(record) ?? validate(OrderItemSchema, record, origin);
  }
  if (recordType === undefined) {
    throw new SchemaError('KSE_SCHEMA_INVALID', 'recordType: missing', {
      ...origin,
      issues: [{ path: ['recordType'], message: 'missing' }],
    });
  }
  throw new SchemaError(
    'KSE_RECORD_TYPE_UNKNOWN',
    `recordType ${JSON.stringify(recordType)} is not one of ${RECORD_TYPES.join(', ')}`,
    origin,
  );
}

/**
 * Decodes one source-stream record (UTF-8 bytes or text) into a typed {@link Order},
 * {@link OrderItem} or {@link DmsRecord}. Throws {@link SchemaError} for bad input:
 * `KSE_RECORD_TOO_LARGE`, `KSE_UTF8_INVALID`, `KSE_JSON_INVALID`,
 * `KSE_RECORD_TYPE_UNKNOWN` or `KSE_SCHEMA_INVALID`, naming the record's origin.
 *
 * @example
 * ```ts
 * import { decodeRecord, isDmsRecord } from '@kse/schemas';
 * const record = decodeRecord(kinesisRecord.data, { position: kinesisRecord.sequenceNumber });
 * if (!isDmsRecord(record) && record.recordType === 'Order') console.log(record.shipToName);
 * ```
 */
export function decodeRecord(
  input: Uint8Array | string,
  options: DecodeOptions = {},
): SourceRecord | DmsRecord {
  return validateSourceRecord(parseJson(input, options), options);
}

/** {@link decodeRecord} without throwing: `{ ok, value }` or `{ ok: false, error }`. */
export function safeDecodeRecord(
  input: Uint8Array | string,
  options: DecodeOptions = {},
): DecodeResult<SourceRecord | DmsRecord> {
  return attempt(() => decodeRecord(input, options));
}

/**
 * Builds a decoder for any schema of this package (e.g. {@link ProductSchema},
 * {@link EnrichedOrderItemSchema}) with the same checks and errors as
 * {@link decodeRecord}.
 *
 * @example
 * ```ts
 * const decodeProduct = createDecoder(ProductSchema);
 * const product = decodeProduct('{"productId":999900001,"productName":"Desk","productPrice":5}');
 * ```
 */
export function createDecoder<S extends z.core.$ZodType>(
  schema: S,
): (input: Uint8Array | string, options?: DecodeOptions) => z.output<S> {
  return (input, options = {}) => validate(schema, parseJson(input, options), options);
}

/** Runs a decode and captures a {@link SchemaError} as a result; rethrows anything else. */
export function attempt<T>(decode: () => T): DecodeResult<T> {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    if (error instanceof SchemaError) return { ok: false, error };
    throw error;
  }
}

/**
 * Encodes a value as one JSON record in UTF-8 bytes (no trailing newline).
 *
 * @example
 * ```ts
 * await kinesis.send(new PutRecordCommand({ Data: encodeRecord(order), PartitionKey: String(order.orderId), StreamName }));
 * ```
 */
export function encodeRecord(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
