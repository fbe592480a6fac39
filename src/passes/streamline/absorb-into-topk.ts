/** TopK/ArgMax indices are unchanged by x·a (a > 0, uniform) and x + b (uniform): drop such ops before them. */
import type { Graph, Node } from '../../ir/graph.ts';
import { consumers, renameUses } from '../../ir/index.ts';
import { constOperand, uniformValue } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

function indicesOnly(g: Graph, sel: Node): boolean {
  if (sel.op.kind === 'ArgMax') return true;
  const values = sel.outputs[0]!;
  return sel.op.kind === 'TopK' && (!values || (!g.outputs.includes(values) && consumers(g, values).length === 0));
}

function match(g: Graph): Node | undefined {
  for (const aff of g.nodes) {
    if (aff.op.kind !== 'Add' && aff.op.kind !== 'Mul') continue;
    const cs = consumers(g, aff.outputs[0]!);
    if (cs.length !== 1 || g.outputs.includes(aff.outputs[0]!)) continue;
    const sel = cs[0]!;
    if ((sel.op.kind !== 'TopK' && sel.op.kind !== 'ArgMax') || sel.inputs[0] !== aff.outputs[0] || !indicesOnly(g, sel)) continue;
    const co = constOperand(g, aff);
    const u = co ? uniformValue(co.c) : undefined;
    if (u === undefined || (aff.op.kind === 'Mul' && !(u > 0))) continue;
    return aff;
  }
  return undefined;
}

export const absorbIntoTopK: Pass = {
  name: 'streamline/absorb-affine-into-topk',
  summary: 'remove uniform positive Mul / uniform Add in front of TopK/ArgMax',
  run: (g) => rewriteAll(g, (cur) => {
    const aff = match(cur);
    if (!aff) return undefined;
    const x = constOperand(cur, aff)!.x;
    return renameUses({ ...cur, nodes: cur.nodes.filter((n) => n !== aff) }, aff.outputs[0]!, x);
  }),
};
