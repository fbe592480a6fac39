/** The `verify` step: the stitched RTL against the reference executor (with stalls), every layer alone, and throughput. */
import type { Graph } from '../ir/graph.ts';
import { compileGraph } from '../exec/run.ts';
import { Engine } from '../engine/engine.ts';
import { dtMax, dtMin } from '../ir/datatype.ts';
import { numel, type Tensor } from '../ir/tensor.ts';
import { predictor } from '../runtime/predict.ts';
import { loadDataset } from '../runtime/datasets.ts';
import { rng } from '../util/random.ts';
import { acceleratorFrame } from '../runtime/host-input.ts';
import { contractOf } from '../runtime/contract.ts';
import { fail } from '../util/errors.ts';
import type { OutDir } from '../util/outdir.ts';
import { streamInputs, type Design } from './design.ts';
import type { RtlFiles } from './write-rtl.ts';
import { compileStitched, runLayers, runStitched, type SimSettings, type StitchedRun } from './cosim.ts';

export interface VerifyInputs {
  readonly frames: Float64Array[];
  readonly labels?: ArrayLike<number>;
  readonly source: string;
}

/** Frames to verify with: a dataset (raw pixels) or seeded random values over the input datatype. */
export function verifyInputs(g: Graph, dataset: string | undefined, limit: number | undefined, seed: number): VerifyInputs {
  const info = g.tensors.get(g.inputs[0]!)!;
  const per = numel(info.shape);
  if (dataset) {
    const ds = loadDataset(dataset, limit);
    const n = numel(ds.imageShape);
    const want = numel(contractOf(g)?.input.shape ?? info.shape);
    if (n !== want) fail('E_VERIFY', `${dataset} samples have ${n} values, the model takes ${want}`);
    return { frames: Array.from({ length: ds.count }, (_, i) => acceleratorFrame(g, ds.images.subarray(i * n, (i + 1) * n), ds.form ?? 'pixels')), labels: ds.labels, source: ds.name };
  }
  const r = rng(seed);
  const [lo, hi] = [Math.max(dtMin(info.dtype), -128), Math.min(dtMax(info.dtype), 255)];
  const value = info.dtype.kind === 'bipolar' ? () => (r.int(0, 1) ? 1 : -1) : () => r.int(lo, hi);
  const n = limit ?? 64;
  return { frames: Array.from({ length: n }, () => Float64Array.from({ length: per }, value)), source: `${n} random frames (seed ${seed})` };
}

export interface Divergence { layer: string; frame: number; element: number; expected: number; actual: number }

export interface StageReport {
  stage: string;
  images: number;
  mismatches: number;
  accuracy: number | null;
  first_divergence: Divergence | null;
}

export function firstDiff(name: string, exp: readonly ArrayLike<number>[], act: readonly ArrayLike<number>[]): Divergence | null {
  for (let f = 0; f < exp.length; f++) {
    const a = act[f] ?? [];
    for (let e = 0; e < exp[f]!.length; e++) if (exp[f]![e] !== a[e]) return { layer: name, frame: f, element: e, expected: exp[f]![e]!, actual: a[e] ?? NaN };
  }
  return null;
}

export function accuracy(g: Graph, outs: readonly (readonly number[])[], labels?: ArrayLike<number>): number | null {
  if (!labels) return null;
  const predict = predictor(g);
  let ok = 0;
  outs.forEach((o, i) => { if (predict(o) === labels[i]) ok++; });
  return outs.length ? ok / outs.length : 0;
}

export interface VerifyResult {
  readonly stages: StageReport[];
  readonly performance: Record<string, number>;
}

/**
 * Expected outputs: the reference executor for the first `keep` frames, keeping every layer's input/output; the
 * engine (bit-identical to the reference, tests/engine) for the bulk of the frames.
 */
export function reference(g: Graph, frames: readonly ArrayLike<number>[], keep: number, progress?: SimSettings['progress']): { outs: number[][]; layerIO: Map<string, Float64Array[]> } {
  const run = compileGraph(g);
  const info = g.tensors.get(g.inputs[0]!)!;
  const outs: number[][] = [];
  const layerIO = new Map<string, Float64Array[]>();
  frames.slice(0, keep).forEach((f) => {
    const env = run({ [g.inputs[0]!]: { shape: info.shape, data: Float64Array.from(f) } as Tensor }, { keepAll: true });
    outs.push(Array.from(env.get(g.outputs[0]!)!.data));
    for (const [k, v] of env) if (!g.tensors.get(k)?.value) { if (!layerIO.has(k)) layerIO.set(k, []); layerIO.get(k)!.push(v.data); }
  });
  if (frames.length > keep) {
    const engine = new Engine(g);
    const per = engine.inputs[0]!.numel, perOut = engine.outputs[0]!.numel;
    const rest = frames.length - keep, chunk = Math.max(1, engine.info.maxBatch);
    for (let s = 0; s < rest; s += chunk) {
      const n = Math.min(chunk, rest - s), x = new Float64Array(n * per);
      for (let i = 0; i < n; i++) x.set(Array.from(frames[keep + s + i]!), i * per);
      const y = engine.run(x, n);
      for (let i = 0; i < n; i++) outs.push(Array.from(y.subarray(i * perOut, (i + 1) * perOut)));
      if (frames.length >= 2000) progress?.(keep + s + n, frames.length, 'frames through the engine');
    }
  }
  return { outs, layerIO };
}

