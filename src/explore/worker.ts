/**
 * `finn worker`: a BullMQ worker on the exploration queue. Each job (one point) runs in a child process
 * (point-child.ts) in a fresh scratch directory; the worker returns the point's result and its files (packed) as the
 * job's return value and deletes the scratch directory. A worker killed mid-job leaves only its scratch directory
 * behind (removed by the next worker started on that machine): BullMQ notices the job's lock expiring, puts the job
 * back in the queue, and another worker computes it from scratch.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { checkReachable, queueConnection } from './redis.ts';
import { packDir } from './pack.ts';
import { EXPLORE_FORMAT, type PointJob } from './spec.ts';
import type { ChildMessage, ChildRequest } from './point-child.ts';
import type { PointResult } from './point.ts';

/** The queue every exploration uses: jobs carry all their settings, so any worker serves any exploration. */
export const QUEUE_NAME = 'finn-explore';

/** What a finished job returns. */
export interface JobOutput {
  readonly result: PointResult;
  /** The point's directory (model.onnx, build/, log.txt), packed (pack.ts). */
  readonly files: string;
}

/** What a running job reports (job.progress). */
export interface JobProgress {
  readonly stage: string;
  readonly detail: string;
  readonly worker: string;
}

export interface WorkerOptions {
  readonly redis: string;
  /** Points computed at once by this worker (each in its own process). */
  readonly concurrency: number;
  /** Seconds after which the job of a worker that stopped renewing its lock (killed) is given to another worker. */
  readonly stalledSeconds: number;
  readonly name: string;
  readonly log: (line: string) => void;
  readonly verilator?: string;
  /**
   * Verilator builds shared by this worker's jobs (default: none — each job compiles its design in its scratch
   * directory; Verilator's design-independent runtime objects are compiled once per machine, runtimeCacheDir).
   */
  readonly simCacheDir?: string;
}

export interface RunningWorker {
  /** Stop taking jobs; running points are abandoned (their jobs are retried elsewhere). */
  close(): Promise<void>;
}

const SCRATCH_PREFIX = 'finn-ts-explore-';

/** Scratch directories of workers on this machine that no longer run (killed mid-job). */
function removeStaleScratch(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    try { process.kill(Number(m[1]), 0); } catch { rmSync(join(tmpdir(), name), { recursive: true, force: true }); }
  }
}

/**
 * Verilator's runtime objects (design-independent, keyed by Verilator's version and flags, written atomically) for
 * every worker of this user on this machine: compiled once (~7 s of CPU), not once per point or per worker.
 */
