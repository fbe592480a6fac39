/** Reshape/Transpose/Squeeze/… of (x ∘ c) → (layout x) ∘ (layout c): affine ops sink towards thresholds and MatMuls. */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { runNode } from '../../exec/run.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { constOperand, emitter, fullShape, perChannel, uniformValue } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

// Transposes are moved the other way (lower/transposes.ts); Im2Col and max-pool need care with constants
const LAYOUT = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Im2Col', 'MaxPoolNHWC']);

function match(g: Graph): { aff: Node; lay: Node } | undefined {
  for (const aff of g.nodes) {
    if (aff.op.kind !== 'Add' && aff.op.kind !== 'Mul') continue;
    const lay = singleConsumer(g, aff);
    const co = constOperand(g, aff);
    if (!lay || !LAYOUT.has(lay.op.kind) || lay.inputs[0] !== aff.outputs[0] || !co) continue;
    if (lay.op.kind === 'MaxPoolNHWC') {
      // max commutes with x + c and x·c (c ≥ 0) only when c is the same over each pooling window: per channel
      const shape = g.tensors.get(aff.outputs[0]!)!.shape;
      const ch = perChannel(co.c, shape, shape.length - 1);
      if (!ch || (aff.op.kind === 'Mul' && ch.some((v) => v < 0))) continue;
    }
    return { aff, lay };
  }
  return undefined;
}

export const moveAffinePastLayout: Pass = {
  name: 'streamline/move-affine-past-layout',
  summary: 'move Add/Mul with constants past Reshape/Transpose/Squeeze/Unsqueeze/Flatten',
  run: (g) => rewriteAll(g, (cur) => {
    const m = match(cur);
    if (!m) return undefined;
    const { aff, lay } = m;
    const { c, x } = constOperand(cur, aff)!;
    const xShape = cur.tensors.get(x)!.shape;
    const extra = lay.inputs.slice(1).map((i) => cur.tensors.get(i)?.value as Tensor);
    // Im2Col pads with padValue p: at padded positions the moved constant c' must give p ∘ c' = p — 0 for Add; for
    // Mul 1, or (p = 0) anything, so a uniform scale stays uniform and can move on past the MatMul
    const u = uniformValue(c);
    const mulPad = lay.op.kind === 'Im2Col' && lay.op.padValue === 0 && u !== undefined ? u : 1;
    const layOp = lay.op.kind === 'Im2Col' ? { ...lay, op: { ...lay.op, padValue: aff.op.kind === 'Mul' ? mulPad : 0 } } : lay;
    const moved = runNode(layOp, [fullShape(c, xShape), ...extra])[0]!;
    const e = emitter(cur);
    const outInfo = cur.tensors.get(lay.outputs[0]!)!;
    const mid = e.value(`${lay.name}_moved`, outInfo.shape, cur.tensors.get(x)!.dtype);
    e.node(lay.name, lay.op, [x, ...lay.inputs.slice(1)], [mid]);
    e.node(aff.name, aff.op, [mid, e.constant(`${aff.name}_c`, moved)], [lay.outputs[0]!]);
    return replaceNodes(cur, [aff, lay], e.nodes, e.tensors);
  }),
};
