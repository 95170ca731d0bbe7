// The pipeline room: `kse run`'s experiment end to end. Its phases live in files named for
// them (stack, resources, input, handlers, mappings, land, verifyRun, runReport) and
// `runPipeline` calls them in order. It uses the verify and report rooms, never the
// commands.
export { runPipeline } from './runPipeline.js';
export {
  DEFAULT_RUN_OPTIONS,
  JOIN_STATES,
  LOCAL_STACKS,
  TOPOLOGIES,
  type JoinState,
  type LocalStackMode,
  type RunPipelineOptions,
  type Topology,
} from './options.js';
export type { RunIo, RunPipelineResult } from './types.js';
