/** The paper's LFC shape (784-1024-1024-1024-10, W1A1) at LFC-max folding, padded as the paper does: 128 cycles/frame. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { tempDir } from '../helpers/shared.ts';

export const LFC_MAX = { Thresholding_0: { PE: 8 }, MVAU_0: { PE: 128, SIMD: 64 }, MVAU_1: { PE: 128, SIMD: 64 }, MVAU_2: { PE: 128, SIMD: 64 }, MVAU_3: { PE: 16, SIMD: 8 } };

test('LFC-shaped W1A1 at SIMD/PE 64/128, 64/128, 64/128, 8/16: padded, bit-exact under stalls, 128 cycles/frame', async () => {
  const dir = tempDir('lfc');
  writeModel(syntheticQonnxMlp({ sizes: [784, 1024, 1024, 1024, 10], wbits: 1, abits: 1, seed: 42 }), join(dir, 'lfc.onnx'));
  writeFileSync(join(dir, 'fold.json'), JSON.stringify(LFC_MAX));
  const logs: string[] = [];
  const out = join(dir, 'b');
  const r = await build({ model: join(dir, 'lfc.onnx'), out, part: 'xc7z045', clockNs: 5, foldingFile: join(dir, 'fold.json'), pad: true,
    preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: (m) => logs.push(m), verifyLimit: 120, stalls: true });
  assert.ok(logs.some((l) => /MVAU_0 input width 784 → 832/.test(l)), 'first layer padded to 832 inputs');
  assert.ok(logs.some((l) => /MVAU_3 outputs 10 → 16/.test(l)), 'last layer padded to 16 outputs');
  assert.deepEqual(r.graph.nodes.map((n) => n.op.kind), ['hw.Thresholding', 'hw.ChannelPad', 'hw.MVAU', 'hw.MVAU', 'hw.MVAU', 'hw.MVAU', 'hw.LabelSelect']);
  const cycles = JSON.parse(readFileSync(join(out, 'report/estimate_layer_cycles.json'), 'utf8'));
  assert.deepEqual(cycles, { Thresholding_0: 98, ChannelPad_0: 104, MVAU_0: 104, MVAU_1: 128, MVAU_2: 128, MVAU_3: 128, LabelSelect_0: 16 });
  const v = JSON.parse(readFileSync(join(out, 'report/verification.json'), 'utf8'));
  for (const s of v.stages) assert.equal(s.mismatches, 0, s.stage);
  const perf = JSON.parse(readFileSync(join(out, 'report/rtlsim_performance.json'), 'utf8'));
  assert.equal(perf.cycles_per_frame, 128);
  assert.equal(perf.stable_throughput, 200e6 / 128);
});
