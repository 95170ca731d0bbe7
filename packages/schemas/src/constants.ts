/**
 * Service limits that shape kse's batching and validation, kept as data so that every
 * package checks against the same numbers.
 *
 * @example
 * ```ts
 * import { LIMITS } from '@kse/schemas';
 * if (bytes.length > LIMITS.kinesisMaxRecordBytes) deadLetter(bytes);
 * ```
 */
export const LIMITS = {
  /** Largest data blob of one Kinesis record (1 MiB). */
  kinesisMaxRecordBytes: 1024 * 1024,
  /** Most entries in one Kinesis `PutRecords` request. */
  kinesisPutRecordsMaxEntries: 500,
  /** Largest `PutRecords` request, data plus partition keys (5 MiB). */
  kinesisPutRecordsMaxBytes: 5 * 1024 * 1024,
  /** Longest Kinesis partition key, in Unicode characters. */
  kinesisMaxPartitionKeyLength: 256,
  /** Largest DynamoDB item, attribute names plus values (400 KB). */
  dynamoDbMaxItemBytes: 400 * 1024,
  /** Most put/delete requests in one DynamoDB `BatchWriteItem` call. */
  dynamoDbBatchWriteMaxItems: 25,
  /** Largest DynamoDB `BatchWriteItem` request (16 MB). */
  dynamoDbBatchWriteMaxBytes: 16 * 1024 * 1024,
} as const;

/** Limits as a type, for options that accept a subset of them. */
export type Limits = typeof LIMITS;

/** First product id of generated data, as in the sample (`productId` of the first product). */
export const FIRST_PRODUCT_ID = 999_900_001;

/** First order id of generated data, as in the sample (`orderId` of the first order). */
export const FIRST_ORDER_ID = 10_000_001;

/** The two kinds of record carried on the source stream, by their `recordType`. */
export const RECORD_TYPES = ['Order', 'OrderItem'] as const;

/** A value of {@link RECORD_TYPES}. */
export type RecordType = (typeof RECORD_TYPES)[number];
