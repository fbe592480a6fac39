/** Reshape/Transpose/Squeeze/… of (x ∘ c) → (layout x) ∘ (layout c): affine ops sink towards thresholds and MatMuls. */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { runNode } from '../../exec/run.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

const LAYOUT = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze']);

function match(g: Graph): { aff: Node; lay: Node } | undefined {
  for (const aff of g.nodes) {
    if (aff.op.kind !== 'Add' && aff.op.kind !== 'Mul') continue;
    const lay = singleConsumer(g, aff);
    if (lay && LAYOUT.has(lay.op.kind) && lay.inputs[0] === aff.outputs[0] && constOperand(g, aff)) return { aff, lay };
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
    const moved = runNode(lay, [fullShape(c, xShape), ...extra])[0]!;
    const e = emitter(cur);
    const outInfo = cur.tensors.get(lay.outputs[0]!)!;
    const mid = e.value(`${lay.name}_moved`, outInfo.shape, cur.tensors.get(x)!.dtype);
    e.node(lay.name, lay.op, [x, ...lay.inputs.slice(1)], [mid]);
    e.node(aff.name, aff.op, [mid, e.constant(`${aff.name}_c`, moved)], [lay.outputs[0]!]);
    return replaceNodes(cur, [aff, lay], e.nodes, e.tensors);
  }),
};
