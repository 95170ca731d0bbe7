import { createHash } from 'node:crypto';
import { SchemaError } from './errors.js';

// The KPL's aggregated-record format: the wire format of a Kinesis record that packs many
// user records, shared by producers that aggregate (@kse/replay) and consumers that unpack
// (@kse/lambda's event decoding). Magic number, protobuf `AggregatedRecord`, MD5 trailer.

/** The four bytes that open a KPL-aggregated record. */
export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const MD5_BYTES = 16;

/** Bytes of an aggregate's fixed parts: the magic number and the MD5 trailer. */
export const KPL_OVERHEAD_BYTES = KPL_MAGIC.length + MD5_BYTES;

/** One user record packed inside a KPL-aggregated Kinesis record. */
export interface KplUserRecord {
  partitionKey: string;
  explicitHashKey?: string;
  data: Uint8Array;
}

/** True when `bytes` starts with the KPL magic number and is long enough to be one. */
export function isKplAggregated(bytes: Uint8Array): boolean {
  return (
    bytes.length >= KPL_MAGIC.length + MD5_BYTES &&
    bytes[0] === KPL_MAGIC[0] &&
    bytes[1] === KPL_MAGIC[1] &&
    bytes[2] === KPL_MAGIC[2] &&
    bytes[3] === KPL_MAGIC[3]
  );
}

/**
 * Unpacks a KPL-aggregated record (magic `F3 89 9A C2`, protobuf `AggregatedRecord`, MD5
 * of the protobuf) into its user records. Throws `KSE_KPL_INVALID` on a bad MD5
 * or malformed protobuf; call {@link isKplAggregated} first for bytes that may be plain.
 *
 * @example
 * ```ts
 * const users = isKplAggregated(bytes) ? deaggregate(bytes) : [{ partitionKey, data: bytes }];
 * ```
 */
export function deaggregate(bytes: Uint8Array): KplUserRecord[] {
  if (!isKplAggregated(bytes)) {
    throw new SchemaError('KSE_KPL_INVALID', 'record does not start with the KPL magic');
  }
  const body = bytes.subarray(KPL_MAGIC.length, bytes.length - MD5_BYTES);
  const trailer = bytes.subarray(bytes.length - MD5_BYTES);
  const digest = createHash('md5').update(body).digest();
  if (!digest.equals(trailer)) {
    throw new SchemaError('KSE_KPL_INVALID', 'MD5 trailer does not match the payload');
  }
  const partitionKeys: string[] = [];
  const hashKeys: string[] = [];
  const raw: { pk: number; ehk: number | undefined; data: Uint8Array }[] = [];
  const reader = new ProtoReader(body);
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === 2) partitionKeys.push(reader.string());
    else if (field === 2 && wire === 2) hashKeys.push(reader.string());
    else if (field === 3 && wire === 2) raw.push(readRecord(reader.bytes()));
    else reader.skip(wire);
  }
  return raw.map((record, index) => {
    const partitionKey = partitionKeys[record.pk];
    if (partitionKey === undefined) {
      throw new SchemaError(
        'KSE_KPL_INVALID',
        `user record ${index} names partition key index ${record.pk} of ${partitionKeys.length}`,
      );
    }
    const out: KplUserRecord = { partitionKey, data: record.data };
    if (record.ehk !== undefined) {
      const hashKey = hashKeys[record.ehk];
      if (hashKey === undefined) {
        throw new SchemaError(
          'KSE_KPL_INVALID',
          `user record ${index} names hash key index ${record.ehk} of ${hashKeys.length}`,
        );
      }
      out.explicitHashKey = hashKey;
    }
    return out;
  });
}

function readRecord(bytes: Uint8Array): { pk: number; ehk: number | undefined; data: Uint8Array } {
  const reader = new ProtoReader(bytes);
  let pk: number | undefined;
  let ehk: number | undefined;
  let data: Uint8Array | undefined;
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === 0) pk = reader.varint();
    else if (field === 2 && wire === 0) ehk = reader.varint();
    else if (field === 3 && wire === 2) data = reader.bytes();
    else reader.skip(wire); // tags (field 4) carry nothing Lambda passes on
  }
  if (pk === undefined || data === undefined) {
    throw new SchemaError('KSE_KPL_INVALID', 'user record lacks partition_key_index or data');
  }
  return { pk, ehk, data };
}

