/** Human-readable text form of a graph: one line per node with shapes and datatypes. */
import type { Graph, Node } from './graph.ts';
import { dtName } from './datatype.ts';
import { isHwOp } from './ops.ts';

function tensorText(g: Graph, name: string): string {
  const t = g.tensors.get(name);
  if (!t) return name;
  const kind = t.value ? 'const ' : '';
  return `${kind}${name}: ${dtName(t.dtype)}[${t.shape.join(',')}]`;
}

function attrs(n: Node): string {
  const { kind, ...rest } = n.op as { kind: string } & Record<string, unknown>;
  void kind;
  const src = isHwOp(n.op) ? (n.op.p as unknown as Record<string, unknown>) : rest;
  const parts = Object.entries(src).filter(([k]) => k !== 'value').map(([k, v]) => {
    const val = v && typeof v === 'object' && 'kind' in (v as object) ? dtName(v as never) : JSON.stringify(v);
    return `${k}=${val}`;
  });
  return parts.length ? `{${parts.join(', ')}}` : '';
}

/** Print the graph (inputs, nodes in order, outputs). */
export function printGraph(g: Graph): string {
  const lines = [`graph ${g.name}`];
  for (const i of g.inputs) lines.push(`  input  ${tensorText(g, i)}`);
  for (const n of g.nodes) {
    lines.push(`  ${n.name}: ${n.op.kind}${attrs(n)}`);
    lines.push(`      in:  ${n.inputs.filter(Boolean).map((x) => tensorText(g, x)).join('  ')}`);
    lines.push(`      out: ${n.outputs.filter(Boolean).map((x) => tensorText(g, x)).join('  ')}`);
  }
  for (const o of g.outputs) lines.push(`  output ${tensorText(g, o)}`);
  return lines.join('\n');
}
