import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listPublishablePackages, readManifest } from '../src/index.js';
import type { PackageManifest } from '../src/index.js';

// What `nx release` publishes is decided by project tags and `private`; these checks keep
// the two in agreement, so that a new package is released and an app never is.
const workspaceRoot = resolve(import.meta.dirname, '../../..');

async function manifestsUnder(folder: string): Promise<PackageManifest[]> {
  const base = join(workspaceRoot, folder);
  const entries = await readdir(base, { withFileTypes: true });
  const manifests: PackageManifest[] = [];
  for (const entry of entries.filter((candidate) => candidate.isDirectory())) {
    const manifest = await readManifest(join(base, entry.name)).catch(() => undefined);
    if (manifest) manifests.push(manifest);
  }
  return manifests;
}

interface ReleaseConfig {
  projects: string[];
  projectsRelationship: string;
  version: { conventionalCommits: boolean };
  changelog: { workspaceChangelog: unknown; projectChangelogs: { file: string } };
}

describe('the nx release configuration', () => {
  it('releases the type:package projects as one fixed group with per-package changelogs', async () => {
    const nx = JSON.parse(await readFile(join(workspaceRoot, 'nx.json'), 'utf8')) as {
      release: ReleaseConfig;
    };
    expect({
      projects: nx.release.projects,
      relationship: nx.release.projectsRelationship,
      conventionalCommits: nx.release.version.conventionalCommits,
      workspaceChangelog: nx.release.changelog.workspaceChangelog,
      projectChangelog: nx.release.changelog.projectChangelogs.file,
    }).toEqual({
      projects: ['tag:type:package'],
      relationship: 'fixed',
      conventionalCommits: true,
      workspaceChangelog: false,
      projectChangelog: '{projectRoot}/CHANGELOG.md',
    });
  });

  it('tags every package under packages/ type:package, public, in the @kse scope', async () => {
    const manifests = await manifestsUnder('packages');
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      expect({
        name: manifest.name,
        scoped: manifest.name.startsWith('@kse/'),
        private: manifest.private ?? false,
        tags: manifest.nx?.tags,
      }).toEqual({ name: manifest.name, scoped: true, private: false, tags: ['type:package'] });
    }
  });

  it('gives every package under packages/ the same version (one fixed group)', async () => {
    const versions = new Set((await manifestsUnder('packages')).map((m) => m.version));
    expect(versions.size).toBe(1);
  });

  it('keeps every app and tool private and out of the type:package tag', async () => {
    const manifests = [...(await manifestsUnder('apps')), ...(await manifestsUnder('tools'))];
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      expect({
        name: manifest.name,
        private: manifest.private,
        released: manifest.nx?.tags?.includes('type:package') ?? false,
      }).toEqual({ name: manifest.name, private: true, released: false });
    }
  });

  it('lists every published package as a devDependency of this tool, so Nx builds them first', async () => {
    const own = await readManifest(resolve(import.meta.dirname, '..'));
    const published = await listPublishablePackages(workspaceRoot);
    expect(
      Object.fromEntries(
        published.map(({ manifest }) => [manifest.name, own.devDependencies?.[manifest.name]]),
      ),
    ).toEqual(
      Object.fromEntries(published.map(({ manifest }) => [manifest.name, manifest.version])),
    );
  });
});
