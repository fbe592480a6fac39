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
import { FIT_FIFO_DEPTH, ICE40_LC_PER_FF, foldToFit, type FitOptions, type FitResult } from './fit.ts';
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
  return { used, seconds: r.seconds };
};

/** After a synthesis failure (the design too large for the tool) the binding resource's budget drops just below its estimate. */
const FAILED_SYNTH_STEP = 0.995;

type SynthTotals = (g: Graph, part: FpgaPart, out: OutDir, jobs: number) => Promise<{ used: Partial<Record<Key, number>>; seconds: number }>;

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

/** Fold to fit, synthesize, rescale the budget and retry, at most `rounds` syntheses. */
export async function foldToFitChecked(g: Graph, part: FpgaPart, clockNs: number, o: FitOptions, rounds: number, out: OutDir, c: CheckOptions = {}): Promise<CheckedFit> {
  const { jobs = 2, log = () => {}, synth = synthTotals } = c;
  const keys = keysOf(part);
  const base = (k: Key): number => o.utilization?.[k] ?? (part.family === 'ice40' && k === 'LC' ? 0.9 : 1);
  const scale: Partial<Record<Key, number>> = {};
  for (const k of keys) scale[k] = base(k);
  const done: FitRound[] = [];
  const fits: FitResult[] = [];
  const seen = new Set<number>();
  // budget ceilings from failed syntheses: a later rescale never returns to a folding the tool could not synthesize
  const ceiling: Partial<Record<Key, number>> = {};
  for (let i = 0; i < rounds; i++) {
    const fit = foldOrStop(g, part, clockNs, { ...o, utilization: { ...scale } }, i, log);
    if (!fit || seen.has(fit.cycles)) break; // converged on a folding already checked
    seen.add(fit.cycles);
    fits.push(fit);
    const s = await synthOrFailure(synth, fit.graph, part, out, jobs);
    const estimate: Partial<Record<Key, number>> = {}, util: Partial<Record<Key, number>> = {};
    for (const k of keys) estimate[k] = Math.round(fit.margin[k]?.used ?? 0);
    if ('error' in s) {
      done.push({ cycles: fit.cycles, fps: Math.round(fit.fps), scale: { ...scale }, estimate, synth: {}, synth_utilization: {}, fits: false, synth_seconds: 0, synth_error: s.error });
      log(`fit-synth round ${i + 1}: ${fit.cycles} cycles/frame: synthesis failed (${s.error}); folding further`);
      // the next round: the fastest folding whose binding resource is estimated below this one's
      const b = fit.binding as Key;
      ceiling[b] = Math.min(scale[b] ?? base(b), Math.floor((FAILED_SYNTH_STEP * (fit.margin[b]?.used ?? 0) / capOf(part, b)) * 1e4) / 1e4);
      scale[b] = ceiling[b];
      continue;
    }
    for (const k of keys) util[k] = capOf(part, k) > 0 ? r3((s.used[k] ?? 0) / capOf(part, k)) : 0;
    const ok = keys.every((k) => (s.used[k] ?? 0) <= capOf(part, k) * base(k));
    done.push({ cycles: fit.cycles, fps: Math.round(fit.fps), scale: { ...scale }, estimate, synth: s.used, synth_utilization: util, fits: ok, synth_seconds: Math.round(s.seconds) });
    log(`fit-synth round ${i + 1}: ${fit.cycles} cycles/frame; ${keys.map((k) => `${k} est ${estimate[k]} synth ${s.used[k]} (${Math.round((util[k] ?? 0) * 100)} %)`).join(', ')}: ${ok ? 'fits' : 'does not fit'}`);
    // next budget in units of the estimate: estimate ≤ limit × estimated / synthesized (per resource)
    for (const k of keys) {
      const est = fit.margin[k]?.used ?? 0, syn = s.used[k] ?? 0;
      if (est > 0 && syn > 0) scale[k] = Math.min(r3(base(k) * est / syn), ceiling[k] ?? Infinity);
    }
    const binding = Math.max(...keys.map((k) => (s.used[k] ?? 0) / Math.max(1e-9, capOf(part, k) * base(k))));
    if (ok && binding >= 0.95) break; // close enough to the budget
  }
  const fitting = done.map((r, i) => [r, i] as const).filter(([r]) => r.fits).sort((a, b) => a[0].cycles - b[0].cycles);
  const chosen = fitting.length ? fitting[0]![1] : done.length - 1;
  if (!fitting.length && done.length) {
    log(`warning: fit-synth: none of the ${done.length} synthesized foldings fits ${part.name}; keeping the last (${done[chosen]!.cycles} cycles/frame, ` +
      `not fitting after synthesis) — allow more rounds (--fit-synth N) or give a folding (--folding F.json)`);
  }
  return { fit: fits[chosen]!, rounds: done, chosen };
}
