// Always on when the emulators keep their data on disk (`dataDir`): a bound on the table
// files each LevelDB keeps open, which is a bound on the memory they take.
//
// LevelDB memory-maps every table file it opens and keeps up to `max_open_files` − 10 of
// them open (its table cache). With the default of 1,000, every table an emulator has read
// stays mapped, and the mapped pages count in its resident set: in a 200,000-order
// `kse run`, the Kinesis emulator had 71 MB of `.ldb` mappings resident after 60 s, and the
// larger runs grow with their data. At LevelDB's least, 74 (it raises anything lower to
// that), at most 64 tables are mapped, whatever the data's size; a table read again after it
// left the cache is opened again (its index block read once more).
//
// The tables' size bounds those 64 mappings. At LevelDB's default of 2 MB, a 500,000-order
// `kse run` had 117 MB of `.ldb` pages resident in the Kinesis child while landing and 95 MB
// in the DynamoDB child while verify scanned: over a third of each one's RSS. Tables of
// 1 MB (`maxFileSize`) halve that bound; their data and the work of compacting it are the
// same, cut into twice as many files.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** LevelDB's least `max_open_files` (lower values are raised to it). */
export const LEVELDB_MAX_OPEN_FILES = 74;

/** Size of the table files compactions write, bytes (LevelDB's default is 2 MB). */
export const LEVELDB_MAX_FILE_SIZE = 1 << 20;

/** A LevelDB binding class (leveldown, classic-level): its `_open` takes the open options. */
export interface LevelDbClass {
  prototype: { _open(options: object, ...rest: unknown[]): unknown };
}

const BOUNDED = Symbol.for('@kse/local-stack.levelDbOpenFiles');

/**
 * Makes a LevelDB binding class open its databases with `maxOpenFiles` and `maxFileSize`
 * unless the caller gives them. Idempotent.
 */
export function boundOpenFiles(
  type: LevelDbClass,
  maxOpenFiles = LEVELDB_MAX_OPEN_FILES,
  maxFileSize = LEVELDB_MAX_FILE_SIZE,
): void {
  const prototype = type.prototype as LevelDbClass['prototype'] & { [BOUNDED]?: true };
  if (prototype[BOUNDED] === true) return;
  const open = prototype._open;
  prototype._open = function (this: unknown, options: object, ...rest: unknown[]) {
    return open.call(this, { maxOpenFiles, maxFileSize, ...options }, ...rest);
  };
  prototype[BOUNDED] = true;
}

/** Bounds the open table files of kinesalite's (leveldown) and dynalite's (level) stores. */
export function boundEmulatorOpenFiles(): void {
  const here = createRequire(thisModuleFile());
  boundOpenFiles(createRequire(here.resolve('kinesalite'))('leveldown') as LevelDbClass);
  const level = createRequire(here.resolve('dynalite'))('level') as { Level: LevelDbClass };
  boundOpenFiles(level.Level);
}

function thisModuleFile(): string {
  // CJS build: __filename; ESM build, vitest and tsx: import.meta.url.
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
}
