/**
 * Affine ops past an element-wise Add of two computed tensors (a residual join), FINN's MoveLinearPastEltwiseAdd:
 *   (x·c) + (y·c)  → (x + y)·c                 the same scale on both branches (Brevitas shares the residual scale)
 *   (x·a) + (y·b)  → (x + y·(b/a))·a            b/a an integer (aligning the two operands: an integer Mul on y)
 *   (x + c) + y    → (x + y) + c                 a bias moves past the join
 */
import type { Graph, Node } from '../../ir/graph.ts';
import { consumers, producer, replaceNodes } from '../../ir/index.ts';
import { binaryOp, type Tensor } from '../../ir/tensor.ts';
import { FLOAT32 } from '../../ir/datatype.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

/** The Add's producer on side k if it is a constant op of `kind` read only by the Add. */
function side(g: Graph, add: Node, k: number, kind: 'Mul' | 'Add'): { node: Node; x: string; c: Tensor } | undefined {
  const p = producer(g, add.inputs[k]!);
  const co = p && p.op.kind === kind ? constOperand(g, p) : undefined;
  if (!p || !co || consumers(g, p.outputs[0]!).length !== 1 || g.outputs.includes(p.outputs[0]!)) return undefined;
  return { node: p, x: co.x, c: fullShape(co.c, g.tensors.get(add.outputs[0]!)!.shape) };
}

function rewrite(g: Graph): Graph | undefined {
  for (const add of g.nodes) {
    if (add.op.kind !== 'Add' || add.inputs.length !== 2 || add.inputs.some((t) => g.tensors.get(t)?.value)) continue;
    const shape = g.tensors.get(add.outputs[0]!)!.shape;
    const e = emitter(g);
    for (const k of [0, 1]) {
      const b = side(g, add, k, 'Add');
      if (!b) continue;
      const sum = e.value(`${add.name}_sum`, shape, FLOAT32);
      const ins = [...add.inputs];
      ins[k] = b.x;
      e.node(add.name, add.op, ins, [sum]);
      e.node(`${add.name}_bias`, { kind: 'Add' }, [sum, e.constant(`${add.name}_c`, b.c)], [...add.outputs]);
      return replaceNodes(g, [add, b.node], e.nodes, e.tensors);
    }
    const [m0, m1] = [side(g, add, 0, 'Mul'), side(g, add, 1, 'Mul')];
    if (!m0 || !m1) continue;
    const ratio = binaryOp(m1.c, m0.c, (p, q) => p / q);
    if (!ratio.data.every((v) => Number.isInteger(v) && v !== 0) || !m0.c.data.every((v) => v !== 0)) continue;
    let y = m1.x;
    if (!ratio.data.every((v) => v === 1)) {
      y = e.value(`${add.name}_aligned`, shape, FLOAT32);
      e.node(`${add.name}_align`, { kind: 'Mul' }, [m1.x, e.constant(`${add.name}_ratio`, ratio)], [y]);
    }
    const sum = e.value(`${add.name}_sum`, shape, FLOAT32);
    e.node(add.name, add.op, [m0.x, y], [sum]);
    e.node(`${add.name}_scale`, { kind: 'Mul' }, [sum, e.constant(`${add.name}_c`, m0.c)], [...add.outputs]);
    return replaceNodes(g, [add, m0.node, m1.node], e.nodes, e.tensors);
  }
  return undefined;
}

export const moveAffinePastAdd: Pass = {
  name: 'streamline/move-affine-past-add',
  summary: 'move equal (or integer-ratio) scales and biases past an element-wise Add of two computed tensors',
  run: (g) => rewriteAll(g, rewrite),
};
