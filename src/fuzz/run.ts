/**
 * The fuzzing loop: cases on a pool of worker threads, each with a time budget (a case over it is a hang: its
 * worker is terminated and replaced) and a heap limit (over it: an out-of-memory). After every case the worker's
 * sandbox is searched for files outside the case's output directory (escapes).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CaseReply, CaseRequest } from './worker.ts';
import { makeCase, seedModels, type SeedModel } from './case.ts';

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  /** Worker threads (default 2). */
  readonly jobs?: number;
  /** Wall-clock budget per case in ms, generating the mutated model included (default 120,000: a 10^4-node graph compiles in tens of seconds on a loaded machine). */
  readonly budgetMs?: number;
  /** Heap limit per worker in MB (default 1024). */
  readonly heapMb?: number;
  /** Real model files mutated besides the built-in small models. */
  readonly files: readonly string[];
  /** Scratch directory (sandboxes live below it). */
  readonly root: string;
  readonly onCase?: (r: CaseResult, done: number) => void;
}

export type Verdict = 'ok' | 'error' | 'crash' | 'hang' | 'oom' | 'escape';

export interface CaseResult { readonly index: number; readonly verdict: Verdict; readonly kind: string; readonly model: string; readonly code: string; readonly message: string; readonly ms: number }

export interface FuzzSummary {
  readonly cases: number;
  readonly seed: number;
  readonly ok: number;
  readonly errorsByCode: Record<string, number>;
  readonly byKind: Record<string, Record<string, number>>;
  readonly crashes: CaseResult[];
  readonly hangs: CaseResult[];
  readonly ooms: CaseResult[];
  readonly escapes: CaseResult[];
  readonly wallSeconds: number;
  readonly slowestMs: number;
}

/** A worker running the TypeScript source registers tsx first (loader hooks are per thread). */
function startWorker(files: readonly string[], heapMb: number): Worker {
  const url = new URL('./worker.ts', import.meta.url).href;
  const src = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(src, { eval: true, workerData: { files }, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
}

/** Files under `dir` other than the case's own input and output directory. */
function escapedFiles(sandbox: string, caseDir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (p === join(caseDir, 'out') || p === join(caseDir, 'in.onnx')) continue;
      if (e.isDirectory() && (caseDir + '/').startsWith(p + '/')) walk(p);
      else found.push(relative(sandbox, p));
    }
  };
  if (existsSync(sandbox)) walk(sandbox);
  for (const abs of ['/tmp/evil', '/evil']) if (existsSync(abs)) found.push(abs);
  return found;
}

let seeds: SeedModel[] | undefined;
let seedFiles: readonly string[] = [];

/** Which mutation a case was (regenerated here after its worker died). */
function describe(req: CaseRequest): { kind: string; model: string } {
  seeds ??= seedModels(seedFiles);
  const c = makeCase(seeds, req);
  return { kind: c.kind, model: c.model };
}

interface Lane { worker: Worker; readonly sandbox: string; readonly caseDir: string }

/** Run the cases; resolves with counts by verdict and error code. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzSummary> {
  const jobs = Math.max(1, o.jobs ?? 2), budget = o.budgetMs ?? 120000, heap = o.heapMb ?? 1024;
  const results: CaseResult[] = [];
  seedFiles = o.files;
  const t0 = performance.now();
  let next = 0;
  const lane = async (k: number): Promise<void> => {
    const sandbox = join(o.root, `w${k}`);
    const l: Lane = { worker: await ready(startWorker(o.files, heap)), sandbox, caseDir: join(sandbox, 'a', 'b', 'c', 'case') };
    while (next < o.cases) {
      const index = next++;
      const r = await oneCase(l, { seed: o.seed, index, dir: l.caseDir }, budget, () => ready(startWorker(o.files, heap)));
      results.push(r);
      o.onCase?.(r, results.length);
    }
    await l.worker.terminate();
    rmSync(sandbox, { recursive: true, force: true });
  };
  mkdirSync(o.root, { recursive: true });
  await Promise.all(Array.from({ length: jobs }, (_, k) => lane(k)));
  return summarize(o, results, (performance.now() - t0) / 1000);
}

function ready(w: Worker): Promise<Worker> {
  return new Promise((res, rej) => {
    w.once('message', () => res(w));
    w.once('error', rej);
  });
}

/** Run one case on a lane's worker, replacing the worker after a hang, an out-of-memory or a crash of the thread. */
async function oneCase(l: Lane, req: CaseRequest, budget: number, restart: () => Promise<Worker>): Promise<CaseResult> {
  const t0 = performance.now();
  const reply = await new Promise<CaseReply | { fatal: 'hang' | 'oom' | 'crash'; message: string }>((res) => {
    const timer = setTimeout(() => { cleanup(); res({ fatal: 'hang', message: `no result after ${budget} ms` }); }, budget);
    const onMsg = (m: CaseReply): void => { if (m.index === req.index) { cleanup(); res(m); } };
    const onErr = (e: Error & { code?: string }): void => { cleanup(); res({ fatal: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crash', message: String(e.stack ?? e).slice(0, 600) }); };
    const onExit = (code: number): void => { cleanup(); res({ fatal: 'crash', message: `worker exited with code ${code}` }); };
    const cleanup = (): void => { clearTimeout(timer); l.worker.off('message', onMsg); l.worker.off('error', onErr); l.worker.off('exit', onExit); };
    l.worker.on('message', onMsg);
    l.worker.on('error', onErr);
    l.worker.on('exit', onExit);
    l.worker.postMessage(req);
  });
  const ms = performance.now() - t0;
  if ('fatal' in reply) {
    await l.worker.terminate();
    l.worker = await restart();
    const c = describe(req);
    return { index: req.index, verdict: reply.fatal, kind: c.kind, model: c.model, code: reply.fatal, message: reply.message, ms };
  }
  const escaped = escapedFiles(l.sandbox, l.caseDir);
  if (escaped.length) {
    for (const f of escaped) if (!f.startsWith('/')) rmSync(join(l.sandbox, f), { recursive: true, force: true });
    return { index: req.index, verdict: 'escape', kind: reply.kind, model: reply.model, code: reply.code, message: `wrote outside the output directory: ${escaped.slice(0, 5).join(', ')}`, ms };
  }
  const verdict: Verdict = reply.ok ? 'ok' : reply.typed && /^E_[A-Z_]+$/.test(reply.code) ? 'error' : 'crash';
  return { index: req.index, verdict, kind: reply.kind, model: reply.model, code: reply.code, message: reply.message, ms };
}

function summarize(o: FuzzOptions, rs: readonly CaseResult[], wallSeconds: number): FuzzSummary {
  const errorsByCode: Record<string, number> = {};
  const byKind: Record<string, Record<string, number>> = {};
  for (const r of rs) {
    if (r.verdict === 'error') errorsByCode[r.code] = (errorsByCode[r.code] ?? 0) + 1;
    const k = (byKind[r.kind] ??= {});
    const key = r.verdict === 'error' ? r.code : r.verdict;
    k[key] = (k[key] ?? 0) + 1;
  }
  const sorted = (v: Verdict): CaseResult[] => rs.filter((r) => r.verdict === v).sort((a, b) => a.index - b.index);
  return {
    cases: rs.length, seed: o.seed, ok: rs.filter((r) => r.verdict === 'ok').length, errorsByCode, byKind,
    crashes: sorted('crash'), hangs: sorted('hang'), ooms: sorted('oom'), escapes: sorted('escape'), wallSeconds,
    slowestMs: Math.max(0, ...rs.map((r) => r.ms)),
  };
}
