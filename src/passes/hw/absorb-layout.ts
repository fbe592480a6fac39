/** Layout ops the host or the stream makes free: a Transpose at the graph input, and Reshapes between hardware layers. */
import { consumers, makeGraph, renameUses } from '../../ir/index.ts';
import { isHwOp } from '../../ir/ops.ts';
import type { Pass } from '../pass.ts';
import { rewriteAll } from '../pass.ts';

export const absorbInputTranspose: Pass = {
  name: 'hw/absorb-input-transpose',
  summary: 'graph input → Transpose: the host feeds the transposed layout (recorded in the graph metadata)',
  run(g) {
    const input = g.inputs[0]!;
    const cs = consumers(g, input);
    const t = cs.length === 1 && cs[0]!.op.kind === 'Transpose' ? cs[0]! : undefined;
    if (!t || t.op.kind !== 'Transpose' || !t.op.perm || g.inputs.length !== 1) return g;
    const inInfo = g.tensors.get(input)!;
    const tensors = new Map(g.tensors);
    tensors.set(t.outputs[0]!, { ...tensors.get(t.outputs[0]!)!, dtype: inInfo.dtype });
    const meta = { ...g.meta, host_input_perm: t.op.perm.join(','), host_input_shape: inInfo.shape.join(',') };
    return makeGraph({ ...g, nodes: g.nodes.filter((n) => n !== t), tensors, inputs: [t.outputs[0]!], meta });
  },
};

export const absorbStreamReshape: Pass = {
  name: 'hw/absorb-stream-reshape',
  summary: 'Reshape between two hardware layers keeps the element order of the stream: drop it',
  run: (g) => rewriteAll(g, (cur) => {
    const r = cur.nodes.find((n) => (n.op.kind === 'Reshape' || n.op.kind === 'Flatten') && cur.nodes.some((p) => p.outputs[0] === n.inputs[0] && isHwOp(p.op))
      && consumers(cur, n.outputs[0]!).every((c) => isHwOp(c.op)) && !cur.outputs.includes(n.outputs[0]!));
    if (!r) return undefined;
    return renameUses({ ...cur, nodes: cur.nodes.filter((n) => n !== r) }, r.outputs[0]!, r.inputs[0]!);
  }),
};