function runtimeCacheDir(): string {
  const dir = join(tmpdir(), `finn-ts-verilator-runtime-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  await checkReachable(o.redis);
  removeStaleScratch();
  const runtimeDir = o.simCacheDir ? undefined : runtimeCacheDir();
  const children = new Set<ChildProcess>();
  const pool = new ChildPool(children);
  pool.warm(o.concurrency); // the first points' processes load while the worker connects
  const connection = queueConnection(o.redis);
  let down = false;
  connection.on('error', (e: Error) => { if (!down) { down = true; o.log(`worker ${o.name}: Redis connection lost (${e.message}); reconnecting`); } });
  connection.on('ready', () => { if (down) { down = false; o.log(`worker ${o.name}: Redis connection back`); } });
  const worker = new Worker<PointJob, JobOutput>(QUEUE_NAME, async (job) => processJob(job, o, pool, runtimeDir), {
    connection, concurrency: o.concurrency, autorun: true,
    lockDuration: o.stalledSeconds * 1000, stalledInterval: o.stalledSeconds * 1000, maxStalledCount: 2,
  });
  worker.on('error', (e) => { if (!down) o.log(`worker ${o.name}: ${e.message}`); });
  await worker.waitUntilReady();
  o.log(`worker ${o.name}: waiting for points on ${o.redis} (queue ${QUEUE_NAME}, ${o.concurrency} at a time)`);
  return {
    async close() {
      pool.close();
      for (const c of children) c.kill('SIGKILL');
      await worker.close(true);
      connection.disconnect();
    },
  };
}

async function processJob(job: Job<PointJob, JobOutput>, o: WorkerOptions, pool: ChildPool, runtimeDir: string | undefined): Promise<JobOutput> {
  const p = job.data;
  if (p.format !== EXPLORE_FORMAT) throw new UnrecoverableError(`job ${job.id} was queued by a finn-ts with explore format ${p.format}; this worker has ${EXPLORE_FORMAT}`);
  const scratch = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  const t0 = performance.now();
  o.log(`worker ${o.name}: started ${p.label} [${p.key}] attempt ${job.attemptsMade + 1}`);
  try {
    const dir = join(scratch, 'point');
    const result = await runChild({ job: p, dir, simCacheDir: o.simCacheDir ?? join(scratch, 'verilator'), runtimeCacheDir: runtimeDir, ...(o.verilator ? { verilator: o.verilator } : {}) }, pool,
      (stage, detail) => { job.updateProgress({ stage, detail, worker: o.name } satisfies JobProgress).catch(() => {}); });
    const files = await packDir(dir);
    o.log(`worker ${o.name}: finished ${p.label} [${p.key}] in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return { result, files };
  } catch (e) {
    o.log(`worker ${o.name}: ${p.label} [${p.key}] failed: ${(e as Error).message}`);
    throw e;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const CHILD = fileURLToPath(new URL('./point-child.ts', import.meta.url));

/** Points one process computes before it is replaced (bounds what a long-lived TensorFlow.js heap can gather). */
const POINTS_PER_CHILD = 16;

/**
 * Point processes, reused: each loads its modules (tsx, TensorFlow.js, the compiler: ~2 s of CPU) once and then
 * computes points one after another; the first starts loading while the worker connects. A process that failed a
 * point, died, or computed POINTS_PER_CHILD points is not reused.
 */
class ChildPool {
  private readonly idle: ChildProcess[] = [];
  private readonly served = new Map<ChildProcess, number>();
  private closed = false;
  constructor(private readonly children: Set<ChildProcess>) {}

  private fork(): ChildProcess {
    const child = fork(CHILD, [], { execArgv: ['--import', import.meta.resolve('tsx')], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.children.add(child);
    this.served.set(child, 0);
    child.on('exit', () => {
      this.children.delete(child);
      this.served.delete(child);
      const i = this.idle.indexOf(child);
      if (i >= 0) this.idle.splice(i, 1);
    });
    return child;
  }

  private alive = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null && c.connected;

  /** Start loading `n` processes now (before the first job). */
  warm(n: number): void {
    while (!this.closed && this.idle.length < n) this.idle.push(this.fork());
  }

  /** A ready (or loading) process for the next point. */
  take(): ChildProcess {
    let c = this.idle.shift();
    while (c && !this.alive(c)) c = this.idle.shift();
    return c ?? this.fork();
  }

  /** A process that finished its point: kept for the next one unless it has served its share. */
  release(c: ChildProcess, ok: boolean): void {
    const n = (this.served.get(c) ?? 0) + 1;
    this.served.set(c, n);
    if (ok && !this.closed && this.alive(c) && n < POINTS_PER_CHILD) this.idle.push(c);
    else c.kill('SIGKILL');
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.kill('SIGKILL');
  }
}

/** Run one point in a (reused) child process; bad input (a FinnError) is not retried, anything else is. */
function runChild(req: ChildRequest, pool: ChildPool, onStage: (stage: string, detail: string) => void): Promise<PointResult> {
  return new Promise((resolve, reject) => {
    const child = pool.take();
    let stderr = '';
    let settled = false;
    const onData = (d: Buffer): void => { stderr = (stderr + d.toString()).slice(-2000); };
    const done = (ok: boolean): void => {
      settled = true;
      child.stderr?.off('data', onData);
      child.off('message', onMessage);
      child.off('exit', onExit);
      pool.release(child, ok);
    };
    const onMessage = (m: ChildMessage): void => {
      if (m.type === 'stage') onStage(m.stage, m.detail);
      else if (m.type === 'done') { done(true); resolve(m.result as PointResult); }
      else { done(false); reject(m.finn ? new UnrecoverableError(`${m.code}: ${m.message}${m.hint ? ` (hint: ${m.hint})` : ''}`) : new Error(`${m.code}: ${m.message}`)); }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      done(false);
      reject(new Error(`the point's process ended (${signal ?? `exit code ${code}`}) without a result${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    child.stderr?.on('data', onData);
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(req);
  });
}
