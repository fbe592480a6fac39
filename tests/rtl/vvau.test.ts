/**
 * VVAU: finn_vvau lint and parameter checks; the core against execute() under random stalls (integer MAC, XNOR,
 * bipolar × integer, raw accumulators; PE/SIMD folding); a depthwise sliding window + VVAU against a direct
 * depthwise convolution.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIPOLAR, dtMax, dtMin, dtSigned, int, smallestIntType, uint, type DataType } from '../../src/ir/datatype.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { vvau, type VvauParams } from '../../src/hw/vvau.ts';
import { swg } from '../../src/hw/swg.ts';
import { runLayerCases, type LayerCase } from './layer-harness.ts';
import { illegalParamTests, lintTests } from './core-checks.ts';
import { Rng } from './cases.ts';
import { tempDir } from '../helpers/shared.ts';

interface Shape {
  c: number; k: [number, number]; dim: [number, number]; pe: number; simd: number;
  inputType: DataType; weightType: DataType; xnor?: boolean;
  /** Thresholds per channel (0: raw accumulators), output datatype and activation offset. */
  steps: number; outputType?: DataType; actVal?: number;
}

const randomValue = (r: Rng, t: DataType): number => (t.kind === 'bipolar' ? (r.bool() ? 1 : -1) : r.int(dtMin(t), dtMax(t)));

/** Params, weights [C,1,kh,kw] and thresholds [C, steps] (sorted, spread over the accumulator range). */
function vvauCase(r: Rng, name: string, s: Shape): LayerCase {
  const k = s.k[0] * s.k[1];
  const w = Float64Array.from({ length: s.c * k }, () => randomValue(r, s.weightType));
  let lo = 0, hi = 0;
  for (let c = 0; c < s.c; c++) {
    let l = 0, h = 0;
    for (let i = 0; i < k; i++) {
      const ps = [dtMin(s.inputType), dtMax(s.inputType)].map((x) => x * w[c * k + i]!);
      l += Math.min(...ps); h += Math.max(...ps);
    }
    lo = Math.min(lo, l); hi = Math.max(hi, h);
  }
  const signedAcc = !s.xnor && (dtSigned(s.inputType) || dtSigned(s.weightType));
  const accType = s.xnor ? uint(Math.ceil(Math.log2(k + 1))) : smallestIntType(Math.min(signedAcc ? -1 : 0, lo), hi);
  const [alo, ahi] = s.xnor ? [0, k] : [lo, hi];
  const consts: Tensor[] = [{ shape: [s.c, 1, s.k[0], s.k[1]], data: w }];
  if (s.steps > 0) {
    const t = new Float64Array(s.c * s.steps);
    for (let c = 0; c < s.c; c++) {
      const row = Array.from({ length: s.steps }, () => r.int(alo, ahi + 1)).sort((a, b) => a - b);
      t.set(row, c * s.steps);
    }
    consts.push({ shape: [s.c, s.steps], data: t });
  }
  const p: VvauParams = {
    channels: s.c, kernel: s.k, dim: s.dim, pe: s.pe, simd: s.simd, inputType: s.inputType, weightType: s.weightType, accType,
    outputType: s.steps > 0 ? s.outputType! : accType, binaryXnor: s.xnor ?? false, noActivation: s.steps === 0, numThresholds: s.steps,
    actVal: s.actVal ?? 0, ramStyle: r.pick(['auto', 'block', 'distributed'] as const), memMode: 'internal_embedded', resType: 'auto',
  };
  return { name, op: { kind: 'hw.VVAU', p }, consts, inputs: [{ dtype: s.inputType, shape: [1, ...s.dim, s.c * k] }] };
}

