import { paginateScan, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeValueLike } from '@kse/schemas';

type Item = Record<string, AttributeValueLike>;

/**
 * Every item of a table, a page at a time (one step per page, not per item), through the
 * SDK's Scan paginator; with `segments` > 1, that many segments scanned in parallel and
 * their pages merged as they come.
 */
export async function* scanPages(
  dynamodb: DynamoDBClient,
  tableName: string,
  segments = 1,
): AsyncGenerator<readonly Item[]> {
  if (segments <= 1) {
    for await (const page of paginateScan({ client: dynamodb }, { TableName: tableName })) {
      yield asItems(page.Items ?? []);
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
    yield asItems(result.value.Items ?? []);
  }
}

/**
 * The SDK's `AttributeValue` is a union of interfaces without an index signature, so it
 * does not type-check as `@kse/schemas`' `AttributeValueLike` although every value fits it.
 */
export function asItem(item: Record<string, AttributeValue>): Item {
  return item as unknown as Item;
}

function asItems(items: Record<string, AttributeValue>[]): readonly Item[] {
  return items as unknown as readonly Item[];
}
