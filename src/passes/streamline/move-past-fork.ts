/**
 * A constant Add/Mul or a Transpose whose output is read by several nodes (a fork, e.g. a residual block's input)
 * is copied into every branch, so each copy can move on and be absorbed there (FINN's MoveLinearPastFork).
 */
import type { Graph, Node } from '../../ir/graph.ts';
import { consumers, replaceNodes } from '../../ir/index.ts';
import { constOperand, emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

const movable = (g: Graph, n: Node): boolean =>
  ((n.op.kind === 'Add' || n.op.kind === 'Mul') && constOperand(g, n) !== undefined) || (n.op.kind === 'Transpose' && !g.tensors.get(n.inputs[0]!)?.value);

function split(g: Graph): Graph | undefined {
  for (const n of g.nodes) {
    const out = n.outputs[0]!;
    if (!movable(g, n) || g.outputs.includes(out)) continue;
    const readers = consumers(g, out);
    if (readers.length < 2) continue;
    const e = emitter(g);
    const info = g.tensors.get(out)!;
    const rewired = readers.map((r, k) => {
      const copy = e.value(`${out}_branch${k}`, info.shape, info.dtype);
      e.node(`${n.name}_branch${k}`, n.op, [...n.inputs], [copy]);
      return { ...r, inputs: r.inputs.map((t) => (t === out ? copy : t)) };
    });
    return replaceNodes(g, [n, ...readers], [...e.nodes, ...rewired], e.tensors);
  }
  return undefined;
}

export const movePastFork: Pass = {
  name: 'streamline/move-past-fork',
  summary: 'copy a constant Add/Mul or a Transpose into every branch of a fork',
  run: (g) => rewriteAll(g, split),
};
