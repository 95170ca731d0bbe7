/** Width assumed when the output is not a terminal (or a terminal that does not say). */
export const DEFAULT_COLUMNS = 80;

/** The stream's width in columns when it is a terminal, else {@link DEFAULT_COLUMNS}. */
export function terminalColumns(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 0
    ? stream.columns
    : DEFAULT_COLUMNS;
}

/**
 * Wraps one line into lines of at most `width` characters, at spaces where it can (a word
 * longer than a line is cut). Continuation lines start with `indent`, or with the line's
 * own leading spaces plus two when those are longer, so that a wrapped item stays under
 * its label.
 *
 * @example
 * ```ts
 * wrapLine('kse run: KSE_USAGE: a long message …', 40); // ['kse run: KSE_USAGE: a long', '  message …']
 * ```
 */
export function wrapLine(line: string, width: number, indent = '  '): string[] {
  if (line.length <= width || width < 8) return [line];
  const own = /^ */.exec(line)![0];
  const next = own.length + 2 > indent.length ? `${own}  ` : indent;
  const out: string[] = [];
  let rest = line;
  let prefix = '';
  while (prefix.length + rest.length > width) {
    const room = width - prefix.length;
    // The last space that leaves a non-empty first part (not the leading indentation).
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= own.length && out.length === 0) cut = -1;
    if (cut <= 0) cut = room;
    out.push(prefix + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    prefix = next;
  }
  if (rest !== '') out.push(prefix + rest);
  return out;
}

/** {@link wrapLine} on every line of `text` (a trailing newline is kept). */
export function fitText(text: string, width: number): string {
  const trailing = text.endsWith('\n');
  const body = trailing ? text.slice(0, -1) : text;
  const lines = body.split('\n').flatMap((line) => wrapLine(line, width));
  return lines.join('\n') + (trailing ? '\n' : '');
}

/**
 * Writes `text` to `stream`, wrapped to the terminal's width when the stream is one (off a
 * terminal, as is: logs and pipes keep long lines whole, and JSON must not be cut).
 */
export function writeFitted(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  text: string,
): void {
  stream.write(stream.isTTY === true ? fitText(text, terminalColumns(stream)) : text);
}
