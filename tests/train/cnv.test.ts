/**
 * CNV training (no CIFAR-10 ships here: the data are small synthetic files in the CIFAR-10 binary format): the loss goes
 * down, runs are deterministic, the export reproduces the trainer exactly, and the compiler turns the exported model
 * into hardware layers whose predictions equal the exported model's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { trainCnv, type CnvTrainOptions } from '../../src/train/cnv-trainer.ts';
import { argmaxRows } from '../../src/train/trainer.ts';
import { CNV_LAYERS } from '../../src/models/synthetic-cnv.ts';
import { describePlan, planCnv } from '../../src/train/cnv.ts';
import { CIFAR10_RECORD, centerCrop, loadCifar10Bin } from '../../src/train/data.ts';
import { writeTrainedModel } from '../../src/train/export.ts';
import { checkExport } from '../../src/train/verify.ts';
import { parseTrainOptions, registerTrainCommand } from '../../src/train/command.ts';
import { readModel } from '../../src/onnx/read.ts';
import { decodeModelProto } from '../../src/onnx/proto.ts';
import { QONNX_DOMAIN } from '../../src/onnx/ops-write.ts';
import { isHwOp } from '../../src/ir/ops.ts';
import { evaluate } from '../../src/runtime/eval.ts';
import { loadModelOrBuild } from '../../src/cli.ts';
import { rng } from '../../src/util/random.ts';
import { assertFinnError } from '../onnx/helpers.ts';
import { finn } from '../helpers/cli.ts';
import { tempDir } from '../helpers/shared.ts';

/**
 * CIFAR-10-format records that a small CNV can learn: the class sets the colour (bits 0-2 of the label pick bright or
 * dark red/green/blue) and, for classes 8 and 9, vertical or horizontal stripes; every pixel gets Gaussian noise.
 */
function syntheticCifar(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n * CIFAR10_RECORD);
  for (let i = 0; i < n; i++) {
    const label = i % 10, o = i * CIFAR10_RECORD;
    out[o] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) {
      const y = p >> 5, x = p & 31;
      const stripes = label === 8 ? (x % 8 < 4 ? 50 : -50) : label === 9 ? (y % 8 < 4 ? 50 : -50) : 0;
      out[o + 1 + c * 1024 + p] = Math.max(0, Math.min(255, Math.round(((label >> c) & 1 ? 170 : 80) + stripes + 35 * r.normal())));
    }
  }
  return out;
}

const dir = tempDir('cnv-data');
writeFileSync(join(dir, 'data_batch_1.bin'), syntheticCifar(300, 1));
writeFileSync(join(dir, 'test_batch.bin'), syntheticCifar(60, 2));
// the 32×32 command-line run trains on fewer images (its convolutions cost about 8× those of the 16×16 runs)
const dir32 = tempDir('cnv-data32');
writeFileSync(join(dir32, 'data_batch_1.bin'), syntheticCifar(50, 3));
writeFileSync(join(dir32, 'test_batch.bin'), syntheticCifar(60, 2));
const full = loadCifar10Bin(dir, 'train');
// the tiny runs: the central 16×16 pixels, which CNV covers with conv 64, 64, pool, 128, 128, pool, FC 512, 512, 10
const SIZE = 16;
const small = centerCrop(full, SIZE);
const smallTest = centerCrop(loadCifar10Bin(dir, 'test'), SIZE);
/** The first 60 training images: short runs whose eval-mode batch-norm recalibration stays quick. */
const few = { ...small, count: 60 };

const base = (o: Partial<CnvTrainOptions>): CnvTrainOptions => ({
  topology: 'cnv', wbits: 1, abits: 1, epochs: 1, batch: 20, seed: 3, lr: 0.01, shift: 1, train: small, ...o,
});

