import {
  Duration,
  RemovalPolicy,
  Stack,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  aws_iam as iam,
  aws_kms as kms,
  type aws_lambda as lambda,
  aws_sns as sns,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type HandlerName, KSE_METRICS } from '../handlerEnvironment.js';
import type { KseStackOptions } from '../KseStackOptions.js';
import { FUNCTION_SIZING, type Functions } from './Functions.js';
import { StackPart } from './StackPart.js';
import type { Streams } from './Streams.js';

/** What {@link Observability} needs: the stack options, and the streams and functions it watches. */
export interface ObservabilityProps {
  options: Pick<KseStackOptions, 'topology' | 'iteratorAgeAlarm' | 'latencyAlarm'>;
  streams: Streams;
  functions: Functions;
}

const PERIOD = Duration.minutes(1);

/**
 * Alarms on every stream, every function, kse's own metrics and the on-failure queue, all sent
 * to one SNS topic, and a dashboard that shows what they watch.
 */
export class Observability extends StackPart {
  /** Every alarm acts on this topic: subscribe to it to receive alarms. */
  readonly alarmTopic: sns.Topic;
  /** Encrypts the alarm topic; CloudWatch may use it to publish alarms. */
  readonly alarmTopicKey: kms.Key;
  /** Every alarm, in the order the dashboard's alarm-status widget lists them. */
  readonly alarms: cloudwatch.Alarm[] = [];
  /** One dashboard with the watched metrics of streams, functions, latency and the queue. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { options } = props;
    this.alarmTopicKey = alarmTopicKey(this);
    this.alarmTopic = alarmTopic(this, this.alarmTopicKey);
    const streamWidgets = this.watchStreams(props.streams, options.iteratorAgeAlarm);
    const functionWidgets = this.watchFunctions(props.functions, options.iteratorAgeAlarm);

    // End-to-end latency is measured where rows land: the sink (seed) or enrich (fused).
    const lander: HandlerName = options.topology === 'seed' ? 'sink' : 'enrich';
    const latency = kseMetric(lander, KSE_METRICS.endToEndLatencyMax, 'p99');
    this.alarm(
      'EndToEndLatencyAlarm',
      latency,
      options.latencyAlarm.toMilliseconds(),
      'end-to-end latency (OrdersStream arrival → row written): p99 of the per-batch maximum',
    );
    const failedBatches = props.functions.failureQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: PERIOD,
    });
    this.alarm(
      'FailedBatchesAlarm',
      failedBatches,
      0,
      'batches sent to the on-failure queue after the retry budget',
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
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
              kseMetric(lander, KSE_METRICS.endToEndLatencyMean, 'Average'),
              latency,
              kseMetric(lander, KSE_METRICS.endToEndLatencyMax, 'Maximum'),
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

  /** Per stream: iterator age and read / write throttle alarms; three widgets each. */
  private watchStreams(streams: Streams, iteratorAgeAlarm: Duration): cloudwatch.IWidget[] {
    const widgets: cloudwatch.IWidget[] = [];
    for (const stream of streams.all) {
      const id = stream.node.id;
      const iteratorAge = stream.metricGetRecordsIteratorAgeMilliseconds({
        statistic: 'Maximum',
        period: PERIOD,
      });
      const readExceeded = stream.metricReadProvisionedThroughputExceeded({
        statistic: 'Sum',
        period: PERIOD,
      });
      const writeExceeded = stream.metricWriteProvisionedThroughputExceeded({
        statistic: 'Sum',
        period: PERIOD,
      });
      this.alarm(
        `${id}IteratorAgeAlarm`,
        iteratorAge,
        iteratorAgeAlarm.toMilliseconds(),
        `${id}: consumers fall behind`,
      );
      this.alarm(
        `${id}ReadThrottleAlarm`,
        readExceeded,
        0,
        `${id}: reads throttled (add shards or lower parallelization)`,
      );
      this.alarm(
        `${id}WriteThrottleAlarm`,
        writeExceeded,
        0,
        `${id}: writes throttled (add shards)`,
      );
      widgets.push(
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
          left: [stream.metricIncomingRecords({ statistic: 'Sum', period: PERIOD })],
          width: 8,
        }),
      );
    }
    return widgets;
  }

  /** Per function: errors, p99 duration, iterator age and dead-lettered alarms; four widgets each. */
  private watchFunctions(functions: Functions, iteratorAgeAlarm: Duration): cloudwatch.IWidget[] {
    const widgets: cloudwatch.IWidget[] = [];
    for (const [name, fn] of Object.entries(functions.functions) as [
      HandlerName,
      lambda.Function,
    ][]) {
      const id = fn.node.id;
      const duration = fn.metricDuration({ statistic: 'p99', period: PERIOD });
      const errors = fn.metricErrors({ statistic: 'Sum', period: PERIOD });
      const invocations = fn.metricInvocations({ statistic: 'Sum', period: PERIOD });
      const iteratorAge = fn.metric('IteratorAge', { statistic: 'Maximum', period: PERIOD });
      const timeoutMs = FUNCTION_SIZING[name].timeout.toMilliseconds();
      this.alarm(
        `${id}ErrorsAlarm`,
        errors,
        0,
        `${name}: invocations failed (batches are retried, then sent to the on-failure queue)`,
      );
      this.alarm(
        `${id}DurationAlarm`,
        duration,
        Math.round(timeoutMs * 0.8),
        `${name}: p99 duration above 80% of the timeout`,
      );
      this.alarm(
        `${id}IteratorAgeAlarm`,
        iteratorAge,
        iteratorAgeAlarm.toMilliseconds(),
        `${name}: event source mapping falls behind`,
      );
      widgets.push(
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
            kseMetric(name, KSE_METRICS.recordsIn, 'Sum'),
            kseMetric(name, KSE_METRICS.recordsOut, 'Sum'),
            kseMetric(name, KSE_METRICS.deadLettered, 'Sum'),
          ],
          width: 6,
        }),
      );
      this.alarm(
        `${id}DeadLetteredAlarm`,
        kseMetric(name, KSE_METRICS.deadLettered, 'Sum'),
        0,
        `${name}: records dead-lettered`,
      );
    }
    return widgets;
  }

  /** Fires when `metric` is above `threshold` in 3 of 5 minutes; missing data is not breaching. */
  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
  ): cloudwatch.Alarm {
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
  }
}

