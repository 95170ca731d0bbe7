import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  CfnOutput,
  CfnParameter,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_kinesis as kinesis,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3 as s3,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { JOIN_STATE_TABLE } from '@kse/enrich';
import {
  HANDLER_NAMES,
  KSE_METRICS,
  type HandlerName,
  handlerEnvironment,
} from './handlerEnvironment.js';

/** The two deployable shapes of the pipeline. */
export const TOPOLOGIES = ['seed', 'fused'] as const;
/** `seed`: enrich → OrdersEnrichedStream → sink → table (the sample's). `fused`: enrich writes the table itself. */
export type Topology = (typeof TOPOLOGIES)[number];

/** Billing of the OrdersEnriched table. */
export type TableBilling =
  { mode: 'on-demand' } | { mode: 'provisioned'; readCapacity: number; writeCapacity: number };

/** Options of {@link KseStack}. Every field has a default in {@link DEFAULT_KSE_STACK_OPTIONS}. */
export interface KseStackOptions {
  /** `seed` (three hops, as the sample) or `fused` (enrich writes the table). */
  topology: Topology;
  /** Default of the `OrdersShards` CloudFormation parameter. */
  ordersShards: number;
  /** Default of the `EnrichedShards` CloudFormation parameter (seed only). */
  enrichedShards: number;
  /** Default of the `CdcShards` CloudFormation parameter: the stream DMS (or any raw source) writes, read by `preprocess`. */
  cdcShards: number;
  /** Billing of OrdersEnriched: on-demand, or provisioned with capacities (the sample: 300 RCU, 2000 WCU). */
  tableBilling: TableBilling;
  /** Directory holding one folder per handler (`<name>/index.mjs`), as written by `npm run build`. */
  bundleDir: string;
  /** S3 key of the products reference object inside the products bucket. */
  productsKey: string;
  /** Join window in seconds (the sample's `RANGE INTERVAL '1' MINUTE`). */
  joinWindowSeconds: number;
  /** Batch size of every event source mapping (the sample: 500). */
  batchSize: number;
  /** Concurrent batches per shard for the sink (the sample: 5). */
  sinkParallelizationFactor: number;
  /** Retries of a failing batch before its records go to the on-failure queue. */
  retryAttempts: number;
  /** Records older than this are sent to the on-failure queue instead of being processed. */
  maxRecordAge: Duration;
  /** Keep tables and bucket on `cdk destroy` (default: they are deleted with the stack). */
  retainData: boolean;
  /** Iterator age above which the iterator-age alarms fire. */
  iteratorAgeAlarm: Duration;
  /** p99 end-to-end latency (source arrival → written) above which the latency alarm fires. */
  latencyAlarm: Duration;
}

/** Defaults of {@link KseStackOptions}: the sample's sizing, on-demand billing. */
export const DEFAULT_KSE_STACK_OPTIONS = {
  topology: 'seed',
  ordersShards: 2,
  enrichedShards: 2,
  cdcShards: 1,
  tableBilling: { mode: 'on-demand' },
  bundleDir: path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist/handlers'),
  productsKey: 'products/products.json',
  joinWindowSeconds: 60,
  batchSize: 500,
  sinkParallelizationFactor: 5,
  retryAttempts: 5,
  maxRecordAge: Duration.hours(1),
  retainData: false,
  iteratorAgeAlarm: Duration.minutes(1),
  latencyAlarm: Duration.millis(1_300),
} satisfies KseStackOptions;

/** Properties of {@link KseStack}: CDK stack props plus any {@link KseStackOptions}. */
export interface KseStackProps extends StackProps, Partial<KseStackOptions> {}

/** Memory and timeout per function: 512 MB everywhere, 3 minutes for the sink, as in the sample. */
const FUNCTION_SIZING: Record<HandlerName, { memoryMb: number; timeout: Duration }> = {
  preprocess: { memoryMb: 512, timeout: Duration.minutes(1) },
  enrich: { memoryMb: 512, timeout: Duration.minutes(3) },
  sink: { memoryMb: 512, timeout: Duration.minutes(3) },
};

