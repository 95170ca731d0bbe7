// Start-up and stop time of the local stack, in this process and as a child process, with
// the speedups (as `kse local up`, `kse run` and the vitest harness start it).
// Prints figures; asserts nothing. `npx nx run @kse/local-stack:bench`
import { performance } from 'node:perf_hooks';
import { spawnLocalStack, startLocalStack } from '../src/index.js';

const runs = Number(process.argv[2] ?? 10);

async function measure(label: string, start: () => Promise<{ stop(): Promise<void> }>) {
  const starts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    const stack = await start();
    const t1 = performance.now();
    await stack.stop();
    starts.push(t1 - t0);
    stops.push(performance.now() - t1);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `${label}: start median ${median(starts).toFixed(1)} ms (min ${Math.min(...starts).toFixed(1)}, max ${Math.max(...starts).toFixed(1)}), stop median ${median(stops).toFixed(1)} ms, ${runs} runs`,
  );
  return median(starts);
}

// The first start also pays for loading the emulators' modules.
const t0 = performance.now();
const first = await startLocalStack({ speedups: true });
console.log(
  `first start in a fresh process (module load included): ${(performance.now() - t0).toFixed(1)} ms`,
);
await first.stop();
const inProcess = await measure('in-process startLocalStack', () =>
  startLocalStack({ speedups: true }),
);
const child = await measure('child-process spawnLocalStack', () =>
  spawnLocalStack({ speedups: true }),
);
console.log(`child process / in-process start: ${(child / inProcess).toFixed(1)}x`);
