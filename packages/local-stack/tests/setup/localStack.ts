// The package's own harness, from source (other packages import it from
// '@kse/local-stack/testing').
export { vitestGlobalSetup as default } from '../../src/testing/index.js';
