/** FINN's SetFolding: per layer, raise SIMD then PE over their divisors until cycles < target (strict). */
import type { Graph, Node } from '../../ir/graph.ts';
import { isHwOp } from '../../ir/ops.ts';
import { withLayer, withParams, type HwOp } from '../../hw/registry.ts';
import { makeGraph } from '../../ir/index.ts';
import { tieFolding } from './tie-folding.ts';

export interface FoldingTarget {
  /** Cycles per frame every layer should stay below: ⌊f_clk / target_fps⌋. */
  readonly targetCycles: number;
  /** Max bits of weights per PE per cycle (FINN's mvau_wwidth_max, default 36). */
  readonly maxWeightWidth: number;
  /** Re-run with the achieved max cycles as target when the target was missed (FINN's two-pass relaxation). */
  readonly twoPass: boolean;
}

export function targetCycles(fps: number, clockNs: number): number {
  return Math.floor(1e9 / clockNs / fps);
}

/** Fold one hardware op towards `target`. */
export function foldOp(op: HwOp, target: number, maxWeightWidth: number): HwOp {
  return withLayer(op, (layer, p0) => {
    let p = p0;
    for (const knob of layer.folding(p0)) p = { ...p, [knob.key]: 1 };
    for (const knob of layer.folding(p)) {
      for (const v of knob.values) {
        if (knob.key === 'simd' && v * layer.weightBits(p) > maxWeightWidth) break;
        p = { ...p, [knob.key]: v };
        if (layer.cycles(p) < target) break;
      }
      if (layer.cycles(p) < target) break;
    }
    return withParams(op, p);
  });
}

function cyclesOf(n: Node): number {
  return isHwOp(n.op) ? withLayer(n.op, (layer, p) => layer.cycles(p)) : 0;
}

/**
 * A producer whose folding its consumer sets (tie-folding: a depthwise window's SIMD = its VVAU's PE) can miss the
 * target while the consumer meets it (the window takes a few more cycles than the dot products): raise the consumer
 * one folding step at a time until the tied producer meets the target too, or the consumer cannot go faster.
 */
function meetTiedTargets(g: Graph, target: number, maxWeightWidth: number): Graph {
  let out = tieFolding(g);
  for (const n of g.nodes) {
    if (!isHwOp(n.op) || !withLayer(n.op, (l, p) => l.producerFolding?.(p))) continue;
    for (let step = 0; step < 64; step++) {
      const cons = out.nodes.find((m) => m.name === n.name)!;
      const prod = out.nodes.find((m) => m.outputs.includes(cons.inputs[0]!));
      if (!prod || cyclesOf(prod) < target) break;
      const faster = foldOp(cons.op as HwOp, cyclesOf(cons), maxWeightWidth);
      if (cyclesOf({ ...cons, op: faster }) >= cyclesOf(cons)) break;
      out = tieFolding(makeGraph({ ...out, nodes: out.nodes.map((m) => (m === cons ? { ...m, op: faster } : m)) }));
    }
  }
  return out;
}

/** Fold every hardware layer of the graph. */
export function setFolding(g: Graph, t: FoldingTarget): Graph {
  const fold = (target: number) => meetTiedTargets(makeGraph({ ...g, nodes: g.nodes.map((n) => (isHwOp(n.op) ? { ...n, op: foldOp(n.op, target, t.maxWeightWidth) } : n)) }), target, t.maxWeightWidth);
  let out = fold(t.targetCycles);
  const achieved = Math.max(0, ...out.nodes.map(cyclesOf));
  if (t.twoPass && achieved >= t.targetCycles) out = fold(achieved + 1);
  return out;
}
