/**
 * Resource-budgeted folding: the fastest folding whose estimate fits a part (`finn build --part ice40-up5k
 * --target-fps max`). Pure: a graph in, a folded graph and the margin out; a clear error with the numbers when even
 * the slowest folding does not fit.
 *
 * For every layer all legal (PE, SIMD) pairs are candidates, plus, for layers that can be padded (HwLayer.inputPadding),
 * input widths grown to a SIMD that does not divide them (the result is padded by pad-for-folding); for a cycle budget T each layer takes its cheapest
 * candidate with cycles ≤ T (cost = its share of the part's limits), and the budget goes up from the smallest
 * achievable cycle count until the sum — layers plus the FIFOs and width converters between them — fits.
 * Xilinx parts use the layers' own resource models (FINN's); iCE40 parts a model calibrated on synth_ice40 results
 * (docs/SYNTHESIS.md), because FINN's models describe 6-input LUTs and Vivado HLS.
 */
import type { Graph, Node } from '../ir/graph.ts';
import { isHwOp } from '../ir/ops.ts';
import { makeGraph } from '../ir/index.ts';
import { withLayer, withParams, type HwOp } from '../hw/registry.ts';
import { wiringOf } from '../backend/design.ts';
import type { CostOptions, StreamPort } from '../hw/layer.ts';
import type { FpgaPart } from '../cost/parts.ts';
import { foldingConfigOf, type FoldingConfig } from '../passes/fold/config.ts';
import { fail } from '../util/errors.ts';
import { tieFolding } from '../passes/fold/tie-folding.ts';
import { padForFolding } from '../passes/fold/pad-for-folding.ts';
import { ice40Ebrs } from './script.ts';
import { layerCost, layerEbrs, partRtlOptions } from '../cost/estimate.ts';
import { applyModel, costFamily, hasCoefficients } from '../cost/model.ts';
import { dwcFeatures, fifoFeatures } from '../cost/infra.ts';

/** What a layer (or a FIFO/width converter) uses; `LC` = iCE40 logic cells, `EBR` = iCE40 4-kbit block RAMs. */
export interface Usage {
  LUT: number;
  FF: number;
  BRAM_18K: number;
  URAM: number;
  DSP: number;
  EBR: number;
  LC: number;
}

type Key = keyof Usage;
const KEYS: readonly Key[] = ['LUT', 'FF', 'BRAM_18K', 'URAM', 'DSP', 'EBR', 'LC'];
const zero = (): Usage => ({ LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0, EBR: 0, LC: 0 });
function addTo(a: Usage, b: Partial<Usage>): Usage {
  for (const k of KEYS) a[k] += b[k] ?? 0;
  return a;
}

export interface FitOptions extends CostOptions {
  /** Fraction of each resource the design may use (default: 0.9 of iCE40 logic cells — the placer needs slack — and 1 elsewhere). */
  readonly utilization?: Partial<Record<Key, number>>;
  /** Max weight bits per PE per cycle (FINN's mvau_wwidth_max); default: no limit. */
  readonly maxWeightWidth?: number;
  /**
   * Synthesized / estimated LUT and FF per layer (node name) at the layer cycle counts synthesized so far (fit-check's
   * rounds): each candidate's estimate is scaled by the measurement nearest to its cycles.
   */
  readonly measured?: ReadonlyMap<string, readonly MeasuredLayer[]>;
  /**
   * Fit-check's step into a gap between synthesized foldings: the cheapest folding at the smallest budget of at least
   * this many cycles/frame, whether or not its estimate fits (the margins still say how far over it is).
   */
  readonly minCycles?: number;
}

/** One layer of one synthesized folding: its cycles/frame and synthesized / estimated per resource. */
export interface MeasuredLayer {
  readonly cycles: number;
  readonly factor: Partial<Record<'LUT' | 'FF', number>>;
}

/** A layer's estimate scaled by the measurement nearest in cycles (the exact one when that folding was synthesized). */
function corrected(u: Usage, cycles: number, m: readonly MeasuredLayer[] | undefined): Usage {
  if (!m?.length) return u;
  const near = m.reduce((a, b) => (Math.abs(b.cycles - cycles) < Math.abs(a.cycles - cycles) ? b : a));
  return withLc({ ...u, LUT: u.LUT * (near.factor.LUT ?? 1), FF: u.FF * (near.factor.FF ?? 1) });
}

