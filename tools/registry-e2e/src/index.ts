export { DEFAULT_REGISTRY_OPTIONS, startRegistry } from './registry.js';
export type { Registry, RegistryOptions } from './registry.js';

export { DEFAULT_RUN_NPM_OPTIONS, cleanNpmEnv, runNpm } from './npm.js';
export type { RunNpmOptions, RunResult } from './npm.js';

export {
  exportTargets,
  listPublishablePackages,
  packPackage,
  publishTarball,
  readManifest,
  writePublishUserConfig,
} from './packages.js';
export type { PackageManifest, PackedPackage, PublishablePackage } from './packages.js';

export { createConsumerProject } from './consumer.js';
export type { ConsumerOptions, ConsumerProject, InstalledPackage } from './consumer.js';
