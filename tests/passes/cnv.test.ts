/** Convolutional networks through the compiler: every pass keeps the outputs, the result is only hardware layers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { BNN_PYNQ_CNV_FOLDING, CNV_LAYERS, syntheticQonnxCnv } from '../../src/models/synthetic-cnv.ts';
import { rng } from '../../src/util/random.ts';
import { isHwOp } from '../../src/ir/ops.ts';
import { assertEquivalent } from '../helpers/equivalence.ts';
import { tempDir } from '../helpers/shared.ts';

const base = { part: 'xc7z045', clockNs: 5, preprocess: 'auto' as const, maxWeightWidth: 36, twoPassFolding: false, log: () => {} };

for (const [w, a, pad] of [[1, 1, 0], [2, 2, 1], [1, 2, 1], [2, 1, 0]] as const) {
  test(`small CNV W${w}A${a}${pad ? ' with padding' : ''}: every pass keeps the outputs; only hardware layers remain`, async () => {
    const dir = tempDir(`cnv${w}${a}`);
    const model = join(dir, 'cnv.onnx');
    writeModel(syntheticQonnxCnv({ input: [3, 12, 12], layers: [{ conv: 8 }, { conv: 8, pad }, 'pool', { conv: 16 }], fc: [32, 10], wbits: w, abits: a, seed: 10 * w + a }), model);
    const r = rng(w + a);
    const imgs = Array.from({ length: 5 }, () => Uint8Array.from({ length: 432 }, () => r.int(0, 255)));
    const fired = new Set<string>();
    const res = await build({ ...base, model, out: join(dir, 'b'), targetFps: 5000, to: 'estimate', afterPass: (p, x, y) => { fired.add(p.name); assertEquivalent(x, y, imgs, p.name); } });
    assert.ok(res.graph.nodes.every((n) => isHwOp(n.op)));
    const kinds = new Set(res.graph.nodes.map((n) => n.op.kind));
    for (const k of ['hw.ConvolutionInputGenerator', 'hw.MVAU', 'hw.StreamingMaxPool', 'hw.LabelSelect']) assert.ok(kinds.has(k as never), k);
    assert.equal(kinds.has('hw.FMPadding'), pad > 0);
    for (const p of ['lower/conv-to-im2col', 'lower/maxpool-to-nhwc', 'lower/sink-nchw-transposes', 'lower/collapse-transposes', 'lower/absorb-transpose-into-flatten', 'hw/to-swg', 'hw/to-maxpool', 'hw/absorb-input-transpose']) {
      assert.ok(fired.has(p), `${p} never fired`);
    }
    assertEquivalent(readModel(model), res.graph, imgs, 'imported vs hardware graph');
  });
}

test('zero padding of bipolar activations is refused with a clear error', async () => {
  const dir = tempDir('cnvbad');
  const model = join(dir, 'cnv.onnx');
  writeModel(syntheticQonnxCnv({ input: [3, 8, 8], layers: [{ conv: 4 }, { conv: 4, pad: 1 }], fc: [10], wbits: 1, abits: 1, seed: 1 }), model);
  await assert.rejects(build({ ...base, model, out: join(dir, 'b'), to: 'estimate' }), /padding BIPOLAR activations with 0 cannot be represented/);
});


test("FINN's CNV (3×32×32, 64-64-pool-128-128-pool-256-256, FC 512-512-10) at BNN-PYNQ's folding: estimates", async () => {
  const dir = tempDir('cnvfull');
  const model = join(dir, 'cnv.onnx');
  writeModel(syntheticQonnxCnv({ input: [3, 32, 32], layers: CNV_LAYERS, fc: [512, 512, 10], wbits: 1, abits: 1, seed: 5 }), model);
  writeFileSync(join(dir, 'fold.json'), JSON.stringify(BNN_PYNQ_CNV_FOLDING));
  const res = await build({ ...base, model, out: join(dir, 'b'), foldingFile: join(dir, 'fold.json'), to: 'estimate' });
  const cycles = JSON.parse(readFileSync(join(dir, 'b/report/estimate_layer_cycles.json'), 'utf8'));
  // MVAU cycles = NF · SF · OFM²
  assert.equal(cycles.MVAU_0, (64 / 16) * (27 / 3) * 30 * 30);
  assert.equal(cycles.MVAU_1, (64 / 32) * (576 / 32) * 28 * 28);
  assert.equal(cycles.MVAU_5, (256 / 1) * (2304 / 32) * 1);
  assert.equal(cycles.MVAU_6, 512 * (256 / 4));
  assert.equal(cycles.StreamingMaxPool_0, 28 * 28);
  const perf = JSON.parse(readFileSync(join(dir, 'b/report/estimate_network_performance.json'), 'utf8'));
  assert.equal(perf.max_cycles, 32768);
  assert.equal(res.graph.nodes.filter((n) => n.op.kind === 'hw.MVAU').length, 9);
});