export interface ResourceMargin {
  readonly used: number;
  readonly available: number;
  readonly limit: number;
  /** (limit − used) / available, as a percentage of the part. */
  readonly headroom_pct: number;
}

export interface FitResult {
  readonly graph: Graph;
  readonly margin: Record<string, ResourceMargin>;
  /** Cycles per frame of the slowest layer and the frames/s at the clock. */
  readonly cycles: number;
  readonly fps: number;
  /** The resource closest to its limit. */
  readonly binding: string;
  /** No faster folding is legal at all (SIMD/PE limits such as the weight-stream width): no resource is binding. */
  readonly fastestLegal: boolean;
  readonly folding: FoldingConfig;
  /** calibrated: the Yosys-calibrated model; layers / ice40: FINN's formulas / the hand-made iCE40 models (--cost-model finn). */
  readonly model: 'calibrated' | 'layers' | 'ice40';
  /** Estimated usage per layer and of the FIFOs/width converters. */
  readonly layers: Record<string, Usage>;
  readonly infrastructure: Usage;
}

/** report/fit_report.json, written by the fold step of `finn build --target-fps max`. */
export type FitReport = Omit<FitResult, 'graph'> & {
  readonly part: string;
  readonly clock_ns: number;
  /** --fit-synth: every round's estimate vs Yosys per resource (src/synth/fit-check.ts) and the round chosen. */
  readonly synth_rounds?: readonly unknown[];
  readonly chosen_round?: number;
};

/** Limits of a part: for iCE40 logic cells, FFs and EBRs; for Xilinx LUT, FF, BRAM18, URAM, DSP. */
function capacities(part: FpgaPart): Partial<Record<Key, number>> {
  if (part.family === 'ice40') return { LC: part.LUT, FF: part.FF, EBR: part.EBR ?? 0, DSP: part.DSP };
  return { LUT: part.LUT, FF: part.FF, BRAM_18K: part.BRAM_18K, URAM: part.URAM, DSP: part.DSP };
}

/** iCE40 logic cells from LUT4s and FFs: a cell holds one of each, but FFs only pair with the LUT driving them. */
export const ICE40_LC_PER_FF = 0.75;

const log2c = (n: number): number => (n > 1 ? Math.ceil(Math.log2(n)) : 1);

/** Usage of one hardware op on a part: the layer's iCE40 model on iCE40 parts when it has one, else its resources. */
export function layerUsage(op: HwOp, part: FpgaPart, o: FitOptions = {}): Usage {
  const model = o.costModel ?? 'calibrated';
  if (part.family === 'ice40') {
    const ebr = layerEbrs(op, o);
    if (ebr !== undefined) return withLc({ ...zero(), ...layerCost(op, part, model), EBR: ebr });
  }
  return withLayer(op, (layer, p) => {
    if (part.family === 'ice40' && layer.ice40 && model === 'finn') return withLc({ ...zero(), ...layer.ice40(p, o) });
    const r = layerCost(op, part, model);
    return withLc({ ...r, EBR: part.family === 'ice40' ? Math.ceil((r.BRAM_18K * 18) / 4) : 0, LC: 0 });
  });
}

function withLc(u: Usage): Usage {
  u.LC = Math.round(u.LUT + ICE40_LC_PER_FF * u.FF);
  return u;
}

