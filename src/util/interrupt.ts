/**
 * What an interrupted command (SIGINT, SIGTERM) must undo: child processes (Verilator, make, the simulator) are killed
 * by process group, temporary folders are removed, and registered hooks (e.g. a build marking its status) run.
 * src/cli.ts installs the signal handlers; everything here is synchronous so it can run from a signal handler.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const temps = new Set<string>();
const hooks = new Set<() => string | void>();

/** Track a child spawned with `detached: true` (its own process group) until it exits. */
export function trackChild<P extends ChildProcess>(p: P): P {
  children.add(p);
  p.on('exit', () => children.delete(p));
  return p;
}

/** Remove `dir` if the command is interrupted before `release()` is called. */
export function trackTemp(dir: string): () => void {
  temps.add(dir);
  return () => { temps.delete(dir); };
}

/** Run `fn` on interrupt (returns a line to print, or nothing); the returned function unregisters it. */
export function onInterrupt(fn: () => string | void): () => void {
  hooks.add(fn);
  return () => { hooks.delete(fn); };
}

/** Kill children (whole process groups), remove temporary folders, run the hooks; returns the hooks' lines. */
export function interruptCleanup(): string[] {
  for (const p of children) {
    try { if (p.pid) process.kill(-p.pid, 'SIGKILL'); } catch { try { p.kill('SIGKILL'); } catch { /* already gone */ } }
  }
  children.clear();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
  temps.clear();
  const lines: string[] = [];
  for (const h of [...hooks]) {
    try { const l = h(); if (l) lines.push(l); } catch { /* one failing hook must not keep the others from running */ }
  }
  hooks.clear();
  return lines;
}

/** Whether a process with this pid exists (EPERM: it exists but is someone else's). */
export function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Temporary names carry the owner's pid: `<name>.tmp-<pid>-<uuid>`. */
export const tempName = (base: string, uuid: string): string => `${base}.tmp-${process.pid}-${uuid}`;

/** Remove `*.tmp-<pid>-*` entries of `dir` whose owner process is gone (left by a killed run). */
export function sweepStaleTemps(dir: string): void {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) {
    const m = /\.tmp-(\d+)-/.exec(f);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) rmSync(join(dir, f), { recursive: true, force: true });
  }
}
