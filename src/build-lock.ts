/**
 * One build per output directory at a time: `<out>/.finn-build.lock` holds the owner's pid and start time. A lock
 * whose process is gone (or whose pid now belongs to a process started later) is stale and taken over.
 */
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fail } from './util/errors.ts';
import { pidAlive } from './util/interrupt.ts';

export const LOCK_FILE = '.finn-build.lock';

interface LockInfo { pid: number; host: string; started: string; proc_start?: string; command?: string }

/** The kernel's start time of a process (clock ticks since boot, /proc/<pid>/stat field 22), if readable. */
function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch { return undefined; }
}

function stale(l: LockInfo): boolean {
  if (l.host !== hostname()) return false; // another machine's process cannot be checked: assume it runs
  if (!pidAlive(l.pid)) return true;
  const now = procStart(l.pid);
  return l.proc_start !== undefined && now !== undefined && now !== l.proc_start; // the pid was reused
}

function readLock(path: string): LockInfo | undefined {
  try { return JSON.parse(readFileSync(path, 'utf8')) as LockInfo; } catch { return undefined; }
}

/** The live build holding `dir`'s lock, if any. */
export function lockHolder(dir: string): LockInfo | undefined {
  const l = readLock(join(dir, LOCK_FILE));
  return l && !stale(l) ? l : undefined;
}

/** Take the lock of `dir` (which exists) or fail with E_LOCKED; returns the release function (idempotent). */
export function acquireBuildLock(dir: string, command: string, log: (m: string) => void): () => void {
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), proc_start: procStart(process.pid), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(mine, null, 2)}\n`, { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (readLock(path)?.pid === process.pid) unlinkSync(path);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = readLock(path);
    if (other && !stale(other)) {
      fail('E_LOCKED', `${dir} is in use by another finn build (pid ${other.pid} on ${other.host}, started ${other.started}${other.command ? `: ${other.command}` : ''})`,
        `wait for it to finish or stop it, or choose another --out; a lock left by a process that no longer runs is taken over automatically (${LOCK_FILE})`);
    }
    log(`lock: taking over ${LOCK_FILE} left by ${other ? `pid ${other.pid} (no longer running)` : 'an unreadable lock file'}`);
    if (existsSync(path)) unlinkSync(path);
  }
  return fail('E_LOCKED', `could not take the lock of ${dir} (${LOCK_FILE}): another build took it at the same moment`);
}
