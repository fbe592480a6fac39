/** ConvolutionInputGenerator (sliding window): streams each output pixel's kh·kw·C window, SIMD channels per word. */
import { dtBits } from '../ir/datatype.ts';
import { im2col } from '../exec/conv.ts';
import { bram18, foldError, inLutram } from './common.ts';
import { divisors, elemCode, type HwLayer } from './layer.ts';
import type { SwgParams } from './params.ts';

/**
 * Words of the core's line buffer: R = kh + sh − 1 full rows (at least 2 when a row has one window), CF words per pixel —
 * one row more than FINN's minimum so reading ahead overlaps emitting (finn_swg.v).
 */
export const swgBufferWords = (p: SwgParams): number => {
  const r = Math.max(p.kernel[0] + p.stride[0] - 1, p.ofm[1] === 1 ? 2 : 1);
  return r * p.ifm[1] * (p.channels / p.simd);
};

export const swg: HwLayer<'hw.ConvolutionInputGenerator'> = {
  kind: 'hw.ConvolutionInputGenerator',
  finnName: 'ConvolutionInputGenerator',
  folding: (p) => [{ key: 'simd', values: divisors(p.channels) }],
  checkFolding(p, node) {
    if (!Number.isInteger(p.simd) || p.simd < 1 || p.channels % p.simd !== 0) foldError(node, `SIMD=${p.simd} must divide the ${p.channels} channels`, divisors(p.channels));
  },
  // FINN's model: fill the first kh rows, then per output row the larger of emitting and reading
  cycles: (p) => {
    const cf = p.channels / p.simd;
    return p.ifm[1] * p.kernel[0] * cf + p.ofm[0] * Math.max(p.ofm[1] * p.kernel[0] * p.kernel[1] * cf, p.stride[0] * p.ifm[1] * cf);
  },
  resources(p, part) {
    const width = p.simd * dtBits(p.dtype);
    const depth = swgBufferWords(p);
    const lutram = inLutram(p.ramStyle, depth);
    const scale = part.lutInputs >= 6 ? 1 : 1.6;
    return { LUT: Math.round((120 + width * 2 + (lutram ? width * Math.ceil(depth / 64) : 0)) * scale), FF: width * 2 + 64, BRAM_18K: lutram ? 0 : bram18(depth, width), URAM: 0, DSP: 0 };
  },
  execute: (p, [x]) => [im2col(x!, p.kernel, p.stride, [0, 0, 0, 0], 0)],
  inWidth: (p) => p.simd * dtBits(p.dtype),
  outWidth: (p) => p.simd * dtBits(p.dtype),
  inElems: (p) => p.ifm[0] * p.ifm[1] * p.channels,
  outElems: (p) => p.ofm[0] * p.ofm[1] * p.kernel[0] * p.kernel[1] * p.channels,
  weightStreamWidth: () => 0,
  inElem: (p) => elemCode(p.dtype),
  outElem: (p) => elemCode(p.dtype),
  rtl: (p) => ({
    core: 'finn_swg',
    params: [['IFM_H', p.ifm[0]], ['IFM_W', p.ifm[1]], ['C', p.channels], ['SIMD', p.simd], ['BITS', dtBits(p.dtype)],
      ['K_H', p.kernel[0]], ['K_W', p.kernel[1]], ['S_H', p.stride[0]], ['S_W', p.stride[1]], ['OFM_H', p.ofm[0]], ['OFM_W', p.ofm[1]], ['RAM_STYLE', p.ramStyle]],
    memories: [],
  }),
};
