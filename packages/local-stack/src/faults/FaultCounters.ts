/** The kinds of fault a proxy injects, as counted. */
export const FAULT_KINDS = [
  'throttle',
  '5xx',
  'partial',
  'unprocessed',
  'expired',
  'reset',
  'latency',
  'stall',
] as const;

/** One of {@link FAULT_KINDS}. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a proxy counted: faults injected, and requests that came back for them. */
export interface FaultCounts {
  /** Faults injected, by kind (`partial`, `unprocessed`: entries; others: requests). */
  injected: Record<FaultKind, number>;
  /**
   * Retries the proxy saw answer an injected fault, by kind. Whole-call faults and
   * resets: a request with the same `amz-sdk-invocation-id` and a later attempt number
   * (the SDK's own retry). `partial` and `unprocessed`: an entry with the same content
   * sent again (kse's own retry loop). `expired`: a GetShardIterator call after an
   * injected expiry (the reader asking for a fresh iterator). Latency and stalls need no
   * retry.
   */
  retried: Record<FaultKind, number>;
}

const zeros = (): Record<FaultKind, number> =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

/** Counters shared by the proxies of one stack. */
export class FaultCounters {
  readonly injected = zeros();
  readonly retried = zeros();

  /** A copy of the counts. */
  snapshot(): FaultCounts {
    return { injected: { ...this.injected }, retried: { ...this.retried } };
  }

  /** Total injected, all kinds. */
  totalInjected(): number {
    return FAULT_KINDS.reduce((sum, k) => sum + this.injected[k], 0);
  }
}
