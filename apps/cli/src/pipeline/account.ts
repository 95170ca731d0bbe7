import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsConfig } from '@kse/local-stack';

/** Who the run's calls act as in an AWS target. */
export interface AwsIdentity {
  /** The account id, or `null` when it could not be told (endpoints that are not AWS's). */
  account: string | null;
  /** Why the account is unknown, when it is. */
  unknownBecause?: string;
}

/**
 * Asks STS who the credentials are (GetCallerIdentity), before anything is changed.
 *
 * When a service goes to AWS itself (no endpoint of its own), the answer is required: its
 * failure (no credentials, an expired token) stops the run. When every service has an
 * endpoint of its own (an emulator, a tunnel), STS is asked only at `stsEndpoint` (the
 * `--endpoint-url`, `AWS_ENDPOINT_URL_STS`…), never at AWS, and a failure there leaves the
 * account unknown.
 */
export async function callerIdentity(
  config: AwsConfig,
  stsEndpoint: string | undefined,
): Promise<AwsIdentity> {
  const { endpoints } = config;
  const toAws = [endpoints.kinesis, endpoints.dynamodb, endpoints.s3].some((e) => e === undefined);
  if (!toAws && stsEndpoint === undefined) {
    return { account: null, unknownBecause: 'every service has its own endpoint, and STS none' };
  }
  const sts = new STSClient({
    region: config.region,
    ...(stsEndpoint === undefined ? {} : { endpoint: stsEndpoint }),
    ...(config.credentials === undefined ? {} : { credentials: { ...config.credentials } }),
    ...(config.profile === undefined ? {} : { profile: config.profile }),
    // An endpoint that is not AWS's may not speak STS at all: one try is enough.
    ...(!toAws
      ? { maxAttempts: 1 }
      : config.maxAttempts === undefined
        ? {}
        : { maxAttempts: config.maxAttempts }),
  });
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    return Account === undefined
      ? { account: null, unknownBecause: 'STS did not say' }
      : { account: Account };
  } catch (error) {
    if (toAws) throw error;
    return {
      account: null,
      unknownBecause: `${stsEndpoint} did not answer STS GetCallerIdentity`,
    };
  } finally {
    sts.destroy();
  }
}
