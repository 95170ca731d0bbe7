import { describe, expect, it } from 'vitest';
import { awsCliLines, shellLines } from '../../src/commands/awsCliHints.js';

const access = {
  region: 'us-east-1',
  endpoints: {
    kinesis: 'http://127.0.0.1:40001',
    dynamodb: 'http://127.0.0.1:40002',
    s3: 'http://127.0.0.1:40003',
  },
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
};

// The shell words of the printed commands, continuation lines joined.
function commands(lines: string[]): string[] {
  return lines
    .join('\n')
    .replace(/ \\\n\s+/g, ' ')
    .split('\n')
    .map((l) => l.trim());
}

describe('AWS CLI hints (kse run --keep)', () => {
  it('passes --endpoint-url and --region on every command (the AWS CLI 2.9 reads no AWS_ENDPOINT_URL_<SERVICE>)', () => {
    const lines = awsCliLines(
      access,
      { table: 'OrdersEnriched', stream: 'OrdersStream', bucket: 'kse-orders' },
      80,
    );
    expect(commands(lines)).toEqual([
      'export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER',
      'aws dynamodb scan --table-name OrdersEnriched --max-items 5 --region us-east-1 --endpoint-url http://127.0.0.1:40002',
      'aws kinesis describe-stream-summary --stream-name OrdersStream --region us-east-1 --endpoint-url http://127.0.0.1:40001',
      'aws s3 ls s3://kse-orders/ --recursive --region us-east-1 --endpoint-url http://127.0.0.1:40003',
    ]);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines.join('\n')).not.toMatch(/AWS_ENDPOINT_URL/);
  });

  it('prints no credentials and no endpoint for a real account, and the profile', () => {
    const lines = awsCliLines(
      { region: 'eu-west-1', endpoints: {} },
      { table: 'T', stream: 'S', profile: 'prod' },
      80,
    );
    expect(commands(lines)).toEqual([
      'aws dynamodb scan --table-name T --max-items 5 --region eu-west-1 --profile prod',
      'aws kinesis describe-stream-summary --stream-name S --region eu-west-1 --profile prod',
    ]);
  });

  it('keeps an option with its value and quotes what a shell would split', () => {
    const lines = shellLines(['aws', 's3', 'ls', '--profile', "it's mine", '--region', 'x'], 30);
    expect(lines).toEqual(['  aws s3 ls \\', "    --profile 'it'\\''s mine' \\", '    --region x']);
  });
});
