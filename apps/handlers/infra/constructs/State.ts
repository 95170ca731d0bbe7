import { RemovalPolicy, Validations, aws_dynamodb as dynamodb, aws_s3 as s3 } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { JOIN_STATE_TABLE } from '@kse/enrich';
import type { KseStackOptions } from '../KseStackOptions.js';
import { StackPart } from './StackPart.js';

/** What {@link State} takes from the stack options. */
export type StateProps = Pick<KseStackOptions, 'tableBilling' | 'retainData'>;

/**
 * Where the pipeline's data rests: the OrdersEnriched table (the output), the join-state table
 * (`enrich`'s interval-join state) and the products bucket (reference data).
 */
export class State extends StackPart {
  /** Where enriched rows land. */
  readonly ordersEnrichedTable: dynamodb.Table;
  /** `enrich`'s join state, in @kse/enrich's DynamoDbJoinStore layout. */
  readonly joinStateTable: dynamodb.Table;
  /** Holds the products reference object. */
  readonly productsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StateProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const billing = props.tableBilling;
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
      // The pipeline's output: restorable to any second of the last 35 days, whatever retainData says.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
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
    Validations.of(this.joinStateTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Join state lives one join window (60 s) and follows the output: after a loss, enrich rebuilds it from the stream within one window, and a point-in-time copy would disagree with the stream checkpoints anyway.',
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
    Validations.of(this.productsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds one reference object, written by the operator and readable only by the enrich role (s3:GetObject on that key); access is audited with CloudTrail data events where the account enables them. A log bucket would be a second bucket to empty before every teardown.',
    });
  }
}
