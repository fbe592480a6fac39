/** ChannelwiseOp: the core against the layer's execute() under random stalls, through the real backend. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIPOLAR, int, uint, smallestIntType, type DataType } from '../../src/ir/datatype.ts';
import { channelwiseRange, type ChannelwiseFunc } from '../../src/hw/channelwise.ts';
import { runLayerCases, type LayerCase } from './layer-harness.ts';
import { Rng } from './cases.ts';
import { tempDir } from '../helpers/shared.ts';

function cwCase(r: Rng, name: string, func: ChannelwiseFunc, inputType: DataType, channels: number, pe: number, vec: number[], plo: number, phi: number): LayerCase {
  const params = Float64Array.from({ length: channels }, () => r.int(plo, phi));
  const [lo, hi] = channelwiseRange(func, inputType, params);
  return {
    name, consts: [{ shape: [channels], data: params }],
    op: { kind: 'hw.ChannelwiseOp', p: { channels, pe, func, inputType, paramType: smallestIntType(Math.min(0, plo), Math.max(0, phi)), outputType: smallestIntType(lo, hi), numVectors: vec, ramStyle: 'auto' } },
    inputs: [{ dtype: inputType, shape: [1, ...vec, channels] }],
  };
}

test('ChannelwiseOp core: add, mul, ≤, ≥ on signed/unsigned/bipolar streams, PE 1..C, bit-exact with stalls, C/PE cycles per vector', async () => {
  const r = new Rng(4242);
  const cases = [
    cwCase(r, 'add_u4_c8_pe2', 'add', uint(4), 8, 2, [3], -20, 20),
    cwCase(r, 'add_i8_c10_pe10', 'add', int(8), 10, 10, [1], -300, 300),
    cwCase(r, 'mul_bipolar_c10_pe1', 'mul', BIPOLAR, 10, 1, [1], 1, 10),
    cwCase(r, 'mul_i3_c12_pe4', 'mul', int(3), 12, 4, [2, 2], -7, 7),
    cwCase(r, 'cmple_u5_c6_pe3', 'cmp_le', uint(5), 6, 3, [4], 0, 31),
    cwCase(r, 'cmpge_i4_c4_pe1', 'cmp_ge', int(4), 4, 1, [5], -8, 7),
    cwCase(r, 'add_i16_c3_pe3', 'add', int(16), 3, 3, [2], -1000, 1000),
  ];
  const res = await runLayerCases(cases, { dir: tempDir('channelwise'), workDir: join(tmpdir(), 'finn-ts-rtl-tests'), seed: 11, frames: 6 });
  for (const x of res) {
    assert.deepEqual(x.mismatches, [0], `${x.name}: ${x.firstMismatch}`);
    assert.equal(x.cyclesPerFrame, x.estimate, `${x.name}: ${x.cyclesPerFrame} cycles/frame vs ${x.estimate} estimated`);
  }
});
