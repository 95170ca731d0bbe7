import { LIMITS } from './constants.js';
import { SchemaError } from './errors.js';
import { validate } from './codec.js';
import {
  ENRICHED_FIELDS,
  EnrichedOrderItemSchema,
  type EnrichedField,
  type EnrichedOrderItem,
} from './records.js';

/**
 * The DynamoDB attribute values kse writes. Structurally compatible with the AWS SDK's
 * `AttributeValue`, so the maps below go straight into `BatchWriteItem` without a cast.
 */
export type KseAttributeValue = { S: string } | { N: string } | { NULL: true };

/**
 * An attribute value as read back from DynamoDB: any member of the SDK's `AttributeValue`
 * union is assignable to it (its other members declare `S?: never`, `N?: never`, …).
 */
export interface AttributeValueLike {
  S?: string;
  N?: string;
  NULL?: boolean;
}

/** The key of the `OrdersEnriched` table: partition `orderId` (N), sort `itemId` (N). */
export interface EnrichedOrderItemKey {
  orderId: { N: string };
  itemId: { N: string };
}

/** Key schema of the `OrdersEnriched` table, as data (for CreateTable and CDK). */
export const ENRICHED_TABLE_KEY = {
  partitionKey: { name: 'orderId', type: 'N' },
  sortKey: { name: 'itemId', type: 'N' },
} as const;

/** Fields whose values are numbers (`N`); `event_ts`, a number or a string, is not one. */
type NumberField = {
  [K in EnrichedField]-?: NonNullable<EnrichedOrderItem[K]> extends number ? K : never;
}[EnrichedField];
/** Fields whose values are strings (`S`); nullable `productName` is not one. */
type StringField = {
  [K in EnrichedField]-?: EnrichedOrderItem[K] extends string ? K : never;
}[EnrichedField];

/** The type a field's schema checks (`number`, `string`, `union`, …), optional or not. */
function schemaType(field: EnrichedField): string {
  const def = EnrichedOrderItemSchema.shape[field]._zod.def;
  return def.type === 'optional' ? def.innerType._zod.def.type : def.type;
}

// Which fields are written as N and which as S, read once from the schema, in wire order.
// `event_ts` (a number or an ISO string) and `productName` (nullable) have rules of their
// own in toDynamoItem.
const NUMBER_FIELDS = ENRICHED_FIELDS.filter(
  (field): field is NumberField => schemaType(field) === 'number',
);
const STRING_FIELDS = ENRICHED_FIELDS.filter(
  (field): field is StringField => schemaType(field) === 'string',
);

/**
 * Maps an enriched row to a DynamoDB item. Numbers are `N`; `event_ts` is `N` when it is a
 * number and `S` when it is an ISO string. **A null `productName` (unknown product) is
 * written as an absent attribute**, not `NULL`: it costs nothing, keeps a sparse index
 * on `productName` correct, and {@link fromDynamoItem} reads it back as `null`.
 * Throws `KSE_ITEM_TOO_LARGE` for an item over 400 KB.
 *
 * @example
 * ```ts
 * await ddb.send(new PutItemCommand({ TableName: 'OrdersEnriched', Item: toDynamoItem(row) }));
 * ```
 */
export function toDynamoItem(row: EnrichedOrderItem): Record<string, KseAttributeValue> {
  const item: Record<string, KseAttributeValue> = {};
  for (const field of NUMBER_FIELDS) {
    const value = row[field];
    if (value !== undefined) item[field] = { N: String(value) };
  }
  for (const field of STRING_FIELDS) item[field] = { S: row[field] };
  item.event_ts =
    typeof row.event_ts === 'number' ? { N: String(row.event_ts) } : { S: row.event_ts };
  if (row.productName !== null) item.productName = { S: row.productName };
  const size = dynamoItemSize(item);
  if (size > LIMITS.dynamoDbMaxItemBytes) {
    throw new SchemaError(
      'KSE_ITEM_TOO_LARGE',
      `item is ${size} bytes; limit ${LIMITS.dynamoDbMaxItemBytes}`,
      { position: `${row.orderId}/${row.itemId}` },
    );
  }
  return item;
}

/**
 * Maps a DynamoDB item back to an enriched row, validated; an absent or `NULL`
 * `productName` becomes `null`. Throws `KSE_ITEM_INVALID` for an item that is not one.
 */
export function fromDynamoItem(item: Record<string, AttributeValueLike>): EnrichedOrderItem {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value.N !== undefined) plain[name] = Number(value.N);
    else if (value.S !== undefined) plain[name] = value.S;
    else if (value.NULL === true) plain[name] = null;
    else {
      throw new SchemaError('KSE_ITEM_INVALID', `attribute ${name} has an unsupported type`, {
        position: keyText(item),
      });
    }
  }
  if (plain.productName === undefined) plain.productName = null;
  try {
    // No origin: the error below names the item (its key is only made when one is thrown).
    return validate(EnrichedOrderItemSchema, plain);
  } catch (cause) {
    const reason = cause instanceof SchemaError ? cause.reason : String(cause);
    throw new SchemaError('KSE_ITEM_INVALID', reason, {
      position: keyText(item),
      cause,
      issues: cause instanceof SchemaError ? cause.issues : [],
    });
  }
}

/** The `OrdersEnriched` key of a row: `{ orderId: { N }, itemId: { N } }`. */
export function enrichedItemKey(
  row: Pick<EnrichedOrderItem, 'orderId' | 'itemId'>,
): EnrichedOrderItemKey {
  return { orderId: { N: String(row.orderId) }, itemId: { N: String(row.itemId) } };
}

function keyText(item: Record<string, AttributeValueLike>): string {
  return `${item.orderId?.N ?? '?'}/${item.itemId?.N ?? '?'}`;
}

/**
 * The size DynamoDB charges for an item, per AWS's rules: UTF-8 length of every attribute
 * name plus its value (strings: UTF-8 length; numbers: about 1 byte per 2 significant
 * digits plus 1; NULL: 1 byte).
 */
export function dynamoItemSize(item: Record<string, AttributeValueLike>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name, 'utf8');
    if (value.S !== undefined) size += Buffer.byteLength(value.S, 'utf8');
    else if (value.N !== undefined) size += numberSize(value.N);
    else size += 1;
  }
  return size;
}

function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}
