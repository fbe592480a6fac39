/**
 * Fold-to-fit that checks itself (`--target-fps max --fit-synth N`): fold to the estimated budget, synthesize the
 * folded design with Yosys, and if it does not fit (or leaves much of the binding resource unused) rescale the
 * budget by synthesized / estimated and fold again, at most N syntheses. The fastest folding whose synthesis fits
 * wins; every round (estimate vs synthesized per resource) goes into fit_report.json.
 */
import { basename } from 'node:path';
import { designOf } from '../backend/design.ts';
import { writeRtl } from '../backend/write-rtl.ts';
import type { Graph } from '../ir/graph.ts';
import type { FpgaPart } from '../cost/parts.ts';
import { outDir, type OutDir } from '../util/outdir.ts';
import { join } from 'node:path';
import { FIT_FIFO_DEPTH, ICE40_LC_PER_FF, foldToFit, layerUsage, type FitOptions, type FitResult, type MeasuredLayer } from './fit.ts';
import { isHwOp } from '../ir/ops.ts';
import { withLayer } from '../hw/registry.ts';
import { yosysSynth } from './synth.ts';
import { FinnError } from '../util/errors.ts';
import type { BuildDir } from './build-dir.ts';

type Key = 'LUT' | 'FF' | 'BRAM_18K' | 'DSP' | 'LC' | 'EBR';

export interface FitRound {
  readonly cycles: number;
  readonly fps: number;
  /** Budget scale per resource this round folded to (1 = the part's limit). */
  readonly scale: Partial<Record<Key, number>>;
  readonly estimate: Partial<Record<Key, number>>;
  readonly synth: Partial<Record<Key, number>>;
  /** Synthesized use / part capacity per resource. */
  readonly synth_utilization: Partial<Record<Key, number>>;
  readonly fits: boolean;
  readonly synth_seconds: number;
  /** Why synthesis of this folding failed (e.g. Yosys out of memory on a design far beyond the part); it counts as not fitting. */
  readonly synth_error?: string;
  /** Per layer: LUT and FF as this round estimated them (after earlier rounds' corrections) and as synthesized. */
  readonly layers?: Record<string, { estimate: { LUT: number; FF: number }; synth: { LUT: number; FF: number } }>;
}

export interface CheckedFit {
  readonly fit: FitResult;
  readonly rounds: readonly FitRound[];
  /** Index of the chosen round (the fastest that fits after synthesis; the last round when none fits). */
  readonly chosen: number;
}

