/** FINN-style names: nodes `<Op>_<i>` per op type, tensors `<node>_out<i>` / `<node>_param<i>`, global_in/global_out. */
import type { Graph, Node, TensorInfo } from '../../ir/graph.ts';
import { isHwOp } from '../../ir/ops.ts';
import { layerOf } from '../../hw/registry.ts';
import { makeGraph } from '../../ir/builder.ts';
import type { Pass } from '../pass.ts';

/** The op name used in node names (FINN op types for hardware layers). */
export function opDisplayName(n: Node): string {
  return isHwOp(n.op) ? layerOf(n.op.kind).finnName : n.op.kind;
}

export const giveNames: Pass = {
  name: 'tidy/give-names',
  summary: 'unique readable node and tensor names',
  run(g: Graph): Graph {
    const counters = new Map<string, number>();
    const rename = new Map<string, string>();
    const single = g.inputs.length === 1 && g.outputs.length === 1;
    if (single) { rename.set(g.inputs[0]!, 'global_in'); rename.set(g.outputs[0]!, 'global_out'); }
    const nodes = g.nodes.map((n) => {
      const op = opDisplayName(n);
      const i = counters.get(op) ?? 0;
      counters.set(op, i + 1);
      const name = `${op}_${i}`;
      n.outputs.forEach((o, j) => { if (o && !rename.has(o)) rename.set(o, `${name}_out${j}`); });
      let pi = 0;
      n.inputs.forEach((x) => {
        if (x && !rename.has(x) && g.tensors.get(x)?.value) rename.set(x, `${name}_param${pi++}`);
      });
      return { ...n, name };
    });
    const r = (x: string) => (x ? rename.get(x) ?? x : x);
    const renamed = nodes.map((n) => ({ ...n, inputs: n.inputs.map(r), outputs: n.outputs.map(r) }));
    const same = renamed.every((n, i) => n.name === g.nodes[i]!.name && n.inputs.every((x, j) => x === g.nodes[i]!.inputs[j]) && n.outputs.every((x, j) => x === g.nodes[i]!.outputs[j]))
      && g.inputs.every((x) => r(x) === x) && g.outputs.every((x) => r(x) === x);
    if (same) return g;
    const tensors = new Map<string, TensorInfo>();
    for (const [k, v] of g.tensors) tensors.set(r(k), { ...v, name: r(k) });
    return makeGraph({ ...g, nodes: renamed, tensors, inputs: g.inputs.map(r), outputs: g.outputs.map(r) });
  },
};
