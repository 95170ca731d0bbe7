import type {
  AttributeValue,
  BatchGetItemCommandOutput,
  DynamoDBClient,
  KeysAndAttributes,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { Backoff, sleep, type Sleep } from '@kse/core';
import { loadDynamoDb } from './sdk.js';
import { EnrichError, invalidOption } from './errors.js';
import type {
  JoinKeyState,
  JoinStateCommit,
  JoinStateCommitResult,
  JoinStateSnapshot,
  JoinStateStore,
} from './joinState.js';

/**
 * Layout of the join state table, as data (for CreateTable and infrastructure code):
 * partition key `pk` (S) = `<scope>#<orderId>`; attributes `scope` (S), `exp` (N, the
 * state's `expiresAt`), `ttl` (N, epoch seconds: the last write + `ttlMs`, DynamoDB TTL
 * for garbage collection only — see {@link minimumJoinStateTtlMs}), `v` (N, changes on
 * every write), `state` (S, JSON); a global secondary index `byExpiry` (`scope`, `exp`,
 * keys only) finds expiring states without a scan. One `<scope>#meta` item holds the
 * scope's meta (`maxTime`, `maxArrival`, `checkpoint`, `adopted`).
 *
 * @example
 * ```ts
 * new CfnTable(this, 'JoinState', { keySchema: [{ attributeName: JOIN_STATE_TABLE.partitionKey, keyType: 'HASH' }], … });
 * ```
 */
export const JOIN_STATE_TABLE = {
  partitionKey: 'pk',
  ttlAttribute: 'ttl',
  expiryIndex: { name: 'byExpiry', partitionKey: 'scope', sortKey: 'exp' },
} as const;

/**
 * Options of {@link DynamoDbJoinStore}.
 *
 * @example
 * ```ts
 * new DynamoDbJoinStore({ client, tableName: 'KseJoinState', scope: 'shardId-000000000001' });
 * ```
 */
export interface DynamoDbJoinStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /**
   * Separates the state of independent joins in one table; use the shard id (the join
   * runs per shard). Default `"default"`.
   */
  scope?: string;
  /**
   * How long after its last write a key may be deleted by DynamoDB TTL (the `ttl`
   * attribute, wall clock). TTL is a last resort, never the way an unmatched record goes:
   * keep it above {@link minimumJoinStateTtlMs} of the deployment. Default 1 day.
   */
  ttlMs?: number;
  /** Wall clock for the `ttl` attribute, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** Re-sends of unprocessed keys/items before failing. Default 8. */
  maxRetries?: number;
  /** Backoff base / cap in ms. Defaults 50 / 2,000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Most states returned by one `expiring` call (the rest come next time). Default 10,000. */
  maxExpiringPerCall?: number;
  /** Waits between re-sends; injected for tests. Default: `sleep` of `@kse/core`. */
  sleep?: Sleep;
  /** Random source of the backoff jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/**
 * Defaults of {@link DynamoDbJoinStoreOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_DYNAMODB_JOIN_STORE_OPTIONS.ttlMs; // one day
 * ```
 */
export const DEFAULT_DYNAMODB_JOIN_STORE_OPTIONS = {
  scope: 'default',
  ttlMs: 86_400_000,
  maxRetries: 8,
  baseDelayMs: 50,
  maxDelayMs: 2_000,
  maxExpiringPerCall: 10_000,
} satisfies Partial<DynamoDbJoinStoreOptions>;

interface StoredState {
  o: JoinKeyState['order'] | null;
  i: JoinKeyState['items'];
}

/**
 * Join state in one DynamoDB table, so that it survives between Lambda invocations:
 * batched reads (`BatchGetItem`, consistent, ≤ 100 keys per call) and writes
 * (`BatchWriteItem`, ≤ 25 per call), unprocessed keys and items re-sent with full-jitter
 * backoff. Expiring states are found with a `Query` on the `byExpiry` index, then re-read
 * consistently, so correctness never depends on TTL (which only collects garbage, and
 * which local emulators do not run). One writer per `scope` at a time (Lambda runs one
 * batch per shard at a time). Create the table with {@link ensureJoinStateTable}.
 *
 * @example
 * ```ts
 * const store = new DynamoDbJoinStore({ client: new DynamoDBClient({}), tableName: 'KseJoinState', scope: shardId });
 * const join = new IntervalJoin({ store, products });
 * ```
 */
export class DynamoDbJoinStore implements JoinStateStore {
  private readonly s: Required<DynamoDbJoinStoreOptions>;

  constructor(options: DynamoDbJoinStoreOptions) {
    this.s = {
      ...DEFAULT_DYNAMODB_JOIN_STORE_OPTIONS,
      sleep,
      random: Math.random,
      clock: Date.now,
      ...options,
    };
    if (typeof this.s.tableName !== 'string' || this.s.tableName === '') {
      throw invalidOption('tableName', this.s.tableName, 'a table name');
    }
    if (!(Number.isInteger(this.s.maxRetries) && this.s.maxRetries >= 0)) {
      throw invalidOption('maxRetries', this.s.maxRetries, 'an integer ≥ 0');
    }
    for (const option of ['baseDelayMs', 'maxDelayMs'] as const) {
      if (!(Number.isFinite(this.s[option]) && this.s[option] >= 0)) {
        throw invalidOption(option, this.s[option], 'a finite number of ms ≥ 0');
      }
    }
    if (this.s.scope === '' || this.s.scope.includes('#')) {
      throw invalidOption('scope', this.s.scope, 'a non-empty string without "#"');
    }
    if (!(this.s.ttlMs > 0)) throw invalidOption('ttlMs', this.s.ttlMs, 'a positive number of ms');
  }

  /** The scope this store reads and writes. */
  get scope(): string {
    return this.s.scope;
  }

  async get(orderIds: readonly number[]): Promise<JoinStateSnapshot> {
    const keys = [...new Set(orderIds)].map((id) => this.pk(id));
    keys.push(this.metaPk());
    const items = await this.batchGet(keys);
    const snapshot: JoinStateSnapshot = { states: new Map(), maxTime: undefined };
    for (const item of items) {
      if (item.pk?.S === this.metaPk()) {
        if (item.maxTime?.N !== undefined) snapshot.maxTime = Number(item.maxTime.N);
        if (item.maxArrival?.N !== undefined) snapshot.maxArrival = Number(item.maxArrival.N);
        if (item.checkpoint?.S !== undefined) snapshot.checkpoint = item.checkpoint.S;
        if (item.adopted?.BOOL !== undefined) snapshot.adopted = item.adopted.BOOL;
        continue;
      }
      const state = this.decode(item);
      if (state !== undefined) snapshot.states.set(state.orderId, state);
    }
    return snapshot;
  }

  async expiring(watermark: number): Promise<JoinKeyState[]> {
    return this.below(watermark, this.s.maxExpiringPerCall);
  }

  /**
   * Every state of the scope (for a reshard's take-over), found through the `byExpiry`
   * index and re-read consistently.
   */
  async all(): Promise<JoinKeyState[]> {
    return this.below(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  }

  private async below(watermark: number, limit: number): Promise<JoinKeyState[]> {
    const below = Number.isFinite(watermark) ? watermark : Number.MAX_SAFE_INTEGER;
    const sdk = await loadDynamoDb();
    const keys: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const response = await this.call('Query', () =>
        this.s.client.send(
          new sdk.QueryCommand({
            TableName: this.s.tableName,
            IndexName: JOIN_STATE_TABLE.expiryIndex.name,
            KeyConditionExpression: '#s = :s AND #e < :w',
            ExpressionAttributeNames: { '#s': 'scope', '#e': 'exp' },
            ExpressionAttributeValues: { ':s': { S: this.s.scope }, ':w': { N: String(below) } },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of response.Items ?? []) if (item.pk?.S !== undefined) keys.push(item.pk.S);
      startKey = response.LastEvaluatedKey;
    } while (startKey !== undefined && keys.length < limit);
    // The index is eventually consistent: re-read and re-check.
    const out: JoinKeyState[] = [];
    for (const item of await this.batchGet(keys.slice(0, limit))) {
      const state = this.decode(item);
      if (state !== undefined && state.expiresAt < below) out.push(state);
    }
    return out;
  }

  async commit(change: JoinStateCommit): Promise<JoinStateCommitResult> {
    if (change.ifUnchanged === true) return this.commitIfUnchanged(change);
    const requests: WriteRequest[] = [];
    for (const id of change.delete)
      requests.push({ DeleteRequest: { Key: { pk: { S: this.pk(id) } } } });
    for (const state of change.put) requests.push({ PutRequest: { Item: this.encode(state) } });
    const chunks: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next]!;
        next += 1;
        await this.batchWrite(chunk);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, chunks.length) }, worker));
    // The meta goes last, once every key is written: a commit cut short leaves the
    // watermark where it was, and the retried batch writes the keys again.
    const meta = this.encodeMeta(change);
    if (meta !== undefined) await this.batchWrite([{ PutRequest: { Item: meta } }]);
    return { conflicts: [] };
  }

  /**
   * Writes each key only if its version is still the one read (one conditional call per
   * key: a sweeper's commits are small); leaves the meta alone.
   */
  private async commitIfUnchanged(change: JoinStateCommit): Promise<JoinStateCommitResult> {
    const sdk = await loadDynamoDb();
    const conflicts: number[] = [];
    const condition = (orderId: number) => {
      const version = change.versions?.get(orderId);
      return version === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'v' },
            ExpressionAttributeValues: { ':v': { N: String(version) } },
          };
    };
    const guarded = async (orderId: number, write: () => Promise<unknown>): Promise<void> => {
      try {
        await write();
      } catch (error) {
        const cause = (error as EnrichError).cause as Error | undefined;
        if (cause?.name === 'ConditionalCheckFailedException') conflicts.push(orderId);
        else throw error;
      }
    };
    for (const id of change.delete) {
      await guarded(id, () =>
        this.call('DeleteItem', () =>
          this.s.client.send(
            new sdk.DeleteItemCommand({
              TableName: this.s.tableName,
              Key: { pk: { S: this.pk(id) } },
              ...condition(id),
            }),
          ),
        ),
      );
    }
    for (const state of change.put) {
      await guarded(state.orderId, () =>
        this.call('PutItem', () =>
          this.s.client.send(
            new sdk.PutItemCommand({
              TableName: this.s.tableName,
              Item: this.encode(state),
              ...condition(state.orderId),
            }),
          ),
        ),
      );
    }
    return { conflicts };
  }

  private encode(state: JoinKeyState): Record<string, AttributeValue> {
    const body: StoredState = { o: state.order ?? null, i: state.items };
    return {
      pk: { S: this.pk(state.orderId) },
      scope: { S: this.s.scope },
      exp: { N: String(state.expiresAt) },
      // TTL runs by the wall clock from the last write, whatever the join's time domain.
      ttl: { N: String(Math.ceil((this.s.clock() + this.s.ttlMs) / 1000)) },
      // A fresh token per write: a guarded writer sees any write since its read.
      v: { N: String(Math.floor(this.s.random() * 2 ** 52) + 1) },
      state: { S: JSON.stringify(body) },
    };
  }

  private encodeMeta(change: JoinStateCommit): Record<string, AttributeValue> | undefined {
    const item: Record<string, AttributeValue> = {
      pk: { S: this.metaPk() },
      // The meta of a shard gone quiet (or closed) is collected like its keys.
      ttl: { N: String(Math.ceil((this.s.clock() + this.s.ttlMs) / 1000)) },
    };
    let any = false;
    if (change.maxTime !== undefined && Number.isFinite(change.maxTime)) {
      item.maxTime = { N: String(change.maxTime) };
      any = true;
    }
    if (change.maxArrival !== undefined && Number.isFinite(change.maxArrival)) {
      item.maxArrival = { N: String(change.maxArrival) };
      any = true;
    }
    if (change.checkpoint !== undefined) {
      item.checkpoint = { S: change.checkpoint };
      any = true;
    }
    if (change.adopted !== undefined) {
      item.adopted = { BOOL: change.adopted };
      any = true;
    }
    return any ? item : undefined;
  }

  private pk(orderId: number): string {
    return `${this.s.scope}#${orderId}`;
  }

  private metaPk(): string {
    return `${this.s.scope}#meta`;
  }

  private decode(item: Record<string, AttributeValue>): JoinKeyState | undefined {
    const pk = item.pk?.S;
    const body = item.state?.S;
    if (pk === undefined || body === undefined) return undefined;
    const parsed = JSON.parse(body) as StoredState;
    const state: JoinKeyState = {
      orderId: Number(pk.slice(pk.lastIndexOf('#') + 1)),
      order: parsed.o ?? undefined,
      items: parsed.i,
      expiresAt: Number(item.exp?.N),
    };
    if (item.v?.N !== undefined) state.version = Number(item.v.N);
    return state;
  }

  private async batchGet(pks: string[]): Promise<Record<string, AttributeValue>[]> {
    const sdk = await loadDynamoDb();
    const out: Record<string, AttributeValue>[] = [];
    for (let i = 0; i < pks.length; i += 100) {
      let request: KeysAndAttributes | undefined = {
        Keys: pks.slice(i, i + 100).map((pk) => ({ pk: { S: pk } })),
        ConsistentRead: true,
      };
      const backoff = this.backoff();
      while (request !== undefined) {
        const keys: KeysAndAttributes = request;
        const response: BatchGetItemCommandOutput = await this.call('BatchGetItem', () =>
          this.s.client.send(
            new sdk.BatchGetItemCommand({ RequestItems: { [this.s.tableName]: keys } }),
          ),
        );
        out.push(...(response.Responses?.[this.s.tableName] ?? []));
        request = response.UnprocessedKeys?.[this.s.tableName];
        if (request?.Keys === undefined || request.Keys.length === 0) break;
        await this.retryAfter(backoff, `${request.Keys.length} keys unprocessed by BatchGetItem`);
      }
    }
    return out;
  }

  private async batchWrite(chunk: WriteRequest[]): Promise<void> {
    const sdk = await loadDynamoDb();
    let pending = chunk;
    const backoff = this.backoff();
    for (;;) {
      const current = pending;
      const response = await this.call('BatchWriteItem', () =>
        this.s.client.send(
          new sdk.BatchWriteItemCommand({ RequestItems: { [this.s.tableName]: current } }),
        ),
      );
      pending = response.UnprocessedItems?.[this.s.tableName] ?? [];
      if (pending.length === 0) return;
      await this.retryAfter(backoff, `${pending.length} items unprocessed by BatchWriteItem`);
    }
  }

  /** The schedule of one call's re-sends: the first call plus `maxRetries`. */
  private backoff(): Backoff {
    return new Backoff({
      maxAttempts: this.s.maxRetries + 1,
      baseDelayMs: this.s.baseDelayMs,
      maxDelayMs: this.s.maxDelayMs,
      sleep: this.s.sleep,
      random: this.s.random,
    });
  }

  /** Records a call that left work unprocessed; throws when the retries are spent, else waits. */
  private async retryAfter(backoff: Backoff, what: string): Promise<void> {
    backoff.fail(what);
    if (backoff.exhausted) {
      throw new EnrichError(
        'KSE_STATE_STORE_FAILED',
        `${what} after ${backoff.failures} attempts`,
        { retryable: true, source: this.s.tableName, attempts: [...backoff.attempts] },
      );
    }
    await backoff.wait();
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (cause) {
      const err = cause as Error & { $retryable?: unknown; $fault?: string };
      throw new EnrichError(
        'KSE_STATE_STORE_FAILED',
        `${operation} on ${this.s.tableName}: ${err.name}: ${err.message}`,
        {
          cause,
          retryable: err.$retryable !== undefined || err.$fault === 'server',
          source: this.s.tableName,
        },
      );
    }
  }
}

