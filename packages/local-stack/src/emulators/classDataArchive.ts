import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

/** Main class of `DynamoDBLocal.jar` (its manifest's `Main-Class`). */
export const DYNAMODB_LOCAL_MAIN_CLASS =
  'com.amazonaws.services.dynamodbv2.local.main.ServerRunner';

/** Default folder of the class-data archives: `<os tmpdir>/kse-dynamodb-local`. */
export function defaultClassDataArchiveDir(): string {
  return join(tmpdir(), 'kse-dynamodb-local');
}

/** How to launch the JVM, and what to do once it has exited. */
export interface ClassDataLaunch {
  /** JVM flags and class path up to and including the main class (or `-jar <jar>`). */
  args: string[];
  /** True when this run writes the archive when the JVM exits (its stop takes longer). */
  dumping: boolean;
  /** Call once the JVM has exited; `clean` when it exited on its own or on SIGTERM. */
  finish(clean: boolean): void;
}

function stamp(path: string): string {
  const stat = statSync(path);
  return `${path}:${stat.size}:${stat.mtimeMs}`;
}

/** The `java` that would run, resolved through PATH and symbolic links. */
function resolveExecutable(command: string): string | undefined {
  const candidates = isAbsolute(command)
    ? [command]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return realpathSync(candidate);
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * Major version of the JDK of `javaPath` from its `release` file (`JAVA_VERSION="17.0.15"`),
 * or undefined. Dynamic archives (`-XX:ArchiveClassesAtExit`) need Java 13 or later.
 */
function javaMajorVersion(javaPath: string): number | undefined {
  try {
    const release = readFileSync(join(dirname(dirname(javaPath)), 'release'), 'utf8');
    const version = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(release);
    if (!version) return undefined;
    const major = Number(version[1]);
    return major === 1 ? Number(version[2]) : major;
  } catch {
    return undefined;
  }
}

/**
 * A folder of symbolic links to `DynamoDBLocal.jar` and its `DynamoDBLocal_lib/*.jar`
 * only. The jar's manifest `Class-Path` names `.` and the native libraries too; class-data
 * sharing refuses a class path with a non-empty folder or non-jar files before an entry
 * it loaded classes from, so the JVM runs from this folder, with the libraries first.
 */
function linkFarm(jarPath: string, farm: string): string[] {
  const libDir = join(dirname(jarPath), 'DynamoDBLocal_lib');
  const jars = readdirSync(libDir)
    .filter((name) => name.endsWith('.jar'))
    .sort();
  if (!existsSync(join(farm, 'DynamoDBLocal.jar'))) {
    const building = `${farm}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
    mkdirSync(join(building, 'DynamoDBLocal_lib'), { recursive: true });
    for (const name of jars)
      symlinkSync(join(libDir, name), join(building, 'DynamoDBLocal_lib', name));
    symlinkSync(jarPath, join(building, 'DynamoDBLocal.jar'));
    try {
      renameSync(building, farm);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another run made it first
    }
  }
  return [
    ...jars.map((name) => join(farm, 'DynamoDBLocal_lib', name)),
    join(farm, 'DynamoDBLocal.jar'),
  ];
}

/** Removes archives being written by runs that died more than an hour ago. */
function removeStaleDumps(dir: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.jsa.tmp')) continue;
    try {
      if (statSync(join(dir, name)).mtimeMs < hourAgo) rmSync(join(dir, name), { force: true });
    } catch {
      // gone already
    }
  }
}

/**
 * JVM arguments that run DynamoDB Local with an application class-data sharing (AppCDS)
 * archive kept in `archiveDir`: the first run writes it when the JVM exits
 * (`-XX:ArchiveClassesAtExit`), later runs map it (`-XX:SharedArchiveFile`) and start with
 * about 40% less CPU. The archive is keyed by the jar, the `java` binary and the flags;
 * the JVM itself also checks it and ignores one that does not match. With `archiveDir`
 * `false`, a `java` older than 13 or not found, or a folder that cannot be used: plain
 * `-jar`.
 */
export function classDataLaunch(
  jarPath: string,
  java: string,
  jvmFlags: readonly string[],
  archiveDir: string | false,
): ClassDataLaunch {
  const plain: ClassDataLaunch = {
    args: ['-jar', jarPath],
    dumping: false,
    finish: () => undefined,
  };
  if (archiveDir === false) return plain;
  try {
    const realJar = realpathSync(jarPath);
    const javaPath = resolveExecutable(java);
    if (javaPath === undefined || (javaMajorVersion(javaPath) ?? 0) < 13) return plain;
    const key = createHash('sha256')
      .update([stamp(realJar), stamp(javaPath), ...jvmFlags].join('\n'))
      .digest('hex')
      .slice(0, 16);
    mkdirSync(archiveDir, { recursive: true });
    removeStaleDumps(archiveDir);
    const classPath = linkFarm(realJar, join(archiveDir, `classpath-${key}`)).join(delimiter);
    const archive = join(archiveDir, `dynamodb-local-${key}.jsa`);
    const common = ['-cp', classPath];
    if (existsSync(archive)) {
      return {
        args: [`-XX:SharedArchiveFile=${archive}`, ...common, DYNAMODB_LOCAL_MAIN_CLASS],
        dumping: false,
        finish: () => undefined,
      };
    }
    const writing = `${archive}.${process.pid}.${randomBytes(3).toString('hex')}.jsa.tmp`;
    return {
      args: [`-XX:ArchiveClassesAtExit=${writing}`, ...common, DYNAMODB_LOCAL_MAIN_CLASS],
      dumping: true,
      finish: (clean) => {
        try {
          if (clean && existsSync(writing) && !existsSync(archive)) renameSync(writing, archive);
        } catch {
          // another run published one first
        }
        rmSync(writing, { force: true });
      },
    };
  } catch {
    return plain;
  }
}
