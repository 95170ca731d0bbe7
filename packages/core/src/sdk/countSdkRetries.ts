import type { RetryCounters } from '../retry/RetryCounters.js';

// The least of an SDK v3 client this needs, so that @kse/core holds no service client.
interface MiddlewareContext {
  [key: string]: unknown;
}
type Next = (args: unknown) => Promise<unknown>;
type Middleware = (next: Next, context: MiddlewareContext) => Next;
interface MiddlewareStack {
  add(
    middleware: Middleware,
    options: { step: 'initialize' | 'finalizeRequest'; name: string },
  ): void;
}
/** Any AWS SDK v3 client (its `middlewareStack`). */
interface ClientWithMiddleware {
  middlewareStack: { add: (...args: never[]) => unknown };
}

// Where the inner middleware leaves the tries' errors for the outer one, per call.
const ERRORS = 'kseAttemptErrors';

/**
 * Counts the whole-call retries the SDK makes for `client` into `counters`, by kind
 * (`sdk.<error name>`, e.g. `sdk.ThrottlingException`, `sdk.TimeoutError`): the SDK's retry
 * strategy owns these, so without this they are invisible. A middleware inside the retry
 * loop notes the error of every try; one outside counts, when the call ends, every noted
 * error that was followed by another try (all of them when the call succeeded, all but the
 * last when it failed). Adds two middleware; call it once per client.
 *
 * @example
 * ```ts
 * const retries = new RetryCounters();
 * countSdkRetries(kinesis, retries);
 * // … run …
 * report.retries = retries.byKind; // { 'sdk.ProvisionedThroughputExceededException': 2, … }
 * ```
 */
export function countSdkRetries(client: ClientWithMiddleware, counters: RetryCounters): void {
  const stack = client.middlewareStack as unknown as MiddlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const errors: string[] = [];
      context[ERRORS] = errors;
      try {
        const output = await next(args);
        for (const kind of errors) counters.add(`sdk.${kind}`);
        return output;
      } catch (error) {
        for (const kind of errors.slice(0, -1)) counters.add(`sdk.${kind}`);
        throw error;
      }
    },
    { step: 'initialize', name: 'kseCountSdkRetries' },
  );
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const errors = context[ERRORS] as string[] | undefined;
        errors?.push(error instanceof Error ? error.name : 'Error');
        throw error;
      }
    },
    { step: 'finalizeRequest', name: 'kseNoteAttemptErrors' },
  );
}
