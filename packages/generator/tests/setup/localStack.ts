export { vitestGlobalSetup as default } from '@kse/local-stack/testing';