test('CNV topology: FINN\'s layers at 32×32; smaller inputs leave out the layers that no longer fit', () => {
  const p32 = planCnv([3, 32, 32]);
  assert.deepEqual(p32.layers, CNV_LAYERS);
  assert.deepEqual(p32.omitted, []);
  assert.deepEqual(p32.features, [256, 1, 1]);
  assert.deepEqual(p32.fc, [512, 512, 10]);
  assert.deepEqual(p32.convs.map((c) => c.h), [32, 30, 14, 12, 5, 3]);
  const p16 = planCnv([3, 16, 16]);
  assert.equal(describePlan(p16), '3×16×16 → conv 64, 64, pool, 128, 128, pool → FC 512, 512, 10 (left out for the small input: 256, 256)');
  assert.deepEqual(p16.features, [128, 1, 1]);
  assert.deepEqual(planCnv([3, 12, 12]).layers, [{ conv: 64 }, { conv: 64 }, 'pool', { conv: 128 }, 'pool']);
  assert.equal(planCnv([1, 28, 28]).flat, 256 * 2 * 2);
  assertFinnError(() => planCnv([3, 2, 2]), 'E_DATASET', 'at least 3×3');
});

test('a tiny CNV-W1A1 run on synthetic CIFAR-format data: the loss decreases, test accuracy is far above chance', async () => {
  const seen: number[] = [];
  const r = await trainCnv(base({ epochs: 3, lr: 0.01, test: smallTest, evalEveryEpoch: false, onEpoch: (p) => seen.push(p.epoch) }));
  assert.deepEqual(seen, [1, 2, 3]);
  const losses = r.history.map((h) => h.loss);
  assert.ok(losses[2]! < losses[0]! * 0.7, `loss should drop: ${losses.join(', ')}`);
  for (const h of r.history) assert.ok(h.imagesPerSecond > 0 && h.seconds > 0);
  assert.ok(r.test!.accuracy >= 0.5, `accuracy after 45 steps: ${r.test!.accuracy}`);
  assert.equal(r.history[2]!.testAccuracy, r.test!.accuracy, 'the last epoch evaluates the final model');
  assert.equal(r.model.meta['finn_ts.train.input'], '3x16x16');
});

test('CNV training is deterministic for a seed (and depends on it)', async () => {
  const a = await trainCnv(base({ maxSteps: 2, train: few }));
  const b = await trainCnv(base({ maxSteps: 2, train: few }));
  const c = await trainCnv(base({ maxSteps: 2, seed: 4, train: few }));
  assert.deepEqual(a.model.convs, b.model.convs);
  assert.deepEqual(a.model.fc, b.model.fc);
  assert.equal(a.model.outScale, b.model.outScale);
  assert.notDeepEqual(a.model.convs[0]!.weight, c.model.convs[0]!.weight);
});

const q = (bits: number) => (bits === 1 ? 'BipolarQuant' : 'Quant');

