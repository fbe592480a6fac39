/** FMPadding: constant padding around an NHWC feature map (in front of a sliding window). */
import { dtBits } from '../ir/datatype.ts';
import { encodeValue } from './encode.ts';
import { foldError } from './common.ts';
import { divisors, elemCode, type HwLayer } from './layer.ts';
import type { FmPaddingParams } from './params.ts';

export const ofmOf = (p: FmPaddingParams): [number, number] => [p.ifm[0] + p.pads[0] + p.pads[2], p.ifm[1] + p.pads[1] + p.pads[3]];

export const fmPadding: HwLayer<'hw.FMPadding'> = {
  kind: 'hw.FMPadding',
  finnName: 'FMPadding',
  folding: (p) => [{ key: 'simd', values: divisors(p.channels) }],
  checkFolding(p, node) {
    if (!Number.isInteger(p.simd) || p.simd < 1 || p.channels % p.simd !== 0) foldError(node, `SIMD=${p.simd} must divide the ${p.channels} channels`, divisors(p.channels));
  },
  cycles: (p) => { const [h, w] = ofmOf(p); return h * w * (p.channels / p.simd); },
  resources: (p, part) => ({ LUT: Math.round((40 + p.simd * dtBits(p.dtype)) * (part.lutInputs >= 6 ? 1 : 1.6)), FF: 48, BRAM_18K: 0, URAM: 0, DSP: 0 }),
  execute(p, [x]) {
    const [h, w] = p.ifm, [oh, ow] = ofmOf(p), c = p.channels;
    const out = new Float64Array(oh * ow * c).fill(p.value);
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
      out.set(x!.data.subarray((y * w + xx) * c, (y * w + xx + 1) * c), ((y + p.pads[0]) * ow + xx + p.pads[1]) * c);
    }
    return [{ shape: [1, oh, ow, c], data: out }];
  },
  inWidth: (p) => p.simd * dtBits(p.dtype),
  outWidth: (p) => p.simd * dtBits(p.dtype),
  inElems: (p) => p.ifm[0] * p.ifm[1] * p.channels,
  outElems: (p) => { const [h, w] = ofmOf(p); return h * w * p.channels; },
  weightStreamWidth: () => 0,
  inElem: (p) => elemCode(p.dtype),
  outElem: (p) => elemCode(p.dtype),
  rtl: (p) => ({
    core: 'finn_fmpad',
    params: [['IFM_H', p.ifm[0]], ['IFM_W', p.ifm[1]], ['PAD_T', p.pads[0]], ['PAD_L', p.pads[1]], ['PAD_B', p.pads[2]], ['PAD_R', p.pads[3]],
      ['C', p.channels], ['SIMD', p.simd], ['BITS', dtBits(p.dtype)], ['PAD_VALUE', encodeValue(p.value, elemCode(p.dtype)) & (2 ** dtBits(p.dtype) - 1)]],
    memories: [],
  }),
};
