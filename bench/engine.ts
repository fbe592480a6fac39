/**
 * Engine figures (`npm run bench` prints them first): frames/s of the float64 reference, the engine (1 thread and all
 * cores; batch 1 and best batch) and onnxruntime-node (CPU, float32, one thread) on the dequantized float version of
 * the same network (bench/float-onnx.ts), with ratios measured in the same run.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import type { Graph } from '../src/ir/graph.ts';
import { build } from '../src/build.ts';
import { readModel } from '../src/onnx/read.ts';
import { writeModel } from '../src/onnx/write.ts';
import { compileGraph } from '../src/exec/run.ts';
import { Engine } from '../src/engine/engine.ts';
import { compileGraphEngine } from '../src/engine/index.ts';
import { syntheticQonnxMlp } from '../src/models/synthetic.ts';
import { CNV_LAYERS, syntheticQonnxCnv } from '../src/models/synthetic-cnv.ts';
import { floatOnnx, type ActivationQuantizers } from './float-onnx.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const SHARED = join(root, '../shared');
const ZOO = join(SHARED, 'models/qonnx-zoo/TFC_1W1A.onnx');
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

async function hwGraph(model: string | Graph, tag: string, part: string): Promise<Graph> {
  const dir = join(tmpdir(), `finn-ts-bench-engine-${tag}`);
  const path = typeof model === 'string' ? model : join(tmpdir(), `finn-ts-bench-engine-${tag}.onnx`);
  if (typeof model !== 'string') writeModel(model, path);
  return (await build({ model: path, out: dir, part, clockNs: 10, targetFps: 1000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, to: 'fold' })).graph;
}

function frames(n: number, per: number, scale: number): Float64Array {
  return Float64Array.from({ length: n * per }, (_, i) => ((i * 7919) % 256) * scale);
}

/** Frames/s of f over at least `ms` milliseconds (after a warm-up call). */
function rate(f: () => number, ms = 400): number {
  f();
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) done += f();
  return done / ((performance.now() - t0) / 1000);
}

async function rateAsync(f: () => Promise<number>, ms = 400): Promise<number> {
  await f();
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) done += await f();
  return done / ((performance.now() - t0) / 1000);
}

function referenceRate(g: Graph, x: Float64Array, per: number, ms = 400): number {
  const run = compileGraph(g), shape = g.tensors.get(g.inputs[0]!)!.shape;
  let i = 0;
  return rate(() => { run({ [g.inputs[0]!]: { shape, data: x.subarray((i % 64) * per, (i++ % 64 + 1) * per) } }); return 1; }, ms);
}

