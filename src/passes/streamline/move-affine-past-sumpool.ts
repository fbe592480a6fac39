/**
 * GlobalSumPool(x·c) → GlobalSumPool(x)·c and GlobalSumPool(x + b) → GlobalSumPool(x) + H·W·b for constants that are
 * the same over H and W (per channel): the activation scale of the last block moves on towards the classifier.
 */
import type { Graph } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { FLOAT32 } from '../../ir/datatype.ts';
import { constOperand, emitter, perChannel } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function move(g: Graph): Graph | undefined {
  for (const aff of g.nodes) {
    if (aff.op.kind !== 'Add' && aff.op.kind !== 'Mul') continue;
    const pool = singleConsumer(g, aff);
    const co = constOperand(g, aff);
    if (!pool || pool.op.kind !== 'GlobalSumPool' || !co || pool.inputs[0] !== aff.outputs[0]) continue;
    const shape = g.tensors.get(co.x)!.shape;
    const cl = pool.op.channelsLast;
    const ch = perChannel(co.c, shape, cl ? 3 : 1);
    if (!ch || shape.length !== 4) continue;
    const hw = cl ? shape[1]! * shape[2]! : shape[2]! * shape[3]!;
    const outShape = g.tensors.get(pool.outputs[0]!)!.shape;
    const e = emitter(g);
    // its datatype is unknown until datatype inference runs (a sum has a wider range than its terms)
    const pooled = e.value(`${pool.name}_raw`, outShape, FLOAT32);
    e.node(pool.name, pool.op, [co.x], [pooled]);
    const cshape = cl ? [1, 1, 1, ch.length] : [1, ch.length, 1, 1];
    const c = e.constant(`${aff.name}_pooled`, { shape: cshape, data: aff.op.kind === 'Mul' ? ch : ch.map((v) => v * hw) });
    e.node(aff.name, aff.op, [pooled, c], [...pool.outputs]);
    return replaceNodes(g, [aff, pool], e.nodes, e.tensors);
  }
  return undefined;
}

export const moveAffinePastSumPool: Pass = {
  name: 'streamline/move-affine-past-sumpool',
  summary: 'per-channel Mul/Add before a global sum pool → after it (Add scaled by H·W)',
  run: (g) => rewriteAll(g, move),
};
