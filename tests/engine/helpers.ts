/** Engine-vs-reference comparison: every output value of every frame must be identical (Object.is). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Graph } from '../../src/ir/graph.ts';
import { compileGraph } from '../../src/exec/run.ts';
import { Engine, type KernelChoice } from '../../src/engine/engine.ts';
import { build } from '../../src/build.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { loadDataset } from '../../src/runtime/datasets.ts';
import { hostFrame } from '../../src/runtime/host-input.ts';
import { MNIST, tempDir } from '../helpers/shared.ts';

/** Compile a model file through the build to `step` and return the graphs of the given steps. */
export async function buildGraphs(model: string | Graph, tag: string, part = 'xc7z020'): Promise<{ streamlined: Graph; hw: Graph }> {
  const dir = tempDir(tag);
  const path = typeof model === 'string' ? model : join(dir, 'm.onnx');
  if (typeof model !== 'string') writeModel(model, path);
  const { readModel } = await import('../../src/onnx/read.ts');
  const r = await build({ model: path, out: join(dir, 'b'), part, clockNs: 10, targetFps: 1000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'fold' });
  return { streamlined: readModel(join(dir, 'b', 'intermediate_models', 'streamline.onnx')), hw: r.graph };
}

/** MNIST test frames as a graph takes them (host layout; raw pixels or /255). */
export function mnistFrames(g: Graph, n: number, scale: 'raw' | 'unit'): Float64Array {
  const ds = loadDataset(`mnist-idx:${MNIST}`, n);
  const out = new Float64Array(n * 784);
  for (let i = 0; i < n; i++) out.set(hostFrame(g, Array.from(ds.images.subarray(i * 784, (i + 1) * 784), (v) => (scale === 'unit' ? v / 255 : v))), i * 784);
  return out;
}

/** Assert the engine (with `kernels`) equals the reference on every frame; returns the engine for inspection. */
export function assertExact(g: Graph, frames: Float64Array, kernels: KernelChoice, label: string): Engine {
  const engine = new Engine(g, { kernels });
  const per = engine.inputs[0]!.numel, n = frames.length / per;
  const got = engine.runFrames([frames], n);
  const ref = compileGraph(g);
  for (let i = 0; i < n; i++) {
    const env = ref({ [g.inputs[0]!]: { shape: engine.inputs[0]!.shape, data: frames.subarray(i * per, (i + 1) * per) } });
    g.outputs.forEach((name, j) => {
      const want = env.get(name)!.data, per2 = engine.outputs[j]!.numel;
      for (let e = 0; e < per2; e++) {
        if (!Object.is(want[e], got[j]![i * per2 + e])) assert.fail(`${label} (${kernels}): frame ${i} output ${name}[${e}] = ${got[j]![i * per2 + e]}, reference ${want[e]}`);
      }
    });
  }
  return engine;
}
