import seedrandom from 'seedrandom';

/** A seeded random source: `next()` in [0, 1), `int(n)` in [0, n). */
export interface Random {
  next(): number;
  int(n: number): number;
}

/**
 * A seeded random source for one named stream of a seed. Products and orders draw from
 * separate streams, so the product catalogue is the same whatever the order count.
 * Alea (from seedrandom) is pure IEEE-754 arithmetic: the same seed gives the same
 * sequence on every machine.
 */
export function createRandom(seed: string, stream: string): Random {
  const prng = seedrandom.alea(`${seed}\u0000${stream}`);
  return {
    next: () => prng(),
    int: (n: number) => Math.floor(prng() * n),
  };
}
