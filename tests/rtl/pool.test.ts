/** Pool (Pool_Batch): finn_pool lint and parameter checks; the core against execute() under random stalls. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIPOLAR, int, TERNARY, uint, type DataType } from '../../src/ir/datatype.ts';
import { pool, poolAccBits, poolShift, type PoolFunc, type PoolParams } from '../../src/hw/pool.ts';
import { swg } from '../../src/hw/swg.ts';
import { runLayerCases, type LayerCase } from './layer-harness.ts';
import { illegalParamTests, lintTests } from './core-checks.ts';
import { tempDir } from '../helpers/shared.ts';

function params(func: PoolFunc, inputType: DataType, outputType: DataType, channels: number, pe: number, kernel: [number, number], outImg: [number, number], o: { accBits?: number; shift?: number } = {}): PoolParams {
  const k = kernel[0] * kernel[1];
  return { channels, pe, kernel, func, outImg, inputType, outputType, accBits: o.accBits ?? poolAccBits(inputType, k), shift: o.shift ?? (func === 'QuantAvgPool' ? poolShift(inputType, outputType, k) : 0) };
}

function poolCase(name: string, p: PoolParams): LayerCase {
  return { name, op: { kind: 'hw.Pool', p }, inputs: [{ dtype: p.inputType, shape: [1, ...p.outImg, p.kernel[0] * p.kernel[1] * p.channels] }] };
}

describe('finn_pool: lint and parameter checks', () => {
  lintTests('finn_pool', [{}, { FUNC: 1 }, { PE: 4, K: 9, ABITS: 4, A_SIGNED: 1, FUNC: 1, ACC_BITS: 8, SHIFT: 4, OBITS: 4 },
    { PE: 2, K: 1, ABITS: 1, OBITS: 1 }, { PE: 3, K: 4, ABITS: 8, FUNC: 1, ACC_BITS: 10, SHIFT: 0, OBITS: 12 }]);
  illegalParamTests('finn_pool', [
    [{ FUNC: 2 }, /finn_pool: need PE, K, ABITS, OBITS >= 1 and FUNC in 0..1/],
    [{ OBITS: 5 }, /finn_pool: MaxPool needs OBITS = ABITS \(5, 4\)/],
    [{ FUNC: 1, SHIFT: -1 }, /finn_pool: QuantAvgPool needs ACC_BITS >= 1 and SHIFT >= 0/],
  ]);
});

test('Pool core: MaxPool and QuantAvgPool (signed/unsigned, shifts, wrapping accumulators), bit-exact with stalls, C·K/PE cycles per pixel', async () => {
  const cases = [
    poolCase('max_u4_k2x2_c8_pe2', params('MaxPool', uint(4), uint(4), 8, 2, [2, 2], [3, 3])),
    poolCase('max_i3_k3x3_c6_pe6', params('MaxPool', int(3), int(3), 6, 6, [3, 3], [2, 2])),
    poolCase('max_bipolar_k3x2_c4_pe1', params('MaxPool', BIPOLAR, BIPOLAR, 4, 1, [3, 2], [2, 3])),
    poolCase('max_ternary_k1_c3_pe3', params('MaxPool', TERNARY, TERNARY, 3, 3, [1, 1], [4, 4])),
    poolCase('avg_u4_k2x2_c8_pe4', params('QuantAvgPool', uint(4), uint(4), 8, 4, [2, 2], [3, 3])),
    poolCase('avg_i4_k3x3_c4_pe2', params('QuantAvgPool', int(4), int(4), 4, 2, [3, 3], [2, 2])),
    poolCase('avg_u8_k7x7_c2_pe1_to_u8', params('QuantAvgPool', uint(8), uint(8), 2, 1, [7, 7], [1, 1])),
    poolCase('avg_u2_k2x2_noshift_u5', params('QuantAvgPool', uint(2), uint(5), 6, 3, [2, 2], [2, 2])),
    poolCase('avg_i4_narrow_acc_wraps', params('QuantAvgPool', int(4), int(3), 4, 4, [3, 3], [2, 1], { accBits: 5, shift: 1 })),
  ];
  const res = await runLayerCases(cases, { dir: tempDir('pool'), workDir: join(tmpdir(), 'finn-ts-rtl-tests'), seed: 51, frames: 5 });
  for (const x of res) {
    assert.deepEqual(x.mismatches, [0], `${x.name}: ${x.firstMismatch}`);
    assert.equal(x.cyclesPerFrame, x.estimate, `${x.name}: ${x.cyclesPerFrame} cycles/frame vs ${x.estimate} estimated`);
  }
});

test('Pool after a depthwise sliding window = max-pool / floor(sum >> shift) of each channel window (FINN semantics)', () => {
  const [h, w, c, pe] = [5, 4, 6, 3];
  const x = { shape: [1, h, w, c], data: Float64Array.from({ length: h * w * c }, (_, i) => (i * 7) % 16) };
  const windows = swg.execute({ ifm: [h, w], ofm: [2, 2], channels: c, kernel: [2, 2], stride: [2, 2], simd: pe, dtype: uint(4), ramStyle: 'auto', depthwise: true }, [x])[0]!;
  const at = (y: number, xx: number, ch: number): number => x.data[(y * w + xx) * c + ch]!;
  const maxP = params('MaxPool', uint(4), uint(4), c, pe, [2, 2], [2, 2]);
  const avgP = params('QuantAvgPool', uint(4), uint(4), c, pe, [2, 2], [2, 2]);
  assert.equal(avgP.shift, 2);  // 4·15 = 60 takes 6 bits, 2 more than UINT4 (FINN's Size)
  const mx = pool.execute(maxP, [windows])[0]!, av = pool.execute(avgP, [windows])[0]!;
  assert.deepEqual(mx.shape, [1, 2, 2, c]);
  for (let oy = 0; oy < 2; oy++) for (let ox = 0; ox < 2; ox++) for (let ch = 0; ch < c; ch++) {
    const vals = [at(2 * oy, 2 * ox, ch), at(2 * oy, 2 * ox + 1, ch), at(2 * oy + 1, 2 * ox, ch), at(2 * oy + 1, 2 * ox + 1, ch)];
    const i = (oy * 2 + ox) * c + ch;
    assert.equal(mx.data[i], Math.max(...vals));
    assert.equal(av.data[i], Math.floor(vals.reduce((a, b) => a + b) / 4));
  }
  assert.equal(pool.cycles(maxP), (c * 4 / pe) * 4);
});
