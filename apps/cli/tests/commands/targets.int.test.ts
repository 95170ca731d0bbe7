import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, kseTempDirs, runKse, startTrap, type Trap } from './builtKse.js';

// An AWS endpoint that must never be called: every AWS variable of the environment, and
// the profile's endpoint_url, point at it.
let trap: Trap;
beforeAll(async () => {
  trap = await startTrap();
});
afterAll(async () => {
  await trap.close();
});

function awsEverywhere(tmp: string): NodeJS.ProcessEnv {
  const config = join(tmp, 'aws-config');
  writeFileSync(
    config,
    `[profile kse-trap]\nregion = eu-west-3\nendpoint_url = ${trap.url}\n` +
      `aws_access_key_id = AKIAPROFILEFAKE\naws_secret_access_key = fake\n`,
  );
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PROFILE: 'kse-trap',
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'no-credentials'),
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_SESSION_TOKEN: 'fake-token',
    AWS_ENDPOINT_URL: trap.url,
    AWS_ENDPOINT_URL_KINESIS: trap.url,
    AWS_ENDPOINT_URL_DYNAMODB: trap.url,
    AWS_ENDPOINT_URL_S3: trap.url,
    AWS_ENDPOINT_URL_STS: trap.url,
  };
}

describe('kse run targets (regression: issue 20)', () => {
  it('refuses --target aws without a terminal and without --yes, exit 2, before any AWS call (not even STS)', async () => {
    const { env, tmp } = childEnv();
    try {
      trap.requests.length = 0;
      const result = await runKse(['run', '--target', 'aws'], { ...env, ...awsEverywhere(tmp) });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^kse run: KSE_CONFIRMATION_REQUIRED: /m);
      expect(result.stderr).toMatch(/^hint: .*--yes/m);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const explicit = await runKse(['run', '--endpoint-url', trap.url], env);
      expect(explicit.code).toBe(2);
      expect(explicit.stderr).toMatch(/KSE_CONFIRMATION_REQUIRED/);
      expect(trap.requests).toEqual([]);
      expect(kseTempDirs(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs on the embedded stack, exact, whatever AWS settings the environment holds; the trap sees nothing', async () => {
    const { env, tmp } = childEnv();
    try {
      trap.requests.length = 0;
      const result = await runKse(['run', '--orders', '200'], { ...env, ...awsEverywhere(tmp) });
      expect(result.stdout).toMatch(/expected\s+400\n\s+landed\s+400\n\s+missing\s+0/);
      expect(result.stdout).toMatch(/^EXACT/m);
      expect(result.code).toBe(0);
      expect(trap.requests).toEqual([]);
      // And nothing left behind: no kse-run-*, kse-stack-* (or other kse-*) directory.
      expect(kseTempDirs(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});
