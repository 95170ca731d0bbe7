import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runNpm } from './npm.js';

/** Options of {@link createConsumerProject}. */
export interface ConsumerOptions {
  /** Empty folder that becomes the consumer project. */
  dir: string;
  /** Registry serving `scope` (only that scope: everything else comes from the default registry). */
  registryUrl: string;
  /** Scope routed to `registryUrl`, e.g. `@kse`. */
  scope: string;
  /** Packages to install, e.g. `['@kse/enrich@0.1.0', '@types/node@20.19.43']`. */
  install: readonly string[];
  /** Kills `npm install` after this many milliseconds. */
  timeoutMs?: number;
}

/** One installed package, as the consumer's lockfile records it. */
export interface InstalledPackage {
  version: string;
  /** URL the tarball was downloaded from. */
  resolved: string | undefined;
}

/** A consumer project with its dependencies installed. */
export interface ConsumerProject {
  dir: string;
  /** Every installed package by `node_modules/...` path. */
  installed: Record<string, InstalledPackage>;
}

/**
 * Creates a fresh npm project in `dir` whose `.npmrc` routes `scope` to `registryUrl`
 * (the way a team points its services at a private registry), and installs `install`.
 */
export async function createConsumerProject(options: ConsumerOptions): Promise<ConsumerProject> {
  const { dir, registryUrl, scope, install, timeoutMs = 600_000 } = options;
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'kse-consumer', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  await writeFile(join(dir, '.npmrc'), `${scope}:registry=${registryUrl}\n`);
  await runNpm(
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      // Revalidate metadata: a previous run may have cached another registry's packument.
      '--prefer-online',
      '--omit-lockfile-registry-resolved=false',
      ...install,
    ],
    { cwd: dir, timeoutMs },
  );
  const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; resolved?: string; link?: boolean }>;
  };
  const installed: Record<string, InstalledPackage> = {};
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || !entry.version) continue;
    installed[path] = { version: entry.version, resolved: entry.resolved };
  }
  return { dir, installed };
}
