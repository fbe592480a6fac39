/** ChannelPad: appends constant elements to every vector (pads an MVAU's input width up to a multiple of SIMD). */
import { dtBits } from '../ir/datatype.ts';
import { encodeValue } from './encode.ts';
import { foldError } from './common.ts';
import { divisors, elemCode, type HwLayer } from './layer.ts';
import type { ChannelPadParams } from './params.ts';

const nVec = (p: ChannelPadParams): number => p.numVectors.reduce((a, b) => a * b, 1);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export const channelPad: HwLayer<'hw.ChannelPad'> = {
  kind: 'hw.ChannelPad',
  finnName: 'ChannelPad',
  folding: (p) => [{ key: 'simd', values: divisors(gcd(p.inElems, p.outElems)) }],
  checkFolding(p, node) {
    if (p.inElems % p.simd !== 0 || p.outElems % p.simd !== 0) foldError(node, `SIMD=${p.simd} must divide ${p.inElems} and ${p.outElems}`, divisors(gcd(p.inElems, p.outElems)));
  },
  cycles: (p) => (p.outElems / p.simd) * nVec(p),
  resources: (p) => ({ LUT: Math.round(8 + p.simd * dtBits(p.dtype) * 0.5), FF: 8, BRAM_18K: 0, URAM: 0, DSP: 0 }),
  execute(p, [x]) {
    const rows = x!.data.length / p.inElems;
    const out = new Float64Array(rows * p.outElems).fill(p.value);
    for (let r = 0; r < rows; r++) out.set(x!.data.subarray(r * p.inElems, (r + 1) * p.inElems), r * p.outElems);
    return [{ shape: [...x!.shape.slice(0, -1), p.outElems], data: out }];
  },
  inWidth: (p) => p.simd * dtBits(p.dtype),
  outWidth: (p) => p.simd * dtBits(p.dtype),
  inElems: (p) => p.inElems * nVec(p),
  outElems: (p) => p.outElems * nVec(p),
  weightStreamWidth: () => 0,
  inElem: (p) => elemCode(p.dtype),
  outElem: (p) => elemCode(p.dtype),
  rtl: (p) => ({
    core: 'finn_chpad',
    params: [['SIMD', p.simd], ['BITS', dtBits(p.dtype)], ['IN_WORDS', p.inElems / p.simd], ['OUT_WORDS', p.outElems / p.simd],
      ['PAD_VALUE', encodeValue(p.value, elemCode(p.dtype)) & (2 ** dtBits(p.dtype) - 1)]],
    memories: [],
  }),
};
