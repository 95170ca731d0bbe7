import type { StackAccess } from '../pipeline/index.js';

/** What the printed AWS CLI commands look at. */
export interface AwsCliTargets {
  table: string;
  stream: string;
  bucket?: string;
  profile?: string;
}

// Characters a shell takes as they are.
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

function quote(word: string): string {
  return PLAIN.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command as shell lines of at most `width` characters: words are added to a line while
 * they fit, an option and its value kept together, and a line that goes on ends with
 * ` \`. The first line starts with `indent`, the next ones two spaces deeper.
 */
export function shellLines(words: readonly string[], width: number, indent = '  '): string[] {
  // Units that stay on one line: `--option value`, or a lone word.
  const units: string[] = [];
  const quoted = words.map(quote);
  for (let i = 0; i < quoted.length; i += 1) {
    const word = quoted[i]!;
    const next = quoted[i + 1];
    if (word.startsWith('--') && next !== undefined && !next.startsWith('--')) {
      units.push(`${word} ${next}`);
      i += 1;
    } else {
      units.push(word);
    }
  }
  const lines: string[] = [];
  let line = '';
  for (const unit of units) {
    if (line === '') line = `${indent}${unit}`;
    // Room for " unit" and, if more follows, " \".
    else if (line.length + 1 + unit.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `${indent}  ${unit}`;
    } else line = `${line} ${unit}`;
  }
  lines.push(line);
  return lines;
}

/**
 * AWS CLI commands that reach the stack a run kept up: credentials (a local stack's dummy
 * ones) as one `export` line, then each command with `--region` and, for a local stack or
 * an endpoint, `--endpoint-url` on the command itself. The AWS CLI v2 that Debian ships
 * (2.9) does not read `AWS_ENDPOINT_URL_<SERVICE>` (2.13 does), so an exported endpoint
 * would send it to the real AWS; a flag works with every version.
 */
export function awsCliLines(access: StackAccess, targets: AwsCliTargets, width: number): string[] {
  const lines: string[] = [];
  if (access.credentials !== undefined) {
    lines.push(
      ...shellLines(
        [
          'export',
          `AWS_ACCESS_KEY_ID=${access.credentials.accessKeyId}`,
          `AWS_SECRET_ACCESS_KEY=${access.credentials.secretAccessKey}`,
        ],
        width,
      ),
    );
  }
  const common = (service: keyof StackAccess['endpoints']): string[] => [
    '--region',
    access.region,
    ...(targets.profile === undefined ? [] : ['--profile', targets.profile]),
    ...(access.endpoints[service] === undefined
      ? []
      : ['--endpoint-url', access.endpoints[service]!]),
  ];
  lines.push(
    ...shellLines(
      [
        'aws',
        'dynamodb',
        'scan',
        '--table-name',
        targets.table,
        '--max-items',
        '5',
        ...common('dynamodb'),
      ],
      width,
    ),
    ...shellLines(
      [
        'aws',
        'kinesis',
        'describe-stream-summary',
        '--stream-name',
        targets.stream,
        ...common('kinesis'),
      ],
      width,
    ),
  );
  if (targets.bucket !== undefined) {
    lines.push(
      ...shellLines(
        ['aws', 's3', 'ls', `s3://${targets.bucket}/`, '--recursive', ...common('s3')],
        width,
      ),
    );
  }
  return lines;
}
