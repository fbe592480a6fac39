/** LabelSelect: index of the largest of L values (lowest index wins ties), PE values per cycle. */
import { dtBits, dtName, isIntegral, smallestIntType, type DataType } from '../ir/datatype.ts';
import { consumers, replaceNodes, type Graph } from '../ir/index.ts';
import { topk } from '../exec/shape.ts';
import { fail } from '../util/errors.ts';
import { emitter } from '../passes/util.ts';
import { rewriteAll } from '../passes/pass.ts';
import { checkDivides, fa, lutScale } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';
import { clog2 } from '../cost/model.ts';

/** Top-k (k = 1) over `labels` values; outputs the index, lowest index wins ties. Node inputs: [x]. */
export interface LabelSelectParams {
  readonly labels: number;
  /** Only the first `validLabels` values compete (the rest pad `labels` up to a multiple of PE). */
  readonly validLabels: number;
  readonly pe: number;
  readonly k: number;
  readonly inputType: DataType;
  readonly outputType: DataType;
}

export const labelSelect: HwLayer<'hw.LabelSelect', LabelSelectParams> = {
  kind: 'hw.LabelSelect',
  finnName: 'LabelSelect',
  color: '#a855f7',
  readFinn(r) {
    const labels = r.int('Labels');
    return {
      labels, validLabels: r.int('ValidLabels', labels), pe: r.int('PE'), k: r.int('K'), inputType: r.dtype('inputDataType'),
      outputType: r.dtype('outputDataType', dtName(smallestIntType(0, Math.max(labels - 1, 1)))),
    };
  },
  writeFinn: (p) => [
    fa.int('Labels', p.labels), ...(p.validLabels !== p.labels ? [fa.int('ValidLabels', p.validLabels)] : []), fa.int('PE', p.pe), fa.int('K', p.k),
    fa.dtype('inputDataType', p.inputType), fa.dtype('outputDataType', p.outputType),
  ],
  lower: { name: 'hw/to-labelselect', summary: 'TopK → LabelSelect', run: (g) => rewriteAll(g, toLabelSelect) },
  folding: (p) => [{ key: 'pe', values: divisors(p.labels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.labels, `the ${p.labels} labels`),
  paddable: true,
  weightBits: () => 0,
  cycles: (p) => p.labels / p.pe,
  // Not modelled by FINN; a comparator tree over PE values plus the running best (value + index).
  resources: (p, part) => {
    const I = dtBits(p.inputType), O = dtBits(p.outputType);
    return { LUT: Math.round((40 + p.pe * (I + O) * 2) * lutScale(part)), FF: 2 * (I + O) + 16, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  costFeatures(p) {
    // finn_labelselect: PE × K insertion steps, each a compare of the value (IBITS + 1) and the index (XW) and the
    // swap multiplexers; with a single fold (LABELS = PE) the indices are constants and the running top K starts empty
    const I = dtBits(p.inputType), O = dtBits(p.outputType), P = p.pe, K = p.k;
    const VW = I + 1, XW = clog2(p.labels), nf = p.labels / p.pe, steps = P * K;
    return {
      // slot k's value arrives through the k swaps before it: later slots cost more (the K² terms)
      // one label per word (PE = 1: no compare chain across lanes; top-1 is a running maximum) as a class of its own
      LUT: {
        v: nf > 1 && P > 1 ? steps * VW : 0, i: nf > 1 && P > 1 ? steps * XW : 0, vs: P === 1 ? steps * VW : 0, is: P === 1 ? steps * XW : 0,
        v1: nf > 1 ? 0 : steps * VW, i1: nf > 1 ? 0 : steps * XW, vk: steps * (K - 1) * VW, ik: steps * (K - 1) * XW, ctr: clog2(nf) + XW,
      },
      FF: { const: 1, best: K * (VW + XW + 1), out: 2 * K * O, pin: P * I, ctr: clog2(nf) + XW },
      memories: [],
    };
  },
  calibrationCore: 'labelselect',
  execute: (p, [x]) => {
    if (p.validLabels === p.labels) return [topk(x!, p.k, -1, true)[1]];
    const rows = x!.data.length / p.labels;
    const valid = new Float64Array(rows * p.validLabels);
    for (let r = 0; r < rows; r++) valid.set(x!.data.subarray(r * p.labels, r * p.labels + p.validLabels), r * p.validLabels);
    return [topk({ shape: [...x!.shape.slice(0, -1), p.validLabels], data: valid }, p.k, -1, true)[1]];
  },
  inputs: (p) => [port(p.inputType, p.pe, p.labels)],
  outputs: (p) => [port(p.outputType, p.k, p.k)],
  outTypes: (p) => [p.outputType],
  rtl(p) {
    if (p.k > p.validLabels) fail('E_RTL', `LabelSelect with k=${p.k} over ${p.validLabels} labels`);
    const I = elemCode(p.inputType);
    return { core: 'finn_labelselect', params: [['LABELS', p.labels], ['PE', p.pe], ['IBITS', I.bits], ['I_SIGNED', I.signed ? 1 : 0], ['OBITS', elemCode(p.outputType).bits], ['K', p.k], ['VALID', p.validLabels]], memories: [] };
  },
  describe: (p) => ({ detail: `index of the largest of ${p.validLabels} values`, dims: `top-${p.k} of ${p.validLabels}` }),
};

/** TopK (indices only) on integer logits → LabelSelect. */
function toLabelSelect(cur: Graph): Graph | undefined {
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
}
