import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
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

  it('opens with the bound unless the caller gives maxOpenFiles, and wraps once', () => {
    boundOpenFiles(Binding);
    const wrapped = Binding.prototype._open;
    boundOpenFiles(Binding, 10);
    expect(Binding.prototype._open).toBe(wrapped);
    const binding = new Binding();
    let called = false;
    expect(binding._open({ createIfMissing: true }, () => (called = true))).toBe('opened');
    binding._open({ maxOpenFiles: 500 });
    expect(binding.seen).toEqual([
      { maxOpenFiles: LEVELDB_MAX_OPEN_FILES, createIfMissing: true },
      { maxOpenFiles: 500 },
    ]);
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
