/** Canonical affine ops: Sub(x,c) → Add(x,−c), Div(x,c) → Mul(x,1/c), Neg → Mul(−1); constants full-shape, on the right. */
import type { Graph, Node } from '../../ir/graph.ts';
import { replaceNodes } from '../../ir/index.ts';
import { mapTensor } from '../../ir/tensor.ts';
import { constOperand, emitter, fullShape } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function needsWork(g: Graph, n: Node): boolean {
  const k = n.op.kind;
  if (k === 'Neg') return true;
  if (k !== 'Add' && k !== 'Sub' && k !== 'Mul' && k !== 'Div') return false;
  const co = constOperand(g, n);
  if (!co) return false;
  if (k === 'Div' && co.cIndex === 0) return false; // c / x is not affine
  if (k === 'Sub' || k === 'Div' || co.cIndex === 0) return true;
  const shape = g.tensors.get(n.outputs[0]!)!.shape;
  return co.c.shape.length !== shape.length || co.c.data.length !== shape.reduce((a, b) => a * b, 1);
}

export const normalizeAffine: Pass = {
  name: 'streamline/normalize-affine',
  summary: 'Sub/Div/Neg by constants → Add/Mul with full-shape constants',
  run: (g) => rewriteAll(g, (cur) => {
    const n = cur.nodes.find((m) => needsWork(cur, m));
    if (!n) return undefined;
    const shape = cur.tensors.get(n.outputs[0]!)!.shape;
    const e = emitter(cur);
    if (n.op.kind === 'Neg') {
      e.node(n.name, { kind: 'Mul' }, [n.inputs[0]!, e.constant(`${n.name}_c`, fullShape({ shape: [], data: Float64Array.of(-1) }, shape))], [...n.outputs]);
      return replaceNodes(cur, [n], e.nodes, e.tensors);
    }
    const { c, cIndex, x } = constOperand(cur, n)!;
    const full = fullShape(c, shape);
    if (n.op.kind === 'Sub' && cIndex === 0) {
      // c − x = (−1)·x + c
      const mid = e.value(`${n.name}_neg`, shape, cur.tensors.get(x)!.dtype);
      e.node(`${n.name}_neg`, { kind: 'Mul' }, [x, e.constant(`${n.name}_m1`, fullShape({ shape: [], data: Float64Array.of(-1) }, shape))], [mid]);
      e.node(n.name, { kind: 'Add' }, [mid, e.constant(`${n.name}_c`, full)], [...n.outputs]);
      return replaceNodes(cur, [n], e.nodes, e.tensors);
    }
    const kind = n.op.kind === 'Sub' ? 'Add' : n.op.kind === 'Div' ? 'Mul' : n.op.kind;
    const value = n.op.kind === 'Sub' ? mapTensor(full, (v) => -v) : n.op.kind === 'Div' ? mapTensor(full, (v) => 1 / v) : full;
    e.node(n.name, { kind } as never, [x, e.constant(`${n.name}_c`, value)], [...n.outputs]);
    return replaceNodes(cur, [n], e.nodes, e.tensors);
  }),
};