describe('finn_vvau: lint and parameter checks', () => {
  lintTests('finn_vvau', [
    {},
    { C: 32, K: 9, PE: 4, SIMD: 3, WBITS: 4, ABITS: 4, W_SIGNED: 1, BINARY_XNOR: 0, ACC_BITS: 12, NTHRESH: 15, TBITS: 13, OBITS: 4, RAM_STYLE: 'block' },
    { C: 8, K: 9, PE: 8, SIMD: 9, WBITS: 8, ABITS: 8, W_SIGNED: 1, A_SIGNED: 1, BINARY_XNOR: 0, ACC_BITS: 19, USE_THRESH: 0, OBITS: 24, RAM_STYLE: 'distributed' },
    { C: 4, K: 4, PE: 2, SIMD: 2, WBITS: 2, ABITS: 1, A_BIPOLAR: 1, W_SIGNED: 1, BINARY_XNOR: 0, ACC_BITS: 4, USE_THRESH: 0, OBITS: 4 },
    { C: 1, K: 1, ACC_BITS: 1, USE_THRESH: 0, OBITS: 1 },
    { C: 16, K: 9, PE: 16, SIMD: 9, ACC_BITS: 4, TBITS: 5 },
  ]);
  illegalParamTests('finn_vvau', [
    [{ C: 6, PE: 4 }, /finn_vvau: need C % PE == 0 and K % SIMD == 0 \(C=6 PE=4/],
    [{ K: 9, SIMD: 2 }, /finn_vvau: need C % PE == 0 and K % SIMD == 0/],
    [{ ACC_BITS: 3 }, /finn_vvau: BINARY_XNOR needs WBITS = ABITS = 1 and ACC_BITS >= clog2\(K\+1\)/],
    [{ A_BIPOLAR: 1 }, /finn_vvau: A_BIPOLAR needs BINARY_XNOR = 0/],
  ]);
});

test('VVAU core: MAC / XNOR / bipolar×int / raw accumulators, PE and SIMD folding, bit-exact with stalls, C·K/(PE·SIMD) cycles per pixel', async () => {
  const r = new Rng(7171);
  const cases = [
    vvauCase(r, 'mac_u4xi4_c8_k3x3_pe2_simd3', { c: 8, k: [3, 3], dim: [3, 3], pe: 2, simd: 3, inputType: uint(4), weightType: int(4), steps: 15, outputType: uint(4) }),
    vvauCase(r, 'xnor_c16_k3x3_pe4_simd9', { c: 16, k: [3, 3], dim: [2, 2], pe: 4, simd: 9, inputType: BIPOLAR, weightType: BIPOLAR, xnor: true, steps: 1, outputType: BIPOLAR }),
    vvauCase(r, 'raw_i8xi8_c4_k3x3_pe4_simd1', { c: 4, k: [3, 3], dim: [2, 3], pe: 4, simd: 1, inputType: int(8), weightType: int(8), steps: 0 }),
    vvauCase(r, 'bipolar_x_i3_c6_k1x3_pe3', { c: 6, k: [1, 3], dim: [3, 2], pe: 3, simd: 1, inputType: BIPOLAR, weightType: int(3), steps: 3, outputType: int(2), actVal: -2 }),
    vvauCase(r, 'u2_x_bipolarw_c4_k1x1', { c: 4, k: [1, 1], dim: [4, 4], pe: 1, simd: 1, inputType: uint(2), weightType: BIPOLAR, steps: 0 }),
    vvauCase(r, 'mac_i4xi2_c12_k5x5_pe6_simd5', { c: 12, k: [5, 5], dim: [2, 2], pe: 6, simd: 5, inputType: int(4), weightType: int(2), steps: 7, outputType: int(4), actVal: -4 }),
  ];
  const res = await runLayerCases(cases, { dir: tempDir('vvau'), workDir: join(tmpdir(), 'finn-ts-rtl-tests'), seed: 71, frames: 4 });
  for (const x of res) {
    assert.deepEqual(x.mismatches, [0], `${x.name}: ${x.firstMismatch}`);
    assert.equal(x.cyclesPerFrame, x.estimate, `${x.name}: ${x.cyclesPerFrame} cycles/frame vs ${x.estimate} estimated`);
  }
});

test('depthwise sliding window (SIMD = PE) + VVAU = direct depthwise convolution, for PE 1, 2, C', () => {
  const r = new Rng(99);
  const [h, w, c, kh, kw, sh, sw] = [7, 6, 4, 3, 2, 2, 1];
  const oh = Math.floor((h - kh) / sh) + 1, ow = Math.floor((w - kw) / sw) + 1;
  const x: Tensor = { shape: [1, h, w, c], data: Float64Array.from({ length: h * w * c }, () => r.int(0, 15)) };
  const wt: Tensor = { shape: [c, 1, kh, kw], data: Float64Array.from({ length: c * kh * kw }, () => r.int(-8, 7)) };
  const ref = new Float64Array(oh * ow * c);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let ch = 0; ch < c; ch++) {
    let a = 0;
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) a += x.data[((y * sh + i) * w + xx * sw + j) * c + ch]! * wt.data[(ch * kh + i) * kw + j]!;
    ref[(y * ow + xx) * c + ch] = a;
  }
  for (const pe of [1, 2, c]) {
    const win = swg.execute({ ifm: [h, w], ofm: [oh, ow], channels: c, kernel: [kh, kw], stride: [sh, sw], simd: pe, dtype: uint(4), ramStyle: 'auto', depthwise: true }, [x])[0]!;
    const p: VvauParams = { channels: c, kernel: [kh, kw], dim: [oh, ow], pe, simd: 1, inputType: uint(4), weightType: int(4), accType: int(12), outputType: int(12),
      binaryXnor: false, noActivation: true, numThresholds: 0, actVal: 0, ramStyle: 'auto', memMode: 'internal_embedded', resType: 'auto' };
    const y = vvau.execute(p, [win, wt])[0]!;
    assert.deepEqual(y.shape, [1, oh, ow, c]);
    assert.deepEqual(Array.from(y.data), Array.from(ref), `PE ${pe}`);
    assert.equal(vvau.cycles(p), (c * kh * kw / pe) * oh * ow);
  }
});
