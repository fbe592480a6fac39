/**
 * Pool (FINN Pool_Batch): max or quantized average over the windows of a depthwise sliding window generator.
 * Its input is the depthwise window stream, elements in (C/PE, K, PE) order per output pixel (swg.ts), so this PE must
 * equal the sliding window's SIMD.
 */
import { dtBits, dtEquals, dtMax, dtMin, dtName, dtSigned, smallestIntType, type DataType } from '../ir/datatype.ts';
import { fail } from '../util/errors.ts';
import { checkDivides, fa, lutScale, readPair } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';

export const POOL_FUNCS = ['MaxPool', 'QuantAvgPool'] as const;
export type PoolFunc = (typeof POOL_FUNCS)[number];

/** Node inputs: [x] with x [1, OH, OW, K·C] in (C/PE, K, PE) order; output [1, OH, OW, C]. */
export interface PoolParams {
  readonly channels: number;
  readonly pe: number;
  readonly kernel: readonly [number, number];
  readonly func: PoolFunc;
  readonly outImg: readonly [number, number];
  readonly inputType: DataType;
  /** MaxPool: the input type. QuantAvgPool: same signedness as the input. */
  readonly outputType: DataType;
  /** QuantAvgPool: accumulator width (the sum wraps to it, signed iff the input is) and right shift (FINN's Size). */
  readonly accBits: number;
  readonly shift: number;
}

const kernelSize = (p: { kernel: readonly [number, number] }): number => p.kernel[0] * p.kernel[1];

/** FINN's accumulator width: the smallest type holding K·min..K·max of the input. */
export function poolAccBits(inputType: DataType, k: number): number {
  return dtBits(smallestIntType(k * dtMin(inputType), k * dtMax(inputType)));
}

/** FINN's shift (InferPool's Size): the bits of K·(2^ibits − 1) above the output width. */
export function poolShift(inputType: DataType, outputType: DataType, k: number): number {
  const maxBits = Math.floor(Math.log2(k * (2 ** dtBits(inputType) - 1))) + 1;
  return Math.max(0, maxBits - dtBits(outputType));
}

/** v as a `bits`-bit two's complement (signed) or unsigned number. */
function wrap(v: number, bits: number, signed: boolean): number {
  const m = 2 ** bits;
  const u = ((v % m) + m) % m;
  return signed && u >= m / 2 ? u - m : u;
}

function checkTypes(p: Pick<PoolParams, 'func' | 'inputType' | 'outputType'>, bad: (msg: string) => never): void {
  if (p.inputType.kind === 'float32') bad(`input datatype ${dtName(p.inputType)} is not an integer type`);
  if (p.func === 'MaxPool' && !dtEquals(p.inputType, p.outputType)) bad(`MaxPool needs OutputDataType = InputDataType (${dtName(p.outputType)} ≠ ${dtName(p.inputType)})`);
  if (p.func === 'QuantAvgPool' && (p.inputType.kind === 'bipolar' || p.outputType.kind === 'bipolar' || dtSigned(p.inputType) !== dtSigned(p.outputType))) {
    bad(`QuantAvgPool needs integer input/output datatypes of the same signedness (${dtName(p.inputType)} → ${dtName(p.outputType)})`);
  }
}

