/**
 * Output contracts on real and synthetic models: scores dequantized by the host equal the imported model's logits;
 * per-class weights in front of the TopK become exact integer ChannelwiseOps; top-k indices through the RTL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { runFrames } from '../../src/runtime/eval.ts';
import { runWithContract } from '../../src/runtime/run-contract.ts';
import { contractOf } from '../../src/runtime/contract.ts';
import { loadMnistIdx } from '../../src/util/idx.ts';
import { argmax } from '../../src/runtime/predict.ts';
import { topk } from '../../src/exec/shape.ts';
import { classWeightedBnn } from '../../src/models/patterns.ts';
import { MNIST, ZOO_W1A1, ZOO_W2A2, tempDir } from '../helpers/shared.ts';

const base = (model: string, out: string, extra: Partial<BuildOptions>): BuildOptions => ({
  model, out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, targetFps: 1e6, ...extra,
});

/** The first n MNIST test images as the models' own input (pixels / 255, [n, 1, 28, 28]). */
function mnistUnit(n: number): { x: Float64Array; labels: Uint8Array } {
  const d = loadMnistIdx(MNIST, 'test');
  return { x: Float64Array.from(d.images.subarray(0, n * 784), (v) => v / 255), labels: d.labels.subarray(0, n) };
}

for (const [name, model] of [['TFC_1W1A', ZOO_W1A1], ['TFC_2W2A', ZOO_W2A2]] as const) {
  test(`--output scores on the zoo ${name}: dequantized scores equal the imported model's logits on 1,000 MNIST test images (all 10,000: npm run bench)`, async () => {
    const dir = tempDir(`scores-${name}`);
    const r = await build(base(model, join(dir, 'b'), { output: 'scores', to: 'estimate' }));
    const c = contractOf(r.graph)!;
    assert.equal(c.output?.kind, 'scores');
    assert.ok(c.output?.dequant, 'the dequantization is recorded');
    assert.ok(!r.graph.nodes.some((n) => n.op.kind === 'hw.LabelSelect'));
    const { x } = mnistUnit(1000);
    const got = await runWithContract(r.graph, { shape: [1000, 1, 28, 28], data: x });
    const want = await runFrames(readModel(model), { shape: [1000, 1, 28, 28], data: x });
    let maxAbs = 0, top1 = 0;
    for (let i = 0; i < 1000; i++) {
      const a = got.data.subarray(i * 10, i * 10 + 10), b = want.data.subarray(i * 10, i * 10 + 10);
      for (let j = 0; j < 10; j++) maxAbs = Math.max(maxAbs, Math.abs(a[j]! - b[j]!) / Math.max(1, Math.abs(b[j]!)));
      if (argmax(a) === argmax(b)) top1++;
    }
    assert.ok(maxAbs < 1e-6, `max relative difference ${maxAbs}`);
    assert.equal(top1, 1000);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'b/io_contract.json'), 'utf8')), c);
  });
}

test('BNN-PYNQ-style class weights (bipolar last layer × [1..10] → TopK) compile to ChannelwiseOp + LabelSelect, equal to the imported model on 1,000 MNIST images through the RTL (all 10,000: npm run bench)', async () => {
  const dir = tempDir('classweighted');
  const m = classWeightedBnn();
  writeModel(m.graph, join(dir, 'm.onnx'));
  const r = await build(base(join(dir, 'm.onnx'), join(dir, 'b'), { verifyDataset: `mnist-idx:${MNIST}`, verifyLimit: 1000, stalls: true, fifoSizing: false }));
  assert.ok(r.graph.nodes.some((n) => n.op.kind === 'hw.ChannelwiseOp'));
  const v = JSON.parse(readFileSync(join(dir, 'b/report/verification.json'), 'utf8'));
  for (const st of v.stages) assert.equal(st.mismatches, 0, st.stage);
  const { x } = mnistUnit(1000);
  const mine = await runWithContract(r.graph, { shape: [1000, 1, 28, 28], data: x });
  const theirs = await runFrames(readModel(join(dir, 'm.onnx')), { shape: [1000, 1, 28, 28], data: x });
  for (let i = 0; i < 1000; i++) assert.equal(mine.data[i], theirs.data[i], `image ${i}`);
});

test('--output topk:3 on the zoo TFC_2W2A: three class indices per image through the RTL, in the imported model\'s order', async () => {
  const dir = tempDir('topk3');
  const { x } = mnistUnit(300);
  const r = await build(base(ZOO_W2A2, join(dir, 'b'), { output: 'topk:3', verifyDataset: `mnist-idx:${MNIST}`, verifyLimit: 300, stalls: true, fifoSizing: false }));
  const v = JSON.parse(readFileSync(join(dir, 'b/report/verification.json'), 'utf8'));
  for (const st of v.stages) assert.equal(st.mismatches, 0, st.stage);
  const got = await runWithContract(r.graph, { shape: [300, 1, 28, 28], data: x });
  assert.deepEqual(got.shape, [300, 3]);
  const logits = await runFrames(readModel(ZOO_W2A2), { shape: [300, 1, 28, 28], data: x });
  for (let i = 0; i < 300; i++) {
    const want = topk({ shape: [10], data: logits.data.subarray(i * 10, i * 10 + 10) }, 3, -1, true)[1].data;
    assert.deepEqual(Array.from(got.data.subarray(i * 3, i * 3 + 3)), Array.from(want), `image ${i}`);
  }
});
