/** Consecutive reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze) become one Reshape (removed when it is a no-op). */
import type { Graph, Node } from '../../ir/graph.ts';
import { int } from '../../ir/datatype.ts';
import { replaceNodes, singleConsumer } from '../../ir/index.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

const RESHAPES = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

function match(g: Graph): { a: Node; b: Node } | undefined {
  for (const a of g.nodes) {
    if (!RESHAPES.has(a.op.kind) || g.tensors.get(a.inputs[0]!)?.value) continue;
    const b = singleConsumer(g, a);
    if (b && RESHAPES.has(b.op.kind) && b.inputs[0] === a.outputs[0]) return { a, b };
  }
  return undefined;
}

export const collapseReshapes: Pass = {
  name: 'tidy/collapse-reshapes',
  summary: 'merge chains of Reshape/Flatten/Squeeze/Unsqueeze',
  run: (g) => rewriteAll(g, (cur) => {
    const m = match(cur);
    if (!m) return undefined;
    const shape = cur.tensors.get(m.b.outputs[0]!)!.shape;
    const e = emitter(cur);
    const s = e.constant(`${m.b.name}_shape`, { shape: [shape.length], data: Float64Array.from(shape) }, int(64));
    e.node(m.b.name, { kind: 'Reshape' }, [m.a.inputs[0]!, s], [...m.b.outputs]);
    return replaceNodes(cur, [m.a, m.b], e.nodes, e.tensors);
  }),
};
