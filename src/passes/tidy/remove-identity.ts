/** Remove ops that do nothing: Identity, shape ops that keep the shape, Mul/Div by 1, Add/Sub of 0. */
import type { Graph, Node } from '../../ir/graph.ts';
import { bypassNode, makeGraph } from '../../ir/builder.ts';
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

/**
 * Every no-op whose output is not a graph output, removed at once (its readers read its input: the same result as
 * bypassing them one by one, in linear time for long chains).
 */
function bypassInner(g: Graph): Graph {
  const outs = new Set(g.outputs);
  const alias = new Map<string, string>();
  const resolve = (t: string): string => alias.get(t) ?? t;
  const drop = new Set<Node>();
  for (const n of g.nodes) {
    if (outs.has(n.outputs[0]!) || !isNoop(g, n)) continue;
    alias.set(n.outputs[0]!, resolve(n.inputs[0]!));
    drop.add(n);
  }
  if (drop.size === 0) return g;
  const nodes = g.nodes.filter((n) => !drop.has(n)).map((n) => (n.inputs.some((x) => alias.has(x)) ? { ...n, inputs: n.inputs.map(resolve) } : n));
  return makeGraph({ ...g, nodes });
}

export const removeIdentity: Pass = {
  name: 'tidy/remove-identity',
  summary: 'drop Identity, no-op reshapes/transposes, x·1 and x+0',
  run: (g) => rewriteAll(bypassInner(g), (cur) => {
    const n = cur.nodes.find((m) => isNoop(cur, m));
    return n ? bypassNode(cur, n) : undefined;
  }),
};
