/**
 * Rewrites the AWS sample's single-dash flags (`-orderCount 5`, `-speedup=60`) to kse's
 * (`--orders 5`, `--speedup=60`) using `flags`, a map from the sample's name to kse's.
 * Anything not in the map, and everything after `--`, is left as is. Commander cannot
 * parse single-dash long options, so commands call this before it reads argv.
 */
export function rewriteSampleFlags(
  argv: readonly string[],
  flags: Readonly<Record<string, string>>,
): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const arg of argv) {
    if (passthrough || arg === '--') {
      passthrough = true;
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const mapped = flags[name];
    out.push(mapped === undefined ? arg : eq === -1 ? mapped : mapped + arg.slice(eq));
  }
  return out;
}
