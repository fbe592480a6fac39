/** (x + a)·b → x·b + a·b, so Muls gather next to their producers and Adds next to thresholds. */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { binaryOp } from '../../ir/tensor.ts';
import { FLOAT32 } from '../../ir/datatype.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function match(g: Graph): { add: Node; mul: Node } | undefined {
  for (const add of g.nodes) {
    if (add.op.kind !== 'Add' || !constOperand(g, add)) continue;
    const mul = singleConsumer(g, add);
    if (mul && mul.op.kind === 'Mul' && constOperand(g, mul)?.x === add.outputs[0]) return { add, mul };
  }
  return undefined;
}

export const moveAddPastMul: Pass = {
  name: 'streamline/move-add-past-mul',
  summary: 'Mul(Add(x, a), b) → Add(Mul(x, b), a·b)',
  run: (g) => rewriteAll(g, (cur) => {
    const m = match(cur);
    if (!m) return undefined;
    const { add, mul } = m;
    const a = constOperand(cur, add)!;
    const b = constOperand(cur, mul)!;
    const shape = cur.tensors.get(mul.outputs[0]!)!.shape;
    const e = emitter(cur);
    const mid = e.value(`${mul.name}_first`, shape, FLOAT32);
    e.node(mul.name, { kind: 'Mul' }, [a.x, e.constant(`${mul.name}_c`, fullShape(b.c, shape))], [mid]);
    e.node(add.name, { kind: 'Add' }, [mid, e.constant(`${add.name}_c`, binaryOp(fullShape(a.c, shape), fullShape(b.c, shape), (p, q) => p * q))], [mul.outputs[0]!]);
    return replaceNodes(cur, [add, mul], e.nodes, e.tensors);
  }),
};