/** A FIFO of `depth` words and a width converter (if the widths differ) between two layers. */
export function infraUsage(outWidth: number, inWidth: number, depth: number, part: FpgaPart, o: FitOptions = {}): Usage {
  const fam = costFamily(part);
  if ((o.costModel ?? 'calibrated') === 'calibrated' && hasCoefficients('fifo', fam) && hasCoefficients('dwc', fam)) {
    const u = zero();
    const add = (e: { LUT: number; FF: number; BRAM: number }): void => {
      u.LUT += e.LUT; u.FF += e.FF;
      if (fam === 'ice40') u.EBR += e.BRAM; else u.BRAM_18K += e.BRAM;
    };
    if (outWidth !== inWidth) add(applyModel('dwc', dwcFeatures(outWidth, inWidth), fam));
    if (depth > 0) add(applyModel('fifo', fifoFeatures(inWidth, depth, fam, partRtlOptions(part).flopMemories), fam));
    return withLc(u);
  }
  const u = zero();
  if (outWidth !== inWidth) {
    const integral = outWidth % inWidth === 0 || inWidth % outWidth === 0;
    const big = Math.max(outWidth, inWidth);
    u.LUT += integral ? 2 * big + 10 : 3 * (outWidth + inWidth) + 20;
    u.FF += integral ? 2 * big + 10 : 3 * (outWidth + inWidth) + 10;
  }
  const w = inWidth;
  if (depth > 64) {
    if (part.family === 'ice40') u.EBR += ice40Ebrs(depth - 1, w);
    else u.BRAM_18K += Math.ceil((depth * w) / 18432);
    u.LUT += 40; u.FF += w + 20;
  } else if (part.family === 'ice40') {
    u.FF += depth * w + 2 * log2c(depth) + 4; u.LUT += Math.ceil((depth * w) / 2) + 20;
  } else {
    u.LUT += w * Math.ceil(depth / 32) + 20; u.FF += w + 2 * log2c(depth) + 4;
  }
  return withLc(u);
}

/** FIFO depth assumed while folding (the fifo-size step sizes them later; measured depths are mostly ≤ 16). */
export const FIT_FIFO_DEPTH = 16;

/** The FIFO depth fold-to-fit assumes before a consumer port: a frame of words plus 2, at most FIT_FIFO_DEPTH. */
const fitFifoDepth = (to: StreamPort): number => Math.min(FIT_FIFO_DEPTH, to.elems / (to.width / to.elem.bits) + 2);

interface Candidate {
  op: HwOp; cycles: number; usage: Usage; ins: StreamPort[]; outs: StreamPort[];
  /** Padded input: the layer's own usage, and the ChannelPad and the FIFO/width converter after it (all in `usage`). */
  own?: Usage; front?: { pad: Usage; infra: Usage };
}

/** A layer at a folding (`knobs` override its parameters). */
function candidateOf(op: HwOp, knobs: Record<string, number>, part: FpgaPart, o: FitOptions, node?: string): Candidate {
  return withLayer(op, (layer, p0) => {
    const p = { ...p0, ...knobs } as typeof p0;
    const cand = withParams(op, p);
    const cycles = layer.cycles(p);
    return { op: cand, cycles, usage: corrected(layerUsage(cand, part, o), cycles, node === undefined ? undefined : o.measured?.get(node)), ins: layer.inputs(p), outs: layer.outputs(p) };
  });
}

/**
 * A layer at a folding reached by padding its input (HwLayer.inputPadding): costed and timed as the grown layer plus
 * the ChannelPad and width converter in front of it; the op keeps the non-divisor knob (pad-for-folding grows it).
 */
function paddedCandidateOf(op: HwOp, knobs: Record<string, number>, part: FpgaPart, o: FitOptions, node: string): Candidate {
  return withLayer(op, (layer, p0) => {
    const p = { ...p0, ...knobs } as typeof p0;
    const pad = layer.inputPadding!;
    const grown = pad.padded(p, knobs[pad.key]!);
    const chpad: HwOp = { kind: 'hw.ChannelPad', p: grown.pad };
    const [padOut] = withLayer(chpad, (l, q) => l.outputs(q));
    const [grownIn] = layer.inputs(grown.layer);
    const own = corrected(layerUsage(withParams(op, grown.layer), part, o), layer.cycles(grown.layer), o.measured?.get(node));
    const front = { pad: layerUsage(chpad, part, o), infra: infraUsage(padOut!.width, grownIn!.width, fitFifoDepth(grownIn!), part, o) };
    const usage = addTo(addTo({ ...own }, front.pad), front.infra);
    return { op: withParams(op, p), cycles: layer.cycles(grown.layer), usage, own, front, ins: withLayer(chpad, (l, q) => l.inputs(q)), outs: layer.outputs(grown.layer) };
  });
}

