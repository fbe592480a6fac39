/** Graph invariants checked after every pass: names unique, every input defined, nodes topologically sorted. */
import type { Graph } from './graph.ts';

/** Returns a list of violated invariants (empty when the graph is well formed). */
export function verifyGraph(g: Graph): string[] {
  const problems: string[] = [];
  const defined = new Set<string>(['', ...g.inputs]);
  for (const [name, t] of g.tensors) if (t.value) defined.add(name);
  const nodeNames = new Set<string>();
  const written = new Set<string>();
  for (const n of g.nodes) {
    if (nodeNames.has(n.name)) problems.push(`node name ${n.name} is used twice`);
    nodeNames.add(n.name);
    for (const x of n.inputs) if (!defined.has(x)) problems.push(`node ${n.name} reads "${x}" before it is written`);
    for (const o of n.outputs) {
      if (!o) continue;
      if (written.has(o) || g.inputs.includes(o)) problems.push(`tensor "${o}" is written twice (by ${n.name})`);
      written.add(o);
      defined.add(o);
      if (!g.tensors.has(o)) problems.push(`tensor "${o}" written by ${n.name} has no tensor info`);
    }
  }
  for (const o of g.outputs) if (!defined.has(o)) problems.push(`graph output "${o}" is never written`);
  for (const i of g.inputs) if (!g.tensors.has(i)) problems.push(`graph input "${i}" has no tensor info`);
  return problems;
}