/**
 * Creates the join state table (see {@link JOIN_STATE_TABLE}) when it does not exist,
 * waits until it is active, and turns TTL on where the endpoint supports it. Idempotent.
 *
 * @example
 * ```ts
 * await ensureJoinStateTable(dynamodb, 'KseJoinState');
 * ```
 */
export async function ensureJoinStateTable(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number; sleep?: Sleep } = {},
): Promise<void> {
  const { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand } =
    await loadDynamoDb();
  const wait = options.sleep ?? sleep;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'scope', AttributeType: 'S' },
          { AttributeName: 'exp', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: JOIN_STATE_TABLE.expiryIndex.name,
            KeySchema: [
              { AttributeName: 'scope', KeyType: 'HASH' },
              { AttributeName: 'exp', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') {
      throw new EnrichError(
        'KSE_STATE_STORE_FAILED',
        `cannot create ${tableName}: ${(error as Error).message}`,
        {
          cause: error,
          source: tableName,
        },
      );
    }
  }
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) break;
    if (Date.now() > deadline) {
      throw new EnrichError('KSE_STATE_STORE_FAILED', `table ${tableName} not active in time`, {
        retryable: true,
        source: tableName,
      });
    }
    await wait(200);
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: JOIN_STATE_TABLE.ttlAttribute, Enabled: true },
      }),
    );
  } catch {
    // TTL is garbage collection only; emulators without it (dynalite) and tables where it
    // is already on are fine.
  }
}
