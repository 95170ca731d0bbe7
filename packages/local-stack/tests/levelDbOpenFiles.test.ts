import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  LEVELDB_MAX_FILE_SIZE,
  LEVELDB_MAX_OPEN_FILES,
  boundEmulatorOpenFiles,
  boundOpenFiles,
  type LevelDbClass,
} from '../src/emulators/levelDbOpenFiles.js';

// The classes the emulators open their stores with, as they load them.
const here = createRequire(import.meta.url);
const leveldown = createRequire(here.resolve('kinesalite'))('leveldown') as LevelDbClass;
const { Level } = createRequire(here.resolve('dynalite'))('level') as { Level: LevelDbClass };
const BOUNDED = Symbol.for('@kse/local-stack.levelDbOpenFiles');

describe('boundOpenFiles', () => {
  class Binding {
    seen: object[] = [];
    _open(options: object, callback?: () => void): string {
      this.seen.push(options);
      callback?.();
      return 'opened';
    }
  }

  it('opens with the bounds unless the caller gives its own, and wraps once', () => {
    boundOpenFiles(Binding);
    const wrapped = Binding.prototype._open;
    boundOpenFiles(Binding, 10);
    expect(Binding.prototype._open).toBe(wrapped);
    const binding = new Binding();
    let called = false;
    expect(binding._open({ createIfMissing: true }, () => (called = true))).toBe('opened');
    binding._open({ maxOpenFiles: 500 });
    binding._open({ maxFileSize: 4 << 20 });
    expect(binding.seen).toEqual([
      {
        maxOpenFiles: LEVELDB_MAX_OPEN_FILES,
        maxFileSize: LEVELDB_MAX_FILE_SIZE,
        createIfMissing: true,
      },
      { maxOpenFiles: 500, maxFileSize: LEVELDB_MAX_FILE_SIZE },
      { maxOpenFiles: LEVELDB_MAX_OPEN_FILES, maxFileSize: 4 << 20 },
    ]);
    expect(LEVELDB_MAX_FILE_SIZE).toBe(1 << 20);
    expect(called).toBe(true);
  });
});

describe('boundEmulatorOpenFiles', () => {
  it("bounds the LevelDB classes kinesalite's and dynalite's stores are opened with", () => {
    boundEmulatorOpenFiles();
    for (const type of [leveldown, Level]) {
      expect((type.prototype as unknown as Record<symbol, unknown>)[BOUNDED]).toBe(true);
    }
  });
});

interface LevelDown {
  open(options: object, callback: (error?: Error) => void): void;
  batch(
    operations: { type: 'put'; key: string; value: string }[],
    callback: (error?: Error) => void,
  ): void;
  compactRange(start: string, end: string, callback: (error?: Error) => void): void;
  close(callback: (error?: Error) => void): void;
}

describe('the bound on a real store', () => {
  it("kinesalite's leveldown writes tables of at most maxFileSize", async () => {
    boundEmulatorOpenFiles();
    const dir = mkdtempSync(join(tmpdir(), 'kse-leveldb-'));
    try {
      const db = (leveldown as unknown as (location: string) => LevelDown)(dir);
      await promisify(db.open.bind(db))({ createIfMissing: true });
      // 8 MB of values that do not compress, under random keys (so that the tables overlap
      // and the compaction rewrites them, rather than moving them down whole), then one
      // compaction of the whole range: at LevelDB's default the tables would be of ~2 MB.
      for (let batch = 0; batch < 32; batch += 1) {
        const operations = Array.from({ length: 64 }, () => ({
          type: 'put' as const,
          key: `k${randomBytes(8).toString('hex')}`,
          value: randomBytes(3 << 10).toString('base64'),
        }));
        await promisify(db.batch.bind(db))(operations);
      }
      await promisify(db.compactRange.bind(db))('k', 'l');
      await promisify(db.close.bind(db))();
      const tables = readdirSync(dir)
        .filter((name) => name.endsWith('.ldb'))
        .map((name) => statSync(join(dir, name)).size);
      expect(tables.reduce((sum, size) => sum + size, 0)).toBeGreaterThan(6 << 20);
      expect(tables.length).toBeGreaterThanOrEqual(6);
      expect(Math.max(...tables)).toBeLessThan(LEVELDB_MAX_FILE_SIZE * 1.25);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
