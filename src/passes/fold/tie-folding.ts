/**
 * Cross-layer folding constraints the layers declare (HwLayer.producerFolding): a VVAU or Pool reads a depthwise
 * sliding window whose element order depends on the window's SIMD, so the window's SIMD must equal their PE (FINN's
 * SetFolding does the same). Applied after every folding decision (SetFolding, folding files, fit-to-part).
 */
import type { Graph } from '../../ir/graph.ts';
import { isHwOp } from '../../ir/ops.ts';
import { makeGraph } from '../../ir/builder.ts';
import { withLayer, withParams, type HwOp } from '../../hw/registry.ts';

export function tieFolding(g: Graph): Graph {
  let nodes = g.nodes;
  let changed = false;
  for (const n of g.nodes) {
    if (!isHwOp(n.op)) continue;
    const want = withLayer(n.op, (l, p) => l.producerFolding?.(p));
    if (!want) continue;
    const i = nodes.findIndex((m) => m.outputs.includes(n.inputs[0]!));
    const prod = nodes[i];
    if (!prod || !isHwOp(prod.op)) continue;
    const p = prod.op.p as unknown as Record<string, unknown>;
    const next = { ...p };
    for (const [k, v] of Object.entries(want)) if (k in p && p[k] !== v) next[k] = v;
    if (Object.keys(next).every((k) => next[k] === p[k])) continue;
    nodes = nodes.map((m, j) => (j === i ? { ...m, op: withParams(prod.op as HwOp, next) } : m));
    changed = true;
  }
  return changed ? makeGraph({ ...g, nodes }) : g;
}
