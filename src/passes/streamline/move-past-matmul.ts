/** MatMul(x·a, W) → MatMul(x, W)·a for uniform a;  MatMul(x + b, W) → MatMul(x, W) + b·W. */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { linalgKernels } from '../../exec/linalg.ts';
import { constOperand, emitter, fullShape, uniformValue } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function match(g: Graph): { aff: Node; mm: Node } | undefined {
  for (const aff of g.nodes) {
    if (aff.op.kind !== 'Add' && aff.op.kind !== 'Mul') continue;
    const mm = singleConsumer(g, aff);
    if (!mm || mm.op.kind !== 'MatMul' || mm.inputs[0] !== aff.outputs[0] || !g.tensors.get(mm.inputs[1]!)?.value) continue;
    const co = constOperand(g, aff);
    if (!co) continue;
    if (aff.op.kind === 'Mul' && uniformValue(co.c) === undefined) continue;
    return { aff, mm };
  }
  return undefined;
}

export const moveAffinePastMatMul: Pass = {
  name: 'streamline/move-affine-past-matmul',
  summary: 'move scalar Mul and any constant Add from before a MatMul to after it',
  run: (g) => rewriteAll(g, (cur) => {
    const m = match(cur);
    if (!m) return undefined;
    const { aff, mm } = m;
    const { c, x } = constOperand(cur, aff)!;
    const outShape = cur.tensors.get(mm.outputs[0]!)!.shape;
    const w = cur.tensors.get(mm.inputs[1]!)!.value!;
    const moved = aff.op.kind === 'Mul'
      ? fullShape({ shape: [], data: Float64Array.of(uniformValue(c)!) }, outShape)
      : linalgKernels.MatMul!({ kind: 'MatMul' }, [fullShape(c, cur.tensors.get(x)!.shape), w])[0]!;
    const e = emitter(cur);
    const mid = e.value(`${mm.name}_pre`, outShape, cur.tensors.get(mm.outputs[0]!)!.dtype);
    e.node(mm.name, mm.op, [x, mm.inputs[1]!], [mid]);
    e.node(aff.name, aff.op, [mid, e.constant(`${aff.name}_c`, fullShape(moved, outShape))], [mm.outputs[0]!]);
    return replaceNodes(cur, [aff, mm], e.nodes, e.tensors);
  }),
};