for (const [w, a] of [[1, 1], [2, 2]] as const) {
  test(`CNV-W${w}A${a}: the exported QONNX gives the trainer's logits exactly, and compiles into hardware layers that predict the same`, async () => {
    const r = await trainCnv(base({ wbits: w, abits: a, maxSteps: 8 }));
    const out = tempDir(`cnv-export-${w}${a}`);
    const model = join(out, 'cnv.onnx');
    writeTrainedModel(r.model, model);
    const g = readModel(model);
    const c = checkExport(g, r.model, smallTest, smallTest.count);
    assert.equal(c.images, 60);
    assert.equal(c.argmaxMismatches, 0);
    assert.equal(c.maxAbsDiff, 0, 'logits are bitwise equal');
    assert.deepEqual(c.graphLogits, c.trainerLogits);
    // the structure of src/models/synthetic-cnv.ts (Brevitas' CNV export)
    const conv = [q(w), 'Conv', 'BatchNormalization', q(a)];
    const fc = [q(w), 'Transpose', 'MatMul', 'BatchNormalization', q(a)];
    assert.deepEqual(g.nodes.map((n) => n.op.kind), ['Mul', 'Sub', 'Quant', ...conv, ...conv, 'MaxPool', ...conv, ...conv, 'MaxPool', 'Reshape',
      ...fc, ...fc, q(w), 'Transpose', 'MatMul', 'Mul']);
    const inQuant = g.nodes[2]!;
    assert.deepEqual([g.tensors.get(inQuant.inputs[1]!)!.value!.data[0], g.tensors.get(inQuant.inputs[3]!)!.value!.data[0]], [2 ** -7, 8]);
    for (const n of g.nodes) {
      if (n.op.kind === 'Conv') {
        assert.deepEqual([n.op.kernel, n.op.strides, n.op.pads, n.op.group], [[3, 3], [1, 1], [0, 0, 0, 0], 1]);
        assert.equal(g.tensors.get(n.inputs[1]!)!.shape.length, 4, 'weights [OC, IC, 3, 3]');
      }
      if (n.op.kind !== 'Quant' && n.op.kind !== 'BipolarQuant') continue;
      assert.equal(g.tensors.get(n.inputs[1]!)!.value!.data.length, 1, `${n.name}: per-tensor scale`);
      if (n.op.kind === 'Quant') assert.equal(n.op.narrow, g.tensors.get(n.inputs[0]!)!.value !== undefined, `${n.name}: narrow range for weights only`);
    }
    const proto = decodeModelProto(readFileSync(model));
    assert.deepEqual([...new Set(proto.graph!.node!.filter((n) => /Quant/.test(n.op_type ?? '')).map((n) => n.domain))], [QONNX_DOMAIN]);

    const b = finn(['build', model, '--out', join(out, 'b'), '--target-fps', '1000', '--clock-ns', '5', '--to', 'estimate', '-q']);
    assert.equal(b.code, 0, b.stderr);
    const hw = loadModelOrBuild(join(out, 'b')).graph;
    assert.deepEqual(hw.nodes.filter((n) => !isHwOp(n.op)).map((n) => n.name), [], 'only hardware layers');
    const kinds = hw.nodes.map((n) => n.op.kind);
    for (const [k, count] of [['hw.ConvolutionInputGenerator', 4], ['hw.MVAU', 7], ['hw.StreamingMaxPool', 2], ['hw.LabelSelect', 1]] as const) {
      assert.equal(kinds.filter((x) => x === k).length, count, k);
    }
    // the exported model's predictions: checkExport ran it on every test image (pixel / 255, as evaluate feeds it)
    assert.deepEqual(evaluate(hw, smallTest).predictions, argmaxRows(c.graphLogits, 10));
  });
}

test('CNV export round trip W2A1 and W8A8 (wide layers summed in exact float32 slices): bitwise equal logits', async () => {
  for (const [w, a] of [[2, 1], [8, 8]] as const) {
    const r = await trainCnv(base({ wbits: w, abits: a, maxSteps: 2, train: few }));
    const model = join(tempDir(`cnv-export-${w}${a}`), 'cnv.onnx');
    writeTrainedModel(r.model, model);
    const c = checkExport(readModel(model), r.model, smallTest, 20);
    assert.equal(c.maxAbsDiff, 0, `W${w}A${a}`);
    assert.deepEqual(c.graphLogits, c.trainerLogits);
  }
});

function program(lines: string[]): Command {
  const p = new Command('finn').exitOverride();
  registerTrainCommand(p, (s) => lines.push(s));
  return p;
}

