/**
 * Lambda entry of the kse preprocess function. Placeholder until @kse/lambda exports its handler
 * factories: it fails every invocation loudly rather than pretending to process records.
 */
export const handler = async (): Promise<never> => {
  throw new Error('kse preprocess: handler factory not wired yet (waiting for @kse/lambda)');
};