async function ortRates(g: Graph, q: ActivationQuantizers, batches: readonly number[]): Promise<Map<number, number>> {
  const s = await ort.InferenceSession.create(floatOnnx(g, q), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const shape = g.tensors.get(g.inputs[0]!)!.shape, per = shape.reduce((a, b) => a * b, 1);
  const out = new Map<number, number>();
  for (const b of batches) {
    const t = new ort.Tensor('float32', Float32Array.from(frames(b, per, 1 / 255)), [b, ...shape.slice(1)]);
    out.set(b, await rateAsync(async () => { await s.run({ [s.inputNames[0]!]: t }); return b; }));
  }
  await s.release();
  return out;
}

const best = (m: Map<number, number>): [number, number] => [...m.entries()].reduce((a, e) => (e[1] > a[1] ? e : a));

export async function engineBench(): Promise<void> {
  console.log(`\n== engine (machine: ${cpus().length} cores, shared; all ratios from this run) ==`);
  const zoo = readModel(ZOO);
  const hw = await hwGraph(ZOO, 'tfc', 'xc7z020');
  const per = 784, x = frames(4096, per, 1);
  const e = new Engine(hw);
  const engB1 = rate(() => { for (let i = 0; i < 256; i++) e.run(x.subarray(i * per, (i + 1) * per), 1); return 256; });
  const engBatch = new Map<number, number>();
  for (const b of [16, 64, 256, 1024]) engBatch.set(b, rate(() => { e.run(x.subarray(0, b * per), b); return b; }));
  const threads = cpus().length;
  const pool = compileGraphEngine(hw, { threads });
  const engAll = await rateAsync(async () => { await pool.run(x, 4096); return 4096; }, 800);
  await pool.close();
  const ref = referenceRate(hw, x, per);
  const refImported = referenceRate(zoo, frames(64, per, 1 / 255), per);
  const ortQ = await ortRates(zoo, 'float-ops', [1, 100, 1000]), ortN = await ortRates(zoo, 'none', [1, 100, 1000]);
  const [eb, ev] = best(engBatch), [qb, qv] = best(ortQ), [nb, nv] = best(ortN);
  console.log('TFC-W1A1 (QONNX zoo), frames/s, one run:');
  console.log(`  reference executor (float64): hardware graph ${fmt(ref)}, imported QONNX graph ${fmt(refImported)}`);
  console.log(`  engine, 1 thread: batch 1 ${fmt(engB1)}; batches ${[...engBatch].map(([b, v]) => `${b}: ${fmt(v)}`).join(', ')} (best ${eb}: ${fmt(ev)})`);
  console.log(`  engine, ${threads} threads (worker pool, 4096 frames per call): ${fmt(engAll)}`);
  console.log(`  onnxruntime-node 1.30 CPU float32, 1 thread, activation quantizers as float ops: ${[...ortQ].map(([b, v]) => `batch ${b}: ${fmt(v)}`).join(', ')}`);
  console.log(`  onnxruntime-node, activation quantizers dropped (plain float MLP): ${[...ortN].map(([b, v]) => `batch ${b}: ${fmt(v)}`).join(', ')}`);
  console.log(`  ratios: engine/reference ${fmt(ev / ref)}×; batch 1 engine/onnxruntime ${fmt(engB1 / ortQ.get(1)!)}× (quantizers as float ops), ${fmt(engB1 / ortN.get(1)!)}× (dropped); best batch engine/onnxruntime best ${fmt(ev / qv)}× (vs batch ${qb}), ${fmt(ev / nv)}× (dropped, vs batch ${nb})`);

  const cnv = await hwGraph(syntheticQonnxCnv({ input: [3, 32, 32], layers: CNV_LAYERS, fc: [512, 512, 10], wbits: 1, abits: 1, seed: 5 }), 'cnv', 'xc7z045');
  const ce = new Engine(cnv), cx = frames(64, 3072, 1);
  const cnv1 = rate(() => { ce.run(cx.subarray(0, 3072), 1); return 1; }, 1000);
  const cnvB = rate(() => { ce.run(cx.subarray(0, 16 * 3072), 16); return 16; }, 1500);
  const cnvRef = referenceRate(cnv, cx, 3072, 1500);
  console.log(`CNV-W1A1 (FINN's topology, 32×32), 1 thread: engine batch 1 ${fmt(cnv1)}, batch 16 ${fmt(cnvB)} frames/s; reference ${fmt(cnvRef)} frames/s; ` +
    `${fmt(Math.max(cnv1, cnvB) / cnvRef)}× the reference; ${(Math.max(cnv1, cnvB) / 1000 * 100).toFixed(0)} % of the ~1,000 frames/s popcount limit (1.8 M 64-bit popcounts/frame)`);

  const lfc = await hwGraph(syntheticQonnxMlp({ sizes: [784, 1024, 1024, 1024, 10], wbits: 1, abits: 1, seed: 42 }), 'lfc', 'xc7z045');
  const le = new Engine(lfc), f32 = 4 * (784 * 1024 + 1024 * 1024 * 2 + 1024 * 10);
  console.log(`LFC-W1A1 engine constants (packed weights + thresholds): ${le.info.constBytes} B vs ${f32} B of float32 weights = 1/${fmt(f32 / le.info.constBytes)}`);

  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/finn.js'), 'eval', ZOO, '--dataset', `mnist-idx:${join(SHARED, 'datasets/mnist')}`], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  console.log(r.status === 0 ? `finn eval zoo TFC_1W1A (imported graph), 10,000 MNIST images: ${line.replace(/^.*?: /, '')}; ${wall.toFixed(2)} s wall with start-up` : `finn eval FAILED: ${r.stderr}`);
}
