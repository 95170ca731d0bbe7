// The S3 commands @kse/enrich sends, by name (see ../sdk.ts).
export { GetObjectCommand } from '@aws-sdk/client-s3';
