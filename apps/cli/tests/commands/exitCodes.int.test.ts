import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, childEnv, closedPort, kseTempDirs, runKse, startKse } from './builtKse.js';
import { kse } from './runKse.js';
import { runInPty, screenLines } from '../setup/pty.js';

const dir = mkdtempSync(join(tmpdir(), 'kse-exit-codes-'));
let closed: string;
beforeAll(async () => {
  closed = `http://127.0.0.1:${await closedPort()}`;
  expect((await kse('generate', '--orders', '5', '--out', dir)).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One line with a code, a hint, no stack trace.
function expectOneLineError(stderr: string, command: string, code: string): void {
  expect(stderr).toMatch(new RegExp(`^${command}: ${code}: `, 'm'));
  expect(stderr).toMatch(/^hint: /m);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('exit codes: 2 usage', () => {
  it.each([
    ['run', ['run', '--orders', 'x']],
    ['run', ['run', '--target', 'local', '--endpoint-url', 'http://127.0.0.1:1']],
    ['verify', ['verify', '--input', join(dir, 'nope')]],
    ['verify', ['verify', '--input', dir]],
    ['replay', ['replay', '--stream', 'S']],
    ['generate', ['generate', '--orders', '-1']],
    ['local up', ['local', 'up', '--kinesis-port', 'x']],
  ])('kse %s exits 2 with one line and a hint', async (command, argv) => {
    const result = await kse(...argv);
    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, `kse ${command}`, '[A-Z0-9_]+');
  });
});

describe('exit codes: 3 AWS or infrastructure failure', () => {
  it('kse verify against an endpoint nothing listens on exits 3', async () => {
    const result = await kse('verify', '--input', dir, '--endpoint-url', closed);
    expect(result.code).toBe(3);
    expectOneLineError(result.stderr, 'kse verify', 'ECONNREFUSED');
  }, 60_000);

  it('kse replay against an endpoint nothing listens on exits 3', async () => {
    const result = await kse(
      'replay',
      join(dir, 'orders.json'),
      '--stream',
      'S',
      '--endpoint-url',
      closed,
      '--speedup',
      'max',
      '--max-attempts',
      '1',
      '--dead-letter',
      join(dir, 'dl.ndjson'),
    );
    expect(result.code).toBe(3);
  }, 60_000);

  it('kse generate to s3:// at an endpoint nothing listens on exits 3', async () => {
    const result = await kse(
      'generate',
      '--orders',
      '5',
      '--out',
      's3://kse-bucket/prefix/',
      '--endpoint-url',
      closed,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^kse generate: [A-Z0-9_]+: /m);
  }, 60_000);

  it('kse run --yes against an endpoint nothing listens on exits 3, having changed nothing', async () => {
    const { env, tmp } = childEnv();
    try {
      const result = await runKse(['run', '--endpoint-url', closed, '--yes'], env);
      expect(result.code).toBe(3);
      expectOneLineError(result.stderr, 'kse run', 'ECONNREFUSED');
      expect(kseTempDirs(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  it('kse local env exits 3 when the stack is not running', async () => {
    const result = await kse('local', 'env', '--state', join(dir, 'none.json'));
    expect(result.code).toBe(3);
    expectOneLineError(result.stderr, 'kse local env', 'KSE_STACK_NOT_RUNNING');
  });
});

describe('exit codes: 1 not exact, 130 interrupted', () => {
  it('kse run exits 1 when the verdict is not exact (rows still missing at the deadline)', async () => {
    const { env, tmp } = childEnv();
    try {
      const result = await runKse(['run', '--orders', '2000', '--deadline', '1ms'], env);
      expect(result.stdout).toMatch(/^NOT EXACT$/m);
      expect(result.code).toBe(1);
      expect(kseTempDirs(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);

  it('kse run on SIGINT stops cleanly, says what landed and what was left, removes its temp dirs, exits 130', async () => {
    const { env, tmp } = childEnv();
    try {
      const run = startKse(['run', '--orders', '20000'], env);
      await run.waitFor(/kse run: land…/);
      expect(kseTempDirs(tmp).sort()).toEqual([
        expect.stringMatching(/^kse-run-/),
        expect.stringMatching(/^kse-stack-/),
      ]);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(130);
      expect(run.stderr()).toMatch(
        /^kse run: KSE_INTERRUPTED: interrupted \(SIGINT\); [\d,]+ of 40,000 rows landed; nothing left running$/m,
      );
      expect(run.stderr()).not.toMatch(/\n\s+at /);
      expect(kseTempDirs(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('output that fits', () => {
  it('kse run on an 80-column terminal prints no line longer than 80 columns', async () => {
    const { env, tmp } = childEnv();
    try {
      const { output, code } = await runInPty(`${process.execPath} ${MAIN} run --orders 300`, {
        columns: 80,
        env,
      });
      expect(code).toBe(0);
      const lines = screenLines(output);
      expect(lines).toContainEqual(expect.stringMatching(/^EXACT/));
      expect(lines).toContainEqual(expect.stringMatching(/^written\s/));
      expect(lines.filter((line) => line.length > 80)).toEqual([]);
      expect(kseTempDirs(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);

  it.each([[['--help']], [['run', '--help']], [['verify', '--help']], [['replay', '--help']]])(
    'kse %s fits 80 columns',
    async (argv) => {
      const { output, code } = await runInPty(`${process.execPath} ${MAIN} ${argv.join(' ')}`, {
        columns: 80,
      });
      expect(code).toBe(0);
      expect(screenLines(output).filter((line) => line.length > 80)).toEqual([]);
    },
    60_000,
  );

  it('an error fits a 60-column terminal, and the exit codes are in kse --help', async () => {
    const { output, code } = await runInPty(
      `${process.execPath} ${MAIN} verify --input ${join(dir, 'a-directory-that-does-not-exist')}`,
      { columns: 60 },
    );
    expect(code).toBe(2);
    expect(screenLines(output).filter((line) => line.length > 60)).toEqual([]);
    const help = await kse('--help');
    expect(help.stdout).toMatch(/Exit codes[\s\S]*130\s+interrupted/);
  }, 60_000);
});

describe('kse run --target aws on a terminal', () => {
  it('shows the account, region and plan, asks, and on "n" exits 2 having created nothing', async () => {
    const { endpoints, region } = testAwsConfig();
    const { env, tmp } = childEnv({
      AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_REGION: region,
    });
    const table = uniqueName('declined');
    try {
      const { output, code } = await runInPty(
        `${process.execPath} ${MAIN} run --target aws --orders 10 --table ${table}`,
        { columns: 80, env, input: 'n\n' },
      );
      const lines = screenLines(output);
      expect(lines).toContainEqual(expect.stringMatching(/^kse run will change account unknown/));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ +create +table ${table}$`)));
      expect(lines).toContainEqual(expect.stringMatching(/^Go on\? \[y\/N\]/));
      expect(lines).toContainEqual(
        expect.stringMatching(/^kse run: KSE_CONFIRMATION_DECLINED: not confirmed: nothing was/),
      );
      expect(code).toBe(2);
      expect(lines.filter((line) => line.length > 80)).toEqual([]);
      const dynamodb = createAwsClients(testAwsConfig()).dynamodb;
      const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
      dynamodb.destroy();
      expect(TableNames).not.toContain(table);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('kse run --keep', () => {
  it('prints AWS CLI commands with --endpoint-url and --region, within 80 columns, and Ctrl-C stops the stack', async () => {
    const { env, tmp } = childEnv();
    try {
      const run = startKse(['run', '--orders', '50', '--keep'], env);
      await run.waitFor(/press Ctrl-C to stop it/);
      const out = run.stdout();
      const commands = out.replace(/ \\\n\s+/g, ' ');
      const endpoint =
        /aws dynamodb scan --table-name OrdersEnriched .*--endpoint-url (http:\/\/127\.0\.0\.1:\d+)/.exec(
          commands,
        );
      expect(endpoint, out).not.toBeNull();
      expect(commands).toMatch(
        /^ {2}export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER$/m,
      );
      expect(commands).toMatch(/aws dynamodb scan .*--region us-east-1 --endpoint-url http/);
      expect(commands).toMatch(
        /aws kinesis describe-stream-summary --stream-name OrdersStream .*--endpoint-url http/,
      );
      expect(commands).toMatch(/aws s3 ls s3:\/\/kse-orders\/ .*--endpoint-url http/);
      // Per-service endpoint variables are what the AWS CLI 2.9 ignores: none printed.
      expect(out).not.toMatch(/AWS_ENDPOINT_URL/);
      expect(out.split('\n').filter((line) => line.length > 80)).toEqual([]);
      // The stack answers at the printed endpoint while it is held.
      const probe = await fetch(endpoint![1]!, { method: 'POST' }).catch(() => undefined);
      expect(probe?.status).toBeGreaterThanOrEqual(400);
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      expect(run.stderr()).toMatch(/kse run: stack stopped; nothing left running/);
      expect(kseTempDirs(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});
