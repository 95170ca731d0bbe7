// Loads one built handler bundle the way the Lambda Node.js runtime does (a plain Node ESM
// import, no test framework in between), invokes its `handler` once with the Kinesis event
// read from stdin, and prints the outcome on a last line prefixed with KSE_RESULT.
// Usage: node invokeBundle.mjs <path/to/index.mjs> [functionName] < event.json
// (the tests run it with the pinned Node 24, the runtime the stack deploys).
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [bundlePath, functionName = 'kse-smoke'] = process.argv.slice(2);
let input = '';
for await (const chunk of process.stdin) input += chunk;

let outcome;
try {
  const { handler } = await import(pathToFileURL(bundlePath).href);
  const deadline = Date.now() + 180_000;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `smoke/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  outcome = { ok: true, result: await handler(JSON.parse(input), context) };
} catch (error) {
  outcome = {
    ok: false,
    error: { name: error?.name, code: error?.code, message: String(error?.message ?? error) },
  };
}
// Lambda freezes the process after the handler returns; exiting at once would drop what is
// still being sent over UDP (the X-Ray SDK sends each closed subsegment to its daemon). Wait
// until no UDP socket is open, for at most 2 s.
const drainDeadline = Date.now() + 2_000;
while (process.getActiveResourcesInfo().includes('UDPWrap') && Date.now() < drainDeadline) {
  await new Promise((resolve) => setTimeout(resolve, 5));
}
process.stdout.write(`\nKSE_NODE ${process.version}\nKSE_RESULT ${JSON.stringify(outcome)}\n`);
// Keep-alive sockets would hold the process open; Lambda would freeze it here instead.
process.exit(0);