function candidates(node: string, op: HwOp, part: FpgaPart, o: FitOptions): Candidate[] {
  return withLayer(op, (layer, p0) => {
    let combos: Record<string, number>[] = [{}];
    for (const k of layer.folding(p0)) combos = combos.flatMap((c) => k.values.map((v) => ({ ...c, [k.key]: v })));
    const pad = layer.inputPadding;
    const padValues = pad?.values(p0) ?? [];
    const padded = pad ? [...new Map(combos.map((c) => [JSON.stringify({ ...c, [pad.key]: 0 }), c])).values()].flatMap((c) => padValues.map((v) => ({ ...c, [pad.key]: v }))) : [];
    const wide = (c: Record<string, number>): boolean => o.maxWeightWidth !== undefined && c.simd !== undefined && c.simd * layer.weightBits({ ...p0, ...c } as typeof p0) > o.maxWeightWidth;
    return [...combos.filter((c) => !wide(c)).map((c) => candidateOf(op, c, part, o, node)), ...padded.filter((c) => !wide(c)).map((c) => paddedCandidateOf(op, c, part, o, node))]
      .sort((a, b) => a.cycles - b.cycles);
  });
}

/**
 * Folding ties (HwLayer.producerFolding: a depthwise window's SIMD follows its VVAU's PE/SIMD): producer index → the
 * consumer index, and the producer's candidate for a consumer candidate (cached).
 */
function foldingTies(hw: readonly Node[], part: FpgaPart, o: FitOptions): { consumerOf: Map<number, number>; tied: (prod: number, c: Candidate) => Candidate } {
  const consumerOf = new Map<number, number>();
  hw.forEach((n, j) => {
    if (!withLayer(n.op as HwOp, (l, p) => l.producerFolding?.(p))) return;
    const i = hw.findIndex((m) => m.outputs.includes(n.inputs[0]!));
    if (i >= 0) consumerOf.set(i, j);
  });
  const cache = new Map<string, Candidate>();
  const tied = (prod: number, c: Candidate): Candidate => {
    const want = withLayer(c.op, (l, p) => l.producerFolding!(p)) as Record<string, number>;
    const op = hw[prod]!.op as HwOp;
    const have = op.p as unknown as Record<string, unknown>;
    const knobs = Object.fromEntries(Object.entries(want).filter(([k]) => k in have));
    const key = `${prod}:${JSON.stringify(knobs)}`;
    let hit = cache.get(key);
    if (!hit) cache.set(key, (hit = candidateOf(op, knobs, part, o, hw[prod]!.name)));
    return hit;
  };
  return { consumerOf, tied };
}

type Wiring = ReturnType<typeof wiringOf>['edges'];

/** Layers plus the FIFOs (FIT_FIFO_DEPTH) and width converters between them. */
function sumUsage(chosen: readonly Pick<Candidate, 'usage' | 'ins' | 'outs'>[], edges: Wiring, part: FpgaPart, o: FitOptions): { sum: Usage; infra: Usage } {
  const sum = zero(), infra = zero();
  chosen.forEach((c) => addTo(sum, c.usage));
  for (const e of edges) {
    const from = chosen[e.from.layer]!.outs[e.from.port]!, to = chosen[e.to.layer]!.ins[e.to.port]!;
    addTo(infra, infraUsage(from.width, to.width, fitFifoDepth(to), part, o));
  }
  addTo(sum, infra);
  return { sum, infra };
}

/** Estimated usage of a folded graph on a part, by the same model as foldToFit (the numbers every command prints). */
export function designUsage(g: Graph, part: FpgaPart, o: FitOptions = {}): { sum: Usage; infra: Usage } {
  const hw = g.nodes.filter((n) => isHwOp(n.op));
  const { edges } = wiringOf({ ...g, nodes: hw });
  const items = hw.map((n) => withLayer(n.op as HwOp, (layer, p) => ({ usage: layerUsage(n.op as HwOp, part, o), ins: layer.inputs(p), outs: layer.outputs(p) })));
  return sumUsage(items, edges, part, o);
}

