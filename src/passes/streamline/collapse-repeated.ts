/** Mul(Mul(x, a), b) → Mul(x, a·b) and Add(Add(x, a), b) → Add(x, a + b). */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { binaryOp } from '../../ir/tensor.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function match(g: Graph): { first: Node; second: Node } | undefined {
  for (const first of g.nodes) {
    if ((first.op.kind !== 'Add' && first.op.kind !== 'Mul') || !constOperand(g, first)) continue;
    const second = singleConsumer(g, first);
    if (second && second.op.kind === first.op.kind && constOperand(g, second)?.x === first.outputs[0]) return { first, second };
  }
  return undefined;
}

export const collapseRepeated: Pass = {
  name: 'streamline/collapse-repeated',
  summary: 'merge consecutive constant Muls and consecutive constant Adds',
  run: (g) => rewriteAll(g, (cur) => {
    const m = match(cur);
    if (!m) return undefined;
    const { first, second } = m;
    const a = constOperand(cur, first)!, b = constOperand(cur, second)!;
    const shape = cur.tensors.get(second.outputs[0]!)!.shape;
    const f = first.op.kind === 'Mul' ? (p: number, q: number) => p * q : (p: number, q: number) => p + q;
    const e = emitter(cur);
    e.node(first.name, first.op, [a.x, e.constant(`${first.name}_c`, binaryOp(fullShape(a.c, shape), fullShape(b.c, shape), f))], [second.outputs[0]!]);
    return replaceNodes(cur, [first, second], e.nodes, e.tensors);
  }),
};
