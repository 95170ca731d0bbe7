#!/usr/bin/env node
import { runCli } from './program.js';

// The AWS SDK warns once per process, in six lines, that its releases after January 2027
// will need Node 22; the README says it once instead. The warning has no type or code of
// its own (a plain `Warning` whose text starts with its name), so it is turned off by the
// SDK's own switch for exactly this warning, in this process only; every other warning
// still prints. A user who sets the variable keeps their value.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // runCli prints and classifies every error; this is a last resort.
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  },
);
