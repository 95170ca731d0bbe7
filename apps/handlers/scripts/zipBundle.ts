import { zipSync } from 'fflate';

/** Name of the one entry of an upload zip: Lambda loads `index.handler` from `index.mjs` at the root. */
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
 * Zips one handler bundle for upload: a single `index.mjs` entry, deflated at level 9, with a
 * fixed timestamp and mode, so the archive is a pure function of the bundle.
 *
 * @example
 * ```ts
 * await writeFile('dist/zips/sink.zip', zipBundle(await readFile('dist/handlers/sink/index.mjs')));
 * ```
 */
export function zipBundle(code: Uint8Array): Uint8Array {
  return zipSync({
    [BUNDLE_ENTRY]: [code, { level: 9, mtime: FIXED_MTIME, os: UNIX, attrs: REGULAR_FILE_0644 }],
  });
}
