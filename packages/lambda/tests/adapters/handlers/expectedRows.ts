// The rows an exact table must hold, derived from the source records with the plain
// relational join (items ⋈ orders on orderId, LEFT JOIN products), sharing no code with
// the streaming join; and the table's rows in the same shape, every enriched field.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  ENRICHED_FIELDS,
  fromDynamoItem,
  type EnrichedOrderItem,
  type Order,
  type OrderItem,
  type Product,
} from '@kse/schemas';

/** A row with every field of `ENRICHED_FIELDS`, in that order (absent ones `undefined`). */
export type FullRow = Record<(typeof ENRICHED_FIELDS)[number], unknown>;

function full(row: Partial<EnrichedOrderItem>): FullRow {
  return Object.fromEntries(ENRICHED_FIELDS.map((field) => [field, row[field]])) as FullRow;
}

function byKey(a: FullRow, b: FullRow): number {
  return (
    (a.orderId as number) - (b.orderId as number) || (a.itemId as number) - (b.itemId as number)
  );
}

/**
 * The arrival time (ms) of each record of a stream in Kinesis, by its data as text, read
 * back with GetRecords: the source of the rows' `*_arrival_ts` and `event_ts`.
 */
export async function arrivalTimes(
  kinesis: KinesisClient,
  streamName: string,
): Promise<Map<string, number>> {
  const arrivals = new Map<string, number>();
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const response = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const records = response.Records ?? [];
      for (const record of records) {
        const text = Buffer.from(record.Data ?? []).toString('utf8');
        if (arrivals.has(text)) throw new Error(`record on the stream twice: ${text}`);
        arrivals.set(text, record.ApproximateArrivalTimestamp!.getTime());
      }
      if (records.length === 0) break;
      iterator = response.NextShardIterator;
    }
  }
  return arrivals;
}

/** A source record and the data it was sent with. */
export interface SentRecord {
  record: Order | OrderItem;
  data: string;
}

/**
 * The expected rows of the join of `sent` (whose arrival times `arrivals` holds, by data),
 * sorted by key, every enriched field: `event_ts` is the later arrival of the pair, the
 * trace fields each record's arrival.
 */
export function expectedRows(
  sent: SentRecord[],
  products: Product[],
  arrivals: Map<string, number>,
): FullRow[] {
  const names = new Map(products.map((p) => [p.productId, p.productName]));
  const arrival = (data: string): number => {
    const at = arrivals.get(data);
    if (at === undefined) throw new Error(`no arrival time for ${data}`);
    return at;
  };
  const orders = new Map<number, { order: Order; arrival: number }>();
  for (const { record, data } of sent) {
    if (record.recordType === 'Order')
      orders.set(record.orderId, { order: record, arrival: arrival(data) });
  }
  const rows: FullRow[] = [];
  for (const { record: item, data } of sent) {
    if (item.recordType !== 'OrderItem') continue;
    const joined = orders.get(item.orderId);
    if (joined === undefined) continue;
    const { order, arrival: orderArrival } = joined;
    const itemArrival = arrival(data);
    rows.push(
      full({
        event_ts: Math.max(orderArrival, itemArrival),
        orderId: order.orderId,
        orderAmount: order.orderAmount,
        orderStatus: order.orderStatus,
        orderDateTime: order.orderDateTime,
        shipToName: order.shipToName,
        shipToAddress: order.shipToAddress,
        shipToCity: order.shipToCity,
        shipToState: order.shipToState,
        shipToZip: order.shipToZip,
        itemId: item.itemId,
        itemAmount: item.itemAmount,
        itemQuantity: item.itemQuantity,
        itemStatus: item.itemStatus,
        productName: names.get(item.itemId) ?? null,
        order_arrival_ts: orderArrival,
        item_arrival_ts: itemArrival,
      }),
    );
  }
  return rows.sort(byKey);
}

/** A table's items as rows (validated by `fromDynamoItem`), every enriched field, by key. */
export function tableRows(items: Record<string, AttributeValue>[]): FullRow[] {
  return items.map((item) => full(fromDynamoItem(item as never))).sort(byKey);
}

/** Rows as written by hand (the sink's input), every enriched field, by key. */
export function fullRows(rows: Partial<EnrichedOrderItem>[]): FullRow[] {
  return rows.map(full).sort(byKey);
}
