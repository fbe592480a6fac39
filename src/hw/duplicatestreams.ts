/** DuplicateStreams: a fork — every input word goes to each of N output streams (the skip path of a residual block). */
import { dtBits, dtName, type DataType } from '../ir/datatype.ts';
import { fail } from '../util/errors.ts';
import { checkDivides, fa, lutScale, prod } from './common.ts';
import { divisors, port, type HwLayer } from './layer.ts';

/** Output counts the core has port lists for (src/rtl/finn_duplicate<N>.v; Verilog port lists cannot vary). */
export const DUPLICATE_MAX_OUTPUTS = 4;

/** Node inputs: [x]; outputs: N copies of x (channels are the last axis). */
export interface DuplicateStreamsParams {
  readonly channels: number;
  readonly pe: number;
  readonly outputs: number;
  readonly dtype: DataType;
  readonly numVectors: readonly number[];
}

function checkOutputs(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 2 || n > DUPLICATE_MAX_OUTPUTS) {
    fail('E_RTL', `${where}: DuplicateStreams with ${n} outputs; the core forks into 2..${DUPLICATE_MAX_OUTPUTS} streams`, 'fork in two steps (a DuplicateStreams feeding another)');
  }
}

export const duplicateStreams: HwLayer<'hw.DuplicateStreams', DuplicateStreamsParams> = {
  kind: 'hw.DuplicateStreams',
  finnName: 'DuplicateStreams',
  color: '#64748b',
  readFinn(r) {
    const outputs = r.int('NumOutputStreams', 2);
    if (outputs < 2 || outputs > DUPLICATE_MAX_OUTPUTS) r.fail(`NumOutputStreams=${outputs} is not supported (2..${DUPLICATE_MAX_OUTPUTS})`);
    return { channels: r.int('NumChannels'), pe: r.int('PE', 1), outputs, dtype: r.dtype('inputDataType'), numVectors: r.ints('numInputVectors', [1]) };
  },
  writeFinn: (p) => [
    fa.int('NumChannels', p.channels), fa.int('PE', p.pe), fa.int('NumOutputStreams', p.outputs),
    fa.dtype('inputDataType', p.dtype), fa.ints('numInputVectors', p.numVectors),
  ],
  folding: (p) => [{ key: 'pe', values: divisors(p.channels) }],
  checkFolding: (p, node) => checkDivides(node, 'PE', p.pe, p.channels, `the ${p.channels} channels`),
  weightBits: () => 0,
  // FINN: prod(folded output shape without the last axis) = H·W·C/PE; the core moves one word per cycle
  cycles: (p) => (p.channels / p.pe) * prod(p.numVectors),
  // our own model: per output an output register and a skid register (2 FFs per bit) with its enable mux (1 LUT per bit)
  resources(p, part) {
    const w = p.pe * dtBits(p.dtype);
    return { LUT: Math.round((8 + p.outputs * (w + 2)) * lutScale(part)), FF: p.outputs * (2 * w + 2), BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute: (p, [x]) => Array.from({ length: p.outputs }, () => ({ shape: [...x!.shape], data: Float64Array.from(x!.data) })),
  inputs: (p) => [port(p.dtype, p.pe, p.channels * prod(p.numVectors))],
  outputs: (p) => Array.from({ length: p.outputs }, () => port(p.dtype, p.pe, p.channels * prod(p.numVectors))),
  outTypes: (p) => Array.from({ length: p.outputs }, () => p.dtype),
  rtl(p) {
    checkOutputs(p.outputs, 'DuplicateStreams');
    return { core: `finn_duplicate${p.outputs}`, params: [['WIDTH', p.pe * dtBits(p.dtype)]], memories: [] };
  },
  describe: (p) => ({ detail: `fork into ${p.outputs} streams, ${dtName(p.dtype)}`, dims: `${p.channels} ch` }),
};
