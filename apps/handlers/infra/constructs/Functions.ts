import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  Duration,
  RemovalPolicy,
  Validations,
  aws_iam as iam,
  type aws_kinesis as kinesis,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { JOIN_STATE_TABLE } from '@kse/enrich';
import {
  HANDLER_NAMES,
  type HandlerName,
  type HandlerResources,
  handlerEnvironment,
} from '../handlerEnvironment.js';
import type { KseStackOptions } from '../KseStackOptions.js';
import { StackPart } from './StackPart.js';
import type { State } from './State.js';
import type { Streams } from './Streams.js';

/** Memory and timeout per function: 512 MB everywhere, 3 minutes for the sink, as in the sample. */
export const FUNCTION_SIZING: Record<HandlerName, { memoryMb: number; timeout: Duration }> = {
  preprocess: { memoryMb: 512, timeout: Duration.minutes(1) },
  enrich: { memoryMb: 512, timeout: Duration.minutes(3) },
  sink: { memoryMb: 512, timeout: Duration.minutes(3) },
};

/**
 * The runtime of every function: the newest Node.js Lambda offers in this aws-cdk-lib. The
 * bundles are built for it (esbuild target `node24`) and the bundle tests run them on it.
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** What {@link Functions} needs: the stack options, and the streams and state it reads and writes. */
export interface FunctionsProps {
  options: KseStackOptions;
  streams: Streams;
  state: State;
}

/**
 * The Lambda functions of the topology (`preprocess`, `enrich`, and `sink` in `seed`), each with
 * its own log group and a role that holds only what that function does; the event source mapping
 * that feeds each from its stream; and the queue every mapping sends a failed batch to.
 */
export class Functions extends StackPart {
  /** The functions of this topology (`sink` only in `seed`). */
  readonly functions: Partial<Record<HandlerName, lambda.Function>> = {};
  /** Each function's own log group (2 weeks). */
  readonly logGroups: Partial<Record<HandlerName, logs.LogGroup>> = {};
  /** On-failure destination of every event source mapping. */
  readonly failureQueue: sqs.Queue;
  private readonly options: KseStackOptions;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { options, streams, state } = props;
    this.options = options;
    this.failureQueue = new sqs.Queue(this, 'FailedBatchesQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination: every event source mapping sends a batch here after its retries. Nothing consumes it automatically, so a queue behind it would never receive a message; the FailedBatches alarm watches it instead.',
    });

    const seed = options.topology === 'seed';
    const names = seed ? HANDLER_NAMES : HANDLER_NAMES.filter((name) => name !== 'sink');
    for (const name of names) {
      const fn = this.handlerFunction(name, streams, state);
      // Bad input and unmatched items go to the dead-letter stream, never only to a log.
      streams.deadLetterStream.grant(fn, 'kinesis:PutRecords');
      this.functions[name] = fn;
    }
    const preprocess = this.functions.preprocess!;
    const enrich = this.functions.enrich!;

    // preprocess: OrdersCdcStream → OrdersStream
    this.consume(preprocess, streams.cdcStream, 1);
    streams.ordersStream.grant(preprocess, 'kinesis:PutRecords');

    // enrich: OrdersStream → join (state table) + products (one S3 object) → enriched stream or table
    this.consume(enrich, streams.ordersStream, 1);
    // DynamoDbJoinStore: BatchGetItem/BatchWriteItem on the table, Query on the expiry index only.
    enrich.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
        resources: [state.joinStateTable.tableArn],
      }),
    );
    enrich.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${state.joinStateTable.tableArn}/index/${JOIN_STATE_TABLE.expiryIndex.name}`],
      }),
    );
    enrich.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [state.productsBucket.arnForObjects(options.productsKey)],
      }),
    );
    if (seed) {
      streams.enrichedStream!.grant(enrich, 'kinesis:PutRecords');
      // sink: OrdersEnrichedStream → OrdersEnriched
      const sink = this.functions.sink!;
      this.consume(sink, streams.enrichedStream!, options.sinkParallelizationFactor);
      state.ordersEnrichedTable.grant(sink, 'dynamodb:BatchWriteItem');
    } else {
      state.ordersEnrichedTable.grant(enrich, 'dynamodb:BatchWriteItem');
    }
  }

  private handlerFunction(name: HandlerName, streams: Streams, state: State): lambda.Function {
    const { options } = this;
    const assetDir = path.join(options.bundleDir, name);
    if (!existsSync(path.join(assetDir, 'index.mjs'))) {
      throw new Error(
        `KseStack: bundle ${assetDir}/index.mjs is missing; run \`npm run build -w @kse/handlers\` first`,
      );
    }
    const id = `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`;
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: options.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.logGroups[name] = logGroup;
    // An explicit role without AWSLambdaBasicExecutionRole (whose log statements are on `*`):
    // the function may write only to its own log group.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `kse ${name}: only what ${name} does`,
    });
    logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
    // Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords on `*` to the role.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement that active tracing adds has Resource *: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions. Every other statement names its stream, table, object, queue or log group (tests/stack.test.ts checks it).',
    });
    const sizing = FUNCTION_SIZING[name];
    return new lambda.Function(this, id, {
      description: `kse ${name} (${options.topology} topology)`,
      runtime: FUNCTION_RUNTIME,
      // X-Ray samples invocations and traces them; the handlers' Powertools Tracer adds a
      // subsegment per invocation and per AWS SDK call (loaded only when tracing is on).
      tracing: lambda.Tracing.ACTIVE,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetDir),
      memorySize: sizing.memoryMb,
      timeout: sizing.timeout,
      role,
      logGroup,
      environment: handlerEnvironment(name, handlerResources(options, streams, state)),
    });
  }

  /** Event source mapping with Lambda's failure handling on, and the read grants it needs on that stream only. */
  private consume(
    fn: lambda.Function,
    stream: kinesis.Stream,
    parallelizationFactor: number,
  ): void {
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
}

/** What every kse function reads from its environment: the stack's names and the join's settings. */
export function handlerResources(
  options: KseStackOptions,
  streams: Streams,
  state: State,
): HandlerResources {
  return {
    topology: options.topology,
    ordersStreamName: streams.ordersStream.streamName,
    enrichedStreamName: streams.enrichedStream?.streamName,
    ordersEnrichedTableName: state.ordersEnrichedTable.tableName,
    joinStateTableName: state.joinStateTable.tableName,
    productsBucket: state.productsBucket.bucketName,
    productsKey: options.productsKey,
    joinWindowSeconds: options.joinWindowSeconds,
    joinTime: options.joinTime,
    joinLatenessSeconds: options.joinLatenessSeconds,
    joinStateTtlSeconds: options.joinStateTtlSeconds,
    sweepIntervalSeconds: options.sweepIntervalSeconds,
    sweepBudgetSeconds: options.sweepBudgetSeconds,
    deadLetterStreamName: streams.deadLetterStream.streamName,
  };
}
