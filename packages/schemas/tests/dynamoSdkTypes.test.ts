import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { fromDynamoItem, toDynamoItem } from '../src/index.js';
import { enriched } from './fixtures.js';

describe('DynamoDB mapping with the AWS SDK types', () => {
  it('takes an SDK item (Record<string, AttributeValue>) without a cast, and gives one back', () => {
    const written: Record<string, AttributeValue> = toDynamoItem(enriched);
    const scanned: Record<string, AttributeValue> = { ...written };
    expect(fromDynamoItem(scanned)).toEqual(enriched);
  });
});