/** The resources a part is judged by, with their capacities (iCE40: logic cells, FF, EBR, DSP; Xilinx: LUT, FF, BRAM18, URAM, DSP). */
export function partCapacities(part: FpgaPart): Partial<Record<Key, number>> {
  return capacities(part);
}

/** Usage per layer of the folded (and padded) graph — a padded layer's ChannelPad under its own name — and of the FIFOs/width converters. */
function layersAndInfra(g: Graph, chosen: readonly (readonly [string, Candidate])[], infra: Usage): { layers: Record<string, Usage>; infrastructure: Usage } {
  const layers: Record<string, Usage> = {};
  const infrastructure = { ...infra };
  for (const [name, c] of chosen) {
    if (!c.front) { layers[name] = c.usage; continue; }
    const x = g.nodes.find((n) => n.name === name)!.inputs[0]!;
    layers[g.nodes.find((n) => n.outputs.includes(x))!.name] = c.front.pad;
    layers[name] = c.own!;
    addTo(infrastructure, c.front.infra);
  }
  return { layers, infrastructure };
}

/** The fastest folding whose estimate fits the part; throws E_FOLDING with the numbers when nothing fits. */
export function foldToFit(g: Graph, part: FpgaPart, clockNs: number, o: FitOptions = {}): FitResult {
  const hw = g.nodes.filter((n) => isHwOp(n.op));
  if (hw.length === 0) fail('E_FOLDING', 'the graph has no hardware layers to fold', 'run the build through the to-hw step');
  const { edges } = wiringOf({ ...g, nodes: hw });
  const caps = capacities(part);
  const defaultUtil: Partial<Record<Key, number>> = part.family === 'ice40' ? { LC: 0.9 } : {};
  const limit = (k: Key): number => (caps[k] ?? 0) * (o.utilization?.[k] ?? defaultUtil[k] ?? 1);
  const limited = KEYS.filter((k) => caps[k] !== undefined);
  const cands = hw.map((n) => candidates(n.name, n.op as HwOp, part, o));
  const cost = (u: Usage): number => limited.reduce((s, k) => s + (u[k] > 0 ? u[k] / Math.max(limit(k), 1e-9) : 0), 0);
  // a tied producer is not chosen on its own: its consumer's choice sets it (and must keep it within the budget)
  const { consumerOf, tied } = foldingTies(hw, part, o);
  const producerOf = new Map([...consumerOf].map(([i, j]) => [j, i]));
  /** Layer i at candidate c, with its tied producer: [cost, ok within T, the producer's candidate]. */
  const withTie = (i: number, c: Candidate, T: number): { v: number; ok: boolean; prod?: [number, Candidate] } => {
    const pi = producerOf.get(i);
    if (pi === undefined) return { v: cost(c.usage), ok: c.cycles <= T };
    const pc = tied(pi, c);
    return { v: cost(c.usage) + cost(pc.usage), ok: c.cycles <= T && pc.cycles <= T, prod: [pi, pc] };
  };
  const pick = (T: number): Candidate[] | null => {
    const chosen: Candidate[] = [];
    for (let i = 0; i < cands.length; i++) {
      if (consumerOf.has(i)) continue;
      let best: { c: Candidate; v: number; prod?: [number, Candidate] } | null = null;
      for (const c of cands[i]!) {
        const t = withTie(i, c, T);
        if (t.ok && (!best || t.v < best.v)) best = { c, v: t.v, prod: t.prod };
      }
      if (!best) return null;
      chosen[i] = best.c;
      if (best.prod) chosen[best.prod[0]] = best.prod[1];
    }
    return chosen;
  };
  const total = (chosen: readonly Candidate[]): { sum: Usage; infra: Usage } => sumUsage(chosen, edges, part, o);
  const fits = (u: Usage): boolean => limited.every((k) => u[k] <= limit(k));
  /** Coordinate descent from the per-layer cheapest choice: FIFOs and width converters depend on neighbours. */
  const improve = (start: Candidate[], T: number): Candidate[] => {
    const cur = [...start];
    let best = cost(total(cur).sum);
    for (let pass = 0; pass < 3; pass++) {
      let changed = false;
      for (let i = 0; i < cur.length; i++) {
        if (consumerOf.has(i)) continue;
        for (const c of cands[i]!) {
          const t = withTie(i, c, T);
          if (!t.ok || c === cur[i]) continue;
          const trial = [...cur];
          trial[i] = c;
          if (t.prod) trial[t.prod[0]] = t.prod[1];
          const v = cost(total(trial).sum);
          if (v < best - 1e-12) { best = v; cur.splice(0, cur.length, ...trial); changed = true; }
        }
      }
      if (!changed) break;
    }
    return cur;
  };
  /** Whether no choice within T can fit: some resource's sum of per-layer minima (tied producers and FIFOs as 0) is over its limit. */
  const hopeless = (T: number): boolean => limited.some((k) => {
    let least = 0;
    for (let i = 0; i < cands.length; i++) {
      if (consumerOf.has(i)) continue;
      let m = Infinity;
      for (const c of cands[i]!) if (c.cycles <= T && c.usage[k] < m) m = c.usage[k];
      least += m;
    }
    return least > limit(k);
  });
  const budgets = [...new Set(cands.flat().map((c) => c.cycles))].sort((a, b) => a - b);
  let chosen: Candidate[] | null = null;
  let usage: { sum: Usage; infra: Usage } | null = null;
  const forced = o.minCycles !== undefined;
  // budgets at which every layer has a folding, up to the chosen one (1: the chosen folding is the fastest legal one)
  let legal = 0;
  for (const T of budgets) {
    if (cands.every((cs) => cs.some((c) => c.cycles <= T))) legal++;
    if (forced ? T < o.minCycles! : hopeless(T)) continue;
    const c0 = pick(T);
    if (!c0) continue;
    const c = improve(c0, T);
    const t = total(c);
    if (forced || fits(t.sum)) { chosen = c; usage = t; break; }
  }
  if (!chosen || !usage) {
    const slowest = cands.map((cs) => cs.reduce((a, b) => (cost(a.usage) <= cost(b.usage) ? a : b)));
    const t = total(slowest).sum;
    const over = limited.filter((k) => t[k] > limit(k)).map((k) => `${Math.round(t[k])} ${k} of ${Math.floor(limit(k))} allowed (${caps[k]} on the part)`);
    const worst = hw.map((n, i) => [n.name, slowest[i]!.usage] as const).sort((a, b) => cost(b[1]) - cost(a[1])).slice(0, 3)
      .map(([n, u]) => `${n}: ${limited.filter((k) => u[k] > 0).map((k) => `${Math.round(u[k])} ${k}`).join(', ')}`);
    return fail('E_FOLDING', `the design does not fit ${part.name} even at its smallest folding: it needs ${over.join(', ')}`,
      `largest layers at their smallest folding — ${worst.join('; ')}. Use a larger part or a smaller model.`);
  }
  const byNode = new Map(hw.map((n, i) => [n.name, chosen![i]!.op]));
  const folded = tieFolding(makeGraph({ ...g, nodes: g.nodes.map((n) => (byNode.has(n.name) ? { ...n, op: byNode.get(n.name)! } : n)) }));
  const graph = chosen.some((c) => c.front) ? padForFolding(folded, () => {}) : folded;
  const cycles = Math.max(...chosen.map((c) => c.cycles));
  const margin: Record<string, ResourceMargin> = {};
  for (const k of limited) {
    const used = Math.round(usage.sum[k] * 100) / 100;
    margin[k] = { used, available: caps[k]!, limit: Math.floor(limit(k)), headroom_pct: caps[k] ? Math.round(((limit(k) - used) / caps[k]!) * 1000) / 10 : 0 };
  }
  const binding = limited.filter((k) => caps[k]! > 0).reduce((a, b) => (usage!.sum[a] / limit(a) >= usage!.sum[b] / limit(b) ? a : b));
  return {
    graph, margin, cycles, fps: 1e9 / clockNs / cycles, binding, fastestLegal: !forced && legal === 1, folding: foldingConfigOf(graph), model: (o.costModel ?? 'calibrated') === 'calibrated' ? 'calibrated' : part.family === 'ice40' ? 'ice40' : 'layers',
    ...layersAndInfra(graph, hw.map((n, i) => [n.name, chosen![i]!] as const), usage.infra),
  };
}
