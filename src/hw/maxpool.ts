/** StreamingMaxPool: kernel = stride max-pool over NHWC pixels (signed/unsigned max; bipolar max is OR). */
import { dtBits } from '../ir/datatype.ts';
import { convKernels } from '../exec/conv.ts';
import { foldError } from './common.ts';
import { divisors, elemCode, type HwLayer } from './layer.ts';
import type { MaxPoolParams } from './params.ts';

const ofm = (p: MaxPoolParams): [number, number] => [Math.floor(p.ifm[0] / p.kernel[0]), Math.floor(p.ifm[1] / p.kernel[1])];

export const maxPool: HwLayer<'hw.StreamingMaxPool'> = {
  kind: 'hw.StreamingMaxPool',
  finnName: 'StreamingMaxPool',
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding(p, node) {
    if (!Number.isInteger(p.pe) || p.pe < 1 || p.channels % p.pe !== 0) foldError(node, `PE=${p.pe} must divide the ${p.channels} channels`, divisors(p.channels));
  },
  cycles: (p) => p.ifm[0] * p.ifm[1] * (p.channels / p.pe),
  resources: (p, part) => {
    const bits = dtBits(p.dtype);
    const rowBuf = ofm(p)[1] * p.channels * bits;
    return { LUT: Math.round((60 + p.pe * bits * 3 + Math.ceil(rowBuf / 64)) * (part.lutInputs >= 6 ? 1 : 1.6)), FF: p.pe * bits * 2 + 48, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute: (p, [x]) => convKernels.MaxPoolNHWC!({ kind: 'MaxPoolNHWC', kernel: p.kernel, strides: p.kernel }, [x!]),
  inWidth: (p) => p.pe * dtBits(p.dtype),
  outWidth: (p) => p.pe * dtBits(p.dtype),
  inElems: (p) => p.ifm[0] * p.ifm[1] * p.channels,
  outElems: (p) => { const [h, w] = ofm(p); return h * w * p.channels; },
  weightStreamWidth: () => 0,
  inElem: (p) => elemCode(p.dtype),
  outElem: (p) => elemCode(p.dtype),
  rtl: (p) => {
    const e = elemCode(p.dtype);
    return {
      core: 'finn_maxpool',
      params: [['IFM_H', p.ifm[0]], ['IFM_W', p.ifm[1]], ['C', p.channels], ['PE', p.pe], ['BITS', e.bits], ['SIGNED', e.signed ? 1 : 0], ['K_H', p.kernel[0]], ['K_W', p.kernel[1]]],
      memories: [],
    };
  },
};
