// The AWS SDK's default credential chain past its first link (environment variables, which is
// how Lambda hands a function its role's credentials), built into `credentials.mjs` beside the
// entry. The chain (@aws-sdk/credential-provider-node) imports each of these with `import()`
// when it reaches it; the bundle script points those imports at this file.
export { fromHttp } from '@aws-sdk/credential-provider-http';
export { fromIni } from '@aws-sdk/credential-provider-ini';
export { fromProcess } from '@aws-sdk/credential-provider-process';
export { fromSSO } from '@aws-sdk/credential-provider-sso';
export { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
export {
  ENV_CMDS_FULL_URI,
  ENV_CMDS_RELATIVE_URI,
  fromContainerMetadata,
  fromInstanceMetadata,
} from '@smithy/credential-provider-imds';
