import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  Duration,
  RemovalPolicy,
  Validations,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { JOIN_STATE_TABLE } from '@kse/enrich';
import { handlerEnvironment } from '../handlerEnvironment.js';
import type { KseStackOptions } from '../KseStackOptions.js';
import { FUNCTION_RUNTIME, handlerResources } from './Functions.js';
import { StackPart } from './StackPart.js';
import type { State } from './State.js';
import type { Streams } from './Streams.js';

/** What {@link Sweeper} needs: the stack options, the streams and the state it reads and writes. */
export interface SweeperProps {
  options: KseStackOptions;
  streams: Streams;
  state: State;
}

/**
 * The sweeper: on AWS a shard that gets no records gets no invocations, so the enrich function
 * cannot expire its join state. An EventBridge schedule (every `sweepIntervalSeconds`) invokes
 * this function, which sweeps the join state of every shard of OrdersStream that is caught up
 * and dead-letters what can no longer match (`KSE_JOIN_UNMATCHED`, `KSE_JOIN_UNMATCHED_ORDER`).
 * Its timeout is `sweepBudgetSeconds`; the stack options refuse a join-state TTL that would not
 * outlast window + lateness + interval + budget.
 */
export class Sweeper extends StackPart {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  /** The schedule that invokes {@link function}. */
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: SweeperProps) {
    super(scope, id);
    const { options, streams, state } = props;
    const assetDir = path.join(options.bundleDir, 'sweeper');
    if (!existsSync(path.join(assetDir, 'index.mjs'))) {
      throw new Error(
        `KseStack: bundle ${assetDir}/index.mjs is missing; run \`npm run build -w @kse/handlers\` first`,
      );
    }
    this.logGroup = new logs.LogGroup(this, 'SweeperFunctionLogs', {
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: options.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'SweeperFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'kse sweeper: only what sweeper does',
    });
    this.logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement that active tracing adds has Resource *: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions. Every other statement names its stream, table, index or log group (tests/stack.test.ts checks it).',
    });
    this.function = new lambda.Function(this, 'SweeperFunction', {
      description: `kse sweeper (${options.topology} topology): expires the join state of idle shards`,
      runtime: FUNCTION_RUNTIME,
      tracing: lambda.Tracing.ACTIVE,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetDir),
      memorySize: 256,
      timeout: Duration.seconds(options.sweepBudgetSeconds),
      role,
      logGroup: this.logGroup,
      environment: handlerEnvironment('sweeper', handlerResources(options, streams, state)),
    });

    // DynamoDbJoinStore with conditional writes (ifUnchanged): reads in batches, writes each
    // key on a condition, and the expiry index for the keys to expire.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
        ],
        resources: [state.joinStateTable.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${state.joinStateTable.tableArn}/index/${JOIN_STATE_TABLE.expiryIndex.name}`],
      }),
    );
    // Lists OrdersStream's shards (open, closed, lineage) and reads past each shard's
    // checkpoint to tell an idle shard from one whose consumer is behind.
    streams.ordersStream.grant(
      role,
      'kinesis:ListShards',
      'kinesis:GetShardIterator',
      'kinesis:GetRecords',
    );
    // What can no longer match goes to the dead-letter stream.
    streams.deadLetterStream.grant(role, 'kinesis:PutRecords');

    this.schedule = new events.Rule(this, 'SweeperSchedule', {
      description: 'kse: sweep the join state of idle shards',
      schedule: events.Schedule.rate(Duration.seconds(options.sweepIntervalSeconds)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
