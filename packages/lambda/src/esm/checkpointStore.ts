import {
  ConditionalCheckFailedException,
  CreateTableCommand,
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
}

/** Options of {@link CheckpointStore}. */
export interface CheckpointStoreOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** Namespace of the lease keys, so that several mappings can share one table. */
  mappingName: string;
  /** Identifies this worker in `leaseOwner`. */
  workerId: string;
  sleep?: Sleep;
}

/**
 * A KCL-style lease and checkpoint table in DynamoDB: one item per shard (`leaseKey` =
 * `<mappingName>|<shardId>`) holding the last fully processed sequence number. Taking a
 * lease bumps `leaseCounter` with a conditional write; every checkpoint is conditional on
 * still owning the lease, so two workers never both advance one shard.
 */
export class CheckpointStore {
  private readonly owned = new Map<string, number>();

  constructor(private readonly options: CheckpointStoreOptions) {}

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
    };
  }

  /**
   * Takes the lease of a shard for this worker, creating it with `initialCheckpoint` when
   * the shard has none, and returns it (with the checkpoint to resume from).
   */
  async acquire(shardId: string, initialCheckpoint: () => string): Promise<ShardLease> {
    const { dynamodb, tableName, workerId } = this.options;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const existing = await this.get(shardId);
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
          };
        }
        const counter = existing.leaseCounter + 1;
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { leaseKey: { S: this.leaseKey(shardId) } },
            UpdateExpression: 'SET leaseOwner = :me, leaseCounter = :next, updatedAt = :now',
            ConditionExpression: 'leaseCounter = :seen',
            ExpressionAttributeValues: {
              ':me': { S: workerId },
              ':next': { N: String(counter) },
              ':seen': { N: String(existing.leaseCounter) },
              ':now': { S: new Date().toISOString() },
            },
          }),
        );
        this.owned.set(shardId, counter);
        return { ...existing, leaseOwner: workerId, leaseCounter: counter };
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
          UpdateExpression: 'SET checkpoint = :cp, updatedAt = :now',
          ConditionExpression: 'leaseOwner = :me AND leaseCounter = :counter',
          ExpressionAttributeValues: {
            ':cp': { S: checkpoint },
            ':me': { S: this.options.workerId },
            ':counter': { N: String(counter) },
            ':now': { S: new Date().toISOString() },
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
          UpdateExpression: 'REMOVE leaseOwner',
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
