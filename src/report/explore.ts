/**
 * The folding explorer's model: the compiler's own SetFolding and cost model (src/passes/fold, src/hw, src/cost) run on
 * the hardware graph's skeleton. Runs in Node (the page's first render) and, bundled, in the browser (every slider move).
 */
import { setFolding, targetCycles } from '../passes/fold/set-folding.ts';
import { estimate, type NetworkPerformance } from '../cost/estimate.ts';
import { findPart, type FpgaPart } from '../cost/parts.ts';
import { makeGraph } from '../ir/builder.ts';
import type { Graph } from '../ir/graph.ts';
import { isHwOp } from '../ir/ops.ts';
import { streamInputCount, withLayer } from '../hw/registry.ts';
import type { Resources } from '../hw/layer.ts';
import type { HwKind } from '../hw/registry.ts';
import type { Skeleton } from './types.ts';

export interface ExploreParams {
  readonly fps: number;
  readonly part: string;
  readonly clockNs: number;
  readonly maxWeightWidth: number;
  readonly twoPass: boolean;
}

export interface ExploredLayer {
  readonly name: string;
  readonly kind: HwKind;
  readonly pe: number | null;
  readonly simd: number | null;
  readonly cycles: number;
  readonly resources: Resources;
}

export interface ExploreResult {
  readonly fps: number;
  readonly targetCycles: number;
  readonly part: FpgaPart;
  readonly layers: readonly ExploredLayer[];
  readonly performance: NetworkPerformance;
  readonly total: Resources;
  readonly utilization: Record<keyof Resources, number>;
}

/** The skeleton as a Graph (constants dropped: folding and estimates read only the layers' params). */
export function skeletonGraph(s: Skeleton): Graph {
  return makeGraph({ name: s.name, nodes: s.nodes, tensors: s.tensors.map((t) => ({ ...t })), inputs: s.inputs, outputs: s.outputs });
}

/** The skeleton of a hardware graph: every node keeps its op, its stream inputs and outputs, no constant values. */
export function skeletonOf(g: Graph): Skeleton {
  const nodes = g.nodes.filter((n) => isHwOp(n.op)).map((n) => {
    const op = n.op as Skeleton['nodes'][number]['op'];
    return { name: n.name, op, inputs: n.inputs.slice(0, streamInputCount(op)), outputs: [...n.outputs] };
  });
  const used = new Set(nodes.flatMap((n) => [...n.inputs, ...n.outputs]));
  const tensors = [...g.tensors.values()].filter((t) => used.has(t.name)).map((t) => ({ name: t.name, shape: [...t.shape], dtype: t.dtype }));
  return { name: g.name, inputs: g.inputs.filter((t) => used.has(t)), outputs: g.outputs.filter((t) => used.has(t)), nodes, tensors };
}

/** Fold the skeleton for a target frames/s with SetFolding and estimate it on a part. */
export function explore(s: Skeleton, q: ExploreParams): ExploreResult {
  const part = findPart(q.part);
  const target = targetCycles(q.fps, q.clockNs);
  const g = setFolding(skeletonGraph(s), { targetCycles: target, maxWeightWidth: q.maxWeightWidth, twoPass: q.twoPass });
  const e = estimate(g, part, q.clockNs);
  const layers = g.nodes.filter((n) => isHwOp(n.op)).map((n): ExploredLayer => {
    const op = n.op as Skeleton['nodes'][number]['op'];
    const p = op.p as { pe?: number; simd?: number };
    return { name: n.name, kind: op.kind, pe: p.pe ?? null, simd: p.simd ?? null, cycles: e.layerCycles[n.name]!, resources: e.layerResources[n.name]! };
  });
  return { fps: q.fps, targetCycles: target, part, layers, performance: e.performance, total: e.total, utilization: e.utilization };
}

/** Max cycles of the skeleton with every layer at PE = SIMD = 1, and with every layer folded as far as it goes. */
export function foldingRange(s: Skeleton, maxWeightWidth: number): { slowest: number; fastest: number } {
  const g = skeletonGraph(s);
  const maxCycles = (h: Graph): number => Math.max(1, ...h.nodes.map((n) => (isHwOp(n.op) ? withLayer(n.op, (l, p) => l.cycles(p)) : 0)));
  // target 0 cycles: no folding meets it, so every knob goes to its largest legal value (or the weight-width cap)
  const fastest = maxCycles(setFolding(g, { targetCycles: 0, maxWeightWidth, twoPass: false }));
  // an unreachable-looking huge target keeps PE = SIMD = 1 everywhere
  const slowest = maxCycles(setFolding(g, { targetCycles: Number.MAX_SAFE_INTEGER, maxWeightWidth, twoPass: false }));
  return { slowest, fastest };
}
