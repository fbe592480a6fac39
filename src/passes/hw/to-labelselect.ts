/** TopK (indices only) on integer logits → hw.LabelSelect. */
import { consumers, replaceNodes } from '../../ir/index.ts';
import { isIntegral, smallestIntType, dtName } from '../../ir/datatype.ts';
import { fail } from '../../util/errors.ts';
import { emitter } from '../util.ts';
import { rewriteAll, type Pass } from '../pass.ts';

export const toLabelSelectPass: Pass = {
  name: 'hw/to-labelselect',
  summary: 'TopK → LabelSelect',
  run: (g) => rewriteAll(g, (cur) => {
    const tk = cur.nodes.find((n) => n.op.kind === 'TopK');
    if (!tk || tk.op.kind !== 'TopK') return undefined;
    const x = cur.tensors.get(tk.inputs[0]!)!;
    const k = cur.tensors.get(tk.inputs[1]!)?.value?.data[0];
    const vals = tk.outputs[0]!;
    if (vals && (cur.outputs.includes(vals) || consumers(cur, vals).length > 0)) fail('E_TO_HW', `node ${tk.name}: TopK values are used; LabelSelect only returns indices`);
    if (!isIntegral(x.dtype)) {
      const prod = cur.nodes.find((n) => n.outputs.includes(tk.inputs[0]!));
      fail('E_TO_HW', `node ${tk.name}: TopK input is ${dtName(x.dtype)}, not integer: ${prod ? `${prod.name} (${prod.op.kind})` : 'its producer'} scales the classes differently, which changes the ranking and cannot be folded away`,
        'quantize the last layer with a per-tensor weight scale (Brevitas: scaling_per_output_channel=False), or end the model before the scale');
    }
    if (k === undefined || !tk.op.largest) fail('E_TO_HW', `node ${tk.name}: only TopK with constant k and largest=1 maps to LabelSelect`);
    const labels = x.shape.at(-1)!;
    const e = emitter(cur);
    e.node(tk.name, { kind: 'hw.LabelSelect', p: { labels, validLabels: labels, pe: 1, k, inputType: x.dtype, outputType: smallestIntType(0, Math.max(1, labels - 1)) } }, [tk.inputs[0]!], [tk.outputs[1]!]);
    return replaceNodes(cur, [tk], e.nodes, e.tensors);
  }),
};