const keysOf = (part: FpgaPart): Key[] => (part.family === 'ice40' ? ['LC', 'FF', 'EBR', 'DSP'] : ['LUT', 'FF', 'BRAM_18K', 'DSP']);
const capOf = (part: FpgaPart, k: Key): number => (k === 'LC' ? part.LUT : k === 'EBR' ? part.EBR ?? 0 : part[k]);
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Synthesize a folded graph (FIFOs at fold-to-fit's assumed depth) into `out`/rtl and return its totals. */
const synthTotals: SynthTotals = async (g, part, out, jobs) => {
  const d0 = designOf(g);
  const d = designOf(g, d0.edges.map((e) => Math.min(FIT_FIFO_DEPTH, d0.layers[e.to.layer]!.inputs[e.to.port]!.wordsPerFrame + 2)));
  const dir = outDir(join(out.root, 'fit_synth', `cycles_${d.layers.reduce((m, l) => Math.max(m, l.cycles), 0)}`));
  const files = writeRtl(d, dir);
  const b: BuildDir = { root: dir.root, rtlDir: files.dir, graph: g, design: d, sources: files.sources.map((s) => basename(s)), memories: files.memories.map((s) => basename(s)), model: 'fold' };
  const r = await yosysSynth(b, { part: part.name, jobs });
  const t = r.resources.total!;
  const used: Partial<Record<Key, number>> = part.family === 'ice40'
    ? { LC: Math.round(t.LUT + ICE40_LC_PER_FF * t.FF), FF: t.FF, EBR: t.EBR ?? 0, DSP: t.DSP }
    : { LUT: t.LUT, FF: t.FF, BRAM_18K: t.BRAM_18K, DSP: t.DSP };
  const layers = Object.fromEntries(d.layers.map((l) => [l.node, { LUT: r.resources[l.node]!.LUT, FF: r.resources[l.node]!.FF }]));
  return { used, seconds: r.seconds, layers };
};

type LayerLutFf = Record<string, { LUT: number; FF: number }>;

/**
 * Per-layer synthesized / estimated LUT and FF of a synthesized folding, added to `measured` (one entry per layer and
 * cycle count) for the next rounds' estimates. The factor is against the uncorrected model.
 */
function measureLayers(fit: FitResult, synthLayers: LayerLutFf, part: FpgaPart, o: FitOptions, measured: Map<string, MeasuredLayer[]>): void {
  for (const n of fit.graph.nodes) {
    const s = synthLayers[n.name];
    if (!isHwOp(n.op) || !s) continue;
    const raw = layerUsage(n.op, part, { ...o, measured: undefined });
    const cycles = withLayer(n.op, (l, p) => l.cycles(p));
    const factor = { ...(raw.LUT > 0 ? { LUT: s.LUT / raw.LUT } : {}), ...(raw.FF > 0 ? { FF: s.FF / raw.FF } : {}) };
    measured.set(n.name, [...(measured.get(n.name) ?? []).filter((m) => m.cycles !== cycles), { cycles, factor }]);
  }
}

/** The estimate the next round makes of this round's folding: its layers as synthesized, FIFOs/width converters estimated. */
function correctedEstimate(fit: FitResult, synthLayers: LayerLutFf, k: Key): number {
  const sum = (r: 'LUT' | 'FF'): number => Object.values(synthLayers).reduce((a, l) => a + l[r], 0) + fit.infrastructure[r];
  if (k === 'LUT' || k === 'FF') return sum(k);
  if (k === 'LC') return sum('LUT') + ICE40_LC_PER_FF * sum('FF');
  return fit.margin[k]?.used ?? 0;
}

/** After a synthesis failure (the design too large for the tool) the binding resource's budget drops just below its estimate. */
const FAILED_SYNTH_STEP = 0.995;

/** A folding's synthesized totals, and per layer (graph node) its LUT and FF when the synthesis reports them. */
type SynthTotals = (g: Graph, part: FpgaPart, out: OutDir, jobs: number) => Promise<{ used: Partial<Record<Key, number>>; seconds: number; layers?: LayerLutFf }>;

export interface CheckOptions {
  readonly jobs?: number;
  readonly log?: (m: string) => void;
  /** The synthesis of one folding (default: Yosys on the design's RTL); replaceable for tests. */
  readonly synth?: SynthTotals;
}

/** A synthesis, with a tool failure (Yosys out of memory, a crash) returned as a message rather than thrown. */
async function synthOrFailure(synth: SynthTotals, g: Graph, part: FpgaPart, out: OutDir, jobs: number): Promise<Awaited<ReturnType<SynthTotals>> | { error: string }> {
  try {
    return await synth(g, part, out, jobs);
  } catch (e) {
    if (e instanceof FinnError && e.code === 'E_TOOL') return { error: `${e.message}${e.hint ? ` (${e.hint})` : ''}` };
    throw e;
  }
}

/** Round i's folding; after the first round, a budget below the smallest folding ends the search (undefined) instead of failing it. */
function foldOrStop(g: Graph, part: FpgaPart, clockNs: number, o: FitOptions, i: number, log: (m: string) => void): FitResult | undefined {
  try {
    return foldToFit(g, part, clockNs, o);
  } catch (e) {
    if (i === 0 || !(e instanceof FinnError && e.code === 'E_FOLDING')) throw e;
    log(`fit-synth round ${i + 1}: the rescaled budget is below the smallest folding (${e.message}); keeping the rounds so far`);
    return undefined;
  }
}

type Scale = Partial<Record<Key, number>>;

/** A fitting round this close to the budget (binding resource, synthesized) ends the search. */
const CLOSE_ENOUGH = 0.95;
/** Budget-scale bisection steps when looking for a folding between two synthesized ones (foldings are cheap). */
const BISECT_STEPS = 12;

/**
 * A folding strictly between the fastest round that fits but leaves room (`use` below CLOSE_ENOUGH) and the slowest
 * faster round that did not fit: bisect the budget scale between the two rounds' scales until the folding lands
 * between them. Undefined when there is no such pair or no folding between them.
 */
function between(done: readonly FitRound[], seen: ReadonlySet<number>, use: (r: FitRound) => number, fold: (s: Scale, minCycles?: number) => FitResult | undefined, keys: readonly Key[]): { fit: FitResult; scale: Scale; fits: number; over: number } | undefined {
  const fit = done.filter((r) => r.fits).sort((a, b) => a.cycles - b.cycles)[0];
  if (!fit || use(fit) >= CLOSE_ENOUGH) return undefined;
  const over = done.filter((r) => !r.fits && r.cycles < fit.cycles).sort((a, b) => b.cycles - a.cycles)[0];
  if (!over) return undefined;
  const inGap = (f: FitResult | undefined): boolean => !!f && f.cycles > over.cycles && f.cycles < fit.cycles && !seen.has(f.cycles);
  let lo = fit.scale, hi = over.scale; // lo folds to fit.cycles or slower, hi to over.cycles or faster
  for (let step = 0; step < BISECT_STEPS; step++) {
    const mid: Scale = {};
    for (const k of keys) mid[k] = ((lo[k] ?? 1) + (hi[k] ?? 1)) / 2;
    const f = fold(mid);
    if (inGap(f)) return { fit: f!, scale: mid, fits: fit.cycles, over: over.cycles };
    if (f && f.cycles > over.cycles) lo = mid; else hi = mid;
  }
  // no budget between the two gives a folding in the gap (the estimates are not monotone in cycles there: e.g. a
  // fully unfolded layer estimated cheaper than a 3-fold one): the cheapest folding just above the faster round
  const f = fold(fit.scale, over.cycles + 1);
  return inGap(f) ? { fit: f!, scale: fit.scale, fits: fit.cycles, over: over.cycles } : undefined;
}

/** Synthesize one folding and make its round (a tool failure is a round that does not fit). */
async function synthRound(fit: FitResult, part: FpgaPart, scale: Scale, synth: SynthTotals, out: OutDir, jobs: number, base: (k: Key) => number): Promise<FitRound> {
  const keys = keysOf(part);
  const s = await synthOrFailure(synth, fit.graph, part, out, jobs);
  const estimate: Scale = {}, util: Scale = {};
  for (const k of keys) estimate[k] = Math.round(fit.margin[k]?.used ?? 0);
  const head = { cycles: fit.cycles, fps: Math.round(fit.fps), scale: { ...scale }, estimate };
  if ('error' in s) return { ...head, synth: {}, synth_utilization: {}, fits: false, synth_seconds: 0, synth_error: s.error };
  for (const k of keys) util[k] = capOf(part, k) > 0 ? r3((s.used[k] ?? 0) / capOf(part, k)) : 0;
  const fits = keys.every((k) => (s.used[k] ?? 0) <= capOf(part, k) * base(k));
  const layers = s.layers && Object.fromEntries(Object.entries(s.layers).map(([n, v]) => [n, {
    estimate: { LUT: Math.round(fit.layers[n]?.LUT ?? 0), FF: Math.round(fit.layers[n]?.FF ?? 0) }, synth: v }]));
  return { ...head, synth: s.used, synth_utilization: util, fits, synth_seconds: Math.round(s.seconds), ...(layers ? { layers } : {}) };
}

/**
 * Fold to fit, synthesize, rescale the budget and retry, at most `rounds` syntheses. When rescaling returns to a
 * folding already synthesized or to one slower than a folding that fits, while the fastest fitting one leaves room and
 * a faster one did not fit, the next round is a folding between the two (budget bisection), and the search ends when
 * there is none.
 */
export async function foldToFitChecked(g: Graph, part: FpgaPart, clockNs: number, o: FitOptions, rounds: number, out: OutDir, c: CheckOptions = {}): Promise<CheckedFit> {
  const { jobs = 2, log = () => {}, synth = synthTotals } = c;
  const keys = keysOf(part);
  const base = (k: Key): number => o.utilization?.[k] ?? (part.family === 'ice40' && k === 'LC' ? 0.9 : 1);
  const use = (r: FitRound): number => Math.max(0, ...keys.map((k) => (r.synth[k] ?? 0) / Math.max(1e-9, capOf(part, k) * base(k))));
  let scale: Scale = {};
  for (const k of keys) scale[k] = base(k);
  const done: FitRound[] = [], fits: FitResult[] = [], seen = new Set<number>();
  // budget ceilings from failed syntheses: a later rescale never returns to a folding the tool could not synthesize
  const ceiling: Scale = {};
  // per-layer synthesized / estimated of the rounds so far: later rounds estimate with them
  const measured = new Map<string, MeasuredLayer[]>();
  for (let i = 0; i < rounds; i++) {
    const fold = (s: Scale, minCycles?: number): FitResult | undefined => foldOrStop(g, part, clockNs, { ...o, utilization: { ...s }, measured, minCycles }, i, log);
    let fit = fold(scale);
    // a folding already synthesized, or one slower than a folding that fits, cannot improve the result
    const fastestFit = Math.min(...done.filter((r) => r.fits).map((r) => r.cycles));
    if (!fit || seen.has(fit.cycles) || fit.cycles > fastestFit) {
      const mid = between(done, seen, use, fold, keys);
      if (!mid) break; // converged on a folding already checked
      ({ fit, scale } = mid);
      log(`fit-synth round ${i + 1}: a folding between the fastest that fits (${mid.fits} cycles/frame) and a faster one that does not (${mid.over})`);
    }
    seen.add(fit.cycles);
    fits.push(fit);
    const round = await synthRound(fit, part, scale, synth, out, jobs, base);
    done.push(round);
    if (round.synth_error !== undefined) {
      log(`fit-synth round ${i + 1}: ${fit.cycles} cycles/frame: synthesis failed (${round.synth_error}); folding further`);
      // the next round: the fastest folding whose binding resource is estimated below this one's
      const b = fit.binding as Key;
      ceiling[b] = Math.min(scale[b] ?? base(b), Math.floor((FAILED_SYNTH_STEP * (fit.margin[b]?.used ?? 0) / capOf(part, b)) * 1e4) / 1e4);
      scale = { ...scale, [b]: ceiling[b] };
      continue;
    }
    log(`fit-synth round ${i + 1}: ${fit.cycles} cycles/frame; ${keys.map((k) => `${k} est ${round.estimate[k]} synth ${round.synth[k]} (${Math.round((round.synth_utilization[k] ?? 0) * 100)} %)`).join(', ')}: ${round.fits ? 'fits' : 'does not fit'}`);
    // next budget in units of the estimate: estimate ≤ limit × estimated / synthesized (per resource); with per-layer
    // numbers the layers' errors go into `measured` and the budget absorbs what remains (FIFOs, width converters)
    const synthLayers = round.layers && Object.fromEntries(Object.entries(round.layers).map(([n, v]) => [n, v.synth]));
    if (synthLayers) measureLayers(fit, synthLayers, part, o, measured);
    scale = { ...scale };
    for (const k of keys) {
      const est = synthLayers ? correctedEstimate(fit, synthLayers, k) : fit.margin[k]?.used ?? 0, syn = round.synth[k] ?? 0;
      if (est > 0 && syn > 0) scale[k] = Math.min(r3(base(k) * est / syn), ceiling[k] ?? Infinity);
    }
    if (round.fits && use(round) >= CLOSE_ENOUGH) break; // close enough to the budget
  }
  const fitting = done.map((r, i) => [r, i] as const).filter(([r]) => r.fits).sort((a, b) => a[0].cycles - b[0].cycles);
  const chosen = fitting.length ? fitting[0]![1] : done.length - 1;
  if (!fitting.length && done.length) {
    log(`warning: fit-synth: none of the ${done.length} synthesized foldings fits ${part.name}; keeping the last (${done[chosen]!.cycles} cycles/frame, ` +
      `not fitting after synthesis) — allow more rounds (--fit-synth N) or give a folding (--folding F.json)`);
  }
  return { fit: fits[chosen]!, rounds: done, chosen };
}
