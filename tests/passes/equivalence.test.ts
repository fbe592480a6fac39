/** Every pass application, on real and synthetic models, keeps the graph's outputs (checked on images). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { loadMnistIdx } from '../../src/util/idx.ts';
import { rng } from '../../src/util/random.ts';
import { isHwOp } from '../../src/ir/ops.ts';
import { assertEquivalent } from '../helpers/equivalence.ts';
import { FINN_TFC, MNIST, ZOO_W1A1, ZOO_W2A2, tempDir } from '../helpers/shared.ts';

const mnist = loadMnistIdx(MNIST);
const r = rng(7);
const images = (n: number): Uint8Array[] => [
  ...Array.from({ length: 12 }, (_, i) => mnist.images.subarray(i * 784, (i + 1) * 784).slice(0, n)),
  ...Array.from({ length: 6 }, () => Uint8Array.from({ length: n }, () => r.int(0, 255))),
];

const fired = new Set<string>();

async function checkModel(path: string, n: number, tag: string): Promise<void> {
  const imgs = images(n);
  let checks = 0;
  const res = await build({
    model: path, out: tempDir(tag), part: 'xc7z020', clockNs: 10, targetFps: 100000, preprocess: 'auto',
    maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'estimate',
    afterPass: (pass, before, after) => {
      fired.add(pass.name);
      checks++;
      assertEquivalent(before, after, imgs, `${tag}: ${pass.name}`);
    },
  });
  assert.ok(checks > 10, `${tag}: only ${checks} pass applications`);
  assert.ok(res.graph.nodes.every((x) => isHwOp(x.op)), `${tag}: non-hardware nodes remain`);
}

test('passes keep outputs: QONNX zoo TFC_1W1A', () => checkModel(ZOO_W1A1, 784, 'zoo-w1a1'));
test('passes keep outputs: QONNX zoo TFC_2W2A', () => checkModel(ZOO_W2A2, 784, 'zoo-w2a2'));
test("passes keep outputs: FINN's TFC-w1a1 FINN-ONNX", () => checkModel(join(FINN_TFC, 'model.onnx'), 784, 'finn-tfc'));

for (const [w, a] of [[1, 1], [2, 2], [1, 2], [2, 1], [3, 3], [4, 2]] as const) {
  test(`passes keep outputs: synthetic MLP W${w}A${a}`, async () => {
    const dir = tempDir(`syn${w}${a}`);
    const path = join(dir, 'model.onnx');
    writeModel(syntheticQonnxMlp({ sizes: [64, 48, 32, 10], wbits: w, abits: a, seed: 100 * w + a, inputShape: [64] }), path);
    await checkModel(path, 64, `syn-w${w}a${a}`);
  });
}

test('the core passes all fired at least once', () => {
  for (const name of ['tidy/infer-shapes', 'tidy/fold-constants', 'tidy/give-names', 'tidy/collapse-reshapes', 'qonnx/fold-weight-quant',
    'qonnx/quant-to-multithreshold', 'contract/input', 'contract/output', 'streamline/batchnorm-to-affine', 'streamline/normalize-affine',
    'streamline/move-affine-past-layout', 'streamline/move-add-past-mul', 'streamline/collapse-repeated', 'streamline/move-affine-past-matmul',
    'streamline/absorb-sign-into-weights', 'streamline/absorb-add-into-threshold', 'streamline/absorb-mul-into-threshold',
    'streamline/absorb-affine-into-topk', 'streamline/round-thresholds', 'streamline/bipolar-matmul-to-xnor', 'hw/to-mvau',
    'hw/to-thresholding', 'hw/to-labelselect', 'hw/absorb-input-reshape']) {
    assert.ok(fired.has(name), `${name} never changed a graph`);
  }
});
