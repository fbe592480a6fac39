/** MVAU: matrix-vector-activation unit (XNOR-popcount or integer MAC, optional fused thresholds), PE × SIMD folded. */
import { minMax } from '../util/minmax.ts';
import { dtBits, dtMax, dtMin, dtSigned } from '../ir/datatype.ts';
import { bitsFor, mvauWeightWords, thresholdWords } from '../rtl/layout.ts';
import type { Tensor } from '../ir/tensor.ts';
import { activationValue, bram18, foldError, inLutram, thresholdCount, uram } from './common.ts';
import { divisors, elemCode, type HwLayer, type LayerRtl } from './layer.ts';
import type { MvauParams } from './params.ts';

const nVec = (p: MvauParams): number => p.numVectors.reduce((a, b) => a * b, 1);
export const wmem = (p: MvauParams): number => (p.mw * p.mh) / (p.pe * p.simd);
export const tmem = (p: MvauParams): number => p.mh / p.pe;
const outBits = (p: MvauParams): number => dtBits(p.noActivation ? p.accType : p.outputType);

/** FINN's minimal accumulator width bound (arXiv 2301.13376), used in the LUT model. */
function accBitsBound(p: MvauParams): number {
  const W = dtBits(p.weightType), A = dtBits(p.inputType);
  const alpha = Math.log2(p.mw) + W + A - 1 - (dtSigned(p.inputType) ? 1 : 0);
  return Math.min(dtBits(p.accType), Math.ceil(alpha + Math.log2(1 + 2 ** -alpha) + 1));
}

export const mvau: HwLayer<'hw.MVAU'> = {
  kind: 'hw.MVAU',
  finnName: 'MVAU',
  folding: (p) => [{ key: 'simd', values: divisors(p.mw) }, { key: 'pe', values: divisors(p.mh) }],
  checkFolding(p, node) {
    if (!Number.isInteger(p.simd) || p.simd < 1 || p.mw % p.simd !== 0) foldError(node, `SIMD=${p.simd} must divide MW=${p.mw}`, divisors(p.mw));
    if (!Number.isInteger(p.pe) || p.pe < 1 || p.mh % p.pe !== 0) foldError(node, `PE=${p.pe} must divide MH=${p.mh}`, divisors(p.mh));
  },
  cycles: (p) => (p.mh / p.pe) * (p.mw / p.simd) * nVec(p),
  resources(p, part) {
    const W = dtBits(p.weightType), A = dtBits(p.inputType);
    const P = p.pe, Q = p.simd;
    const depth = wmem(p), width = P * Q * W;
    const lutram = inLutram(p.ramStyle, depth);
    const c2 = lutram ? width * Math.ceil(depth / 64) : 0;
    const mult = Q * (2 * Math.ceil((W + A) / 6) - 1) * (W + A);
    const adder = (W + A) * (2 * Q - 1);
    const acc = accBitsBound(p);
    let thr = 0, comp = 0;
    if (!p.noActivation) {
      const S = p.numThresholds;
      thr = inLutram(p.ramStyle, tmem(p)) ? S * acc * Math.ceil(tmem(p) / 64) : 0;
      comp = S * acc;
    }
    const scale = part.lutInputs >= 6 ? 1 : 1.6; // 4-input LUTs need more of them
    const LUT = Math.round((300 + 1.1 * P * (mult + adder + acc + thr + comp) + c2) * scale);
    const FF = Math.round(P * (acc + outBits(p)) + Q * A * 2 + 2 * (Math.log2(depth + 1) | 0) + 64);
    const ultra = p.ramStyle === 'ultra';
    return {
      LUT, FF,
      BRAM_18K: lutram || ultra ? 0 : bram18(depth, width),
      URAM: ultra ? uram(depth, width) : 0,
      DSP: 0,
    };
  },
  execute(p, [x, w, t]) {
    const rows = x!.data.length / p.mw;
    const acc = p.binaryXnor ? xnorAccumulators(p, x!.data, w!.data, rows) : macAccumulators(p, x!.data, w!.data, rows);
    const out = p.noActivation ? acc : acc.map((a, i) => activationValue(thresholdCount(a, t!.data, i % p.mh, p.numThresholds), p.actVal, p.outputType));
    // a flattened stream (e.g. NHWC pixels feeding an FC layer) comes as [..., C] with C ≠ MW: one vector per MW elements
    const shape = x!.shape.at(-1) === p.mw ? [...x!.shape.slice(0, -1), p.mh] : [rows, p.mh];
    return [{ shape, data: out } satisfies Tensor];
  },
  inWidth: (p) => p.simd * dtBits(p.inputType),
  outWidth: (p) => p.pe * outBits(p),
  inElems: (p) => p.mw * nVec(p),
  outElems: (p) => p.mh * nVec(p),
  weightStreamWidth: (p) => p.pe * p.simd * dtBits(p.weightType),
  inElem: (p) => elemCode(p.inputType),
  outElem: (p) => elemCode(p.noActivation ? p.accType : p.outputType),
  rtl: mvauRtl,
};

