/**
 * node-matrix: runs a command under other Node.js lines, with pinned official binaries from
 * the npm registry (see nodeVersions.ts), installed on first use into the project's
 * `.cache/kse-node/` (git-ignored).
 *
 *   tsx tools/node-matrix/src/cli.ts run --node 22,24 -- nx run-many -t test --skip-nx-cache
 *   tsx tools/node-matrix/src/cli.ts which 24        # prints the binary's path
 *
 * `run` runs the command once per line, in order, even after a failure, then prints each
 * line's outcome and wall time; it exits 1 if any run failed.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureNode } from './nodeBinary.js';
import { NODE_LINES, pinnedVersion } from './nodeVersions.js';
import { runWithNode, type NodeRunResult } from './runWithNode.js';

const USAGE = `usage:
  node-matrix run --node <lines> -- <command> [args...]   lines: comma-separated, of ${NODE_LINES.join(', ')}
  node-matrix which <line>                               the pinned binary's path (installed on first use)`;

/** Parsed command line of the tool. */
export type MatrixCommand =
  | { kind: 'run'; lines: string[]; command: string; args: string[] }
  | { kind: 'which'; line: string };

/** Parses the tool's arguments; a bad command line fails with the usage. */
export function parseMatrixArgs(argv: readonly string[]): MatrixCommand {
  const [verb, ...rest] = argv;
  if (verb === 'which' && rest.length === 1) {
    pinnedVersion(rest[0]!);
    return { kind: 'which', line: rest[0]! };
  }
  if (verb === 'run') {
    const { values, positionals } = parseArgs({
      args: [...rest],
      options: { node: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const lines = (values.node ?? '').split(',').filter(Boolean);
    if (lines.length === 0 || positionals.length === 0) throw new Error(USAGE);
    for (const line of lines) pinnedVersion(line);
    return { kind: 'run', lines, command: positionals[0]!, args: positionals.slice(1) };
  }
  throw new Error(USAGE);
}

/** One line per run: version, outcome, wall time. */
export function formatSummary(results: readonly NodeRunResult[]): string {
  return results
    .map((r) => {
      const outcome =
        r.exitCode === 0
          ? 'passed'
          : `failed (${r.signal ? `signal ${r.signal}` : `exit ${String(r.exitCode)}`})`;
      return `Node ${r.node.version.padEnd(9)} ${outcome.padEnd(18)} ${(r.durationMs / 1000).toFixed(1)} s`;
    })
    .join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseMatrixArgs(argv);
  if (command.kind === 'which') {
    process.stdout.write(`${(await ensureNode(command.line)).path}\n`);
    return 0;
  }
  const results: NodeRunResult[] = [];
  for (const line of command.lines) {
    const node = await ensureNode(line);
    const shown = [command.command, ...command.args].join(' ');
    process.stdout.write(`\n── node-matrix: Node ${node.version} (${node.path}): ${shown}\n\n`);
    results.push(await runWithNode(node, command.command, command.args));
  }
  process.stdout.write(`\n── node-matrix summary\n${formatSummary(results)}\n`);
  return results.every((r) => r.exitCode === 0) ? 0 : 1;
}

// Run only as the entry point, so tests can import the parsing and formatting above.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
