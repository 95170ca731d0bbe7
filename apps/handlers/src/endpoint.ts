/** Environment variables, as `process.env`. */
export type Environment = Record<string, string | undefined>;

/** The custom endpoint of `service` (`AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`), if any. */
export function customEndpoint(env: Environment, service: string): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}
