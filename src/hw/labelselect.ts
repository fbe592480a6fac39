/** LabelSelect: index of the largest of L values (lowest index wins ties), PE values per cycle. */
import { dtBits } from '../ir/datatype.ts';
import { topk } from '../exec/shape.ts';
import { foldError } from './common.ts';
import { fail } from '../util/errors.ts';
import { divisors, elemCode, type HwLayer } from './layer.ts';

export const labelSelect: HwLayer<'hw.LabelSelect'> = {
  kind: 'hw.LabelSelect',
  finnName: 'LabelSelect',
  folding: (p) => [{ key: 'pe', values: divisors(p.labels) }],
  checkFolding(p, node) {
    if (!Number.isInteger(p.pe) || p.pe < 1 || p.labels % p.pe !== 0) foldError(node, `PE=${p.pe} must divide the ${p.labels} labels`, divisors(p.labels));
  },
  cycles: (p) => p.labels / p.pe,
  // Not modelled by FINN; a comparator tree over PE values plus the running best (value + index).
  resources: (p, part) => {
    const I = dtBits(p.inputType), O = dtBits(p.outputType);
    const scale = part.lutInputs >= 6 ? 1 : 1.6;
    return { LUT: Math.round((40 + p.pe * (I + O) * 2) * scale), FF: 2 * (I + O) + 16, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute: (p, [x]) => {
    if (p.validLabels === p.labels) return [topk(x!, p.k, -1, true)[1]];
    const rows = x!.data.length / p.labels;
    const valid = new Float64Array(rows * p.validLabels);
    for (let r = 0; r < rows; r++) valid.set(x!.data.subarray(r * p.labels, r * p.labels + p.validLabels), r * p.validLabels);
    return [topk({ shape: [...x!.shape.slice(0, -1), p.validLabels], data: valid }, p.k, -1, true)[1]];
  },
  inWidth: (p) => p.pe * dtBits(p.inputType),
  outWidth: (p) => p.k * dtBits(p.outputType),
  inElems: (p) => p.labels,
  outElems: (p) => p.k,
  weightStreamWidth: () => 0,
  inElem: (p) => elemCode(p.inputType),
  outElem: (p) => elemCode(p.outputType),
  rtl(p) {
    if (p.k !== 1) fail('E_RTL', `LabelSelect with k=${p.k}: the core implements top-1 only`);
    const I = elemCode(p.inputType);
    return { core: 'finn_labelselect', params: [['LABELS', p.labels], ['PE', p.pe], ['IBITS', I.bits], ['I_SIGNED', I.signed ? 1 : 0], ['OBITS', elemCode(p.outputType).bits], ['VALID', p.validLabels]], memories: [] };
  },
};
