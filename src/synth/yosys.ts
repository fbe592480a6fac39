/** Yosys from npm (WebAssembly): runs on a copy of rtl/ in a virtual file system, no install needed. */
import { runYosys } from '@yowasp/yosys';
import { Worker } from 'node:worker_threads';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FinnError } from '../util/errors.ts';

export interface YosysRun {
  readonly log: string;
  readonly files: Record<string, string>;
  readonly seconds: number;
}

export interface YosysOptions {
  /** Called with every complete log line as Yosys prints it (for progress reporting). */
  readonly onLine?: (line: string) => void;
}

/** The text files of a flat directory (sub-directories are skipped). */
export function readFlatDir(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isFile()) files[f] = readFileSync(join(dir, f), 'utf8');
  return files;
}

/** Run a Yosys script over in-memory files (flat names); returns its log and the text files it wrote. */
export async function yosysOnFiles(files: Record<string, string>, script: string, what: string, opts: YosysOptions = {}): Promise<YosysRun> {
  let log = '';
  let pending = '';
  const dec = new TextDecoder();
  const sink = (b: Uint8Array | null): void => {
    if (!b) return;
    const text = dec.decode(b, { stream: true });
    log += text;
    if (!opts.onLine) return;
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      opts.onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  };
  const t0 = performance.now();
  try {
    const out = (await runYosys(['-p', script], files, { stdout: sink, stderr: sink })) ?? {};
    const texts: Record<string, string> = {};
    for (const [k, v] of Object.entries(out)) if (typeof v === 'string' && !(k in files)) texts[k] = v;
    return { log, files: texts, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    const errs = [...new Set(log.split('\n').filter((l) => /ERROR|Error/.test(l)))].slice(0, 10).join('\n');
    throw new FinnError('E_TOOL', `yosys failed on ${what}: ${errs || (e as Error).message}`, wasmHint((e as Error).message));
  }
}

/** A WebAssembly trap in Yosys is almost always its 4 GB memory limit on a very large design. */
function wasmHint(message: string): string {
  return /unreachable|out of bounds|Out of memory|Maximum call stack/i.test(message)
    ? 'Yosys (WebAssembly, 4 GB address space) most likely ran out of memory: synthesize the layers separately with --jobs 2 (each layer its own run) or fold the design further'
    : '';
}

/** Run a Yosys script over the files of `dir` (flat); returns its log and the text files it wrote. */
export async function yosys(dir: string, script: string, opts: YosysOptions = {}): Promise<YosysRun> {
  return yosysOnFiles(readFlatDir(dir), script, dir, opts);
}

/** read_verilog + hierarchy -check on a design's file list. */
export async function yosysCheck(dir: string, top: string): Promise<YosysRun> {
  const srcs = readFileSync(join(dir, 'filelist.f'), 'utf8').trim().split('\n');
  return yosys(dir, `read_verilog ${srcs.join(' ')}; hierarchy -check -top ${top}`);
}

export interface YosysJob {
  readonly files: Record<string, string>;
  readonly script: string;
  /** What the run is about, for errors. */
  readonly what: string;
  /** Called with pass-header lines ("Executing … pass") as the job runs. */
  readonly onLine?: (line: string) => void;
}

/** Run one Yosys script in a worker thread. */
export function yosysInWorker(job: YosysJob): Promise<YosysRun> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./yosys-worker.mjs', import.meta.url));
    let settled = false;
    w.on('message', (m: { line?: string; done?: YosysRun; error?: { message: string; log: string } }) => {
      if (m.line !== undefined) job.onLine?.(m.line);
      else if (m.done) { settled = true; resolve(m.done); void w.terminate(); }
      else if (m.error) {
        settled = true;
        const errs = [...new Set(m.error.log.split('\n').filter((l) => /ERROR|Error/.test(l)))].slice(0, 10).join('\n');
        reject(new FinnError('E_TOOL', `yosys failed on ${job.what}: ${errs || m.error.message}`, wasmHint(m.error.message)));
        void w.terminate();
      }
    });
    w.on('error', (e) => { if (!settled) { settled = true; reject(new FinnError('E_TOOL', `yosys worker failed on ${job.what}: ${e.message}`)); } });
    w.on('exit', (code) => { if (!settled) { settled = true; reject(new FinnError('E_TOOL', `yosys worker for ${job.what} exited with code ${code}`)); } });
    w.postMessage({ files: job.files, script: job.script });
  });
}

/** Run Yosys jobs, at most `concurrency` at a time (worker threads), in the given order; results in the same order. */
export async function yosysParallel(jobs: readonly YosysJob[], concurrency: number): Promise<YosysRun[]> {
  const results: YosysRun[] = new Array(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await yosysInWorker(jobs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, lane));
  return results;
}
