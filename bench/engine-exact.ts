/**
 * The full bit-exactness runs (minutes): the engine (WebAssembly and TypeScript kernels) against the float64 reference
 * on all 10,000 MNIST test images for the zoo TFC_1W1A/TFC_2W2A, the trained examples and an LFC-shaped network
 * (imported, streamlined and hardware graphs), and on 200 random frames for CNV W1A1/W2A2 (hardware graphs).
 *   node --import tsx bench/engine-exact.ts [images] [cnvFrames]
 */
import { join } from 'node:path';
import { readModel } from '../src/onnx/read.ts';
import { syntheticQonnxMlp } from '../src/models/synthetic.ts';
import { CNV_LAYERS, syntheticQonnxCnv } from '../src/models/synthetic-cnv.ts';
import { rng } from '../src/util/random.ts';
import { assertExact, buildGraphs, mnistFrames } from '../tests/engine/helpers.ts';
import { ROOT, ZOO_W1A1, ZOO_W2A2 } from '../tests/helpers/shared.ts';

const images = Number(process.argv[2] ?? 10000), cnvFrames = Number(process.argv[3] ?? 200);
const say = (s: string): void => console.log(s);
for (const [name, path] of [['zoo TFC_1W1A', ZOO_W1A1], ['zoo TFC_2W2A', ZOO_W2A2], ['examples/tfc_w1a1', join(ROOT, 'examples/tfc_w1a1.onnx')], ['examples/tfc_w2a2', join(ROOT, 'examples/tfc_w2a2.onnx')]] as const) {
  const imported = readModel(path);
  const { streamlined, hw } = await buildGraphs(path, 'exact');
  for (const k of ['wasm', 'ts'] as const) {
    assertExact(imported, mnistFrames(imported, images, 'unit'), k, name);
    assertExact(streamlined, mnistFrames(streamlined, images, 'raw'), k, name);
    assertExact(hw, mnistFrames(hw, images, 'raw'), k, name);
  }
  say(`${name}: imported, streamlined and hardware graphs identical to the reference on ${images} images (wasm and ts)`);
}
{
  const lfc = syntheticQonnxMlp({ sizes: [784, 1024, 1024, 1024, 10], wbits: 1, abits: 1, seed: 42 });
  const { hw } = await buildGraphs(lfc, 'exact-lfc', 'xc7z045');
  for (const k of ['wasm', 'ts'] as const) {
    assertExact(lfc, mnistFrames(lfc, images, 'unit'), k, 'LFC imported');
    assertExact(hw, mnistFrames(hw, images, 'raw'), k, 'LFC hw');
  }
  say(`LFC-shaped W1A1: imported and hardware graphs identical on ${images} images (wasm and ts)`);
}
for (const [w, a] of [[1, 1], [2, 2]] as const) {
  const { hw } = await buildGraphs(syntheticQonnxCnv({ input: [3, 32, 32], layers: CNV_LAYERS, fc: [512, 512, 10], wbits: w, abits: a, seed: 5 }), 'exact-cnv', 'xc7z045');
  const r = rng(11);
  const x = Float64Array.from({ length: cnvFrames * 3072 }, () => r.int(0, 255));
  for (const k of ['wasm', 'ts'] as const) assertExact(hw, x, k, `CNV W${w}A${a}`);
  say(`CNV W${w}A${a} hardware graph: identical on ${cnvFrames} random frames (wasm and ts)`);
}