export const pool: HwLayer<'hw.Pool', PoolParams> = {
  kind: 'hw.Pool',
  finnName: 'Pool',
  color: '#db2777',
  readFinn(r) {
    const func = r.oneOf('Function', POOL_FUNCS, 'MaxPool');
    const inputType = r.dtype('InputDataType'), outputType = r.dtype('OutputDataType');
    const kernel = readPair(r, 'KernelSize');
    if (r.int('BatchSize', 1) !== 1) r.fail(`BatchSize=${r.int('BatchSize', 1)}; finn-ts streams one frame at a time (BatchSize 1)`);
    checkTypes({ func, inputType, outputType }, (m) => r.fail(m));
    const k = kernelSize({ kernel });
    const accBits = r.int('AccumBits', 0) || poolAccBits(inputType, k);
    // FINN's Python execution computes the shift; its HLS reads Size (InferPool sets it to that value)
    const shift = func === 'QuantAvgPool' ? (r.has('Size') ? r.int('Size') : poolShift(inputType, outputType, k)) : 0;
    return { channels: r.int('Channels'), pe: r.int('PE', 1), kernel, func, outImg: readPair(r, 'OutImgDims'), inputType, outputType, accBits, shift };
  },
  writeFinn: (p) => [
    fa.int('Channels', p.channels), fa.int('PE', p.pe), fa.ints('KernelSize', p.kernel), fa.str('Function', p.func), fa.ints('OutImgDims', p.outImg),
    fa.dtype('InputDataType', p.inputType), fa.dtype('OutputDataType', p.outputType), fa.int('AccumBits', p.accBits), fa.int('Size', p.shift), fa.int('BatchSize', 1),
  ],
  // the depthwise window's element order depends on its SIMD: it must equal this PE
  producerFolding: (p) => ({ simd: p.pe }),
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  // FINN: (C·kh·kw/PE)·prod(OutImgDims) — one input word per cycle
  cycles: (p) => (p.channels * kernelSize(p) / p.pe) * p.outImg[0] * p.outImg[1],
  // our own model: per PE lane a comparator or adder with its running register, a shifter, the output stage
  resources(p, part) {
    const a = dtBits(p.inputType), o = dtBits(p.outputType);
    const lane = p.func === 'MaxPool' ? 2 * a : p.accBits + o;
    return { LUT: Math.round((16 + p.pe * lane) * lutScale(part)), FF: p.pe * ((p.func === 'MaxPool' ? a : p.accBits) + 2 * o) + 16, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute(p, [x]) {
    const k = kernelSize(p), nf = p.channels / p.pe, per = k * p.channels;
    const pixels = x!.data.length / per;
    const sIn = dtSigned(p.inputType), sOut = dtSigned(p.outputType);
    const out = new Float64Array(pixels * p.channels);
    for (let px = 0; px < pixels; px++) for (let f = 0; f < nf; f++) for (let q = 0; q < p.pe; q++) {
      let v = p.func === 'MaxPool' ? -Infinity : 0;
      for (let kk = 0; kk < k; kk++) {
        const e = x!.data[px * per + (f * k + kk) * p.pe + q]!;
        v = p.func === 'MaxPool' ? Math.max(v, e) : v + e;
      }
      // HLS: the sum in an AccumBits-bit accumulator, shifted right (arithmetic if signed), cast to the output type
      out[px * p.channels + f * p.pe + q] = p.func === 'MaxPool' ? v : wrap(Math.floor(wrap(v, p.accBits, sIn) / 2 ** p.shift), dtBits(p.outputType), sOut);
    }
    return [{ shape: [...x!.shape.slice(0, -1), p.channels], data: out }];
  },
  inputs: (p) => [port(p.inputType, p.pe, p.channels * kernelSize(p) * p.outImg[0] * p.outImg[1])],
  outputs: (p) => [port(p.outputType, p.pe, p.channels * p.outImg[0] * p.outImg[1])],
  outTypes: (p) => [p.outputType],
  rtl(p) {
    checkTypes(p, (m) => fail('E_RTL', `Pool: ${m}`));
    const a = elemCode(p.inputType);
    return {
      core: 'finn_pool',
      params: [['PE', p.pe], ['K', kernelSize(p)], ['ABITS', a.bits], ['A_SIGNED', a.signed ? 1 : 0], ['FUNC', POOL_FUNCS.indexOf(p.func)],
        ['ACC_BITS', p.accBits], ['SHIFT', p.shift], ['OBITS', elemCode(p.outputType).bits]],
      memories: [],
    };
  },
  describe: (p) => ({
    detail: p.func === 'MaxPool' ? `${p.kernel[0]}×${p.kernel[1]} max-pool, ${dtName(p.inputType)}`
      : `${p.kernel[0]}×${p.kernel[1]} average (sum >> ${p.shift}), ${dtName(p.inputType)} → ${dtName(p.outputType)}`,
    dims: `${p.channels} ch, ${p.outImg[0]}×${p.outImg[1]} out`,
  }),
};
