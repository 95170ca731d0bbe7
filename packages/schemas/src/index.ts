export { LIMITS, FIRST_ORDER_ID, FIRST_PRODUCT_ID, RECORD_TYPES } from './constants.js';
export type { Limits, RecordType } from './constants.js';

export { SCHEMA_ERROR_CODES, SchemaError, isSchemaError } from './errors.js';
export type { RecordOrigin, SchemaErrorCode, SchemaErrorOptions, SchemaIssue } from './errors.js';

export {
  ProductSchema,
  OrderSchema,
  OrderItemSchema,
  SourceRecordSchema,
  EnrichedOrderItemSchema,
  ENRICHED_FIELDS,
  ENRICHED_TRACE_FIELDS,
  DmsMetadataSchema,
  DmsRecordSchema,
  DMS_OPERATIONS,
  isDmsRecord,
} from './records.js';
export type {
  Product,
  Order,
  OrderItem,
  SourceRecord,
  EnrichedOrderItem,
  EnrichedField,
  DmsMetadata,
  DmsRecord,
} from './records.js';

export {
  attempt,
  createDecoder,
  decodeRecord,
  decodeUtf8,
  encodeRecord,
  parseJson,
  safeDecodeRecord,
  validate,
  validateSourceRecord,
} from './codec.js';
export type { DecodeOptions, DecodeResult } from './codec.js';

export { readNdjsonLines, toNdjson } from './ndjson.js';
export type { NdjsonLine, ReadNdjsonOptions } from './ndjson.js';

export {
  ENRICHED_TABLE_KEY,
  dynamoItemSize,
  enrichedItemKey,
  fromDynamoItem,
  toDynamoItem,
} from './dynamo.js';
export type { AttributeValueLike, EnrichedOrderItemKey, KseAttributeValue } from './dynamo.js';

export {
  KPL_MAGIC,
  KPL_OVERHEAD_BYTES,
  aggregate,
  deaggregate,
  isKplAggregated,
  kplKeySize,
  kplUserRecordSize,
} from './kpl.js';
export type { KplUserRecord } from './kpl.js';

export {
  DEAD_LETTER_KINESIS_MAX_BYTES,
  DEAD_LETTER_MAX_REASON_CHARS,
  deadLetterDataBytes,
  encodeDeadLetter,
} from './deadLetter.js';
export type { DeadLetterTruncation } from './deadLetter.js';
