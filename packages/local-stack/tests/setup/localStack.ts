// The package's own harness, from source (other packages import it from '@kse/local-stack').
export { vitestGlobalSetup as default } from '../../src/index.js';
