/**
 * The engine equals the float64 reference executor bit for bit (classes and raw output values), with the WebAssembly
 * and the pure-TypeScript kernels, on imported, streamlined and hardware graphs. CI sizes here; the full runs
 * (10,000 MNIST images, 200 CNV frames) are `node --import tsx bench/engine-exact.ts`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModel } from '../../src/onnx/read.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { CNV_LAYERS, syntheticQonnxCnv } from '../../src/models/synthetic-cnv.ts';
import { Engine } from '../../src/engine/engine.ts';
import { rng } from '../../src/util/random.ts';
import { makeGraph } from '../../src/ir/builder.ts';
import { int } from '../../src/ir/datatype.ts';
import { ROOT, ZOO_W1A1, ZOO_W2A2 } from '../helpers/shared.ts';
import { assertExact, buildGraphs, mnistFrames } from './helpers.ts';
import { join } from 'node:path';

const IMAGES = 1000;
const KERNELS = ['wasm', 'ts'] as const;

for (const [name, path] of [['zoo TFC_1W1A', ZOO_W1A1], ['zoo TFC_2W2A', ZOO_W2A2], ['examples/tfc_w1a1', join(ROOT, 'examples/tfc_w1a1.onnx')], ['examples/tfc_w2a2', join(ROOT, 'examples/tfc_w2a2.onnx')]] as const) {
  test(`${name}: imported, streamlined and hardware graphs equal the reference on ${IMAGES} MNIST images (wasm and ts kernels)`, async () => {
    const imported = readModel(path);
    const { streamlined, hw } = await buildGraphs(path, 'eng-tfc');
    for (const k of KERNELS) {
      const e = assertExact(imported, mnistFrames(imported, IMAGES, 'unit'), k, `${name} imported`);
      assert.deepEqual(e.info.fallback, [], 'every op of the imported MLP has an engine kernel');
      assertExact(streamlined, mnistFrames(streamlined, IMAGES, 'raw'), k, `${name} streamlined`);
      const h = assertExact(hw, mnistFrames(hw, IMAGES, 'raw'), k, `${name} hardware`);
      assert.deepEqual(h.info.fallback, []);
      assert.equal(h.misses, 0);
    }
  });
}

test('LFC-shaped W1A1 (784-1024×3-10) hardware graph equals the reference on 300 MNIST images; packed weights ≤ 1/25 of float32', async () => {
  const { hw } = await buildGraphs(syntheticQonnxMlp({ sizes: [784, 1024, 1024, 1024, 10], wbits: 1, abits: 1, seed: 42 }), 'eng-lfc', 'xc7z045');
  for (const k of KERNELS) assertExact(hw, mnistFrames(hw, 300, 'raw'), k, 'LFC hw');
  const e = new Engine(hw);
  const params = 784 * 1024 + 1024 * 1024 * 2 + 1024 * 10;
  assert.ok(e.info.constBytes * 25 <= params * 4, `engine constants ${e.info.constBytes} B vs float32 weights ${params * 4} B`);
});

for (const [w, a] of [[1, 1], [2, 2]] as const) {
  test(`CNV W${w}A${a} (32×32, FINN's topology): streamlined and hardware graphs equal the reference on 6 random frames`, async () => {
    const { streamlined, hw } = await buildGraphs(syntheticQonnxCnv({ input: [3, 32, 32], layers: CNV_LAYERS, fc: [512, 512, 10], wbits: w, abits: a, seed: 5 }), 'eng-cnv', 'xc7z045');
    const r = rng(7);
    const frames = Float64Array.from({ length: 6 * 3072 }, () => r.int(0, 255));
    for (const k of KERNELS) {
      assertExact(hw, frames, k, 'CNV hw');
      assertExact(streamlined, frames, k, 'CNV streamlined');
    }
  });
}

test('ops without an engine kernel run through the reference kernel (Conv, MaxPool of an imported CNV), still bit-exact', () => {
  const g = syntheticQonnxCnv({ input: [3, 8, 8], layers: [{ conv: 8 }, 'pool'], fc: [16, 10], wbits: 1, abits: 1, seed: 3 });
  const r = rng(1);
  const frames = Float64Array.from({ length: 20 * 192 }, () => r.next());
  const e = assertExact(g, frames, 'wasm', 'small CNV imported');
  assert.deepEqual([...new Set(e.info.fallback.map((f) => f.op))].sort(), ['Conv', 'MaxPool']);
});

test('inputs off the integer grid the plan assumes are recomputed by the reference executor (INT8 input → integer MatMul)', () => {
  const r = rng(2);
  const w = { shape: [16, 4], data: Float64Array.from({ length: 64 }, () => r.int(-3, 3)) };
  const g = makeGraph({
    name: 'int-matmul', inputs: ['x'], outputs: ['y'],
    nodes: [{ name: 'MatMul_0', op: { kind: 'MatMul' }, inputs: ['x', 'w'], outputs: ['y'] }],
    tensors: [{ name: 'x', shape: [1, 16], dtype: int(8) }, { name: 'w', shape: [16, 4], dtype: int(3), value: w }, { name: 'y', shape: [1, 4], dtype: int(16) }],
  });
  const onGrid = Float64Array.from({ length: 8 * 16 }, () => r.int(-128, 127));
  for (const k of KERNELS) assert.equal(assertExact(g, onGrid, k, 'INT8 input').misses, 0);
  const off = onGrid.map((v, i) => (i === 37 ? v + 0.5 : v));
  for (const k of KERNELS) assert.equal(assertExact(g, off, k, 'fractional input').misses, 1, 'the batch with the fraction went to the reference');
});
