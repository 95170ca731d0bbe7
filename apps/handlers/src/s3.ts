import { S3Client } from '@aws-sdk/client-s3';
import { sdkClientConfig } from '@kse/core';
import { customEndpoint, type Environment } from './endpoint.js';

// What the enrich bundle reads on first use, built into `s3.mjs` beside its entry: the S3
// client (~200 KB with its XML protocol, checksums and multi-region signing, for one GetObject
// of the products per container). The bundle script points every `import()` of this module,
// of @aws-sdk/client-s3 and of @kse/enrich's S3 commands at that file.
export { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** S3 client for the handlers (path-style addressing against a custom endpoint). */
export function s3ClientFromEnvironment(env: Environment = process.env): S3Client {
  return new S3Client({
    ...sdkClientConfig(),
    ...(customEndpoint(env, 'S3') === undefined
      ? {}
      : {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }),
  });
}
