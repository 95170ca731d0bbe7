import { createPreprocessHandler } from '@kse/lambda';

/**
 * Lambda entry of the kse preprocess function: @kse/lambda's factory, configured from the
 * environment (validated at cold start; a missing variable fails it, naming the variable).
 * Clients and configuration are built once, here, outside the handler.
 */
export const handler = createPreprocessHandler();
