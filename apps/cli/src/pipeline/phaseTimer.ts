/** Times and announces the phases of a run. */
export interface PhaseTimer {
  /**
   * Runs `work` as the phase `name`: logs `name…` as it starts and records its wall time,
   * also when it fails.
   */
  run<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Wall time of each phase so far, ms, by name (the report's `durationsMs`). */
  readonly durations: Record<string, number>;
}

/** A {@link PhaseTimer} that logs with `log` and reads the time with `now`. */
export function createPhaseTimer(log: (message: string) => void, now: () => number): PhaseTimer {
  const durations: Record<string, number> = {};
  return {
    durations,
    async run(name, work) {
      const start = now();
      log(`${name}…`);
      try {
        return await work();
      } finally {
        durations[name] = now() - start;
      }
    },
  };
}
