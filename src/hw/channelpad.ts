/** ChannelPad: appends constant elements to every vector (pads an MVAU's input width up to a multiple of SIMD). */
import { dtBits, type DataType } from '../ir/datatype.ts';
import { encodeValue } from './encode.ts';
import { fa, foldError, prod } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';

/** Appends `outElems − inElems` constant elements to every vector of `inElems` (inserted by pad-for-folding). */
export interface ChannelPadParams {
  readonly inElems: number;
  readonly outElems: number;
  /**
   * Input elements per stream word: a divisor of both sizes (words of SIMD elements in and out, outElems/SIMD cycles
   * per vector), or inElems — the whole vector in one word, padded in the same cycle into a word of outElems.
   */
  readonly simd: number;
  readonly dtype: DataType;
  readonly value: number;
  readonly numVectors: readonly number[];
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Whole vectors in one word each (SIMD = InElems): the padding is wiring. */
const wide = (p: ChannelPadParams): boolean => p.simd === p.inElems;
/** Elements per output word. */
const outSimd = (p: ChannelPadParams): number => (wide(p) ? p.outElems : p.simd);
const legal = (p: ChannelPadParams): number[] => [...new Set([...divisors(gcd(p.inElems, p.outElems)), p.inElems])];

/**
 * The ChannelPad in front of a layer padded from `inElems` to `outElems` inputs: the narrowest word that keeps up with
 * `maxCycles` per frame (the padded layer's cycles), else whole vectors per word.
 */
export function channelPadFor(inElems: number, outElems: number, dtype: DataType, value: number, numVectors: readonly number[], maxCycles: number): ChannelPadParams {
  const simd = divisors(gcd(inElems, outElems)).find((s) => (outElems / s) * prod(numVectors) <= maxCycles) ?? inElems;
  return { inElems, outElems, simd, dtype, value, numVectors };
}

export const channelPad: HwLayer<'hw.ChannelPad', ChannelPadParams> = {
  kind: 'hw.ChannelPad',
  finnName: 'ChannelPad',
  color: '#94a3b8',
  readFinn: (r) => ({
    inElems: r.int('InElems'), outElems: r.int('OutElems'), simd: r.int('SIMD'), dtype: r.dtype('inputDataType'), value: r.float('PadValue', 0), numVectors: r.ints('numInputVectors', [1]),
  }),
  writeFinn: (p) => [fa.int('InElems', p.inElems), fa.int('OutElems', p.outElems), fa.int('SIMD', p.simd), fa.dtype('inputDataType', p.dtype), fa.float('PadValue', p.value), fa.ints('numInputVectors', p.numVectors)],
  folding: (p) => [{ key: 'simd', values: legal(p) }],
  checkFolding(p, node) {
    if (!legal(p).includes(p.simd)) foldError(node, `SIMD=${p.simd} must divide ${p.inElems} and ${p.outElems}, or be ${p.inElems} (whole vectors)`, legal(p));
  },
  weightBits: () => 0,
  cycles: (p) => (wide(p) ? 1 : p.outElems / p.simd) * prod(p.numVectors),
  resources: (p) => (wide(p) ? { LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0 } : { LUT: Math.round(8 + p.simd * dtBits(p.dtype) * 0.5), FF: 8, BRAM_18K: 0, URAM: 0, DSP: 0 }),
  execute(p, [x]) {
    const rows = x!.data.length / p.inElems;
    const out = new Float64Array(rows * p.outElems).fill(p.value);
    for (let r = 0; r < rows; r++) out.set(x!.data.subarray(r * p.inElems, (r + 1) * p.inElems), r * p.outElems);
    return [{ shape: [...x!.shape.slice(0, -1), p.outElems], data: out }];
  },
  inputs: (p) => [port(p.dtype, p.simd, p.inElems * prod(p.numVectors))],
  outputs: (p) => [port(p.dtype, outSimd(p), p.outElems * prod(p.numVectors))],
  outTypes: (p) => [p.dtype],
  rtl: (p) => ({
    core: 'finn_chpad',
    params: [['SIMD', p.simd], ['OUT_SIMD', outSimd(p)], ['BITS', dtBits(p.dtype)], ['IN_WORDS', p.inElems / p.simd], ['OUT_WORDS', wide(p) ? 1 : p.outElems / p.simd],
      ['PAD_VALUE', encodeValue(p.value, elemCode(p.dtype)) & (2 ** dtBits(p.dtype) - 1)]],
    memories: [],
  }),
  describe: (p) => ({ detail: `pads every vector with ${p.outElems - p.inElems} constant elements${wide(p) ? ' (whole vectors per word)' : ''}`, dims: `${p.inElems} → ${p.outElems}` }),
};