/**
 * Packs user records the way the KPL does (for tests, benchmarks and producers that
 * aggregate). The inverse of {@link deaggregate}.
 */
export function aggregate(records: readonly KplUserRecord[]): Uint8Array {
  const writer = new ProtoWriter();
  const pkIndex = new Map<string, number>();
  const ehkIndex = new Map<string, number>();
  for (const record of records) {
    if (!pkIndex.has(record.partitionKey)) {
      pkIndex.set(record.partitionKey, pkIndex.size);
      writer.string(1, record.partitionKey);
    }
    if (record.explicitHashKey !== undefined && !ehkIndex.has(record.explicitHashKey)) {
      ehkIndex.set(record.explicitHashKey, ehkIndex.size);
      writer.string(2, record.explicitHashKey);
    }
  }
  for (const record of records) {
    const inner = new ProtoWriter();
    inner.varintField(1, pkIndex.get(record.partitionKey) ?? 0);
    if (record.explicitHashKey !== undefined) {
      inner.varintField(2, ehkIndex.get(record.explicitHashKey) ?? 0);
    }
    inner.bytesField(3, record.data);
    writer.bytesField(3, inner.finish());
  }
  const body = writer.finish();
  const digest = createHash('md5').update(body).digest();
  return Buffer.concat([KPL_MAGIC, body, digest]);
}

/**
 * Bytes one entry of an aggregate's key table (a partition key or an explicit hash key)
 * takes: each distinct key is stored once per aggregate.
 */
export function kplKeySize(key: string): number {
  return lengthDelimitedSize(Buffer.byteLength(key, 'utf8'));
}

/**
 * Bytes one user record of `dataBytes` takes in an aggregate, given the indexes of its
 * keys in the key tables. With {@link KPL_OVERHEAD_BYTES} and {@link kplKeySize}, a
 * producer knows an aggregate's size before packing it: `aggregate(records).length` is
 * the overhead, plus each distinct key, plus each record.
 */
export function kplUserRecordSize(
  dataBytes: number,
  partitionKeyIndex = 0,
  explicitHashKeyIndex?: number,
): number {
  const inner =
    1 +
    varintSize(partitionKeyIndex) +
    (explicitHashKeyIndex === undefined ? 0 : 1 + varintSize(explicitHashKeyIndex)) +
    lengthDelimitedSize(dataBytes);
  return lengthDelimitedSize(inner);
}

// A length-delimited field (fields 1–15: a one-byte tag): tag, length, bytes.
function lengthDelimitedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 128)) size += 1;
  return size;
}

class ProtoReader {
  private offset = 0;
  constructor(private readonly buf: Uint8Array) {}

  done(): boolean {
    return this.offset >= this.buf.length;
  }

  tag(): { field: number; wire: number } {
    const key = this.varint();
    return { field: Math.floor(key / 8), wire: key % 8 };
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i += 1) {
      const byte = this.buf[this.offset];
      if (byte === undefined) throw malformed('truncated varint');
      this.offset += 1;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw malformed('varint too large');
        return result;
      }
      scale *= 128;
    }
    throw malformed('varint longer than 10 bytes');
  }

  bytes(): Uint8Array {
    const length = this.varint();
    const end = this.offset + length;
    if (end > this.buf.length) throw malformed('length-delimited field runs past the end');
    const out = this.buf.subarray(this.offset, end);
    this.offset = end;
    return out;
  }

  string(): string {
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes());
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.advance(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.advance(4);
    else throw malformed(`unsupported wire type ${wire}`);
  }

  private advance(count: number): void {
    if (this.offset + count > this.buf.length) throw malformed('fixed field runs past the end');
    this.offset += count;
  }
}

class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  varintField(field: number, value: number): void {
    this.varint(field * 8);
    this.varint(value);
  }

  bytesField(field: number, value: Uint8Array): void {
    this.varint(field * 8 + 2);
    this.varint(value.length);
    this.parts.push(value);
  }

  string(field: number, value: string): void {
    this.bytesField(field, Buffer.from(value, 'utf8'));
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }

  private varint(value: number): void {
    const out: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
      out.push((rest % 128) | 0x80);
      rest = Math.floor(rest / 128);
    }
    out.push(rest);
    this.parts.push(Uint8Array.from(out));
  }
}

function malformed(reason: string): SchemaError {
  return new SchemaError('KSE_KPL_INVALID', `malformed AggregatedRecord: ${reason}`);
}
