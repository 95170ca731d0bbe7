import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Command, CommanderError } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { createAwsClients, ensureBucket } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { decodeRecord } from '@kse/schemas';
import { registerGenerate } from '../../src/commands/generate.js';

describe('kse generate --out s3://', () => {
  it('streams both files to the S3 prefix given --endpoint', async () => {
    const config = testAwsConfig();
    const s3 = createAwsClients(config).s3;
    const bucket = uniqueName('gen-cli');
    await ensureBucket(s3, bucket);
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = config.credentials!.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = config.credentials!.secretAccessKey;
    process.env.AWS_REGION = config.region;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code = 0;
    try {
      const program = new Command('kse').exitOverride();
      registerGenerate(program);
      await program.parseAsync(
        [
          'generate',
          '--out',
          `s3://${bucket}/data/`,
          '--endpoint',
          config.endpoints.s3!,
          '--orders',
          '50',
        ],
        { from: 'user' },
      );
      code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    } catch (error) {
      code = error instanceof CommanderError ? 2 : 1;
    } finally {
      process.exitCode = undefined;
      stderr.mockRestore();
      process.env = saved;
    }
    expect(code).toBe(0);
    const response = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'data/orders.json' }),
    );
    const lines = (await response.Body!.transformToString('utf-8')).split('\n').slice(0, -1);
    expect(lines).toHaveLength(150);
    lines.forEach((line) => expect(() => decodeRecord(line)).not.toThrow());
    const products = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'data/products.json' }),
    );
    expect((await products.Body!.transformToString('utf-8')).split('\n')).toHaveLength(1001);
    s3.destroy();
  });
});
