import { zipSync } from 'fflate';

/** Entry file of a bundle and its upload zip: Lambda loads `index.handler` from `index.mjs` at the root. */
export const BUNDLE_ENTRY = 'index.mjs';

// 1980-01-01 00:00, the earliest time a zip can record, so no build time leaks into the archive:
// the same bundle always yields the same bytes (and the same hash). Built from local-time fields
// because fflate writes the local-time fields of `mtime`; this way every time zone agrees.
const FIXED_MTIME = new Date(1980, 0, 1);

// Made by Unix (os 3) with a regular file's 0644 permissions in the high 16 bits of the external
// attributes: Lambda unpacks with these, and the function only ever reads its code.
const UNIX = 3;
const REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;

/**
 * Zips one handler bundle for upload: every file of its directory (`index.mjs` and any chunk it
 * loads), in name order, each deflated at level 9 with a fixed timestamp and mode, so the
 * archive is a pure function of the files.
 *
 * @example
 * ```ts
 * await writeFile('dist/zips/sink.zip', zipBundle({ 'index.mjs': await readFile('dist/handlers/sink/index.mjs') }));
 * ```
 */
export function zipBundle(files: Record<string, Uint8Array>): Uint8Array {
  if (!(BUNDLE_ENTRY in files)) throw new Error(`zipBundle: a bundle needs ${BUNDLE_ENTRY}`);
  const options = { level: 9, mtime: FIXED_MTIME, os: UNIX, attrs: REGULAR_FILE_0644 } as const;
  return zipSync(
    Object.fromEntries(
      Object.keys(files)
        .sort()
        .map((name) => [name, [files[name]!, options]]),
    ),
  );
}
