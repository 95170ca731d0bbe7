import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Kills `child` with SIGKILL when the current process dies, however it dies: on `exit`
 * (normal end, uncaught error) synchronously, and on SIGKILL / a crash through a tiny
 * `sh` watchdog whose stdin is a pipe from this process (EOF when this process is gone).
 * Returns the function that disarms both once the child has exited.
 */
export function killWithParent(child: ChildProcess): () => void {
  const pid = child.pid;
  if (pid === undefined) return () => undefined;
  const onExit = (): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  const watchdog = spawn('sh', ['-c', 'read _ignored; kill -KILL "$0" 2>/dev/null', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  watchdog.unref();
  return () => {
    process.off('exit', onExit);
    // Closing the pipe without a line would fire the kill: end the watchdog instead.
    watchdog.kill('SIGKILL');
    watchdog.stdin?.destroy();
  };
}
