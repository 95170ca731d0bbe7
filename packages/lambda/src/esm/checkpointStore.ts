import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  ScanCommand,
  type AttributeValue,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { sleep as defaultSleep, type Sleep } from '@kse/core';
import { LambdaError } from '../errors.js';

/** Checkpoint value of a shard whose every record was processed (KCL's `SHARD_END`). */
export const SHARD_END = 'SHARD_END';

/** One shard's lease as stored in the checkpoint table. */
export interface ShardLease {
  leaseKey: string;
  shardId: string;
  /** A sequence number, `TRIM_HORIZON`, `AT_TIMESTAMP:<ms>` or {@link SHARD_END}. */
  checkpoint: string;
  leaseOwner: string | undefined;
  leaseCounter: number;
  /** Until when (epoch ms) the owner holds it; after that any worker may take it. */
  leaseExpiry: number;
}

/** Options of {@link CheckpointStore}. */
export interface CheckpointStoreOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** Namespace of the lease keys, so that several mappings can share one table. */
  mappingName: string;
  /** Identifies this worker in `leaseOwner`. */
  workerId: string;
  /**
   * How long a lease (and a worker's presence) lasts without renewal, ms; default 30 s.
   * A lease is taken from another worker only once it has expired.
   */
  leaseDurationMs?: number;
  sleep?: Sleep;
  now?: () => number;
}

/** Default of {@link CheckpointStoreOptions.leaseDurationMs}. */
export const DEFAULT_LEASE_DURATION_MS = 30_000;

/**
 * A KCL-style lease and checkpoint table in DynamoDB: one item per shard (`leaseKey` =
 * `<mappingName>|<shardId>`) holding the last fully processed sequence number. Taking a
 * lease bumps `leaseCounter` with a conditional write; every checkpoint is conditional on
 * still owning the lease, so two workers never both advance one shard.
 */
export class CheckpointStore {
  private readonly owned = new Map<string, number>();
  private readonly now: () => number;
  private readonly leaseDurationMs: number;

  constructor(private readonly options: CheckpointStoreOptions) {
    this.now = options.now ?? Date.now;
    this.leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
  }

  /** Shards whose lease this worker holds. */
  ownedShards(): string[] {
    return [...this.owned.keys()];
  }

