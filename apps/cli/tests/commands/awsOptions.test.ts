import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { resolveTarget, selectAws } from '../../src/commands/awsOptions.js';
import type { LocalStackState } from '../../src/commands/local.js';

const dir = mkdtempSync(join(tmpdir(), 'kse-aws-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const none = join(dir, 'none.json');

function stateFile(name: string, pid: number): string {
  const state: LocalStackState = {
    pid,
    region: 'eu-west-1',
    endpoints: {
      kinesis: 'http://127.0.0.1:41001',
      dynamodb: 'http://127.0.0.1:41002',
      s3: 'http://127.0.0.1:41003',
    },
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    ports: { kinesis: 41001, dynamodb: 41002, s3: 41003 },
    startedAt: '2026-01-01T00:00:00.000Z',
    logFile: join(dir, 'x.log'),
  };
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(state));
  return file;
}

describe('AWS flags', () => {
  it('takes the local target by default, and --endpoint-url as the aws target', () => {
    expect(selectAws({ state: none }, 'kse x')).toEqual({ target: 'local', stateFile: none });
    expect(
      selectAws(
        { state: none, endpointUrl: 'http://127.0.0.1:4566', region: 'eu-west-1' },
        'kse x',
      ),
    ).toEqual({
      target: 'aws',
      endpoint: 'http://127.0.0.1:4566',
      region: 'eu-west-1',
      stateFile: none,
    });
  });

  it('refuses --endpoint-url with --target local, and --profile without --target aws', () => {
    expect(() =>
      selectAws({ state: none, target: 'local', endpointUrl: 'http://127.0.0.1:1' }, 'kse x'),
    ).toThrow(expect.objectContaining({ code: 'KSE_USAGE', exitCode: 2 }));
    expect(() => selectAws({ state: none, profile: 'prod' }, 'kse x')).toThrow(
      expect.objectContaining({ code: 'KSE_USAGE' }),
    );
  });

  it('still takes the deprecated --endpoint, with a one-line notice', () => {
    const notices = new PassThrough();
    const selection = selectAws({ state: none, endpoint: 'http://127.0.0.1:1' }, 'kse x', notices);
    expect(selection).toMatchObject({ target: 'aws', endpoint: 'http://127.0.0.1:1' });
    expect(String(notices.read())).toBe('kse x: --endpoint is deprecated; use --endpoint-url\n');
  });

  it('ignores every AWS_* variable on the local target', () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_PROFILE', 'prod');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AK');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'SK');
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    expect(resolveTarget(selectAws({ state: none }, 'kse x'), false)).toEqual({ kind: 'embedded' });
    expect(resolveTarget(selectAws({ state: none }, 'kse x'), true)).toEqual({ kind: 'embedded' });
  });

  it('uses a running `kse local up` stack for the local target when asked, from its state file', () => {
    const file = stateFile('running.json', process.pid);
    const resolved = resolveTarget(selectAws({ state: file }, 'kse x'), true);
    expect(resolved).toMatchObject({
      kind: 'kse-stack',
      config: {
        region: 'eu-west-1',
        endpoints: { dynamodb: 'http://127.0.0.1:41002' },
        credentials: { accessKeyId: 'S3RVER' },
      },
    });
    expect(resolveTarget(selectAws({ state: file }, 'kse x'), false)).toEqual({ kind: 'embedded' });
  });

  it('recognises the endpoints of a running `kse local up` stack on the aws target, never a loopback alone', () => {
    const running = stateFile('up.json', process.pid);
    const stale = stateFile('stale.json', 2 ** 22 + 12345);
    vi.stubEnv('AWS_ENDPOINT_URL_KINESIS', 'http://localhost:41001');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'http://127.0.0.1:41002');
    vi.stubEnv('AWS_ENDPOINT_URL_S3', 'http://127.0.0.1:41003');
    const aws = (state: string) =>
      resolveTarget(selectAws({ state, target: 'aws' }, 'kse x'), false).kind;
    expect(aws(running)).toBe('kse-stack');
    // The pid is gone: the same loopback endpoints are not a stack kse started.
    expect(aws(stale)).toBe('aws');
    expect(aws(none)).toBe('aws');
    // One endpoint that is not the stack's makes the whole target foreign.
    vi.stubEnv('AWS_ENDPOINT_URL_S3', 'http://127.0.0.1:41999');
    expect(aws(running)).toBe('aws');
  });

  it('names the flag of a malformed value', () => {
    expect(() =>
      resolveTarget(selectAws({ state: none, target: 'aws', region: 'US East' }, 'kse x'), false),
    ).toThrow(expect.objectContaining({ code: 'KSE_USAGE', hint: 'fix --region' }));
  });
});
