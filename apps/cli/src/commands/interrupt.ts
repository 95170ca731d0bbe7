import { CliError, EXIT_CODES } from './exitCodes.js';

/** What {@link onInterrupt} hands to a command. */
export interface Interrupt {
  /** Aborts on the first SIGINT or SIGTERM, with a `KSE_INTERRUPTED` {@link CliError}. */
  readonly signal: AbortSignal;
  /**
   * The error a command ends with once it has stopped: `interrupted (SIGINT); <left>`,
   * where `left` says what was left behind (exit 130).
   */
  interrupted(left: string): CliError;
  /** Removes the signal handlers (the command is done). */
  dispose(): void;
}

/**
 * Lets a command stop cleanly on Ctrl-C (SIGINT) or SIGTERM: the first signal aborts
 * `signal`, and the command stops what it started, says what was left and exits 130; a
 * second signal runs `lastResort` (synchronous: remove temp directories) and exits 130 at
 * once, for a user who will not wait.
 *
 * @example
 * ```ts
 * const interrupt = onInterrupt(() => rmSync(tempDir, { recursive: true, force: true }));
 * try { await work(interrupt.signal); } finally { interrupt.dispose(); }
 * ```
 */
export function onInterrupt(lastResort: () => void = () => undefined): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals = 'SIGINT';
  const onSignal = (name: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      received = name;
      controller.abort(new CliError('KSE_INTERRUPTED', `interrupted (${name})`));
      return;
    }
    try {
      lastResort();
    } finally {
      process.exit(EXIT_CODES.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    interrupted: (left) => new CliError('KSE_INTERRUPTED', `interrupted (${received}); ${left}`),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