/**
 * The kse pipeline on AWS: Kinesis streams, the three Lambda functions fed by event source
 * mappings, the OrdersEnriched and join-state tables, the products bucket, an on-failure queue,
 * alarms and a dashboard. Each function's role holds only what that function does.
 *
 * @example
 * ```ts
 * const app = new App();
 * new KseStack(app, 'Kse', { topology: 'fused', tableBilling: { mode: 'provisioned', readCapacity: 300, writeCapacity: 2000 } });
 * app.synth();
 * ```
 */
export class KseStack extends Stack {
  /** The resolved options this stack was built with. */
  readonly options: KseStackOptions;
  readonly cdcStream: kinesis.Stream;
  /** Bad input and unmatched items, with their reason (every function writes here). */
  readonly deadLetterStream: kinesis.Stream;
  readonly ordersStream: kinesis.Stream;
  /** Only in the `seed` topology. */
  readonly enrichedStream?: kinesis.Stream;
  readonly ordersEnrichedTable: dynamodb.Table;
  readonly joinStateTable: dynamodb.Table;
  readonly productsBucket: s3.Bucket;
  readonly failureQueue: sqs.Queue;
  readonly alarmTopic: sns.Topic;
  /** The functions of this topology (`sink` only in `seed`). */
  readonly functions: Partial<Record<HandlerName, lambda.Function>> = {};
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KseStackProps = {}) {
    super(scope, id, props);
    const options: KseStackOptions = { ...DEFAULT_KSE_STACK_OPTIONS, ...definedOnly(props) };
    validateOptions(options);
    this.options = options;
    const seed = options.topology === 'seed';
    const removalPolicy = options.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // --- streams (shard counts are CloudFormation parameters, defaulted from the options) ---
    const shardParameter = (name: string, defaultValue: number, description: string) =>
      new CfnParameter(this, name, {
        type: 'Number',
        default: defaultValue,
        minValue: 1,
        description,
      });
    const cdcShards = shardParameter(
      'CdcShards',
      options.cdcShards,
      'Shards of OrdersCdcStream (raw/DMS input of preprocess)',
    );
    const ordersShards = shardParameter(
      'OrdersShards',
      options.ordersShards,
      'Shards of OrdersStream',
    );
    const stream = (name: string, shards: CfnParameter) =>
      new kinesis.Stream(this, name, {
        streamMode: kinesis.StreamMode.PROVISIONED,
        shardCount: shards.valueAsNumber,
        retentionPeriod: Duration.hours(24),
        // AWS-managed key (alias/aws/kinesis): encrypted at rest with no KMS grants to hand out.
        encryption: kinesis.StreamEncryption.MANAGED,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.cdcStream = stream('OrdersCdcStream', cdcShards);
    this.deadLetterStream = stream(
      'DeadLetterStream',
      shardParameter(
        'DeadLetterShards',
        1,
        'Shards of DeadLetterStream (bad input, unmatched items)',
      ),
    );
    this.ordersStream = stream('OrdersStream', ordersShards);
    if (seed) {
      const enrichedShards = shardParameter(
        'EnrichedShards',
        options.enrichedShards,
        'Shards of OrdersEnrichedStream',
      );
      this.enrichedStream = stream('OrdersEnrichedStream', enrichedShards);
    }

    // --- tables and bucket ---
    const billing = options.tableBilling;
    this.ordersEnrichedTable = new dynamodb.Table(this, 'OrdersEnriched', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.NUMBER },
      sortKey: { name: 'itemId', type: dynamodb.AttributeType.NUMBER },
      ...(billing.mode === 'on-demand'
        ? { billingMode: dynamodb.BillingMode.PAY_PER_REQUEST }
        : {
            billingMode: dynamodb.BillingMode.PROVISIONED,
            readCapacity: billing.readCapacity,
            writeCapacity: billing.writeCapacity,
          }),
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: options.retainData },
      removalPolicy,
    });
    // Layout owned by @kse/enrich's DynamoDbJoinStore: pk = <shard>#<orderId>, TTL for garbage
    // collection, and a keys-only index to find expiring states without a scan.
    this.joinStateTable = new dynamodb.Table(this, 'JoinState', {
      partitionKey: { name: JOIN_STATE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: JOIN_STATE_TABLE.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Join state is rebuilt from the stream within one window; never worth retaining.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.joinStateTable.addGlobalSecondaryIndex({
      indexName: JOIN_STATE_TABLE.expiryIndex.name,
      partitionKey: {
        name: JOIN_STATE_TABLE.expiryIndex.partitionKey,
        type: dynamodb.AttributeType.STRING,
      },
      sortKey: { name: JOIN_STATE_TABLE.expiryIndex.sortKey, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.productsBucket = new s3.Bucket(this, 'ProductsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      removalPolicy,
    });

    // --- on-failure destination and alarm topic ---
    this.failureQueue = new sqs.Queue(this, 'FailedBatchesQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'kse pipeline alarms' });

    // --- functions ---
    const names = seed ? HANDLER_NAMES : HANDLER_NAMES.filter((name) => name !== 'sink');
    for (const name of names) {
      const fn = this.handlerFunction(name, options, removalPolicy);
      // Bad input and unmatched items go to the dead-letter stream, never only to a log.
      this.deadLetterStream.grant(fn, 'kinesis:PutRecords');
      this.functions[name] = fn;
    }
    const preprocess = this.functions.preprocess!;
    const enrich = this.functions.enrich!;

    // preprocess: OrdersCdcStream → OrdersStream
    this.consume(preprocess, this.cdcStream, 1);
    this.ordersStream.grant(preprocess, 'kinesis:PutRecords');

    // enrich: OrdersStream → join (state table) + products (one S3 object) → enriched stream or table
    this.consume(enrich, this.ordersStream, 1);
    // DynamoDbJoinStore: BatchGetItem/BatchWriteItem on the table, Query on the expiry index only.
    enrich.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
        resources: [this.joinStateTable.tableArn],
      }),
    );
    enrich.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.joinStateTable.tableArn}/index/${JOIN_STATE_TABLE.expiryIndex.name}`],
      }),
    );
    enrich.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.productsBucket.arnForObjects(options.productsKey)],
      }),
    );
    if (seed) {
      this.enrichedStream!.grant(enrich, 'kinesis:PutRecords');
      // sink: OrdersEnrichedStream → OrdersEnriched
      const sink = this.functions.sink!;
      this.consume(sink, this.enrichedStream!, options.sinkParallelizationFactor);
      this.ordersEnrichedTable.grant(sink, 'dynamodb:BatchWriteItem');
    } else {
      this.ordersEnrichedTable.grant(enrich, 'dynamodb:BatchWriteItem');
    }

    this.dashboard = this.alarmsAndDashboard(options);

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output('CdcStreamName', this.cdcStream.streamName, 'Raw/DMS input stream read by preprocess');
    output(
      'DeadLetterStreamName',
      this.deadLetterStream.streamName,
      'Dead letters (bad input, unmatched items) with their reason',
    );
    output(
      'OrdersStreamName',
      this.ordersStream.streamName,
      'Feed it with `kse replay --stream <this>`',
    );
    if (this.enrichedStream) {
      output('EnrichedStreamName', this.enrichedStream.streamName, 'Enriched rows (seed topology)');
    }
    output(
      'OrdersEnrichedTableName',
      this.ordersEnrichedTable.tableName,
      'Where enriched rows land',
    );
    output('JoinStateTableName', this.joinStateTable.tableName, 'Join state with TTL');
    output(
      'ProductsBucketName',
      this.productsBucket.bucketName,
      `Upload products to s3://<this>/${options.productsKey}`,
    );
    output(
      'FailedBatchesQueueUrl',
      this.failureQueue.queueUrl,
      'On-failure destination of every event source mapping',
    );
    output('AlarmTopicArn', this.alarmTopic.topicArn, 'Subscribe to receive alarms');
  }

  private handlerFunction(
    name: HandlerName,
    options: KseStackOptions,
    removalPolicy: RemovalPolicy,
  ) {
    const assetDir = path.join(options.bundleDir, name);
    if (!existsSync(path.join(assetDir, 'index.mjs'))) {
      throw new Error(
        `KseStack: bundle ${assetDir}/index.mjs is missing; run \`npm run build -w @kse/handlers\` first`,
      );
    }
    const id = `${capitalize(name)}Function`;
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy,
    });
    // An explicit role without AWSLambdaBasicExecutionRole (whose log statements are on `*`):
    // the function may write only to its own log group.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `kse ${name}: only what ${name} does`,
    });
    logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
    const sizing = FUNCTION_SIZING[name];
    return new lambda.Function(this, id, {
      description: `kse ${name} (${options.topology} topology)`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetDir),
      memorySize: sizing.memoryMb,
      timeout: sizing.timeout,
      role,
      logGroup,
      environment: handlerEnvironment(name, {
        topology: options.topology,
        ordersStreamName: this.ordersStream.streamName,
        enrichedStreamName: this.enrichedStream?.streamName,
        ordersEnrichedTableName: this.ordersEnrichedTable.tableName,
        joinStateTableName: this.joinStateTable.tableName,
        productsBucket: this.productsBucket.bucketName,
        productsKey: options.productsKey,
        joinWindowSeconds: options.joinWindowSeconds,
        deadLetterStreamName: this.deadLetterStream.streamName,
      }),
    });
  }

  /** Event source mapping with Lambda's failure handling on, and the read grants it needs on that stream only. */
  private consume(fn: lambda.Function, stream: kinesis.Stream, parallelizationFactor: number) {
    const { options } = this;
    fn.addEventSourceMapping(`${stream.node.id}Mapping`, {
      eventSourceArn: stream.streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: options.batchSize,
      maxBatchingWindow: Duration.seconds(1),
      parallelizationFactor,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: options.retryAttempts,
      maxRecordAge: options.maxRecordAge,
      onFailure: {
        bind: () => ({ destination: this.failureQueue.queueArn }),
      },
    });
    // What the event source mapping calls on the function's behalf (shared-throughput consumer).
    stream.grant(
      fn,
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
    );
    this.failureQueue.grant(fn, 'sqs:SendMessage');
  }

  private alarmsAndDashboard(options: KseStackOptions): cloudwatch.Dashboard {
    const period = Duration.minutes(1);
    const alarm = (
      id: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
    ) => {
      const created = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
      this.alarms.push(created);
      return created;
    };

    const streams = [
      this.cdcStream,
      this.ordersStream,
      ...(this.enrichedStream ? [this.enrichedStream] : []),
      this.deadLetterStream,
    ];
    const streamWidgets: cloudwatch.IWidget[] = [];
    for (const stream of streams) {
      const id = stream.node.id;
      const iteratorAge = stream.metricGetRecordsIteratorAgeMilliseconds({
        statistic: 'Maximum',
        period,
      });
      const readExceeded = stream.metricReadProvisionedThroughputExceeded({
        statistic: 'Sum',
        period,
      });
      const writeExceeded = stream.metricWriteProvisionedThroughputExceeded({
        statistic: 'Sum',
        period,
      });
      alarm(
        `${id}IteratorAgeAlarm`,
        iteratorAge,
        options.iteratorAgeAlarm.toMilliseconds(),
        `${id}: consumers fall behind`,
      );
      alarm(
        `${id}ReadThrottleAlarm`,
        readExceeded,
        0,
        `${id}: reads throttled (add shards or lower parallelization)`,
      );
      alarm(`${id}WriteThrottleAlarm`, writeExceeded, 0, `${id}: writes throttled (add shards)`);
      streamWidgets.push(
        new cloudwatch.GraphWidget({
          title: `${id}: GetRecords.IteratorAgeMilliseconds`,
          left: [iteratorAge],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: `${id}: provisioned throughput exceeded`,
          left: [readExceeded, writeExceeded],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: `${id}: incoming records`,
          left: [stream.metricIncomingRecords({ statistic: 'Sum', period })],
          width: 8,
        }),
      );
    }

    const functionWidgets: cloudwatch.IWidget[] = [];
    for (const [name, fn] of Object.entries(this.functions) as [HandlerName, lambda.Function][]) {
      const id = `${capitalize(name)}Function`;
      const duration = fn.metricDuration({ statistic: 'p99', period });
      const errors = fn.metricErrors({ statistic: 'Sum', period });
      const invocations = fn.metricInvocations({ statistic: 'Sum', period });
      const iteratorAge = fn.metric('IteratorAge', { statistic: 'Maximum', period });
      const timeoutMs = FUNCTION_SIZING[name].timeout.toMilliseconds();
      alarm(
        `${id}ErrorsAlarm`,
        errors,
        0,
        `${name}: invocations failed (batches are retried, then sent to the on-failure queue)`,
      );
      alarm(
        `${id}DurationAlarm`,
        duration,
        Math.round(timeoutMs * 0.8),
        `${name}: p99 duration above 80% of the timeout`,
      );
      alarm(
        `${id}IteratorAgeAlarm`,
        iteratorAge,
        options.iteratorAgeAlarm.toMilliseconds(),
        `${name}: event source mapping falls behind`,
      );
      functionWidgets.push(
        new cloudwatch.GraphWidget({ title: `${name}: duration p99`, left: [duration], width: 6 }),
        new cloudwatch.GraphWidget({
          title: `${name}: invocations and errors`,
          left: [invocations, errors],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: iterator age`,
          left: [iteratorAge],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: records in / out / dead-lettered`,
          left: [
            this.kseMetric(name, KSE_METRICS.recordsIn, 'Sum'),
            this.kseMetric(name, KSE_METRICS.recordsOut, 'Sum'),
            this.kseMetric(name, KSE_METRICS.deadLettered, 'Sum'),
          ],
          width: 6,
        }),
      );
      alarm(
        `${id}DeadLetteredAlarm`,
        this.kseMetric(name, KSE_METRICS.deadLettered, 'Sum'),
        0,
        `${name}: records dead-lettered`,
      );
    }

    // End-to-end latency is measured where rows land: the sink (seed) or enrich (fused).
    const lander: HandlerName = options.topology === 'seed' ? 'sink' : 'enrich';
    const latency = this.kseMetric(lander, KSE_METRICS.endToEndLatencyMax, 'p99');
    alarm(
      'EndToEndLatencyAlarm',
      latency,
      options.latencyAlarm.toMilliseconds(),
      'end-to-end latency (OrdersStream arrival → row written): p99 of the per-batch maximum',
    );
    const failedBatches = this.failureQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period,
    });
    alarm(
      'FailedBatchesAlarm',
      failedBatches,
      0,
      'batches sent to the on-failure queue after the retry budget',
    );

    return new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(1),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown: `# kse pipeline (${options.topology})`,
            width: 24,
            height: 1,
          }),
        ],
        ...chunk(streamWidgets, 3),
        ...chunk(functionWidgets, 4),
        [
          new cloudwatch.GraphWidget({
            title: 'end-to-end latency: mean, p99 of per-batch max, max',
            left: [
              this.kseMetric(lander, KSE_METRICS.endToEndLatencyMean, 'Average'),
              latency,
              this.kseMetric(lander, KSE_METRICS.endToEndLatencyMax, 'Maximum'),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'batches in the on-failure queue',
            left: [failedBatches],
            width: 12,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }

  /** A metric emitted by the kse handlers (EMF, Powertools), dimensioned by service. */
  private kseMetric(name: HandlerName, metricName: string, statistic: string) {
    return new cloudwatch.Metric({
      namespace: KSE_METRICS.namespace,
      metricName,
      dimensionsMap: { service: KSE_METRICS.serviceName(name) },
      statistic,
      period: Duration.minutes(1),
    });
  }
}

function validateOptions(options: KseStackOptions): void {
  if (!TOPOLOGIES.includes(options.topology)) {
    throw new Error(
      `KseStack: topology must be one of ${TOPOLOGIES.join(', ')} (got ${String(options.topology)})`,
    );
  }
  for (const key of ['ordersShards', 'enrichedShards', 'cdcShards'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new Error(`KseStack: ${key} must be a positive integer (got ${String(options[key])})`);
    }
  }
  if (options.batchSize < 1 || options.batchSize > 10_000) {
    throw new Error(`KseStack: batchSize must be within 1..10000 (got ${options.batchSize})`);
  }
  if (options.sinkParallelizationFactor < 1 || options.sinkParallelizationFactor > 10) {
    throw new Error(
      `KseStack: sinkParallelizationFactor must be within 1..10 (got ${options.sinkParallelizationFactor})`,
    );
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}