/** Integer multiply-accumulate: acc[r, n] = Σ_k x[r, k] · W[k, n]. */
function macAccumulators(p: MvauParams, x: Float64Array, wd: Float64Array, rows: number): Float64Array {
  const out = new Float64Array(rows * p.mh);
  for (let r = 0; r < rows; r++) {
    const oo = r * p.mh;
    for (let k = 0; k < p.mw; k++) {
      const xv = x[r * p.mw + k]!, wo = k * p.mh;
      if (xv !== 0) for (let n = 0; n < p.mh; n++) out[oo + n]! += xv * wd[wo + n]!;
    }
  }
  return out;
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits of ±1 values (1 = +1) packed 32 per word; `at(k)` gives element k. */
function packBits(n: number, at: (k: number) => number): Uint32Array {
  const out = new Uint32Array(Math.ceil(n / 32));
  for (let k = 0; k < n; k++) if (at(k) > 0) out[k >>> 5]! |= 1 << (k & 31);
  return out;
}

/** XNOR-popcount on bit-packed operands: acc[r, n] = #{k : x[r, k] = W[k, n]}, exactly what the hardware counts. */
function xnorAccumulators(p: MvauParams, x: Float64Array, wd: Float64Array, rows: number): Float64Array {
  const words = Math.ceil(p.mw / 32);
  const tail = p.mw % 32 === 0 ? 0xffffffff : (1 << (p.mw % 32)) - 1;
  const wp = Array.from({ length: p.mh }, (_, n) => packBits(p.mw, (k) => wd[k * p.mh + n]!));
  const out = new Float64Array(rows * p.mh);
  for (let r = 0; r < rows; r++) {
    const xp = packBits(p.mw, (k) => x[r * p.mw + k]!);
    for (let n = 0; n < p.mh; n++) {
      const wn = wp[n]!;
      let c = 0;
      for (let i = 0; i < words; i++) c += popcount32(~(xp[i]! ^ wn[i]!) & (i === words - 1 ? tail : 0xffffffff));
      out[r * p.mh + n] = c;
    }
  }
  return out;
}

/** Row n of the transposed weights (neuron n over all input columns), encoded for the core. */
function weightRows(p: MvauParams, w: Tensor): number[][] {
  const rows: number[][] = [];
  for (let n = 0; n < p.mh; n++) {
    const row: number[] = new Array(p.mw);
    for (let c = 0; c < p.mw; c++) {
      const v = w.data[c * p.mh + n]!;
      row[c] = p.binaryXnor ? (v > 0 ? 1 : 0) : v;
    }
    rows.push(row);
  }
  return rows;
}

function mvauRtl(p: MvauParams, [w, t]: readonly Tensor[]): LayerRtl {
  const wbits = p.binaryXnor ? 1 : dtBits(p.weightType);
  const accBits = dtBits(p.accType);
  const out = mvau.outElem(p);
  const memories: LayerRtl['memories'][number][] = [
    { param: 'WEIGHT_FILE', suffix: 'weights', width: p.pe * p.simd * wbits, words: mvauWeightWords(weightRows(p, w!), p.pe, p.simd, wbits) },
  ];
  let tbits = 2;
  if (!p.noActivation) {
    const s = p.numThresholds;
    const rows = Array.from({ length: p.mh }, (_, n) => Array.from(t!.data.subarray(n * s, (n + 1) * s)));
    const all = rows.flat();
    tbits = bitsFor(...minMax(all, [Math.min(-1, dtMin(p.accType)), dtMax(p.accType) + 1]));
    memories.push({ param: 'THRESH_FILE', suffix: 'thresholds', width: p.pe * s * tbits, words: thresholdWords(rows, p.pe, tbits) });
  }
  return {
    core: 'finn_mvau',
    params: [
      ['MW', p.mw], ['MH', p.mh], ['PE', p.pe], ['SIMD', p.simd], ['WBITS', wbits], ['ABITS', dtBits(p.inputType)],
      ['W_SIGNED', !p.binaryXnor && dtSigned(p.weightType) ? 1 : 0], ['A_SIGNED', p.inputType.kind === 'int' && p.inputType.signed ? 1 : 0],
      ['A_BIPOLAR', !p.binaryXnor && p.inputType.kind === 'bipolar' ? 1 : 0], ['BINARY_XNOR', p.binaryXnor ? 1 : 0],
      ['ACC_BITS', accBits], ['USE_THRESH', p.noActivation ? 0 : 1], ['NTHRESH', Math.max(1, p.numThresholds)], ['TBITS', tbits],
      ['OBITS', out.bits], ['ACT_VAL', p.actVal], ['N_VECTORS', nVec(p)], ['RAM_STYLE', p.ramStyle],
    ],
    memories,
  };
}
