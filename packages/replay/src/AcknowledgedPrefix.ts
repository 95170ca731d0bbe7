/** Where a line of a replay's input is, and the id it carries. */
export interface ReplayPosition {
  /** File path or S3 URI. */
  source: string;
  /** Line number in the source, from 1. */
  lineNumber: number;
  /** The line's `idAttribute` as a number (`orderId` by default), or null when it has none. */
  id: number | null;
}

/**
 * The longest run of lines, from the first line a replay read, that Kinesis has
 * acknowledged: lines are numbered in read order (ordinals) as they are read, their
 * acknowledgements come back in any order (one request per lane), and {@link last} is the
 * position of the run's last line. A line that is dead-lettered (or dropped) ends the run
 * for good: nothing after it is tracked any more, so memory stays bounded by the lines in
 * flight.
 */
export class AcknowledgedPrefix {
  #next = 0;
  readonly #acked = new Map<number, ReplayPosition>();
  #last: ReplayPosition | null = null;
  #ended = false;

  /** The last line of the acknowledged run, or null before the first line is acknowledged. */
  get last(): ReplayPosition | null {
    return this.#last;
  }

  /** Kinesis acknowledged the line read as the `ordinal`-th (from 0). */
  acknowledge(ordinal: number, position: ReplayPosition): void {
    if (this.#ended || ordinal < this.#next) return;
    this.#acked.set(ordinal, position);
    for (let at = this.#acked.get(this.#next); at !== undefined; at = this.#acked.get(this.#next)) {
      this.#acked.delete(this.#next);
      this.#last = at;
      this.#next += 1;
    }
  }

  /** A line will never be acknowledged (dead-lettered): the run ends before it. */
  end(): void {
    this.#ended = true;
    this.#acked.clear();
  }
}
