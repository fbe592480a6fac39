/**
 * `finn explore`: the coordinator. Points already in the output directory are kept (content-addressed); the others
 * become BullMQ jobs (job id = the point's key, so queueing a point twice is one job). Local workers and, without
 * --redis, a local redis-server are started and stopped here; any `finn worker --redis URL` elsewhere may join.
 * Results are written into the output directory only by this process, atomically per point (a directory renamed
 * into place), and explore.json / explore.html are merged from them in grid order.
 */
import { stopProcess } from '../util/stop-process.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Job, Queue, type JobType } from 'bullmq';
import { fail, FinnError } from '../util/errors.ts';
import { outDir } from '../util/outdir.ts';
import { checkReachable, queueConnection, startRedis, type LocalRedis } from './redis.ts';
import { unpackDir } from './pack.ts';
import { mergeResults, pointDir, type ExploreJson, type FailedPoint } from './merge.ts';
import { renderExplorePage } from './page.ts';
import { checkSettings, gridPoints, type ExploreSettings, type PointJob } from './spec.ts';
import { QUEUE_NAME, type JobOutput, type JobProgress } from './worker.ts';
import type { PointResult } from './point.ts';
import type { ExploreProgress } from './progress.ts';

export interface ExploreOptions {
  readonly settings: ExploreSettings;
  readonly out: string;
  /** Local worker processes to start (0: only workers that join with `finn worker`). */
  readonly workers: number;
  /** A running Redis; without it a local redis-server is started and stopped. */
  readonly redis?: string;
  readonly stalledSeconds: number;
  /** Verilator cache for the local workers. */
  readonly simCache?: string;
  readonly progress: ExploreProgress;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ExploreResult {
  readonly json: ExploreJson;
  readonly jsonPath: string;
  readonly htmlPath: string;
  readonly cached: number;
  readonly computed: number;
}

const FINN_BIN = fileURLToPath(new URL('../../bin/finn.js', import.meta.url));
const POLL_MS = 400;
const jobId = (key: string): string => `p-${key}`;

/** The output directory: new, empty, or a previous exploration's. */
function prepareOut(root: string): void {
  if (existsSync(root)) {
    const names = readdirSync(root);
    if (names.length > 0 && !names.includes('explore.json') && !names.includes('points')) {
      fail('E_FILE', `output directory ${root} exists and is not a finn explore output`, 'choose an empty or new --out directory');
    }
  }
  mkdirSync(join(root, 'points'), { recursive: true });
  // a coordinator stopped while writing a point leaves a .tmp directory: never a result
  for (const n of readdirSync(join(root, 'points'))) if (n.startsWith('.tmp-')) rmSync(join(root, 'points', n), { recursive: true, force: true });
}

function readCached(root: string, key: string): PointResult | null {
  const p = join(root, pointDir(key), 'result.json');
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) as PointResult : null;
}

