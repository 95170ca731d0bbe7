export {
  DATASET_PARTS,
  DEFAULT_DATASET_OPTIONS,
  DEFAULT_GENERATOR_OPTIONS,
  DEFAULT_SEED,
  DEFAULT_START,
  DMS_GENERATED_OPERATIONS,
  FILE_NAMES,
  OUTPUT_FORMATS,
} from './constants.js';
export type { DatasetPart, DmsGeneratedOperation, OutputFormat } from './constants.js';

export { GENERATOR_ERROR_CODES, GeneratorError, isGeneratorError } from './errors.js';
export type { GeneratorErrorCode, GeneratorErrorOptions } from './errors.js';

export { resolveGeneratorOptions } from './options.js';
export type { GeneratorOptions, ResolvedGeneratorOptions } from './options.js';

export { generateOrders, generateProducts } from './records.js';
export type { OrderRecord, RecordIterable } from './records.js';

export { toDmsRecord } from './dms.js';
export type { DmsRecordOptions } from './dms.js';

export { centsToAmount, formatCents } from './money.js';

export { generateDataset } from './generateDataset.js';
export type {
  GenerateDatasetOptions,
  GenerateDatasetResult,
  GenerateProgress,
} from './generateDataset.js';

export { isS3Uri, parseS3Uri, uploadStreamToS3 } from './s3.js';
export type { S3Location, S3UploadOptions } from './s3.js';
