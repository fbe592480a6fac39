/**
 * The process that computes points for a worker (like BullMQ's sandboxed processors): training and compiling are
 * CPU-bound and would block the worker's event loop, which must keep renewing the job's lock in Redis. The parent
 * sends one job at a time; this process reports stages and the result over IPC and waits for the next job, so the
 * modules (tsx, TensorFlow.js, the compiler: seconds of CPU) load once per process, not once per point. After an
 * error it exits (the worker starts a fresh one). It writes only into the directory it was given (the worker's
 * scratch directory), and exits as soon as its worker is gone.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FinnError } from '../util/errors.ts';
import { computePoint, DatasetCache } from './point.ts';
import type { PointJob } from './spec.ts';

export interface ChildRequest {
  readonly job: PointJob;
  readonly dir: string;
  readonly simCacheDir: string;
  readonly runtimeCacheDir?: string;
  readonly verilator?: string;
}

export type ChildMessage =
  | { readonly type: 'stage'; readonly stage: string; readonly detail: string }
  | { readonly type: 'done'; readonly result: unknown }
  | { readonly type: 'error'; readonly finn: boolean; readonly code: string; readonly message: string; readonly hint: string };

const parent = process.ppid;
/** The worker was killed (kill -9 included): nobody wants this point's output any more. */
const orphaned = (): boolean => process.ppid !== parent || !process.connected;
const send = (m: ChildMessage): void => { if (process.connected) process.send!(m); };
/** The error message, then exit (tfjs and Verilator handles would keep the process alive otherwise). */
const finish = (m: ChildMessage, code: number): void => {
  if (!process.connected) process.exit(70);
  process.send!(m, undefined, {}, () => process.exit(code));
};
process.on('disconnect', () => process.exit(70));

// the worker starts this process before its first job: load what every point needs while waiting for it
void Promise.all([import('../train/trainer.ts'), import('../train/data.ts'), import('../train/export.ts'), import('../build.ts'), import('../sim/icarus.ts')]).catch(() => {});

// the training and test sets, loaded by the first point and kept for the next ones
const datasets = new DatasetCache();
let busy = false;
process.on('message', (req: ChildRequest) => {
  if (busy) { finish({ type: 'error', finn: false, code: 'E_INTERNAL', message: 'a point process got a second job while computing one', hint: '' }, 1); return; }
  busy = true;
  mkdirSync(req.dir, { recursive: true });
  const logFile = join(req.dir, 'log.txt');
  const log = (msg: string): void => appendFileSync(logFile, `${msg}\n`);
  const stage = (s: string, detail = ''): void => {
    if (orphaned()) process.exit(70);
    log(`[${s}] ${detail}`);
    send({ type: 'stage', stage: s, detail });
  };
  computePoint(req.job, req.dir, { stage, log, datasets, simCacheDir: req.simCacheDir, runtimeCacheDir: req.runtimeCacheDir, ...(req.verilator ? { verilator: req.verilator } : {}) }).then(
    (result) => { busy = false; send({ type: 'done', result }); },
    (e: unknown) => {
      const f = e instanceof FinnError;
      log(`error: ${(e as Error).stack ?? String(e)}`);
      finish({ type: 'error', finn: f, code: f ? e.code : 'E_INTERNAL', message: (e as Error).message ?? String(e), hint: f ? e.hint : '' }, 1);
    },
  );
});
