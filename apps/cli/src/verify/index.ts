// The verify room: the rows a table must hold (derived from the input files alone), the
// table's scan, the comparison (partitioned by orderId beyond a memory budget) and the
// verdict. `kse run` (after its pipeline) and `kse verify` come in here; this room imports
// neither the pipeline nor the report.
export { DEFAULT_VERIFY_OPTIONS, verifyTable, type VerifyTableOptions } from './verifyTable.js';
export type { MismatchExample, VerifyProgress, VerifyResult } from './types.js';
export { formatVerdict } from './verdict.js';
export { formatVerifyProgress } from './progress.js';
export { LandedIndex } from './LandedIndex.js';
