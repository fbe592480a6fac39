/** Remove ops that do nothing: Identity, shape ops that keep the shape, Mul/Div by 1, Add/Sub of 0. */
import type { Graph, Node } from '../../ir/graph.ts';
import { bypassNode } from '../../ir/builder.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function isNoop(g: Graph, n: Node): boolean {
  const k = n.op.kind;
  const x = g.tensors.get(n.inputs[0]!);
  const y = g.tensors.get(n.outputs[0]!);
  if (!x || !y || x.value) return false;
  if (k === 'Identity') return true;
  if (k === 'Reshape' || k === 'Flatten' || k === 'Squeeze' || k === 'Unsqueeze') {
    return x.shape.length === y.shape.length && x.shape.every((d, i) => d === y.shape[i]);
  }
  if (k === 'Transpose' && n.op.kind === 'Transpose' && n.op.perm) return n.op.perm.every((p, i) => p === i);
  const c = g.tensors.get(n.inputs[1] ?? '')?.value;
  if (!c || c.data.length > x.shape.reduce((a, b) => a * b, 1)) return false;
  const all = (v: number) => c.data.every((d) => d === v);
  const sameShape = y.shape.length === x.shape.length && y.shape.every((d, i) => d === x.shape[i]);
  if (!sameShape) return false;
  if (k === 'Mul' || k === 'Div') return all(1);
  if (k === 'Add' || k === 'Sub') return all(0);
  return false;
}

export const removeIdentity: Pass = {
  name: 'tidy/remove-identity',
  summary: 'drop Identity, no-op reshapes/transposes, x·1 and x+0',
  run: (g) => rewriteAll(g, (cur) => {
    const n = cur.nodes.find((m) => isNoop(cur, m));
    return n ? bypassNode(cur, n) : undefined;
  }),
};