  /** Creates the table (`leaseKey` S, on-demand) when it does not exist; waits ACTIVE. */
  async ensureTable(): Promise<void> {
    const { dynamodb, tableName } = this.options;
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw awsFailed('CreateTable', error);
    }
    const sleep = this.options.sleep ?? defaultSleep;
    for (let i = 0; i < 600; i += 1) {
      try {
        const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === 'ACTIVE') return;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw awsFailed('DescribeTable', error);
      }
      await sleep(100);
    }
    throw new LambdaError('KSE_LAMBDA_AWS_FAILED', `table ${tableName} did not become ACTIVE`);
  }

  /** Reads a shard's lease (strongly consistent), or `undefined` when it has none. */
  async get(shardId: string): Promise<ShardLease | undefined> {
    const { Item } = await this.options.dynamodb
      .send(
        new GetItemCommand({
          TableName: this.options.tableName,
          Key: { leaseKey: { S: this.leaseKey(shardId) } },
          ConsistentRead: true,
        }),
      )
      .catch((error: unknown) => {
        throw awsFailed('GetItem', error);
      });
    if (!Item) return undefined;
    return {
      leaseKey: Item.leaseKey?.S ?? this.leaseKey(shardId),
      shardId,
      checkpoint: Item.checkpoint?.S ?? 'TRIM_HORIZON',
      leaseOwner: Item.leaseOwner?.S,
      leaseCounter: Number(Item.leaseCounter?.N ?? '0'),
      // A lease written before expiries existed has none: it counts as expired.
      leaseExpiry: Number(Item.leaseExpiry?.N ?? '0'),
    };
  }

  /**
   * Takes the lease of a shard for this worker, creating it with `initialCheckpoint` when
   * the shard has none, and returns it (with the checkpoint to resume from); `undefined`
   * when another worker holds it and it has not expired (the KCL's rule: a live lease is
   * never taken). The take is a conditional write on the lease counter it read.
   */
  async acquire(shardId: string, initialCheckpoint: () => string): Promise<ShardLease | undefined> {
    const { dynamodb, tableName, workerId } = this.options;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const existing = await this.get(shardId);
      const expiry = this.now() + this.leaseDurationMs;
      if (
        existing?.leaseOwner !== undefined &&
        existing.leaseOwner !== workerId &&
        existing.leaseExpiry > this.now()
      ) {
        return undefined;
      }
      try {
        if (!existing) {
          const checkpoint = initialCheckpoint();
          await dynamodb.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                leaseKey: { S: this.leaseKey(shardId) },
                shardId: { S: shardId },
                mappingName: { S: this.options.mappingName },
                checkpoint: { S: checkpoint },
                leaseOwner: { S: workerId },
                leaseCounter: { N: '1' },
                leaseExpiry: { N: String(expiry) },
                updatedAt: { S: new Date().toISOString() },
              },
              ConditionExpression: 'attribute_not_exists(leaseKey)',
            }),
          );
          this.owned.set(shardId, 1);
          return {
            leaseKey: this.leaseKey(shardId),
            shardId,
            checkpoint,
            leaseOwner: workerId,
            leaseCounter: 1,
            leaseExpiry: expiry,
          };
        }
        const counter = existing.leaseCounter + 1;
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { leaseKey: { S: this.leaseKey(shardId) } },
            UpdateExpression:
              'SET leaseOwner = :me, leaseCounter = :next, leaseExpiry = :expiry, updatedAt = :now',
            ConditionExpression: 'leaseCounter = :seen',
            ExpressionAttributeValues: {
              ':me': { S: workerId },
              ':next': { N: String(counter) },
              ':seen': { N: String(existing.leaseCounter) },
              ':expiry': { N: String(expiry) },
              ':now': { S: new Date().toISOString() },
            },
          }),
        );
        this.owned.set(shardId, counter);
        return { ...existing, leaseOwner: workerId, leaseCounter: counter, leaseExpiry: expiry };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) continue; // raced; read again
        throw awsFailed('PutItem/UpdateItem', error, shardId);
      }
    }
    throw new LambdaError('KSE_LAMBDA_LEASE_LOST', 'could not take the lease after 5 tries', {
      shardId,
    });
  }

  /**
   * Records `checkpoint` as the shard's last fully processed position, only while this
   * worker still owns the lease (else `KSE_LAMBDA_LEASE_LOST`).
   */
  async checkpoint(shardId: string, checkpoint: string): Promise<void> {
    await this.updateOwnedLease(shardId, 'SET checkpoint = :cp, updatedAt = :now', {
      ':cp': { S: checkpoint },
      ':now': { S: new Date().toISOString() },
    });
  }

  /**
   * Extends a lease this worker holds by the lease duration (a conditional write on owner
   * and counter); `KSE_LAMBDA_LEASE_LOST` when another worker has taken it.
   */
  async renew(shardId: string): Promise<void> {
    await this.updateOwnedLease(shardId, 'SET leaseExpiry = :expiry', {
      ':expiry': { N: String(this.now() + this.leaseDurationMs) },
    });
  }

  // Updates the lease item of a shard this worker holds, on condition that it still holds
  // it (owner and counter unchanged); a lease another worker took is dropped from `owned`
  // and reported as `KSE_LAMBDA_LEASE_LOST`.
  private async updateOwnedLease(
    shardId: string,
    updateExpression: string,
    values: Record<string, AttributeValue>,
  ): Promise<void> {
    const counter = this.owned.get(shardId);
    if (counter === undefined) {
      throw new LambdaError('KSE_LAMBDA_LEASE_LOST', 'this worker does not hold the lease', {
        shardId,
      });
    }
    try {
      await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { leaseKey: { S: this.leaseKey(shardId) } },
          UpdateExpression: updateExpression,
          ConditionExpression: 'leaseOwner = :me AND leaseCounter = :counter',
          ExpressionAttributeValues: {
            ...values,
            ':me': { S: this.options.workerId },
            ':counter': { N: String(counter) },
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        this.owned.delete(shardId);
        throw new LambdaError('KSE_LAMBDA_LEASE_LOST', 'another worker took the lease', {
          shardId,
          cause: error,
          retryable: false,
        });
      }
      throw awsFailed('UpdateItem', error, shardId);
    }
  }

  /**
   * Says that this worker is alive (an item `<mappingName>#worker#<workerId>` with an
   * expiry), and returns how many workers of the mapping are, this one included: the
   * mapping's shards are shared among them.
   */
  async heartbeat(): Promise<number> {
    const { dynamodb, tableName, mappingName, workerId } = this.options;
    const now = this.now();
    await dynamodb
      .send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            leaseKey: { S: `${mappingName}#worker#${workerId}` },
            mappingName: { S: mappingName },
            workerId: { S: workerId },
            workerExpiry: { N: String(now + this.leaseDurationMs) },
          },
        }),
      )
      .catch((error: unknown) => {
        throw awsFailed('PutItem', error);
      });
    let live = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb
        .send(
          new ScanCommand({
            TableName: tableName,
            ConsistentRead: true,
            FilterExpression: 'mappingName = :m AND workerExpiry > :now',
            ExpressionAttributeValues: { ':m': { S: mappingName }, ':now': { N: String(now) } },
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        )
        .catch((error: unknown) => {
          throw awsFailed('Scan', error);
        });
      live += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return Math.max(1, live);
  }

  /** Removes this worker's presence (best effort), at stop. */
  async leave(): Promise<void> {
    const { dynamodb, tableName, mappingName, workerId } = this.options;
    await dynamodb
      .send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: { leaseKey: { S: `${mappingName}#worker#${workerId}` } },
        }),
      )
      .catch(() => undefined);
  }

  /** Gives a lease up (best effort) so that another worker can take it at once. */
  async release(shardId: string): Promise<void> {
    const counter = this.owned.get(shardId);
    if (counter === undefined) return;
    this.owned.delete(shardId);
    await this.options.dynamodb
      .send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { leaseKey: { S: this.leaseKey(shardId) } },
          UpdateExpression: 'REMOVE leaseOwner, leaseExpiry',
          ConditionExpression: 'leaseOwner = :me AND leaseCounter = :counter',
          ExpressionAttributeValues: {
            ':me': { S: this.options.workerId },
            ':counter': { N: String(counter) },
          },
        }),
      )
      .catch(() => undefined);
  }

  leaseKey(shardId: string): string {
    return `${this.options.mappingName}|${shardId}`;
  }
}

function awsFailed(operation: string, error: unknown, shardId?: string): LambdaError {
  return new LambdaError('KSE_LAMBDA_AWS_FAILED', `${operation}: ${(error as Error).message}`, {
    cause: error,
    ...(shardId === undefined ? {} : { shardId }),
  });
}
