import type { App } from 'aws-cdk-lib';
import { KseStack, type KseStackProps } from './KseStack.js';
import { TOPOLOGIES, type TableBilling, type Topology } from './KseStackOptions.js';

/**
 * Adds the kse stack to `app`, configured from CDK context values (`-c key=value` or cdk.json).
 * Bad values fail synthesis with a message naming the context key.
 */
export function buildApp(app: App): KseStack {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null ? undefined : String(value);
  };
  const integer = (key: string): number | undefined => {
    const raw = context(key);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`context ${key} must be a positive integer (got ${raw})`);
    }
    return value;
  };
  const nonNegative = (key: string): number | undefined => {
    const raw = context(key);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`context ${key} must be an integer >= 0 (got ${raw})`);
    }
    return value;
  };
  const joinTime = context('joinTime');
  if (joinTime !== undefined && joinTime !== 'arrival' && joinTime !== 'event') {
    throw new Error(`context joinTime must be arrival or event (got ${joinTime})`);
  }
  const topology = context('topology') ?? 'seed';
  if (!(TOPOLOGIES as readonly string[]).includes(topology)) {
    throw new Error(`context topology must be one of ${TOPOLOGIES.join(', ')} (got ${topology})`);
  }
  const billingMode = context('billing') ?? 'on-demand';
  let tableBilling: TableBilling;
  if (billingMode === 'on-demand') tableBilling = { mode: 'on-demand' };
  else if (billingMode === 'provisioned') {
    tableBilling = {
      mode: 'provisioned',
      readCapacity: integer('readCapacity') ?? 300,
      writeCapacity: integer('writeCapacity') ?? 2000,
    };
  } else throw new Error(`context billing must be on-demand or provisioned (got ${billingMode})`);

  const props: KseStackProps = {
    topology: topology as Topology,
    tableBilling,
    ordersShards: integer('ordersShards'),
    enrichedShards: integer('enrichedShards'),
    cdcShards: integer('cdcShards'),
    joinTime: joinTime as 'arrival' | 'event' | undefined,
    joinLatenessSeconds: nonNegative('joinLatenessSeconds'),
    joinStateTtlSeconds: integer('joinStateTtlSeconds'),
    sweepIntervalSeconds: integer('sweepIntervalSeconds'),
    sweepBudgetSeconds: integer('sweepBudgetSeconds'),
    description: `kse streaming ETL on Kinesis, Lambda and DynamoDB (${topology} topology)`,
  };
  return new KseStack(app, context('stackName') ?? 'Kse', props);
}
