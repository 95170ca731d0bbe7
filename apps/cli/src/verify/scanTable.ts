import { paginateScan, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeValueLike } from '@kse/schemas';

/** Every item of a table, through the SDK's Scan paginator (optionally segmented). */
export async function* scanItems(
  dynamodb: DynamoDBClient,
  tableName: string,
  segments = 1,
): AsyncGenerator<Record<string, AttributeValueLike>> {
  if (segments <= 1) {
    for await (const page of paginateScan({ client: dynamodb }, { TableName: tableName })) {
      for (const item of page.Items ?? []) yield asItem(item);
    }
    return;
  }
  // Parallel segments, merged: each segment's pages are collected page by page.
  const iterators = Array.from({ length: segments }, (_, segment) =>
    paginateScan(
      { client: dynamodb },
      { TableName: tableName, Segment: segment, TotalSegments: segments },
    )[Symbol.asyncIterator](),
  );
  const pending = new Map(iterators.map((iterator, index) => [index, iterator.next()]));
  while (pending.size > 0) {
    const [index, result] = await Promise.race(
      [...pending].map(([index, promise]) => promise.then((result) => [index, result] as const)),
    );
    if (result.done === true) {
      pending.delete(index);
      continue;
    }
    pending.set(index, iterators[index]!.next());
    for (const item of result.value.Items ?? []) yield asItem(item);
  }
}

/**
 * The SDK's `AttributeValue` is a union of interfaces without an index signature, so it
 * does not type-check as `@kse/schemas`' `AttributeValueLike` although every value fits it.
 */
export function asItem(item: Record<string, AttributeValue>): Record<string, AttributeValueLike> {
  return item as unknown as Record<string, AttributeValueLike>;
}
