/** FMPadding: constant padding around an NHWC feature map (in front of a sliding window; inserted by the SWG lowering). */
import { dtBits, dtName, type DataType } from '../ir/datatype.ts';
import { encodeValue } from './encode.ts';
import { checkDivides, fa, lutScale, readPair } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';

/** Zero (constant) padding around an NHWC feature map; pads = [top, left, bottom, right]. */
export interface FmPaddingParams {
  readonly ifm: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly channels: number;
  readonly simd: number;
  readonly dtype: DataType;
  readonly value: number;
}

export const ofmOf = (p: FmPaddingParams): [number, number] => [p.ifm[0] + p.pads[0] + p.pads[2], p.ifm[1] + p.pads[1] + p.pads[3]];

export const fmPadding: HwLayer<'hw.FMPadding', FmPaddingParams> = {
  kind: 'hw.FMPadding',
  finnName: 'FMPadding',
  color: '#a3a3a3',
  readFinn(r) {
    const pads = r.ints('Padding', [0, 0, 0, 0]);
    if (pads.length !== 4 || !pads.every((v) => Number.isInteger(v) && v >= 0)) r.fail(`Padding=[${pads.join(',')}] must be four non-negative integers [top, left, bottom, right]`);
    return { ifm: readPair(r, 'ImgDim'), pads: [pads[0]!, pads[1]!, pads[2]!, pads[3]!], channels: r.int('NumChannels'), simd: r.int('SIMD'), dtype: r.dtype('inputDataType'), value: r.float('PadValue', 0) };
  },
  writeFinn: (p) => [fa.ints('ImgDim', p.ifm), fa.ints('Padding', p.pads), fa.int('NumChannels', p.channels), fa.int('SIMD', p.simd), fa.dtype('inputDataType', p.dtype), fa.float('PadValue', p.value)],
  folding: (p) => [{ key: 'simd', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'SIMD', p.simd, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  cycles: (p) => { const [h, w] = ofmOf(p); return h * w * (p.channels / p.simd); },
  resources: (p, part) => ({ LUT: Math.round((40 + p.simd * dtBits(p.dtype)) * lutScale(part)), FF: 48, BRAM_18K: 0, URAM: 0, DSP: 0 }),
  execute(p, [x]) {
    const [h, w] = p.ifm, [oh, ow] = ofmOf(p), c = p.channels;
    const out = new Float64Array(oh * ow * c).fill(p.value);
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
      out.set(x!.data.subarray((y * w + xx) * c, (y * w + xx + 1) * c), ((y + p.pads[0]) * ow + xx + p.pads[1]) * c);
    }
    return [{ shape: [1, oh, ow, c], data: out }];
  },
  inputs: (p) => [port(p.dtype, p.simd, p.ifm[0] * p.ifm[1] * p.channels)],
  outputs: (p) => { const [h, w] = ofmOf(p); return [port(p.dtype, p.simd, h * w * p.channels)]; },
  outTypes: (p) => [p.dtype],
  rtl: (p) => ({
    core: 'finn_fmpad',
    params: [['IFM_H', p.ifm[0]], ['IFM_W', p.ifm[1]], ['PAD_T', p.pads[0]], ['PAD_L', p.pads[1]], ['PAD_B', p.pads[2]], ['PAD_R', p.pads[3]],
      ['C', p.channels], ['SIMD', p.simd], ['BITS', dtBits(p.dtype)], ['PAD_VALUE', encodeValue(p.value, elemCode(p.dtype)) & (2 ** dtBits(p.dtype) - 1)]],
    memories: [],
  }),
  describe: (p) => ({ detail: `pads [${p.pads.join(', ')}] with ${p.value}, ${dtName(p.dtype)}`, dims: `${p.ifm.join('×')} → ${ofmOf(p).join('×')}` }),
};
