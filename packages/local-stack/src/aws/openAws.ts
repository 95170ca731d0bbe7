// The one arrow from aws/ into emulators/: for the local target, openAws starts the
// embedded stack. It points one way: emulators/ uses aws/config, aws/clients and aws/poll
// (the stack hands out an AwsConfig, DynamoDB Local is probed with a client) but never this
// file, so there is no cycle (tests/layout.test.ts checks it).
import {
  startLocalStack,
  type LocalStack,
  type LocalStackOptions,
} from '../emulators/startLocalStack.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from './clients.js';
import { resolveAwsConfig, type AwsConfig, type ResolveAwsConfigOptions } from './config.js';

/** Options of {@link openAws}. */
export type OpenAwsOptions = ResolveAwsConfigOptions & {
  /** Environment to resolve from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Options of the embedded stack, when one is started. */
  localStack?: LocalStackOptions;
};

/** What {@link openAws} returns. */
export interface OpenAws {
  config: AwsConfig;
  clients: AwsClients;
  /** The embedded stack, when the target was `local` and one was started. */
  stack?: LocalStack;
  /** Destroys the clients and stops the embedded stack, if any. Idempotent. */
  close(): Promise<void>;
}

/**
 * Resolves the AWS configuration ({@link resolveAwsConfig}) and builds the clients; for
 * the `local` target (the default without an endpoint option) it starts the embedded
 * local stack first, whatever AWS settings the environment holds. `target: 'aws'` uses
 * the standard AWS configuration and credential chain.
 *
 * @example
 * ```ts
 * const aws = await openAws();   // the embedded stack; openAws({ target: 'aws' }) for AWS
 * try { await ensureStream(aws.clients.kinesis, { streamName: 'orders', shardCount: 2 }); }
 * finally { await aws.close(); }
 * ```
 */
export async function openAws(options: OpenAwsOptions = {}): Promise<OpenAws> {
  const { env, localStack, ...configOptions } = options;
  const resolved = resolveAwsConfig(configOptions, env);
  let stack: LocalStack | undefined;
  let config = resolved.config;
  if (resolved.embedded) {
    stack = await startLocalStack({ region: config.region, ...localStack });
    config = {
      ...stack.config,
      ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
    };
  }
  const clients = createAwsClients(config);
  let closed: Promise<void> | undefined;
  return {
    config,
    clients,
    ...(stack ? { stack } : {}),
    close: () =>
      (closed ??= (async () => {
        destroyAwsClients(clients);
        await stack?.stop();
      })()),
  };
}