/** Move a finished job's files and result into points/<key>/ in one rename. */
function ingest(root: string, out: JobOutput): void {
  const key = out.result.key;
  const final = join(root, pointDir(key));
  if (existsSync(join(final, 'result.json'))) return;
  const tmp = join(root, 'points', `.tmp-${key}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  unpackDir(out.files, tmp);
  outDir(tmp).writeJson('result.json', out.result);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
}

export function pointSummary(r: PointResult): string {
  const a = `${(100 * r.accuracy.top1).toFixed(2)} %`;
  if (!r.feasible) return `${a}, does not fit`;
  const e = r.estimate!;
  return `${a}, ${Math.round(e.LUT).toLocaleString('en-US')} LUT, ${Math.round(e.fps).toLocaleString('en-US')} frames/s${r.rtl ? `, RTL ${r.rtl.correct}/${r.rtl.images} (${r.rtl.mismatches} ≠ reference)` : ''}`;
}

export async function runExplore(o: ExploreOptions): Promise<ExploreResult> {
  checkSettings(o.settings);
  const grid = gridPoints(o.settings);
  const root = outDir(o.out).root;
  prepareOut(root);
  const results = new Map<string, PointResult>();
  for (const g of grid) {
    const r = readCached(root, g.key);
    if (r) results.set(g.key, r);
  }
  const cached = results.size;
  const pending = grid.filter((g) => !results.has(g.key));
  o.progress.start(grid.map((g) => ({ key: g.key, label: g.label, cached: results.has(g.key) })));
  const failed = new Map<string, FailedPoint>();
  for (const g of grid) if (results.has(g.key)) o.progress.done(g.key, `${pointSummary(results.get(g.key)!)} (cached)`);
  if (pending.length > 0) await computePending(o, root, pending, results, failed);
  const json = mergeResults(o.settings, grid, results, failed);
  const out = outDir(root);
  const jsonPath = out.writeJson('explore.json', json);
  const htmlPath = out.write('explore.html', renderExplorePage(json));
  return { json, jsonPath, htmlPath, cached, computed: pending.length - failed.size };
}

async function computePending(o: ExploreOptions, root: string, pending: readonly PointJob[], results: Map<string, PointResult>, failed: Map<string, FailedPoint>): Promise<void> {
  let local: LocalRedis | null = null;
  const workers: ChildProcess[] = [];
  let queue: Queue | null = null;
  let connection: ReturnType<typeof queueConnection> | null = null;
  try {
    if (o.redis) await checkReachable(o.redis);
    else {
      local = await startRedis({ dir: join(root, '.redis') });
      o.progress.note(`started redis-server on ${local.url} (stopped at the end)`);
    }
    const url = o.redis ?? local!.url;
    connection = queueConnection(url);
    let down = false;
    connection.on('error', (e: Error) => { if (!down) { down = true; o.progress.note(`Redis connection lost (${e.message}); waiting for it to come back`); } });
    connection.on('ready', () => { if (down) { down = false; o.progress.note('Redis connection back'); } });
    queue = new Queue(QUEUE_NAME, { connection });
    queue.on('error', () => {}); // reported through the connection
    const order = longestFirst(pending);
    for (const p of pending) await enqueue(queue, p, order.get(p.key)!);
    workers.push(...startLocalWorkers(o, root, url));
    if (o.workers === 0) o.progress.note(`waiting for workers: finn worker --redis ${url}`);
    await waitForPoints(o, root, queue, pending, results, failed, workers, connection);
  } finally {
    await queue?.close().catch(() => {});
    connection?.disconnect();
    await stopWorkers(workers);
    await local?.stop();
  }
}

/**
 * Queue priorities (1 = first): the most expensive points first (longest-processing-time-first scheduling), so that
 * workers do not end the run waiting on one big point started last. Cost ∝ width² (weights, MACs) × bits per MAC.
 */
export function longestFirst(points: readonly PointJob[]): Map<string, number> {
  const cost = (p: PointJob): number => p.width * p.width * (p.wbits + p.abits);
  const sorted = [...points].sort((a, b) => cost(b) - cost(a) || a.key.localeCompare(b.key));
  return new Map(sorted.map((p, i) => [p.key, i + 1]));
}

async function enqueue(queue: Queue, p: PointJob, priority: number): Promise<void> {
  const existing = await Job.fromId(queue, jobId(p.key));
  if (existing && (await existing.getState()) === 'failed') await existing.remove();
  else if (existing) return; // queued, running or finished by an earlier run: the same job
  await queue.add(p.label, p, { jobId: jobId(p.key), attempts: 2, removeOnComplete: false, removeOnFail: false, priority });
}

function startLocalWorkers(o: ExploreOptions, root: string, url: string): ChildProcess[] {
  if (o.workers === 0) return [];
  mkdirSync(join(root, 'logs'), { recursive: true });
  return Array.from({ length: o.workers }, (_, i) => {
    const fd = openSync(join(root, 'logs', `worker-${i + 1}.log`), 'w');
    const args = [FINN_BIN, 'worker', '--redis', url, '--name', `local-${i + 1}`, '--stalled-seconds', String(o.stalledSeconds),
      ...(o.simCache ? ['--sim-cache', o.simCache] : [])];
    const env = { ...process.env, ...o.env };
    const c = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], env });
    closeSync(fd);
    return c;
  });
}

async function stopWorkers(ws: readonly ChildProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => stopProcess(w, 10_000)));
}

/** Poll the jobs until every pending point is finished or failed; Redis going away only pauses this. */
async function waitForPoints(o: ExploreOptions, root: string, queue: Queue, pending: readonly PointJob[], results: Map<string, PointResult>,
  failed: Map<string, FailedPoint>, workers: readonly ChildProcess[], connection: { status: string }): Promise<void> {
  const open = new Map(pending.map((p) => [p.key, p]));
  let shown = '';
  while (open.size > 0) {
    if (workers.length > 0 && workers.every((w) => w.exitCode !== null || w.signalCode !== null)) {
      fail('E_INTERNAL', `all ${workers.length} local workers exited before the exploration finished`, `see ${join(root, 'logs')}/worker-*.log`);
    }
    try {
      const states = await jobStates(queue);
      for (const p of [...open.values()]) await pollPoint(o, root, queue, p, states.get(jobId(p.key)), results, failed, open);
    } catch (e) {
      if (e instanceof FinnError) throw e; // our own error (e.g. unreadable result): not a connection problem
      // while Redis is away commands fail and are retried on the next round; anything else is shown (once)
      const msg = (e as Error).message;
      if (connection.status === 'ready' && msg !== shown) { shown = msg; o.progress.note(`polling: ${msg} (retrying)`); }
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

type PollState = 'completed' | 'failed' | 'active' | 'queued';

/** Every job's state by id, from one id listing per state (not one round trip per job and poll). */
async function jobStates(queue: Queue): Promise<Map<string, PollState>> {
  const lists: [PollState, JobType[]][] = [['completed', ['completed']], ['failed', ['failed']], ['active', ['active']],
    ['queued', ['waiting', 'prioritized', 'delayed', 'paused', 'waiting-children']]];
  const ids = await Promise.all(lists.map(([, types]) => queue.getRanges(types, 0, -1)));
  const states = new Map<string, PollState>();
  lists.forEach(([state], i) => { for (const id of ids[i]!) states.set(id, state); });
  return states;
}

/** One point's step: ingest it when completed, record it when failed, show its progress otherwise. */
async function pollPoint(o: ExploreOptions, root: string, queue: Queue, p: PointJob, listed: PollState | undefined, results: Map<string, PointResult>,
  failed: Map<string, FailedPoint>, open: Map<string, PointJob>): Promise<void> {
  if (listed === 'queued') { o.progress.waiting(p.key); return; }
  const job = await Job.fromId<PointJob, JobOutput>(queue, jobId(p.key));
  if (!job) { await enqueue(queue, p, 1); return; } // lost with a Redis that kept no data: queue it again
  // not in any listing: it moved between two of them while they were read — ask the job itself
  const state = listed ?? await job.getState();
  if (state === 'completed') {
    const out = job.returnvalue;
    ingest(root, out);
    results.set(p.key, out.result);
    open.delete(p.key);
    o.progress.done(p.key, pointSummary(out.result));
    await job.remove().catch(() => {});
  } else if (state === 'failed') {
    failed.set(p.key, { key: p.key, label: p.label, error: job.failedReason });
    open.delete(p.key);
    o.progress.failed(p.key, job.failedReason);
    await job.remove().catch(() => {});
  } else if (state === 'active') {
    const pr = job.progress as Partial<JobProgress> | number;
    if (typeof pr === 'object' && pr.stage) o.progress.running(p.key, pr.stage, pr.detail ?? '', pr.worker ?? '');
    else o.progress.running(p.key, 'starting', '', '');
  } else {
    o.progress.waiting(p.key);
  }
}
