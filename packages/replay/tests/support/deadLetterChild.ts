// Writes dead letters until the file refuses one; prints what happened as one JSON line.
// Run by DeadLetterFile.test.ts under a file-size limit (SIGXFSZ ignored, so write fails EFBIG).
import { DeadLetterFile, isReplayError } from '../../src/index.js';

const path = process.argv[2]!;
const file = new DeadLetterFile(path);
const data = Buffer.alloc(2048, 'd');
let attempted = 0;
let result: Record<string, unknown> = { outcome: 'no error' };
try {
  for (let line = 1; line <= 1000; line += 1) {
    attempted += 1;
    await file.write({
      source: 'orders.json',
      lineNumber: line,
      code: 'KSE_REPLAY_LINE_INVALID',
      reason: 'not JSON',
      data,
      size: data.byteLength,
    });
  }
} catch (error) {
  result = isReplayError(error)
    ? { outcome: 'error', code: error.code, message: error.message, path: error.path }
    : { outcome: 'other error', message: String(error) };
}
await file.close().catch(() => undefined);
process.stdout.write(`${JSON.stringify({ ...result, attempted, count: file.count })}\n`);
