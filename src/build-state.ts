/**
 * The life of a build directory: checked before anything is written, locked while a build runs, cleared only when it
 * is a finn-ts build, its status (build_status.json) written after every step so that an interrupted or killed build
 * can be resumed by running the same command again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from './build-lock.ts';
import { STEP_NAMES, type StepName } from './step-names.ts';
import { fail } from './util/errors.ts';
import { outDir, type OutDir } from './util/outdir.ts';

export const STATUS = 'build_status.json';

export interface BuildStatus {
  readonly status: 'running' | 'interrupted' | 'failed' | 'complete';
  readonly resume_key?: string;
  readonly last_finished_step?: StepName;
  readonly [k: string]: unknown;
}

export function readStatus(root: string): BuildStatus | undefined {
  try { return JSON.parse(readFileSync(join(root, STATUS), 'utf8')) as BuildStatus; } catch { return undefined; }
}

/** Prepare the output directory: only ever clear a directory that a previous finn-ts build made (the lock stays). */
export function prepareOut(root: string, fresh: boolean): OutDir {
  const others = existsSync(root) ? readdirSync(root).filter((f) => f !== LOCK_FILE) : [];
  if (fresh && others.length > 0) {
    if (!existsSync(join(root, STATUS))) fail('E_FILE', `output directory ${root} exists and is not a finn-ts build`, 'choose an empty or new --out directory');
    for (const f of others) rmSync(join(root, f), { recursive: true, force: true });
  }
  mkdirSync(root, { recursive: true });
  return outDir(root);
}

const fileHash = (path: string | undefined): string | null => (path && existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null);

/**
 * What determines the outputs of the steps: the model's and folding file's bytes and every option except where to
 * start and stop, how to report and where caches are. Equal keys → a finished step's saved model can be reused.
 */
export function resumeKey(opts: object & { model: string; foldingFile?: string }, version: string): string {
  const skip = new Set(['log', 'progress', 'afterPass', 'report', 'simCacheDir', 'verilator', 'from', 'to', 'strict', 'allowUnmatched', 'signal']);
  const rest = Object.fromEntries(Object.entries(opts).filter(([k, v]) => !skip.has(k) && v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify({ version, rest, model: fileHash(opts.model), folding: fileHash(opts.foldingFile) })).digest('hex');
}

/**
 * Where an interrupted build (status interrupted, or running with no live owner — the caller holds the lock) with
 * the same key can go on: the index of the first step not finished, or 0 to start fresh.
 */
export function resumeIndex(root: string, key: string): number {
  const s = readStatus(root);
  if (!s || (s.status !== 'interrupted' && s.status !== 'running') || s.resume_key !== key || !s.last_finished_step) return 0;
  const i = STEP_NAMES.indexOf(s.last_finished_step);
  return i >= 0 && existsSync(join(root, 'intermediate_models', `${s.last_finished_step}.onnx`)) ? i + 1 : 0;
}
