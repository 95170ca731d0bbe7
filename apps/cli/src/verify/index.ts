// The verify room: the rows a table must hold (derived from the input files alone), the
// table's scan, the comparison and the verdict. `kse run` (after its pipeline) and
// `kse verify` come in here; this room imports neither the pipeline nor the report.
export { verifyTable, type VerifyTableOptions } from './verifyTable.js';
export type { MismatchExample, VerifyResult } from './types.js';
export { formatVerdict } from './verdict.js';
export { numericRowKey } from './rowKey.js';
