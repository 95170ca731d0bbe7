/**
 * Lambda entry of the kse sink function. Placeholder until @kse/lambda exports its handler
 * factories: it fails every invocation loudly rather than pretending to process records.
 */
export const handler = async (): Promise<never> => {
  throw new Error('kse sink: handler factory not wired yet (waiting for @kse/lambda)');
};
