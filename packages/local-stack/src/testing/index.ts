// @kse/local-stack/testing: the vitest harness, apart from the main entry so that code
// which only builds clients or starts emulators never loads test helpers.
export {
  TEST_AWS_CONFIG_ENV,
  TEST_DYNAMODB_ENV,
  TEST_STACK_MODE_ENV,
  testAwsConfig,
  uniqueName,
  vitestGlobalSetup,
} from './vitestHarness.js';
// The fault proxy's seeded source, for tests that want fixed jitter or kill points.
export { seededRandom } from '../faults/random.js';