/**
 * The key of the alarm topic. A topic encrypted with the AWS-managed SNS key cannot receive
 * alarms (its key policy cannot let CloudWatch in, and the alarms fail silently), so the topic
 * gets a key of its own, rotated yearly, whose policy lets CloudWatch encrypt what it publishes.
 */
function alarmTopicKey(scope: Construct): kms.Key {
  const key = new kms.Key(scope, 'AlarmTopicKey', {
    description: 'kse: encrypts the alarm topic (CloudWatch alarms publish to it)',
    enableKeyRotation: true,
    pendingWindow: Duration.days(7),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'], // in a key policy, `*` is this key
    }),
  );
  return key;
}

/**
 * The alarm topic: encrypted with `key`, refusing publishers without TLS. Its policy replaces
 * SNS's default one, so it must let CloudWatch alarms of this account and region publish.
 */
function alarmTopic(scope: Construct, key: kms.Key): sns.Topic {
  const topic = new sns.Topic(scope, 'AlarmTopic', {
    displayName: 'kse pipeline alarms',
    masterKey: key,
    enforceSSL: true,
  });
  topic.applyRemovalPolicy(RemovalPolicy.DESTROY);
  const stack = Stack.of(scope);
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisAccountPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: {
          'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
        },
      },
    }),
  );
  return topic;
}

/** A metric emitted by the kse handlers (EMF, Powertools), dimensioned by service. */
function kseMetric(name: HandlerName, metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: KSE_METRICS.namespace,
    metricName,
    dimensionsMap: { service: KSE_METRICS.serviceName(name) },
    statistic,
    period: PERIOD,
  });
}

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}
