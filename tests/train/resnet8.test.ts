/**
 * resnet8 training (no CIFAR-10 ships here: the synthetic 32×32 dataset stands in): the plan, the dataset, and the whole
 * loop — `finn train --topology resnet8` on synthetic images, the written QONNX (Conv/BN/Quant, Add joins, global
 * average pool) reproducing the trainer's logits exactly, `finn build` to stitched RTL with sized FIFOs, and test images
 * through the RTL with random stalls bit-exact against the reference executor; the model scores well above chance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { build } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { encodeNpy } from '../../src/util/npy.ts';
import { runWithContract } from '../../src/runtime/run-contract.ts';
import { runFrames } from '../../src/runtime/eval.ts';
import { argmax } from '../../src/runtime/predict.ts';
import { parseTrainOptions, registerTrainCommand } from '../../src/train/command.ts';
import { loadTrainDataset } from '../../src/train/data.ts';
import { describeResNet, planResNet8, resnetQuants } from '../../src/train/resnet.ts';
import { syntheticCifar } from '../../src/train/synthetic-data.ts';
import { trainResNet } from '../../src/train/resnet-trainer.ts';
import { convOp } from '../../src/train/qat-resnet.ts';
import { tf, useBackend } from '../../src/train/tf.ts';
import { rng } from '../../src/util/random.ts';
import { assertFinnError } from '../onnx/helpers.ts';
import { tempDir } from '../helpers/shared.ts';

test('resnet8 plan: stem 16, basic blocks 16, 32/2, 64/2 (identity, then 1×1 strided projections), GAP, FC; width scales channels', () => {
  const p = planResNet8([3, 32, 32]);
  assert.equal(describeResNet(p), '3×32×32 → stem 16 → blocks 16, 32/2, 64/2 → GAP → FC 10');
  assert.deepEqual(p.convs.map((c) => [c.inChannels, c.outChannels, c.k, c.stride, c.pad, c.h]), [
    [3, 16, 3, 1, 1, 32], [16, 16, 3, 1, 1, 32], [16, 16, 3, 1, 1, 32],
    [16, 32, 3, 2, 1, 32], [32, 32, 3, 1, 1, 16], [16, 32, 1, 2, 0, 32],
    [32, 64, 3, 2, 1, 16], [64, 64, 3, 1, 1, 8], [32, 64, 1, 2, 0, 16],
  ]);
  assert.deepEqual(p.blocks, [{ conv1: 1, conv2: 2 }, { conv1: 3, conv2: 4, projection: 5 }, { conv1: 6, conv2: 7, projection: 8 }]);
  assert.deepEqual(p.features, [64, 8, 8]);
  assert.equal(describeResNet(planResNet8([3, 32, 32], 10, 0.5)), '3×32×32 → stem 8 → blocks 8, 16/2, 32/2 → GAP → FC 10');
  // W2A2: 2-bit ReLU activations inside blocks, a 4-bit residual path with one scale on both sides of every join
  const q = resnetQuants(2);
  assert.deepEqual([q.act, q.res, q.branch], [{ bits: 2, signed: false, scale: 0.5 }, { bits: 4, signed: false, scale: 0.25 }, { bits: 4, signed: true, scale: 0.25 }]);
  assertFinnError(() => planResNet8([3, 3, 3]), 'E_DATASET', 'at least 4×4');
});

test('resnet8 convolutions (3×3 stride 1 and 2 with padding, 1×1 stride 2; even and odd maps): hand-written gradients equal tfjs autodiff', async () => {
  await useBackend('cpu'); // the CPU backend has Conv2DBackpropFilter/Input, the reference here
  const r = rng(5);
  for (const [k, s, p, h] of [[3, 1, 1, 8], [3, 2, 1, 8], [1, 2, 0, 8], [3, 2, 1, 7], [1, 2, 0, 7]] as const) {
    const g = { inChannels: 3, outChannels: 4, k, stride: s, pad: p, h, w: h };
    const rand = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal()), shape);
    const x = rand([2, h, h, 3]), w = rand([k, k, 3, 4]);
    const pads = p ? [[0, 0], [p, p], [p, p], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]] : 'valid' as const;
    const ref = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pads);
    const up = rand(ref(x, w).shape);
    const mine = convOp(g, true);
    assert.ok(tf.max(tf.abs(tf.sub(mine(x, w), ref(x, w)))).dataSync()[0]! < 1e-5, 'forward');
    const [dx0, dw0] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ref(a, b), up)))([x, w]);
    const [dx1, dw1] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(mine(a, b), up)))([x, w]);
    assert.ok(tf.max(tf.abs(tf.sub(dx0!, dx1!))).dataSync()[0]! < 1e-4, `dx k${k} s${s} p${p} ${h}×${h}`);
    assert.ok(tf.max(tf.abs(tf.sub(dw0!, dw1!))).dataSync()[0]! < 1e-4, `dW k${k} s${s} p${p} ${h}×${h}`);
  }
});

test('synthetic dataset: 32×32 RGB, deterministic per seed, the test split differs from the training split; bad specs are usage errors', () => {
  const a = loadTrainDataset('synthetic:50', 'train', 7);
  assert.deepEqual(a.imageShape, [3, 32, 32]);
  assert.equal(a.count, 50);
  assert.deepEqual(a.images, syntheticCifar(50, 7, 'train').images);
  assert.notDeepEqual(a.images, syntheticCifar(50, 8, 'train').images);
  assert.notDeepEqual(a.images.subarray(0, 3072), syntheticCifar(50, 7, 'test').images.subarray(0, 3072));
  assert.ok(new Set(syntheticCifar(200, 1, 'train').labels).size === 10, 'all ten classes occur');
  assert.equal(loadTrainDataset('synthetic', 'test', 1).count, 400);
  assertFinnError(() => loadTrainDataset('synthetic:abc', 'train'), 'E_USAGE', 'whole number');
  assertFinnError(() => loadTrainDataset('synthetic:0', 'train'), 'E_USAGE', 'whole number');
});

test('finn train --topology resnet8: usage errors are typed', async () => {
  const ok = { topology: 'resnet8', wbits: '2', abits: '2', dataset: 'synthetic:40', out: join(tempDir('resnet8-usage'), 'm.onnx') };
  const s = parseTrainOptions(ok);
  assert.deepEqual([s.topology, s.flip, s.checkImages], ['resnet8', true, 20]);
  assertFinnError(() => parseTrainOptions({ ...ok, abits: '1' }), 'E_USAGE', 'at least 2-bit activations');
  assertFinnError(() => parseTrainOptions({ ...ok, inputSize: '16' }), 'E_USAGE', '--input-size applies to --topology cnv only');
  assertFinnError(() => parseTrainOptions({ ...ok, dataset: undefined }), 'E_USAGE', 'synthetic[:N]');
  assertFinnError(() => parseTrainOptions({ ...ok, topology: 'tfc' }), 'E_USAGE', 'synthetic datasets hold 3×32×32 images');
  const train = syntheticCifar(20, 1, 'train');
  await assert.rejects(trainResNet({ topology: 'resnet8', wbits: 2, abits: 1, epochs: 1, batch: 10, seed: 1, lr: 0.01, train }), /at least 2-bit activations/);
  await assert.rejects(trainResNet({ topology: 'resnet8', wbits: 2, abits: 2, epochs: 1, batch: 10, seed: 1, lr: 0.01, train, test: { ...train, imageShape: [3, 16, 16] } }), /the test set has 3×16×16 images/);
});

const N_RTL = 16;
const json = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, 'report', f), 'utf8'));

test('resnet8 W2A2 trained on synthetic images: the written QONNX reproduces the trainer, builds to RTL, bit-exact with stalls, accuracy above chance', async () => {
  const lines: string[] = [];
  const dir = tempDir('resnet8-train');
  const model = join(dir, 'resnet8.onnx');
  const p = new Command('finn').exitOverride();
  registerTrainCommand(p, (s) => lines.push(s));
  await p.parseAsync(['train', '--topology', 'resnet8', '--wbits', '2', '--abits', '2', '--epochs', '2', '--batch', '25', '--lr', '0.01',
    '--dataset', 'synthetic:300', '--test-dataset', 'synthetic:200', '--check-images', '8', '--out', model], { from: 'user' });
  const text = lines.join('\n');
  assert.match(text, /training RESNET8 \(3×32×32 → stem 16 → blocks 16, 32\/2, 64\/2 → GAP → FC 10\) W2A2 on synthetic:300 .* 300 images, testing on synthetic:200 .* 200 images/);
  assert.match(text, /export check: .* 8 images \(max difference 0\)/);
  const [correct, total] = /test accuracy: (\d+)\/(\d+)/.exec(text)!.slice(1).map(Number) as [number, number];
  assert.equal(total, 200);
  assert.ok(correct / total >= 0.25, `the exported model's accuracy ${correct}/${total} is well above chance (10 %)`);

  // the QONNX graph: Brevitas-style residual blocks
  const g = readModel(model);
  const kinds = g.nodes.map((n) => n.op.kind);
  const count = (k: string) => kinds.filter((x) => x === k).length;
  assert.deepEqual([count('Conv'), count('BatchNormalization'), count('Add'), count('GlobalAveragePool'), count('MatMul')], [9, 9, 3, 1, 1]);
  assert.equal(count('Quant'), 1 + 10 + 9 + 3 + 1, 'input, 10 weight, 9 conv activation, 3 join and 1 pool quantizers');
  assert.deepEqual(g.nodes.filter((n) => n.op.kind === 'Conv').map((n) => n.op.kind === 'Conv' && `${n.op.kernel[0]}/${n.op.strides[0]}/${n.op.pads[0]}`),
    ['3/1/1', '3/1/1', '3/1/1', '3/2/1', '3/1/1', '1/2/0', '3/2/1', '3/1/1', '1/2/0']);

  // the compiler: QONNX → hardware layers → stitched RTL; test images through it with random stalls
  const test16 = syntheticCifar(N_RTL, 1, 'test');
  const x = Float64Array.from(test16.images, (v) => v / 255);
  writeFileSync(join(dir, 'x.npy'), encodeNpy({ shape: [N_RTL, 3, 32, 32], data: x }, 'f8'));
  const out = join(dir, 'b');
  const res = await build({ model, out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {},
    targetFps: 1000, verifyDataset: `npy:${join(dir, 'x.npy')}`, verifyLimit: N_RTL, stalls: true, fifoSizing: false });
  const hwKinds = new Set<string>(res.graph.nodes.map((n) => n.op.kind));
  for (const k of ['hw.MVAU', 'hw.AddStreams', 'hw.DuplicateStreams', 'hw.ConvolutionInputGenerator']) assert.ok(hwKinds.has(k), k);
  const v = json(out, 'verification.json');
  assert.ok(v.stages.some((st: { stage: string }) => /rtl/i.test(st.stage)), 'the RTL was simulated');
  for (const st of v.stages) assert.equal(st.mismatches, 0, `${st.stage}: ${JSON.stringify(st.first_divergence)}`);
  const perf = json(out, 'rtlsim_performance.json');
  assert.ok(Math.abs(perf.cycles_per_frame - perf.estimated_max_cycles) / perf.estimated_max_cycles <= 0.01, `measured ${perf.cycles_per_frame} vs estimate ${perf.estimated_max_cycles}`);
  // the hardware's classes are the exported model's classes (the model's own accuracy above: the trainer's, exactly)
  const hw = await runWithContract(res.graph, { shape: [N_RTL, 3, 32, 32], data: x });
  const logits = await runFrames(readModel(model), { shape: [N_RTL, 3, 32, 32], data: x });
  for (let i = 0; i < N_RTL; i++) assert.equal(hw.data[i], argmax(logits.data.subarray(i * 10, i * 10 + 10)), `image ${i}`);
});
