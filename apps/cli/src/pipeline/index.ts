// The pipeline room: `kse run`'s experiment end to end. Its phases live in files named for
// them (stack, resources, input, handlers, mappings, land, verifyRun, runReport) and
// `runPipeline` calls them in order. It uses the verify and report rooms, never the
// commands.
export { runPipeline } from './runPipeline.js';
export { replayKinesisClient } from './land.js';
export {
  DEFAULT_LOCAL_BUCKET,
  DEFAULT_RUN_OPTIONS,
  JOIN_STATES,
  JOIN_TIMES,
  LOCAL_STACKS,
  TOPOLOGIES,
  awsBucketName,
  isResumable,
  type JoinState,
  type JoinTime,
  type LocalStackMode,
  type RunPipelineOptions,
  type RunTarget,
  type Topology,
} from './options.js';
export { describePlan, type PlannedResource } from './resources.js';
export {
  RUN_MANIFEST_FILE,
  readRunManifest,
  type ManifestOptions,
  type RunManifest,
} from './runManifest.js';
export type { StackAccess, StackOwner } from './stack.js';
export type { AwsIdentity } from './account.js';
export type { RunConfirmation, RunIo, RunPipelineResult } from './types.js';
