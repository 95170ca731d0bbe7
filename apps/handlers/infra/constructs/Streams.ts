import { CfnParameter, Duration, RemovalPolicy, aws_kinesis as kinesis } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { KseStackOptions } from '../KseStackOptions.js';
import { StackPart } from './StackPart.js';

/** What {@link Streams} takes from the stack options. */
export type StreamsProps = Pick<
  KseStackOptions,
  'topology' | 'cdcShards' | 'ordersShards' | 'enrichedShards'
>;

/**
 * The pipeline's Kinesis streams, each sized by a CloudFormation parameter defaulted from the
 * options: OrdersCdcStream (raw / DMS input), DeadLetterStream, OrdersStream and, in the `seed`
 * topology, OrdersEnrichedStream.
 */
export class Streams extends StackPart {
  /** Raw or AWS DMS records, read by `preprocess`. */
  readonly cdcStream: kinesis.Stream;
  /** Bad input and unmatched items, with their reason (every function writes here). */
  readonly deadLetterStream: kinesis.Stream;
  /** Typed order and item records, read by `enrich`. */
  readonly ordersStream: kinesis.Stream;
  /** Enriched rows, read by `sink`. Only in the `seed` topology. */
  readonly enrichedStream?: kinesis.Stream;

  constructor(scope: Construct, id: string, props: StreamsProps) {
    super(scope, id);
    const cdcShards = this.shardParameter(
      'CdcShards',
      props.cdcShards,
      'Shards of OrdersCdcStream (raw/DMS input of preprocess)',
    );
    const ordersShards = this.shardParameter(
      'OrdersShards',
      props.ordersShards,
      'Shards of OrdersStream',
    );
    this.cdcStream = this.stream('OrdersCdcStream', cdcShards);
    this.deadLetterStream = this.stream(
      'DeadLetterStream',
      this.shardParameter(
        'DeadLetterShards',
        1,
        'Shards of DeadLetterStream (bad input, unmatched items)',
      ),
    );
    this.ordersStream = this.stream('OrdersStream', ordersShards);
    if (props.topology === 'seed') {
      const enrichedShards = this.shardParameter(
        'EnrichedShards',
        props.enrichedShards,
        'Shards of OrdersEnrichedStream',
      );
      this.enrichedStream = this.stream('OrdersEnrichedStream', enrichedShards);
    }
  }

  /** Every stream of this topology, in the order the dashboard shows them (input to dead letters). */
  get all(): kinesis.Stream[] {
    return [
      this.cdcStream,
      this.ordersStream,
      ...(this.enrichedStream ? [this.enrichedStream] : []),
      this.deadLetterStream,
    ];
  }

  private shardParameter(name: string, defaultValue: number, description: string): CfnParameter {
    return new CfnParameter(this, name, {
      type: 'Number',
      default: defaultValue,
      minValue: 1,
      description,
    });
  }

  private stream(name: string, shards: CfnParameter): kinesis.Stream {
    return new kinesis.Stream(this, name, {
      streamMode: kinesis.StreamMode.PROVISIONED,
      shardCount: shards.valueAsNumber,
      retentionPeriod: Duration.hours(24),
      // AWS-managed key (alias/aws/kinesis): encrypted at rest with no KMS grants to hand out.
      encryption: kinesis.StreamEncryption.MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
