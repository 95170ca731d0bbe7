/** One row of the options table: a name (dotted for nested options) and its value as text. */
export interface OptionRow {
  name: string;
  value: string;
}

/**
 * The run's options as table rows, in the order the run listed them: nested objects
 * flattened to dotted names (`faults.seed`), strings as they are, other values as JSON.
 *
 * @example
 * ```ts
 * optionRows({ orders: 1000, topology: 'seed' }); // [{ name: 'orders', value: '1000' }, …]
 * ```
 */
export function optionRows(options: Record<string, unknown>, prefix = ''): OptionRow[] {
  return Object.entries(options).flatMap(([key, value]) => {
    const name = prefix + key;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const nested = optionRows(value as Record<string, unknown>, `${name}.`);
      return nested.length === 0 ? [{ name, value: '{}' }] : nested;
    }
    return [{ name, value: typeof value === 'string' ? value : String(JSON.stringify(value)) }];
  });
}

/** One row of two runs' options side by side; `differs` when the values are not the same. */
export interface ComparedOptionRow {
  name: string;
  /** `null`: the run has no such option. */
  a: string | null;
  b: string | null;
  differs: boolean;
}

/** The options of runs A and B side by side: A's names in order, then those only B has. */
export function compareOptionRows(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): ComparedOptionRow[] {
  const rowsA = new Map(optionRows(a).map((r) => [r.name, r.value]));
  const rowsB = new Map(optionRows(b).map((r) => [r.name, r.value]));
  const names = [...rowsA.keys(), ...[...rowsB.keys()].filter((name) => !rowsA.has(name))];
  return names.map((name) => {
    const va = rowsA.get(name) ?? null;
    const vb = rowsB.get(name) ?? null;
    return { name, a: va, b: vb, differs: va !== vb };
  });
}
