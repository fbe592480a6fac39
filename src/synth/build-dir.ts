/** A finished build directory as the synthesis, export and driver steps see it: the final graph, its design and rtl/. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { designOf, type Design } from '../backend/design.ts';
import type { Graph } from '../ir/graph.ts';
import { readModel } from '../onnx/read.ts';
import { fail } from '../util/errors.ts';
import { lockHolder } from '../build-lock.ts';

export interface BuildDir {
  readonly root: string;
  readonly rtlDir: string;
  readonly graph: Graph;
  readonly design: Design;
  /** Verilog sources in compile order (names inside rtl/, from filelist.f). */
  readonly sources: readonly string[];
  /** $readmemh images (names inside rtl/). */
  readonly memories: readonly string[];
  /** Which intermediate model the design was taken from. */
  readonly model: string;
  /** Clock of the build in MHz (rtlsim_performance.json fclk), if recorded. */
  readonly fclkMhz?: number;
}

/** The steps whose saved graph describes rtl/, latest first (the rtl step writes rtl/, fifo-size rewrites it). */
const RTL_MODELS = ['verify', 'fifo-size', 'rtl'] as const;

export function readJsonFile<T>(path: string, what: string): T {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return fail('E_FILE', `cannot read ${what} (${path})`); }
  try { return JSON.parse(text) as T; } catch (e) { return fail('E_FILE', `${path} is not valid JSON: ${(e as Error).message}`); }
}

/** Open a build directory that went at least through the rtl step. */
export function loadBuildDir(dir: string): BuildDir {
  const root = resolve(dir);
  if (!existsSync(join(root, 'build_status.json'))) fail('E_FILE', `${dir} is not a finn-ts build directory (no build_status.json)`, 'run finn build first');
  const rtlDir = join(root, 'rtl');
  if (!existsSync(join(rtlDir, 'filelist.f'))) fail('E_FILE', `${dir} has no rtl/filelist.f`, 'run finn build through the rtl step (--to rtl or further)');
  const step = RTL_MODELS.find((s) => existsSync(join(root, 'intermediate_models', `${s}.onnx`)));
  if (!step) fail('E_FILE', `${dir} has no intermediate_models/rtl.onnx`, 'run finn build through the rtl step');
  const model = `intermediate_models/${step}.onnx`;
  const graph = readModel(join(root, model));
  const design = designOf(graph);
  const sources = readFileSync(join(rtlDir, 'filelist.f'), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
  for (const s of sources) if (!/^[A-Za-z0-9_.-]+$/.test(s) || !existsSync(join(rtlDir, s))) fail('E_FILE', `rtl/filelist.f names "${s}", which is not a file in rtl/`);
  for (const l of design.layers) if (!sources.includes(`${l.ident}.v`)) fail('E_FILE', `rtl/ has no wrapper for layer ${l.node} (${l.ident}.v); the build directory does not match ${model}`, 'rebuild');
  const memories = readdirSync(rtlDir).filter((f) => f.endsWith('.dat')).sort();
  const perfPath = join(root, 'report/rtlsim_performance.json');
  const fclk = existsSync(perfPath) ? readJsonFile<{ fclk?: number }>(perfPath, 'rtlsim_performance.json').fclk : undefined;
  return { root, rtlDir, graph, design, sources, memories, model, ...(typeof fclk === 'number' && fclk > 0 ? { fclkMhz: fclk } : {}) };
}

/** SHA-256 of every file the design consists of (sources and memory images), by file name. */
export function rtlHashes(b: BuildDir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of [...b.sources, ...b.memories]) out[f] = createHash('sha256').update(readFileSync(join(b.rtlDir, f))).digest('hex');
  return out;
}

export interface RtlProvenance {
  /** True when every file matches the hash recorded by the verify step (and no file was added or removed). */
  readonly verified: boolean;
  readonly rtl_sha256: Record<string, string>;
  /** What differs from report/verification.json (empty when verified). */
  readonly problems: readonly string[];
  readonly verification?: { inputs: string; frames: number; mismatches: number };
}

/** Compare the rtl/ files with the hashes of the co-simulated RTL in report/verification.json. */
export function checkRtlProvenance(b: BuildDir): RtlProvenance {
  const now = rtlHashes(b);
  const vpath = join(b.root, 'report/verification.json');
  if (!existsSync(vpath)) return { verified: false, rtl_sha256: now, problems: ['report/verification.json is missing: the RTL was never co-simulated (run the build through the verify step)'] };
  const v = readJsonFile<{ inputs?: string; rtl_sha256?: Record<string, string>; stages?: { stage: string; images: number; mismatches: number }[] }>(vpath, 'verification.json');
  const was = v.rtl_sha256 ?? {};
  const problems: string[] = [];
  for (const [f, h] of Object.entries(now)) {
    if (!(f in was)) problems.push(`${f} was not part of the co-simulated RTL`);
    else if (was[f] !== h) problems.push(`${f} changed since co-simulation (sha256 ${h.slice(0, 12)}… vs ${was[f]!.slice(0, 12)}…)`);
  }
  for (const f of Object.keys(was)) if (!(f in now)) problems.push(`${f} was co-simulated but is missing now`);
  const st = v.stages?.find((s) => s.stage === 'stitched_rtl');
  if (st && st.mismatches > 0) problems.push(`the co-simulation had ${st.mismatches} mismatching frames`);
  if (!st) problems.push('report/verification.json has no stitched_rtl stage');
  return {
    verified: problems.length === 0, rtl_sha256: now, problems,
    ...(st ? { verification: { inputs: v.inputs ?? '', frames: st.images, mismatches: st.mismatches } } : {}),
  };
}

/**
 * `finn synth/vivado/driver` work on finished builds only: a directory whose build_status.json is not `complete`
 * (interrupted, failed, still running) is refused unless `force` (then it is said once on the log).
 */
export function requireComplete(dir: string, force: boolean | undefined, log: (m: string) => void): void {
  const path = join(resolve(dir), 'build_status.json');
  if (!existsSync(path)) return; // loadBuildDir says what is missing
  const s = readJsonFile<{ status?: string; last_finished_step?: string; failed_step?: string }>(path, 'build_status.json');
  if (s.status === 'complete') return;
  const status = s.status === 'running' && !lockHolder(dir) ? 'interrupted' : String(s.status);
  const where = s.failed_step ? ` at ${s.failed_step}` : s.last_finished_step ? ` after ${s.last_finished_step}` : '';
  if (force) { log(`warning: ${dir}: the build is ${status}${where} (--force: using what it wrote)`); return; }
  fail('E_INCOMPLETE', `the build in ${dir} is not complete (status: ${status}${where})`,
    status === 'running' ? 'wait for the build to finish' : 'run the same finn build command again to finish (or resume) it, or pass --force to use the directory as it is');
}
