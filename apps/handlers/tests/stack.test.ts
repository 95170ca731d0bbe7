import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, CfnElement, FileSystem, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../infra/buildApp.js';
import { KSE_METRICS } from '../infra/handlerEnvironment.js';
import { KseStack } from '../infra/KseStack.js';
import {
  BUNDLE_DIR,
  asList,
  countByType,
  identityStatements,
  resourcePolicyStatements,
  synth,
  type CfnResource,
  type Statement,
  type Synthesized,
} from './support/synth.js';

// Synthesizing is the slow part (~1-3 s each): once per topology, shared by the tests below.
const seed = synth({ topology: 'seed' });
const fused = synth({ topology: 'fused' });

function idOf(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation element`);
  return Stack.of(element).resolve(element.logicalId) as string;
}

/** The logical ids a policy resource value refers to, plus any literal path after the ARN. */
function referencedIds(value: unknown, ids: Set<string>): string[] {
  const found: string[] = [];
  const walk = (node: unknown, suffix: string[]): void => {
    if (Array.isArray(node)) node.forEach((child) => walk(child, suffix));
    else if (node && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      if (typeof object.Ref === 'string' && ids.has(object.Ref)) found.push(object.Ref);
      const getAtt = object['Fn::GetAtt'];
      if (Array.isArray(getAtt) && ids.has(getAtt[0] as string)) found.push(getAtt[0] as string);
      const join = object['Fn::Join'];
      if (Array.isArray(join)) {
        const parts = join[1] as unknown[];
        const last = parts[parts.length - 1];
        if (typeof last === 'string' && last.startsWith('/') && parts.length === 2) {
          walk(parts[0], suffix);
          found[found.length - 1] = `${found[found.length - 1]}${last}`;
          return;
        }
        walk(parts, suffix);
        return;
      }
      Object.values(object).forEach((child) => walk(child, suffix));
    }
  };
  walk(value, []);
  return [...new Set(found)];
}

/** What a function's role may do: action → sorted logical ids (and object paths) it applies to. */
function grantsOf(
  synthesized: Synthesized,
  fnName: 'preprocess' | 'enrich' | 'sink' | 'sweeper',
): Record<string, string[]> {
  const fn =
    fnName === 'sweeper' ? synthesized.stack.sweeperFunction : synthesized.stack.functions[fnName]!;
  const roleId = idOf(fn.role!);
  const ids = new Set(Object.keys(synthesized.resources));
  const grants: Record<string, Set<string>> = {};
  for (const { roles, statement } of identityStatements(synthesized.resources)) {
    if (!roles.includes(roleId)) continue;
    expect(statement.Effect).toBe('Allow');
    for (const action of asList(statement.Action)) {
      grants[action] ??= new Set();
      for (const resource of asList(statement.Resource)) {
        if (resource === '*') grants[action].add('*');
        for (const id of referencedIds(resource, ids)) grants[action].add(id);
      }
    }
  }
  return Object.fromEntries(
    Object.entries(grants)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([action, set]) => [action, [...set].sort()]),
  );
}

/** What active tracing grants every function: X-Ray has no resource-level permissions, hence `*`. */
const XRAY_WRITE = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

const STREAM_READ = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
];

function expectedGrants(entries: [string[], string[]][]): Record<string, string[]> {
  const grants: Record<string, Set<string>> = {};
  for (const [actions, resources] of entries) {
    for (const action of actions) {
      grants[action] ??= new Set();
      resources.forEach((r) => grants[action]!.add(r));
    }
  }
  return Object.fromEntries(
    Object.entries(grants)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([action, set]) => [action, [...set].sort()]),
  );
}

describe('KseStack, seed topology', () => {
  const { stack, template, resources } = seed;

  it('synthesizes exactly the expected resources per type', () => {
    expect(countByType(resources)).toEqual({
      'AWS::CloudWatch::Alarm': 26,
      'AWS::CloudWatch::Dashboard': 1,
      'AWS::DynamoDB::Table': 2,
      'AWS::Events::Rule': 1,
      'AWS::IAM::Policy': 4,
      'AWS::IAM::Role': 4,
      'AWS::KMS::Key': 1,
      'AWS::Kinesis::Stream': 4,
      'AWS::Lambda::EventSourceMapping': 3,
      'AWS::Lambda::Function': 4,
      'AWS::Lambda::Permission': 1,
      'AWS::Logs::LogGroup': 4,
      'AWS::S3::Bucket': 1,
      'AWS::S3::BucketPolicy': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
    });
  });

  it('keeps the logical ids of the flat stack: its parts (Streams, State, Functions, Observability) do not show', () => {
    // A changed logical id makes CloudFormation replace the resource: a table or a stream with
    // its data. These are the ids the stack had before it was split into parts.
    expect({
      cdcStream: idOf(stack.cdcStream),
      deadLetterStream: idOf(stack.deadLetterStream),
      ordersStream: idOf(stack.ordersStream),
      enrichedStream: idOf(stack.enrichedStream!),
      ordersEnrichedTable: idOf(stack.ordersEnrichedTable),
      joinStateTable: idOf(stack.joinStateTable),
      productsBucket: idOf(stack.productsBucket),
      failureQueue: idOf(stack.failureQueue),
      alarmTopic: idOf(stack.alarmTopic),
      preprocessLogs: idOf(stack.logGroups.preprocess!),
      enrichFunction: idOf(stack.functions.enrich!),
      sinkMapping: idOf(stack.functions.sink!.node.findChild('OrdersEnrichedStreamMapping')),
      dashboard: idOf(stack.dashboard),
    }).toEqual({
      cdcStream: 'OrdersCdcStream67B17C69',
      deadLetterStream: 'DeadLetterStream99A0C3CA',
      ordersStream: 'OrdersStream464CF62B',
      enrichedStream: 'OrdersEnrichedStreamA001E544',
      ordersEnrichedTable: 'OrdersEnriched413B4F2B',
      joinStateTable: 'JoinState194F0657',
      productsBucket: 'ProductsBucket62395B91',
      failureQueue: 'FailedBatchesQueueAB6E2AD3',
      alarmTopic: 'AlarmTopicD01E77F9',
      preprocessLogs: 'PreprocessFunctionLogsBAFE5CB3',
      enrichFunction: 'EnrichFunction38C02156',
      sinkMapping: 'SinkFunctionOrdersEnrichedStreamMapping3F2D9013',
      dashboard: 'Dashboard9E4231ED',
    });
    expect(
      Object.keys(resources).filter((id) => /^(Streams|State|Functions|Observability)/.test(id)),
    ).toEqual([]);
  });

  it('takes the shard counts as CloudFormation parameters defaulting to the options', () => {
    template.hasParameter('OrdersShards', { Type: 'Number', Default: 2, MinValue: 1 });
    template.hasParameter('EnrichedShards', { Type: 'Number', Default: 2, MinValue: 1 });
    template.hasParameter('CdcShards', { Type: 'Number', Default: 1, MinValue: 1 });
    template.hasParameter('DeadLetterShards', { Type: 'Number', Default: 1, MinValue: 1 });
    for (const [stream, parameter] of [
      [stack.ordersStream, 'OrdersShards'],
      [stack.enrichedStream!, 'EnrichedShards'],
      [stack.cdcStream, 'CdcShards'],
      [stack.deadLetterStream, 'DeadLetterShards'],
    ] as const) {
      expect(resources[idOf(stream)]!.Properties).toMatchObject({
        ShardCount: { Ref: parameter },
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        RetentionPeriodHours: 24,
      });
    }
  });

  it('shard parameter defaults follow the options', () => {
    const custom = synth({ ordersShards: 4, enrichedShards: 3, cdcShards: 2 });
    custom.template.hasParameter('OrdersShards', { Default: 4 });
    custom.template.hasParameter('EnrichedShards', { Default: 3 });
    custom.template.hasParameter('CdcShards', { Default: 2 });
  });

  it('creates OrdersEnriched keyed by orderId (N) and itemId (N), on-demand by default', () => {
    expect(resources[idOf(stack.ordersEnrichedTable)]!.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'orderId', KeyType: 'HASH' },
        { AttributeName: 'itemId', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'orderId', AttributeType: 'N' },
        { AttributeName: 'itemId', AttributeType: 'N' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('creates OrdersEnriched with provisioned capacity when asked', () => {
    const provisioned = synth({
      tableBilling: { mode: 'provisioned', readCapacity: 300, writeCapacity: 2000 },
    });
    const table = provisioned.resources[idOf(provisioned.stack.ordersEnrichedTable)]!;
    expect(table.Properties!.BillingMode).toBeUndefined();
    expect(table.Properties!.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: 300,
      WriteCapacityUnits: 2000,
    });
  });

  it('creates the join-state table in DynamoDbJoinStore’s layout: pk, TTL, keys-only expiry index', () => {
    expect(resources[idOf(stack.joinStateTable)]!.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byExpiry',
          KeySchema: [
            { AttributeName: 'scope', KeyType: 'HASH' },
            { AttributeName: 'exp', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  it('creates a private, encrypted products bucket that refuses plain HTTP', () => {
    expect(resources[idOf(stack.productsBucket)]!.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    });
    const denies = resourcePolicyStatements(resources).filter((s) =>
      s.source.startsWith('ProductsBucketPolicy'),
    );
    expect(denies.map((d) => d.statement)).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('keeps point-in-time recovery on OrdersEnriched, with or without retainData', () => {
    for (const synthesized of [seed, synth({ retainData: true })]) {
      expect(
        synthesized.resources[idOf(synthesized.stack.ordersEnrichedTable)]!.Properties,
      ).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it('encrypts the alarm topic with a key of its own, rotated, that CloudWatch may use; refuses publishers without TLS', () => {
    const keyId = idOf(stack.alarmTopicKey);
    expect(resources[idOf(stack.alarmTopic)]!.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    const key = resources[keyId]!.Properties as {
      EnableKeyRotation: boolean;
      KeyPolicy: { Statement: Statement[] };
    };
    expect(key.EnableKeyRotation).toBe(true);
    expect(key.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    const denies = resourcePolicyStatements(resources).filter(
      (s) => s.source.startsWith('AlarmTopicPolicy') && s.statement.Effect === 'Deny',
    );
    expect(denies.map((d) => d.statement)).toContainEqual(
      expect.objectContaining({
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it.each([
    ['retainData false', false, 'Delete'],
    ['retainData true', true, 'Retain'],
  ] as const)(
    'states what happens on stack deletion to every resource that holds data (%s)',
    (_name, retainData, kept) => {
      const synthesized = synth({ retainData });
      const s = synthesized.stack;
      const policyOf = (construct: IConstruct) => {
        const resource = synthesized.resources[idOf(construct)] as CfnResource & {
          DeletionPolicy?: string;
          UpdateReplacePolicy?: string;
        };
        return [resource.DeletionPolicy, resource.UpdateReplacePolicy];
      };
      // Kept with retainData: the output table, the products bucket and the logs.
      for (const construct of [
        s.ordersEnrichedTable,
        s.productsBucket,
        ...Object.values(s.logGroups),
        s.sweeperLogGroup,
      ]) {
        expect(policyOf(construct), construct.node.path).toEqual([kept, kept]);
      }
      // Always deleted: what the pipeline rebuilds or only passes through.
      for (const construct of [
        ...[s.cdcStream, s.ordersStream, s.enrichedStream!, s.deadLetterStream],
        s.joinStateTable,
        s.failureQueue,
        s.alarmTopic,
        s.alarmTopicKey,
      ]) {
        expect(policyOf(construct), construct.node.path).toEqual(['Delete', 'Delete']);
      }
      // Every resource type that holds data is covered above.
      const stateful = Object.values(synthesized.resources).filter((r) =>
        /^AWS::(Kinesis::Stream|DynamoDB::Table|S3::Bucket|Logs::LogGroup|SQS::Queue|SNS::Topic|KMS::Key)$/.test(
          r.Type,
        ),
      );
      expect(stateful).toHaveLength(4 + 2 + 1 + 4 + 1 + 1 + 1);
    },
  );

  it('runs the three functions on nodejs24.x, X-Ray active tracing, with the sample memory and the 3-minute sink timeout', () => {
    const expected = { preprocess: 60, enrich: 180, sink: 180 };
    for (const [name, timeout] of Object.entries(expected)) {
      const fn = stack.functions[name as keyof typeof expected]!;
      expect(resources[idOf(fn)]!.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: timeout,
        Architectures: ['arm64'],
        LoggingConfig: {
          LogGroup: {
            Ref: idOf(stack.logGroups[name as keyof typeof expected]!),
          },
        },
      });
    }
  });

  it('feeds each function from its stream with batch 500, bisect, partial failures, bounded retries and an on-failure queue', () => {
    const mappings = [
      [stack.functions.preprocess!, stack.cdcStream, 1],
      [stack.functions.enrich!, stack.ordersStream, 1],
      [stack.functions.sink!, stack.enrichedStream!, 5],
    ] as const;
    for (const [fn, stream, parallelization] of mappings) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: idOf(fn) },
        EventSourceArn: { 'Fn::GetAtt': [idOf(stream), 'Arn'] },
        BatchSize: 500,
        MaximumBatchingWindowInSeconds: 1,
        ParallelizationFactor: parallelization,
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [idOf(stack.failureQueue), 'Arn'] } },
        },
      });
    }
  });

  it('passes each handler the environment @kse/lambda reads, pointing at this stack’s resources', () => {
    const env = (name: 'preprocess' | 'enrich' | 'sink') =>
      (
        resources[idOf(stack.functions[name]!)]!.Properties!.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
    const common = (name: string) => ({
      POWERTOOLS_SERVICE_NAME: `kse-${name}`,
      POWERTOOLS_METRICS_NAMESPACE: 'kse',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      DEAD_LETTER_STREAM: { Ref: idOf(stack.deadLetterStream) },
    });
    // The join's variables: the same for enrich and the sweeper (the stack options' defaults).
    const joinEnv = {
      JOIN_STATE_TABLE: { Ref: idOf(stack.joinStateTable) },
      JOIN_WINDOW_SECONDS: '60',
      JOIN_TIME: 'arrival',
      JOIN_STATE_TTL_SECONDS: '86400',
      SWEEP_INTERVAL_SECONDS: '60',
      SWEEP_BUDGET_SECONDS: '120',
    };
    expect(
      (
        resources[idOf(stack.sweeperFunction)]!.Properties!.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables,
    ).toEqual({
      ...common('sweeper'),
      SOURCE_STREAM: { Ref: idOf(stack.ordersStream) },
      ...joinEnv,
    });
    expect(env('preprocess')).toEqual({
      ...common('preprocess'),
      OUTPUT_STREAM: { Ref: idOf(stack.ordersStream) },
    });
    expect(env('enrich')).toEqual({
      ...common('enrich'),
      TOPOLOGY: 'seed',
      ENRICHED_STREAM: { Ref: idOf(stack.enrichedStream!) },
      PRODUCTS_S3_URI: {
        'Fn::Join': ['', ['s3://', { Ref: idOf(stack.productsBucket) }, '/products/products.json']],
      },
      ...joinEnv,
    });
    expect(env('sink')).toEqual({
      ...common('sink'),
      TABLE_NAME: { Ref: idOf(stack.ordersEnrichedTable) },
    });
  });

  it('grants preprocess only: its logs, reading OrdersCdcStream, the failure queue, PutRecords to OrdersStream and dead letters', () => {
    expect(grantsOf(seed, 'preprocess')).toEqual(
      expectedGrants([
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [idOf(stack.logGroups.preprocess!)]],
        [XRAY_WRITE, ['*']],
        [STREAM_READ, [idOf(stack.cdcStream)]],
        [['sqs:SendMessage'], [idOf(stack.failureQueue)]],
        [['kinesis:PutRecords'], [idOf(stack.ordersStream), idOf(stack.deadLetterStream)]],
      ]),
    );
  });

  it('grants enrich only: its logs, reading OrdersStream, join state, one products object, PutRecords to the enriched stream and dead letters', () => {
    expect(grantsOf(seed, 'enrich')).toEqual(
      expectedGrants([
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [idOf(stack.logGroups.enrich!)]],
        [XRAY_WRITE, ['*']],
        [STREAM_READ, [idOf(stack.ordersStream)]],
        [['sqs:SendMessage'], [idOf(stack.failureQueue)]],
        [['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'], [idOf(stack.joinStateTable)]],
        [['dynamodb:Query'], [`${idOf(stack.joinStateTable)}/index/byExpiry`]],
        [['s3:GetObject'], [`${idOf(stack.productsBucket)}/products/products.json`]],
        [['kinesis:PutRecords'], [idOf(stack.enrichedStream!), idOf(stack.deadLetterStream)]],
      ]),
    );
  });

  it('grants the sweeper only: its logs, reading OrdersStream, join state (conditional writes) and dead letters', () => {
    expect(grantsOf(seed, 'sweeper')).toEqual(
      expectedGrants([
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [idOf(stack.sweeperLogGroup)]],
        [XRAY_WRITE, ['*']],
        [
          ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
          [idOf(stack.ordersStream)],
        ],
        [
          [
            'dynamodb:BatchGetItem',
            'dynamodb:BatchWriteItem',
            'dynamodb:DeleteItem',
            'dynamodb:PutItem',
          ],
          [idOf(stack.joinStateTable)],
        ],
        [['dynamodb:Query'], [`${idOf(stack.joinStateTable)}/index/byExpiry`]],
        [['kinesis:PutRecords'], [idOf(stack.deadLetterStream)]],
      ]),
    );
  });

  it('invokes the sweeper on an EventBridge schedule every sweepIntervalSeconds, with sweepBudgetSeconds as its timeout', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [idOf(stack.sweeperFunction), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [idOf(stack.sweeperFunction), 'Arn'] },
    });
    expect(resources[idOf(stack.sweeperFunction)]!.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Timeout: 120,
      TracingConfig: { Mode: 'Active' },
    });
    expect(idOf(stack.sweeperFunction)).toMatch(/^SweeperFunction[0-9A-F]{8}$/);
  });

  it('refuses to synthesize a join-state TTL that does not outlast window + lateness + sweep interval + budget', () => {
    // 60 + 10 (event time's default lateness) + 60 + 120 + 1 = 251 s.
    expect(() => synth({ joinTime: 'event', joinStateTtlSeconds: 250 })).toThrow(
      /joinStateTtlSeconds must be at least 251 .*TTL never deletes join state the sweeper has not dead-lettered/,
    );
    expect(() => synth({ joinTime: 'event', joinStateTtlSeconds: 251 })).not.toThrow();
    expect(() => synth({ sweepIntervalSeconds: 90 })).toThrow(
      /sweepIntervalSeconds must be whole minutes/,
    );
  });

  it('passes JOIN_TIME and JOIN_LATENESS_SECONDS from the stack options to enrich and the sweeper', () => {
    const custom = synth({ joinTime: 'event', joinLatenessSeconds: 30, joinStateTtlSeconds: 3600 });
    for (const fn of [custom.stack.functions.enrich!, custom.stack.sweeperFunction]) {
      const variables = (
        custom.resources[idOf(fn)]!.Properties!.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(variables).toMatchObject({
        JOIN_TIME: 'event',
        JOIN_LATENESS_SECONDS: '30',
        JOIN_STATE_TTL_SECONDS: '3600',
      });
    }
  });

  it('grants sink only: its logs, reading OrdersEnrichedStream, the failure queue, BatchWriteItem on OrdersEnriched, PutRecords of dead letters', () => {
    expect(grantsOf(seed, 'sink')).toEqual(
      expectedGrants([
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [idOf(stack.logGroups.sink!)]],
        [XRAY_WRITE, ['*']],
        [STREAM_READ, [idOf(stack.enrichedStream!)]],
        [['sqs:SendMessage'], [idOf(stack.failureQueue)]],
        [['dynamodb:BatchWriteItem'], [idOf(stack.ordersEnrichedTable)]],
        [['kinesis:PutRecords'], [idOf(stack.deadLetterStream)]],
      ]),
    );
  });

  it('gives the roles no managed policies (AWSLambdaBasicExecutionRole writes logs on *)', () => {
    for (const resource of Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Role')) {
      expect(resource.Properties!.ManagedPolicyArns).toBeUndefined();
      expect(resource.Properties!.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
          },
        ],
      });
    }
  });

  it('alarms on the stream metrics the sample monitored, for every stream', () => {
    for (const stream of [
      stack.cdcStream,
      stack.ordersStream,
      stack.enrichedStream!,
      stack.deadLetterStream,
    ]) {
      for (const metricName of [
        'GetRecords.IteratorAgeMilliseconds',
        'ReadProvisionedThroughputExceeded',
        'WriteProvisionedThroughputExceeded',
      ]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Kinesis',
          MetricName: metricName,
          Dimensions: [{ Name: 'StreamName', Value: { Ref: idOf(stream) } }],
          AlarmActions: [{ Ref: idOf(stack.alarmTopic) }],
        });
      }
    }
  });

  it('alarms on Lambda duration, errors and iterator age, for every function', () => {
    for (const fn of Object.values(stack.functions)) {
      for (const metricName of ['Duration', 'Errors', 'IteratorAge']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(fn) } }],
          AlarmActions: [{ Ref: idOf(stack.alarmTopic) }],
        });
      }
    }
  });

  it("alarms on kse's own metrics: dead-lettered per function and end-to-end latency where rows land", () => {
    for (const name of ['preprocess', 'enrich', 'sink'] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: KSE_METRICS.namespace,
        MetricName: KSE_METRICS.deadLettered,
        Dimensions: [{ Name: 'service', Value: KSE_METRICS.serviceName(name) }],
        Threshold: 0,
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: KSE_METRICS.namespace,
      MetricName: KSE_METRICS.endToEndLatencyMax,
      Dimensions: [{ Name: 'service', Value: 'kse-sink' }],
      ExtendedStatistic: 'p99',
      Threshold: 1300,
    });
  });

  it('puts the monitored metrics on one dashboard', () => {
    const dashboard = Object.values(resources).find(
      (r) => r.Type === 'AWS::CloudWatch::Dashboard',
    )!;
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);
    for (const metricName of [
      'GetRecords.IteratorAgeMilliseconds',
      'ReadProvisionedThroughputExceeded',
      'WriteProvisionedThroughputExceeded',
      'Duration',
      'Errors',
      'IteratorAge',
      KSE_METRICS.deadLettered,
      KSE_METRICS.endToEndLatencyMax,
      KSE_METRICS.endToEndLatencyMean,
    ]) {
      expect(body).toContain(`\\"${metricName}\\"`);
    }
  });
});

describe('KseStack, fused topology', () => {
  const { stack, template, resources } = fused;

  it('synthesizes exactly the expected resources per type', () => {
    expect(countByType(resources)).toEqual({
      'AWS::CloudWatch::Alarm': 19,
      'AWS::CloudWatch::Dashboard': 1,
      'AWS::DynamoDB::Table': 2,
      'AWS::Events::Rule': 1,
      'AWS::IAM::Policy': 3,
      'AWS::IAM::Role': 3,
      'AWS::KMS::Key': 1,
      'AWS::Kinesis::Stream': 3,
      'AWS::Lambda::EventSourceMapping': 2,
      'AWS::Lambda::Function': 3,
      'AWS::Lambda::Permission': 1,
      'AWS::Logs::LogGroup': 3,
      'AWS::S3::Bucket': 1,
      'AWS::S3::BucketPolicy': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
    });
  });

  it('has no OrdersEnrichedStream, no sink function and no EnrichedShards parameter', () => {
    expect(stack.enrichedStream).toBeUndefined();
    expect(stack.functions.sink).toBeUndefined();
    expect(Object.keys(resources).some((id) => id.startsWith('OrdersEnrichedStream'))).toBe(false);
    expect(Object.keys(template.toJSON().Parameters as object)).not.toContain('EnrichedShards');
  });

  it('lets enrich write OrdersEnriched directly and nothing else downstream', () => {
    expect(grantsOf(fused, 'enrich')).toEqual(
      expectedGrants([
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [idOf(stack.logGroups.enrich!)]],
        [XRAY_WRITE, ['*']],
        [STREAM_READ, [idOf(stack.ordersStream)]],
        [['sqs:SendMessage'], [idOf(stack.failureQueue)]],
        [['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'], [idOf(stack.joinStateTable)]],
        [['dynamodb:Query'], [`${idOf(stack.joinStateTable)}/index/byExpiry`]],
        [['s3:GetObject'], [`${idOf(stack.productsBucket)}/products/products.json`]],
        [['dynamodb:BatchWriteItem'], [idOf(stack.ordersEnrichedTable)]],
        [['kinesis:PutRecords'], [idOf(stack.deadLetterStream)]],
      ]),
    );
  });

  it('configures enrich to write the table instead of a stream', () => {
    const variables = (
      resources[idOf(stack.functions.enrich!)]!.Properties!.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(variables).toMatchObject({
      TOPOLOGY: 'fused',
      TABLE_NAME: { Ref: idOf(stack.ordersEnrichedTable) },
    });
    expect(variables.ENRICHED_STREAM).toBeUndefined();
  });

  it('measures end-to-end latency on enrich, where rows land', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: KSE_METRICS.namespace,
      MetricName: KSE_METRICS.endToEndLatencyMax,
      Dimensions: [{ Name: 'service', Value: 'kse-enrich' }],
    });
  });
});

describe('least privilege, every policy document of both topologies', () => {
  const cases = [
    ['seed', seed],
    ['fused', fused],
  ] as const;

  it.each(cases)(
    '%s: no Allow statement grants a wildcard action or a wildcard resource (but X-Ray’s, which takes none)',
    (_name, s) => {
      const statements = identityStatements(s.resources);
      expect(statements.length).toBeGreaterThan(0);
      for (const { source, statement } of statements) {
        expect(statement.Effect, source).toBe('Allow');
        expect(statement.NotAction, source).toBeUndefined();
        expect(statement.NotResource, source).toBeUndefined();
        // The one exception, by AWS's design: X-Ray's write actions take no resource ARN. The
        // statement holds those two actions and nothing else.
        if (statement.Resource === '*') {
          expect(asList(statement.Action).sort(), source).toEqual(XRAY_WRITE);
          continue;
        }
        for (const action of asList(statement.Action)) {
          expect(action, `${source} action`).not.toContain('*');
        }
        for (const resource of asList(statement.Resource)) {
          expect(resource, `${source} resource`).not.toBe('*');
          expect(JSON.stringify(resource), `${source} resource`).not.toMatch(/"\*"|:\*"|\/\*"/);
        }
      }
    },
  );

  it.each(cases)(
    '%s: resource policies only deny, but for CloudWatch alarms of this account publishing to the alarm topic',
    (_name, s) => {
      const topicId = idOf(s.stack.alarmTopic);
      const allows = resourcePolicyStatements(s.resources).filter(
        ({ statement }) => statement.Effect !== 'Deny',
      );
      expect(allows.map(({ statement }) => statement)).toEqual([
        {
          Sid: 'CloudWatchAlarmsOfThisAccountPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topicId },
          Condition: {
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':cloudwatch:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':alarm:*',
                  ],
                ],
              },
            },
          },
        },
      ]);
    },
  );
});

describe('function code assets are the built bundles', () => {
  it.each(['preprocess', 'enrich', 'sink'] as const)(
    '%s: S3 key is the fingerprint of dist/handlers/%s',
    (name) => {
      const bundleDir = path.join(BUNDLE_DIR, name);
      expect(existsSync(path.join(bundleDir, 'index.mjs'))).toBe(true);
      const hash = FileSystem.fingerprint(bundleDir);
      const code = seed.resources[idOf(seed.stack.functions[name]!)]!.Properties!.Code as {
        S3Key: string;
      };
      expect(code.S3Key).toBe(`${hash}.zip`);
    },
  );

  it.each(['preprocess', 'enrich', 'sink'] as const)(
    '%s: the staged asset holds the bundle (index.mjs and tracer.mjs) byte for byte',
    (name) => {
      const code = seed.resources[idOf(seed.stack.functions[name]!)]!.Properties!.Code as {
        S3Key: string;
      };
      const hash = code.S3Key.replace(/\.zip$/, '');
      const manifest = JSON.parse(
        readFileSync(path.join(seed.assembly.directory, 'Kse.assets.json'), 'utf8'),
      ) as { files: Record<string, { source: { path: string; packaging: string } }> };
      const asset = manifest.files[hash]!;
      expect(asset.source.packaging).toBe('zip');
      for (const file of ['index.mjs', 'tracer.mjs']) {
        const staged = readFileSync(path.join(seed.assembly.directory, asset.source.path, file));
        expect(staged.equals(readFileSync(path.join(BUNDLE_DIR, name, file))), file).toBe(true);
      }
    },
  );

  it('refuses to synthesize when a bundle is missing, naming the build command', () => {
    expect(
      () => new KseStack(new App(), 'Kse', { bundleDir: path.join(BUNDLE_DIR, 'does-not-exist') }),
    ).toThrow(/index\.mjs is missing; run `npm run build -w @kse\/handlers`/);
  });
});

describe('CDK app entry (context values)', () => {
  it('builds the fused topology from -c topology=fused', () => {
    const stack = buildApp(new App({ context: { topology: 'fused' } }));
    expect(stack.options.topology).toBe('fused');
    expect(stack.functions.sink).toBeUndefined();
  });

  it('takes the join options from -c joinTime, joinLatenessSeconds and joinStateTtlSeconds', () => {
    const stack = buildApp(
      new App({
        context: { joinTime: 'event', joinLatenessSeconds: '0', joinStateTtlSeconds: '7200' },
      }),
    );
    expect(stack.options).toMatchObject({
      joinTime: 'event',
      joinLatenessSeconds: 0,
      joinStateTtlSeconds: 7200,
    });
    expect(() => buildApp(new App({ context: { joinTime: 'wall' } }))).toThrow(
      /context joinTime must be arrival or event/,
    );
  });

  it('builds provisioned billing from -c billing=provisioned with capacities', () => {
    const stack = buildApp(
      new App({
        context: {
          billing: 'provisioned',
          readCapacity: '300',
          writeCapacity: '3000',
          ordersShards: '4',
        },
      }),
    );
    expect(stack.options.tableBilling).toEqual({
      mode: 'provisioned',
      readCapacity: 300,
      writeCapacity: 3000,
    });
    expect(stack.options.ordersShards).toBe(4);
  });

  it('rejects an unknown topology, naming the context key', () => {
    expect(() => buildApp(new App({ context: { topology: 'mesh' } }))).toThrow(
      /context topology must be one of seed, fused/,
    );
  });

  it('rejects a non-integer shard count, naming the context key', () => {
    expect(() => buildApp(new App({ context: { ordersShards: 'two' } }))).toThrow(
      /context ordersShards must be a positive integer/,
    );
  });
});
