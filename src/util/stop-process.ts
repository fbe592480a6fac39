/** Stopping a child process: SIGTERM, then SIGKILL if it has not exited within the grace time. */
import type { ChildProcess } from 'node:child_process';

export async function stopProcess(p: ChildProcess, graceMs: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  // the timer is cleared as soon as the process exits: a pending one would keep the caller's event loop alive
  await Promise.race([gone, new Promise<void>((r) => { timer = setTimeout(r, graceMs); })]);
  clearTimeout(timer);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}
