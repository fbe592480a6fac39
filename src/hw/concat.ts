/** StreamingConcat: channel-wise concatenation of N streams, pixel by pixel. */
import { dtBits, dtEquals, dtMax, dtMin, dtName, int, uint, type DataType } from '../ir/datatype.ts';
import { fail } from '../util/errors.ts';
import { fa, foldError, lutScale, prod } from './common.ts';
import { divisors, elemCode, port, type HwLayer } from './layer.ts';

/** Input counts the core has port lists for (src/rtl/finn_concat<N>.v; Verilog port lists cannot vary). */
export const CONCAT_MAX_INPUTS = 4;

/** Node inputs: N streams [..., elemsPerStream[k]]; output [..., Σ elemsPerStream]. */
export interface ConcatParams {
  /** Channels (last-axis elements) of each input per vector (FINN's ChannelsPerStream / ElemsPerStream). */
  readonly elemsPerStream: readonly number[];
  readonly simd: number;
  readonly inputTypes: readonly DataType[];
  readonly numVectors: readonly number[];
}

/**
 * The output datatype: the common input type, else as FINN derives it from the inputs' range — UINT(⌈log2(max+1)⌉)
 * when all are unsigned, else INT(⌈log2(max(−min, max+1))+1⌉).
 */
export function concatOutType(types: readonly DataType[]): DataType {
  if (types.every((t) => dtEquals(t, types[0]!))) return types[0]!;
  const lo = Math.min(0, ...types.map(dtMin)), hi = Math.max(0, ...types.map(dtMax));
  if (lo >= 0) return uint(Math.max(1, Math.ceil(Math.log2(hi + 1))));
  return int(Math.ceil(Math.log2(Math.max(-lo, hi + 1)) + 1));
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const total = (p: ConcatParams): number => p.elemsPerStream.reduce((a, b) => a + b, 0);

/** Why the params cannot be built, or undefined. */
function problem(p: Pick<ConcatParams, 'elemsPerStream' | 'inputTypes'>): string | undefined {
  const n = p.elemsPerStream.length;
  if (n < 2 || n > CONCAT_MAX_INPUTS) return `${n} inputs; the core concatenates 2..${CONCAT_MAX_INPUTS} streams`;
  if (p.inputTypes.length !== n) return `${p.inputTypes.length} input datatypes for ${n} streams`;
  if (p.inputTypes.some((t) => t.kind === 'float32')) return 'inputs must have integer datatypes';
  const mixed = !p.inputTypes.every((t) => dtEquals(t, p.inputTypes[0]!));
  if (mixed && p.inputTypes.some((t) => t.kind === 'bipolar')) return 'bipolar inputs can only be concatenated with bipolar inputs';
  return undefined;
}

export const streamingConcat: HwLayer<'hw.StreamingConcat', ConcatParams> = {
  kind: 'hw.StreamingConcat',
  finnName: 'StreamingConcat',
  color: '#0d9488',
  readFinn(r) {
    // FINN ≥ 0.10: ChannelsPerStream, inputDataTypes, SIMD; older: ElemsPerStream, one inputDataType, one element per word
    const elemsPerStream = r.has('ChannelsPerStream') ? r.ints('ChannelsPerStream') : r.ints('ElemsPerStream');
    const inputTypes = r.has('inputDataTypes') ? r.dtypes('inputDataTypes') : elemsPerStream.map(() => r.dtype('inputDataType'));
    const p = { elemsPerStream, simd: r.int('SIMD', 1), inputTypes, numVectors: r.ints('numInputVectors', [1]) };
    const why = problem(p);
    if (why) r.fail(why);
    return p;
  },
  writeFinn: (p) => [
    fa.int('SIMD', p.simd), fa.ints('ChannelsPerStream', p.elemsPerStream), fa.dtypes('inputDataTypes', p.inputTypes), fa.ints('numInputVectors', p.numVectors),
  ],
  folding: (p) => [{ key: 'simd', values: divisors(p.elemsPerStream.reduce(gcd)) }],
  checkFolding(p, node) {
    const g = p.elemsPerStream.reduce(gcd);
    if (!Number.isInteger(p.simd) || p.simd < 1 || g % p.simd !== 0) foldError(node, `SIMD=${p.simd} must divide the channels of every input (${p.elemsPerStream.join(', ')})`, divisors(g));
  },
  weightBits: () => 0,
  // FINN: prod(folded output shape without the last axis) — one output word per cycle
  cycles: (p) => (total(p) / p.simd) * prod(p.numVectors),
  // our own model: an N:1 mux of SIMD·O bits with sign extension, the output stage (2 FFs per bit), counters
  resources(p, part) {
    const w = p.simd * dtBits(concatOutType(p.inputTypes));
    return { LUT: Math.round((24 + w * Math.ceil(p.elemsPerStream.length / 2)) * lutScale(part)), FF: 2 * w + 40, BRAM_18K: 0, URAM: 0, DSP: 0 };
  },
  execute(p, xs) {
    const vecs = xs[0]!.data.length / p.elemsPerStream[0]!;
    const t = total(p);
    const out = new Float64Array(vecs * t);
    for (let v = 0; v < vecs; v++) {
      let o = v * t;
      p.elemsPerStream.forEach((e, k) => { out.set(xs[k]!.data.subarray(v * e, (v + 1) * e), o); o += e; });
    }
    return [{ shape: [...xs[0]!.shape.slice(0, -1), t], data: out }];
  },
  inputs: (p) => p.elemsPerStream.map((e, k) => port(p.inputTypes[k]!, p.simd, e * prod(p.numVectors))),
  outputs: (p) => [port(concatOutType(p.inputTypes), p.simd, total(p) * prod(p.numVectors))],
  outTypes: (p) => [concatOutType(p.inputTypes)],
  rtl(p) {
    const why = problem(p);
    if (why) fail('E_RTL', `StreamingConcat: ${why}`);
    const codes = p.inputTypes.map(elemCode);
    return {
      core: `finn_concat${p.elemsPerStream.length}`,
      params: [['SIMD', p.simd], ['OBITS', elemCode(concatOutType(p.inputTypes)).bits],
        ...p.elemsPerStream.flatMap((e, k): [string, number][] => [[`WORDS${k}`, e / p.simd], [`BITS${k}`, codes[k]!.bits], [`SIGNED${k}`, codes[k]!.signed ? 1 : 0]])],
      memories: [],
    };
  },
  describe: (p) => ({ detail: `concatenate ${p.elemsPerStream.length} streams (${p.inputTypes.map(dtName).join(', ')}) → ${dtName(concatOutType(p.inputTypes))}`, dims: `${p.elemsPerStream.join(' + ')} ch` }),
};