test('finn train --topology cnv at 32×32 (FINN\'s CNV) writes a model that builds into hardware layers; finn eval agrees', async () => {
  const lines: string[] = [];
  const out = tempDir('cnv-cli');
  const model = join(out, 'cnv.onnx');
  await program(lines).parseAsync(['train', '--topology', 'cnv', '--wbits', '1', '--abits', '1', '--epochs', '1', '--batch', '25', '--lr', '0.01',
    '--dataset', `cifar10-bin:${dir32}`, '--test-dataset', `cifar10-bin:${dir32}`, '--check-images', '3', '--out', model], { from: 'user' });
  const text = lines.join('\n');
  assert.match(text, /training CNV \(3×32×32 → conv 64, 64, pool, 128, 128, pool, 256, 256 → FC 512, 512, 10\) W1A1 on cifar10-bin:.* 50 images, testing on .* 60 images/);
  assert.match(text, /epoch 1\/1 {2}loss \d\.\d{4} {2}train acc [\d.]+ % {2}test acc [\d.]+ % {2}[\d.]+ images\/s/);
  assert.match(text, /export check: .* 3 images \(max difference 0\)/);
  const testAcc = Number(/test accuracy: (\d+)\/60/.exec(text)![1]);
  const g = readModel(model);
  assert.deepEqual(g.tensors.get(g.inputs[0]!)!.shape, [1, 3, 32, 32]);
  assert.equal(g.meta['finn_ts.train.topology'], 'cnv');

  const b = finn(['build', model, '--out', join(out, 'b'), '--target-fps', '1000', '--clock-ns', '5', '--to', 'estimate', '-q']);
  assert.equal(b.code, 0, b.stderr);
  const hw = loadModelOrBuild(join(out, 'b')).graph;
  assert.ok(hw.nodes.every((n) => isHwOp(n.op)), 'only hardware layers');
  const kinds = hw.nodes.map((n) => n.op.kind);
  assert.equal(kinds.filter((k) => k === 'hw.ConvolutionInputGenerator').length, 6);
  assert.equal(kinds.filter((k) => k === 'hw.MVAU').length, 9);
  assert.equal(kinds.filter((k) => k === 'hw.StreamingMaxPool').length, 2);
  // the hardware graph (finn eval on the build) scores what the trainer reported for the exported model, and predicts
  // image by image what the exported model predicts (reference executor; the first 6 test images: 32×32 is slow there)
  const e = finn(['eval', join(out, 'b'), '--dataset', `cifar10-bin:${dir32}`, '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.equal(JSON.parse(e.stdout).correct, testAcc);
  const few = { ...loadCifar10Bin(dir32, 'test'), count: 6 };
  assert.deepEqual(evaluate(hw, few).predictions, evaluate(g, few).predictions);
});

test('finn train --topology cnv: --input-size crops, usage errors are clear', async () => {
  const ok = { topology: 'cnv', wbits: '1', abits: '1', dataset: `cifar10-bin:${dir}`, out: join(tempDir('cnv-cli-usage'), 'm.onnx') };
  const s = parseTrainOptions({ ...ok, inputSize: '16' });
  assert.equal(s.inputSize, 16);
  assert.equal(s.flip, true);
  assert.equal(s.checkImages, 20);
  assert.equal(parseTrainOptions({ ...ok, flip: false }).flip, false);
  assertFinnError(() => parseTrainOptions({ ...ok, topology: 'tfc', inputSize: '16' }), 'E_USAGE', '--input-size applies to --topology cnv only');
  assertFinnError(() => parseTrainOptions({ ...ok, inputSize: '2' }), 'E_USAGE', '--input-size');
  assertFinnError(() => parseTrainOptions({ ...ok, dataset: undefined }), 'E_USAGE', 'cifar10-bin:<dir>', 'none ship with finn-ts');
  await assert.rejects(program([]).parseAsync(['train', '--topology', 'cnv', '--wbits', '1', '--abits', '1', '--input-size', '40', '--dataset', `cifar10-bin:${dir}`, '--out', ok.out], { from: 'user' }),
    /--input-size must be an integer from 1 to 32/);
  assertFinnError(() => centerCrop(full, 33), 'E_USAGE', '--input-size');
  const c = centerCrop(full, 16);
  assert.deepEqual(c.imageShape, [3, 16, 16]);
  // image 1, channel 2, row 3, column 4 of the crop = row 11, column 12 of the original
  assert.equal(c.images[1 * 768 + 2 * 256 + 3 * 16 + 4], full.images[1 * 3072 + 2 * 1024 + 11 * 32 + 12]);
});