/** Cycles the throughput run aims at: frames of slow designs are few (at least MIN_PERF_FRAMES), of fast ones up to 256. */
const PERF_CYCLES = 1 << 18;
const MIN_PERF_FRAMES = 8;

/**
 * Throughput as FINN measures it: inputs always valid, outputs always ready, up to 256 frames (fewer for slow
 * designs: about PERF_CYCLES cycles, at least 8 frames); the steady state is the second half of the frames'
 * completion cycles.
 */
export async function measureThroughput(frames: readonly ArrayLike<number>[], cyclesPerFrame: number, run: (frames: readonly ArrayLike<number>[]) => Promise<StitchedRun>): Promise<{ free: StitchedRun; steady: number; latency: number; perfFrames: readonly ArrayLike<number>[] }> {
  const n = Math.min(frames.length, 256, Math.max(MIN_PERF_FRAMES, Math.floor(PERF_CYCLES / Math.max(1, cyclesPerFrame))));
  const perfFrames = frames.slice(0, n);
  const free = await run(perfFrames);
  const done = free.frameDoneCycles;
  if (done.length === 0) fail('E_SIM', 'no frame came out of the design in the throughput run');
  const half = Math.floor(done.length / 2);
  const steady = done.length > 2 ? (done[done.length - 1]! - done[half]!) / (done.length - 1 - half) : done[0]! - free.firstInCycle;
  return { free, steady, latency: done[0]! - free.firstInCycle, perfFrames };
}

/**
 * Co-simulate and compare; writes nothing itself (the step writes the reports). The simulations run side by side
 * with the reference executor (each simulator is one single-threaded process): the stitched run with stalls starts
 * first, the reference computes the expected values meanwhile, then the per-layer harness (which needs them) runs
 * beside the stitched throughput run.
 */
export async function verifyDesign(g: Graph, d: Design, files: RtlFiles, out: OutDir, inputs: VerifyInputs, s: SimSettings, fclkMhz: number): Promise<VerifyResult> {
  const keep = Math.min(inputs.frames.length, 16);
  const estMax = Math.max(...d.layers.map((l) => l.cycles));
  const model = await compileStitched(d, files, s);
  // runStitched starts its simulator before it returns its promise: the reference below runs while it simulates
  const stalled = runStitched(model, d, files, inputs.frames, s.stallProb, s.seed);
  const throughput = stalled.then(() => measureThroughput(inputs.frames, estMax, (f) => runStitched(model, d, files, f, 0, s.seed)));
  throughput.catch(() => {}); // awaited below; a failure of the stalled run is reported from there
  const ref = reference(g, inputs.frames, keep, s.progress);
  const nodes = g.nodes;
  const layerFrames = await runLayers(d, files, out, nodes.map((n) => streamInputs(n).map((t) => ref.layerIO.get(t)!.slice(0, keep))), s);
  const stitched = await stalled;
  s.progress?.(inputs.frames.length, inputs.frames.length, 'frames through the stitched RTL');
  const { free, steady, latency, perfFrames } = await throughput;
  let layerDiv: Divergence | null = null;
  for (let i = 0; i < nodes.length && !layerDiv; i++) {
    const n = nodes[i]!;
    for (let k = 0; k < n.outputs.length && !layerDiv; k++) layerDiv = firstDiff(n.outputs.length > 1 ? `${n.name} output ${k}` : n.name, ref.layerIO.get(n.outputs[k]!)!, layerFrames[i]![k]!);
  }
  const mism = ref.outs.filter((o, i) => o.some((v, j) => v !== stitched.frames[i]?.[j])).length;
  const stitchedDiv = firstDiff('stitched', ref.outs, stitched.frames);
  return {
    stages: [
      { stage: 'hw_layers_rtl', images: keep, mismatches: layerDiv ? 1 : 0, accuracy: null, first_divergence: layerDiv },
      { stage: 'stitched_rtl', images: inputs.frames.length, mismatches: mism, accuracy: accuracy(g, stitched.frames, inputs.labels), first_divergence: stitchedDiv && (layerDiv ?? stitchedDiv) },
      { stage: 'hw_graph_reference', images: inputs.frames.length, mismatches: 0, accuracy: accuracy(g, ref.outs, inputs.labels), first_divergence: null },
    ],
    performance: {
      cycles: free.cycles, N: perfFrames.length, latency_cycles: latency,
      throughput: (perfFrames.length * fclkMhz * 1e6) / free.cycles, fclk: fclkMhz, stable_throughput: (fclkMhz * 1e6) / steady,
      cycles_per_frame: steady, estimated_max_cycles: estMax, deviation_from_estimate: (steady - estMax) / estMax,
    },
  };
}
