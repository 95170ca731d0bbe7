import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DYNAMODB_LOCAL_MAIN_CLASS, classDataLaunch } from '../src/emulators/classDataArchive.js';

let root: string;
let jar: string;
let archiveDir: string;
let java: string;

/** A fake JDK: an executable `bin/java` and the `release` file real JDKs have. */
function fakeJdk(name: string, version: string): string {
  mkdirSync(join(root, name, 'bin'), { recursive: true });
  writeFileSync(join(root, name, 'release'), `IMPLEMENTOR="x"\nJAVA_VERSION="${version}"\n`);
  writeFileSync(join(root, name, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
  return join(root, name, 'bin', 'java');
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kse-cds-test-'));
  mkdirSync(join(root, 'emulator', 'DynamoDBLocal_lib'), { recursive: true });
  jar = join(root, 'emulator', 'DynamoDBLocal.jar');
  writeFileSync(jar, 'jar');
  for (const name of ['b.jar', 'a.jar', 'libsqlite4java-linux-amd64.so']) {
    writeFileSync(join(root, 'emulator', 'DynamoDBLocal_lib', name), name);
  }
  archiveDir = join(root, 'cache');
  java = fakeJdk('jdk17', '17.0.15');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const flagValue = (args: string[], flag: string) =>
  args.find((arg) => arg.startsWith(`-XX:${flag}=`))?.slice(`-XX:${flag}=`.length);

describe('classDataLaunch', () => {
  it('runs plain -jar when the archive is turned off', () => {
    expect(classDataLaunch(jar, java, [], false)).toMatchObject({
      args: ['-jar', jar],
      dumping: false,
    });
  });

  it('runs plain -jar with a Java older than 13 (no dynamic archives)', () => {
    expect(classDataLaunch(jar, fakeJdk('jdk11', '11.0.2'), [], archiveDir).dumping).toBe(false);
    expect(classDataLaunch(jar, fakeJdk('jdk8', '1.8.0_422'), [], archiveDir).args).toEqual([
      '-jar',
      jar,
    ]);
  });

  it('runs plain -jar when java cannot be found', () => {
    expect(classDataLaunch(jar, '/nonexistent/java', [], archiveDir)).toMatchObject({
      args: ['-jar', jar],
      dumping: false,
    });
  });

  it('puts only the jars on the class path, libraries first, the main jar last', () => {
    const { args } = classDataLaunch(jar, java, [], archiveDir);
    const classPath = args[args.indexOf('-cp') + 1]!.split(':');
    expect(classPath.map((entry) => entry.slice(entry.lastIndexOf('/') + 1))).toEqual([
      'a.jar',
      'b.jar',
      'DynamoDBLocal.jar',
    ]);
    expect(args.at(-1)).toBe(DYNAMODB_LOCAL_MAIN_CLASS);
  });

  it('writes the archive on a clean exit of the first run and maps it on the next', () => {
    const first = classDataLaunch(jar, java, ['-XX:+UseSerialGC'], archiveDir);
    expect(first.dumping).toBe(true);
    const writing = flagValue(first.args, 'ArchiveClassesAtExit')!;
    writeFileSync(writing, 'archive'); // what the JVM does as it exits
    first.finish(true);
    const second = classDataLaunch(jar, java, ['-XX:+UseSerialGC'], archiveDir);
    expect(second.dumping).toBe(false);
    expect(flagValue(second.args, 'SharedArchiveFile')).toBe(
      writing.replace(/\.\d+\.[0-9a-f]+\.jsa\.tmp$/, ''),
    );
    expect(readdirSync(archiveDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('drops what a killed JVM wrote and dumps again next time', () => {
    const first = classDataLaunch(jar, java, [], archiveDir);
    writeFileSync(flagValue(first.args, 'ArchiveClassesAtExit')!, 'partial');
    first.finish(false);
    expect(readdirSync(archiveDir).filter((name) => name.includes('.jsa'))).toEqual([]);
    expect(classDataLaunch(jar, java, [], archiveDir).dumping).toBe(true);
  });

  it('keys the archive on the JVM flags', () => {
    const a = classDataLaunch(jar, java, ['-XX:+UseSerialGC'], archiveDir);
    writeFileSync(flagValue(a.args, 'ArchiveClassesAtExit')!, 'archive');
    a.finish(true);
    expect(classDataLaunch(jar, java, ['-XX:+UseParallelGC'], archiveDir).dumping).toBe(true);
  });
});
