import {
  type CfnElement,
  CfnOutput,
  Stack,
  type StackProps,
  type aws_cloudwatch as cloudwatch,
  type aws_dynamodb as dynamodb,
  type aws_events as events,
  type aws_kinesis as kinesis,
  type aws_kms as kms,
  type aws_lambda as lambda,
  type aws_logs as logs,
  type aws_s3 as s3,
  type aws_sns as sns,
  type aws_sqs as sqs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Functions } from './constructs/Functions.js';
import { Observability } from './constructs/Observability.js';
import { logicalIdWithoutParts } from './constructs/StackPart.js';
import { State } from './constructs/State.js';
import { Streams } from './constructs/Streams.js';
import { Sweeper } from './constructs/Sweeper.js';
import type { HandlerName } from './handlerEnvironment.js';
import { type KseStackOptions, resolveKseStackOptions } from './KseStackOptions.js';

/** Properties of {@link KseStack}: CDK stack props plus any {@link KseStackOptions}. */
export interface KseStackProps extends StackProps, Partial<KseStackOptions> {}

/**
 * The kse pipeline on AWS: Kinesis streams, the three Lambda functions fed by event source
 * mappings, the sweeper on an EventBridge schedule (it expires the join state of idle shards),
 * the OrdersEnriched and join-state tables, the products bucket, an on-failure queue,
 * alarms and a dashboard. Each function's role holds only what that function does.
 *
 * Built from five parts, each a construct of its own: {@link Streams}, {@link State},
 * {@link Functions}, {@link Sweeper} and {@link Observability}. The parts do not show in logical ids, which stay
 * those of the resources as direct children of the stack.
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
  /** Raw or AWS DMS records, read by `preprocess`. */
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
  /** Encrypts the alarm topic (a key of its own, so that CloudWatch may publish to the topic). */
  readonly alarmTopicKey: kms.Key;
  /** The functions of this topology (`sink` only in `seed`). */
  readonly functions: Partial<Record<HandlerName, lambda.Function>>;
  /** Expires the join state of idle shards, on an EventBridge schedule. */
  readonly sweeperFunction: lambda.Function;
  /** The sweeper's own log group. */
  readonly sweeperLogGroup: logs.LogGroup;
  /** The schedule that invokes {@link sweeperFunction}. */
  readonly sweeperSchedule: events.Rule;
  /** Each function's own log group. */
  readonly logGroups: Partial<Record<HandlerName, logs.LogGroup>>;
  readonly alarms: cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KseStackProps = {}) {
    super(scope, id, props);
    const options = resolveKseStackOptions(props);
    this.options = options;

    const streams = new Streams(this, 'Streams', options);
    this.cdcStream = streams.cdcStream;
    this.deadLetterStream = streams.deadLetterStream;
    this.ordersStream = streams.ordersStream;
    this.enrichedStream = streams.enrichedStream;

    const state = new State(this, 'State', options);
    this.ordersEnrichedTable = state.ordersEnrichedTable;
    this.joinStateTable = state.joinStateTable;
    this.productsBucket = state.productsBucket;

    const functions = new Functions(this, 'Functions', { options, streams, state });
    this.functions = functions.functions;
    this.logGroups = functions.logGroups;
    this.failureQueue = functions.failureQueue;

    const sweeper = new Sweeper(this, 'Sweeper', { options, streams, state });
    this.sweeperFunction = sweeper.function;
    this.sweeperLogGroup = sweeper.logGroup;
    this.sweeperSchedule = sweeper.schedule;

    const observability = new Observability(this, 'Observability', {
      options,
      streams,
      functions,
    });
    this.alarmTopic = observability.alarmTopic;
    this.alarmTopicKey = observability.alarmTopicKey;
    this.alarms = observability.alarms;
    this.dashboard = observability.dashboard;

    this.addOutputs();
  }

  /** The parts group resources in the construct tree only; see {@link logicalIdWithoutParts}. */
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdWithoutParts(this, element);
  }

  private addOutputs(): void {
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
      `Upload products to s3://<this>/${this.options.productsKey}`,
    );
    output(
      'FailedBatchesQueueUrl',
      this.failureQueue.queueUrl,
      'On-failure destination of every event source mapping',
    );
    output('AlarmTopicArn', this.alarmTopic.topicArn, 'Subscribe to receive alarms');
  }
}
