// Start-up time of DynamoDB Local (Java) to its first answer through the AWS SDK: JVM
// defaults (-Xmx256m only), DYNAMODB_LOCAL_JVM_FLAGS, and those flags with the class-data
// archive (the default), alternated in one process so all see the same machine load.
// Prints figures; asserts nothing.
// `npm run bench:dynamodb-local -w @kse/local-stack [-- runs]`
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { DYNAMODB_LOCAL_JVM_FLAGS, startDynamoDbLocal } from '../src/index.js';

const runs = Number(process.argv[2] ?? 3);
const variants = {
  'JVM defaults, -Xmx256m': { jvmFlags: [], heap: '256m', classDataArchiveDir: false },
  [`kse flags (${DYNAMODB_LOCAL_JVM_FLAGS.join(' ')}), -Xmx128m`]: { classDataArchiveDir: false },
  'kse flags + class-data archive (default)': {},
} as const;

// Makes sure the archive exists (the first run ever writes it as the JVM exits).
{
  const t0 = performance.now();
  const ddb = await startDynamoDbLocal();
  const t1 = performance.now();
  await ddb.stop();
  console.log(
    `warm-up: start ${((t1 - t0) / 1000).toFixed(1)} s, stop ${((performance.now() - t1) / 1000).toFixed(1)} s (includes writing the archive if there was none)`,
  );
}

const starts = new Map<string, number[]>(Object.keys(variants).map((label) => [label, []]));
for (let i = 0; i < runs; i += 1) {
  for (const [label, options] of Object.entries(variants)) {
    const t0 = performance.now();
    const ddb = await startDynamoDbLocal(options);
    const ms = performance.now() - t0;
    const t1 = performance.now();
    await ddb.stop();
    starts.get(label)!.push(ms);
    console.log(
      `${label}: start ${(ms / 1000).toFixed(1)} s, stop ${(performance.now() - t1).toFixed(0)} ms (load ${loadavg()[0]!.toFixed(1)})`,
    );
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [baseline, tuned, archived] = [...starts.values()].map(median);
for (const [label, xs] of starts) {
  console.log(`${label}: median start ${(median(xs) / 1000).toFixed(1)} s over ${xs.length} runs`);
}
console.log(`kse flags / JVM defaults: ${(tuned! / baseline!).toFixed(2)}x`);
console.log(`kse flags + archive / JVM defaults: ${(archived! / baseline!).toFixed(2)}x`);
