/** A Reshape/Flatten right at the graph input is a host-side view: the hardware graph takes the reshaped tensor. */
import { consumers, makeGraph } from '../../ir/index.ts';
import type { Pass } from '../pass.ts';

export const absorbInputReshape: Pass = {
  name: 'hw/absorb-input-reshape',
  summary: 'graph input → Reshape/Flatten becomes the graph input',
  run(g) {
    const input = g.inputs[0]!;
    const cs = consumers(g, input);
    const r = cs.length === 1 && (cs[0]!.op.kind === 'Reshape' || cs[0]!.op.kind === 'Flatten') ? cs[0]! : undefined;
    if (!r || g.inputs.length !== 1) return g;
    const inInfo = g.tensors.get(input)!;
    const out = r.outputs[0]!;
    const tensors = new Map(g.tensors);
    tensors.set(out, { ...tensors.get(out)!, dtype: inInfo.dtype });
    return makeGraph({ ...g, nodes: g.nodes.filter((n) => n !== r), tensors, inputs: [out] });
  },
};
