// The AWS Solutions rule pack of cdk-nag on the synthesized stack, offline. What applies is
// fixed in infra/ (point-in-time recovery, encrypted topic and queue, TLS-only policies, the
// newest Node.js runtime, removal policies); what does not is acknowledged next to the
// resource with `Validations.of(...).acknowledge({ id, reason })`. `cdk synth` runs the same
// pack (infra/app.ts) and fails on any finding left.
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synth } from './support/synth.js';

const configurations = [
  ['seed', {}],
  ['fused', { topology: 'fused' }],
  [
    'seed, provisioned billing, data retained',
    {
      tableBilling: { mode: 'provisioned', readCapacity: 300, writeCapacity: 2000 },
      retainData: true,
    },
  ],
] as const;

/** The pack's findings on `scope`, as `rule at construct path` lines (readable in a failure). */
function findings(scope: IConstruct, pack = new AwsSolutionsChecks()): string[] {
  const report = pack.validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) =>
        `${violation.ruleName} (${violation.severity}) at ${(resource as { constructPath?: string }).constructPath ?? resource.resourceLogicalId}`,
    ),
  );
}

/** Every acknowledgment recorded in the tree: construct path, rule id and reason. */
function acknowledgments(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('AWS Solutions checks (cdk-nag)', () => {
  it.each(configurations)('%s: no unacknowledged error or warning', (_name, props) => {
    expect(findings(synth(props).stack)).toEqual([]);
  });

  it('acknowledges only these findings, each with a written reason', () => {
    const { stack } = synth();
    const found = acknowledgments(stack);
    expect(found.map(({ path, id }) => `${id} at ${path}`).sort()).toEqual([
      'AwsSolutions-DDB3 at Kse/State/JoinState',
      'AwsSolutions-IAM5[Resource::*] at Kse/Functions/EnrichFunctionRole',
      'AwsSolutions-IAM5[Resource::*] at Kse/Functions/PreprocessFunctionRole',
      'AwsSolutions-IAM5[Resource::*] at Kse/Functions/SinkFunctionRole',
      'AwsSolutions-IAM5[Resource::*] at Kse/Sweeper/SweeperFunctionRole',
      'AwsSolutions-S1 at Kse/State/ProductsBucket',
      'AwsSolutions-SQS3 at Kse/Functions/FailedBatchesQueue',
    ]);
    for (const { id, reason } of found) {
      expect(reason.length, id).toBeGreaterThanOrEqual(80);
    }
  });

  it('every acknowledgment silences a finding the pack would otherwise report (none is stale)', () => {
    const { stack } = synth();
    // The same pack with acknowledgments ignored: what the stack would be flagged for.
    const strict = new AwsSolutionsChecks();
    Object.assign(strict, { isAcknowledged: () => false });
    const raw = findings(stack, strict);
    for (const { path, id } of acknowledgments(stack)) {
      expect(
        raw.some((line) => line.startsWith(`${id} (`) && line.includes(` at ${path}/`)),
        `${id} at ${path}`,
      ).toBe(true);
    }
  });
});
