import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { KseStack, type KseStackProps } from '../../infra/KseStack.js';

export const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE_DIR = path.join(APP_ROOT, 'dist', 'handlers');

/** A CloudFormation resource as it appears in the synthesized template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string[];
}

export interface Synthesized {
  stack: KseStack;
  template: Template;
  resources: Record<string, CfnResource>;
  assembly: CloudAssembly;
}

/** Synthesizes a KseStack offline (no account, no Docker) and returns its template and cloud assembly. */
export function synth(
  props: KseStackProps = {},
  context: Record<string, unknown> = {},
): Synthesized {
  const app = new App({ context });
  const stack = new KseStack(app, 'Kse', props);
  const template = Template.fromStack(stack);
  const assembly = app.synth();
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  return { stack, template, resources, assembly };
}

/** Count of resources per CloudFormation type, sorted by type. */
export function countByType(resources: Record<string, CfnResource>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(resources)) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
export function logicalId(
  resources: Record<string, CfnResource>,
  type: string,
  prefix: string,
): string {
  const ids = Object.keys(resources).filter(
    (id) => resources[id]!.Type === type && id.startsWith(prefix),
  );
  if (ids.length !== 1)
    throw new Error(`expected one ${type} named ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

/** A `Ref`/`Fn::GetAtt` resolved to the logical id it points at, or a readable string for the rest. */
export function describeResource(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string') return object.Ref;
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `${String(getAtt[0])}.${String(getAtt[1])}`;
    const join = object['Fn::Join'];
    if (Array.isArray(join))
      return (join[1] as unknown[]).map(describeResource).join(join[0] as string);
  }
  return JSON.stringify(value);
}

/** An IAM policy statement as synthesized. */
export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every identity-policy statement of the template, with where it came from. */
export function identityStatements(
  resources: Record<string, CfnResource>,
): { source: string; roles: string[]; statement: Statement }[] {
  const found: { source: string; roles: string[]; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const document = props.PolicyDocument as { Statement: Statement[] };
      const roles = asList(props.Roles as unknown[] | undefined).map(describeResource);
      for (const statement of document.Statement) found.push({ source: id, roles, statement });
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asList(
        props.Policies as { PolicyDocument: { Statement: Statement[] } }[],
      )) {
        for (const statement of policy.PolicyDocument.Statement)
          found.push({ source: id, roles: [id], statement });
      }
    }
  }
  return found;
}

/** Every resource-policy statement (bucket, queue, topic policies), with where it came from. */
export function resourcePolicyStatements(
  resources: Record<string, CfnResource>,
): { source: string; statement: Statement }[] {
  const found: { source: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (!/^AWS::(S3::BucketPolicy|SQS::QueuePolicy|SNS::TopicPolicy)$/.test(resource.Type))
      continue;
    const document = resource.Properties!.PolicyDocument as { Statement: Statement[] };
    for (const statement of document.Statement) found.push({ source: id, statement });
  }
  return found;
}
