import { type CfnElement, Names, type Stack } from 'aws-cdk-lib';
import { Construct, RootConstruct } from 'constructs';

/**
 * A part of the kse stack (streams, state, functions, observability): it groups resources in the
 * construct tree, not in the template. {@link logicalIdWithoutParts} leaves a part's id out of
 * the logical ids of the resources inside it.
 */
export abstract class StackPart extends Construct {}

/**
 * The logical id `element` would have as a direct child of `stack`'s non-part scopes: the id
 * CloudFormation knew it by before the stack was split into parts. A changed logical id makes
 * CloudFormation replace the resource (a table or a stream with its data), so the parts must not
 * show in it.
 *
 * @example
 * ```ts
 * class KseStack extends Stack {
 *   protected override allocateLogicalId(element: CfnElement): string {
 *     return logicalIdWithoutParts(this, element); // Kse/Streams/OrdersStream/Resource → OrdersStream464CF62B
 *   }
 * }
 * ```
 */
export function logicalIdWithoutParts(stack: Stack, element: CfnElement): string {
  const scopes = element.node.scopes;
  const path = scopes
    .slice(scopes.indexOf(stack) + 1)
    .filter((scope) => !(scope instanceof StackPart))
    .map((scope) => scope.node.id);
  // Names.uniqueId is CDK's own logical-id rule (path from the root, `Default` hidden, readable
  // part plus a hash of the path): a detached tree of bare constructs hands it the path without
  // the parts, so the rule is CDK's, not a copy of it.
  let scope: Construct = new RootConstruct();
  for (const id of path) scope = new Construct(scope, id);
  return Names.uniqueId(scope);
}
