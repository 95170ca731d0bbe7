import { createInterface } from 'node:readline';
import { describePlan, type RunConfirmation } from '../pipeline/index.js';
import { CliError } from './exitCodes.js';

/**
 * What `kse run` shows before it changes a foreign target: the account (from STS), the
 * region, the endpoints when they are not AWS's own, and one line per resource it will
 * create or change.
 */
export function formatConfirmation(confirmation: RunConfirmation): string[] {
  const { identity, region, plan } = confirmation;
  const endpoints = [...new Set(Object.values(confirmation.endpoints).filter((e) => e))];
  const account =
    identity.account === null
      ? `account unknown (${identity.unknownBecause ?? 'STS did not say'})`
      : `AWS account ${identity.account}`;
  return [
    `kse run will change ${account}, region ${region}`,
    ...(endpoints.length === 0 ? [] : [`at ${endpoints.join(', ')} (not a stack kse started):`]),
    ...describePlan(plan).map((line) => `  ${line}`),
    'What kse creates is deleted at the end (unless --keep); nothing else is deleted.',
  ];
}

/**
 * Asks `question` on the terminal and resolves true for y/yes. Ctrl-C at the prompt is an
 * interrupt (`KSE_INTERRUPTED`), not a no.
 */
export function askYesNo(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<boolean> {
  const rl = createInterface({ input, output });
  return new Promise<boolean>((resolve, reject) => {
    rl.once('SIGINT', () => {
      rl.close();
      output.write('\n');
      reject(
        new CliError('KSE_INTERRUPTED', 'interrupted at the confirmation: nothing was changed'),
      );
    });
    rl.question(question, (answer) => {
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(answer));
    });
  });
}
