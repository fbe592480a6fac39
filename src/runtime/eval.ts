/** Feed models what they expect and measure top-1 accuracy on a dataset (the engine, or the reference executor). */
import type { Graph } from '../ir/graph.ts';
import { compileGraph } from '../exec/run.ts';
import { compileGraphEngine, type CompiledModel } from '../engine/index.ts';
import type { KernelChoice } from '../engine/engine.ts';
import { numel, type Tensor } from '../ir/tensor.ts';
import { isIntegral } from '../ir/datatype.ts';
import { hasDiv255 } from '../passes/tidy/pre-post-processing.ts';
import { fail } from '../util/errors.ts';
import { checkLabels, type Dataset } from './datasets.ts';
import { datasetFrame } from './host-input.ts';
import { classCount, predictor } from './predict.ts';
import { contractOf } from './contract.ts';

/** 'raw': 0–255 pixel values; 'unit': pixels / 255 (what Brevitas exports are trained on). */
export type InputScale = 'raw' | 'unit';

/** Decide what the graph expects: raw pixels if it scales by 1/255 itself or takes an integer input. */
export function detectInputScale(g: Graph): { scale: InputScale; reason: string } {
  if (hasDiv255(g)) return { scale: 'raw', reason: 'the graph divides its input by 255 itself' };
  const t = g.tensors.get(g.inputs[0]!)!;
  if (isIntegral(t.dtype)) return { scale: 'raw', reason: `the graph input is ${t.dtype.kind === 'int' ? (t.dtype.signed ? 'INT' : 'UINT') + t.dtype.bits : t.dtype.kind}` };
  return { scale: 'unit', reason: 'the graph takes a float input: feeding pixels / 255' };
}

/** How to run a graph: the engine (default; bit-exact with the reference) or the float64 reference executor. */
export interface RunOptions {
  readonly executor?: 'engine' | 'reference';
  readonly threads?: number;
  readonly kernels?: KernelChoice;
}

function engineFor(g: Graph, o: RunOptions): CompiledModel {
  return compileGraphEngine(g, { threads: o.threads ?? 1, ...(o.kernels ? { kernels: o.kernels } : {}) });
}

/** Run a graph on a batch of frames (its input's element count each) with the engine; the output stacks the frames. */
export async function runFrames(g: Graph, x: Tensor, o: RunOptions = {}): Promise<Tensor> {
  if (o.executor === 'reference') return runBatch(g, x);
  const m = engineFor(g, o);
  try {
    const per = numel(m.inputShape);
    if (x.data.length % per !== 0) fail('E_SHAPE', `input has ${x.data.length} elements, not a multiple of the model's input [${m.inputShape.join(',')}] (${per})`);
    const n = x.data.length / per;
    const y = await m.run(x.data, n);
    return { shape: n === 1 ? [...m.outputShape] : [n, ...m.outputShape.slice(1)], data: y };
  } finally {
    await m.close();
  }
}

/** Run a graph on a batch with the reference executor, sample by sample when the graph fixes its batch size to 1. */
export function runBatch(g: Graph, x: Tensor): Tensor {
  const inShape = g.tensors.get(g.inputs[0]!)!.shape;
  const per = numel(inShape);
  if (x.data.length === per) return compileGraph(g)({ [g.inputs[0]!]: x }).get(g.outputs[0]!)!;
  if (x.data.length % per !== 0) fail('E_SHAPE', `input has ${x.data.length} elements, not a multiple of the model's input [${inShape.join(',')}] (${per})`);
  const n = x.data.length / per;
  const run = compileGraph(g);
  const outs: Tensor[] = [];
  for (let i = 0; i < n; i++) outs.push(run( { [g.inputs[0]!]: { shape: inShape, data: x.data.subarray(i * per, (i + 1) * per) } }).get(g.outputs[0]!)!);
  const first = outs[0]!;
  const data = new Float64Array(n * first.data.length);
  outs.forEach((o, i) => data.set(o.data, i * first.data.length));
  return { shape: [n, ...first.shape.slice(1)], data };
}

/** The predicted class of one output: a class index (TopK/LabelSelect) or the argmax of logits (lowest index wins ties). */
export function predictedClass(out: Tensor): number {
  if (out.data.length === 1) return out.data[0]!;
  let best = 0;
  for (let j = 1; j < out.data.length; j++) if (out.data[j]! > out.data[best]!) best = j;
  return best;
}

export interface EvalResult {
  images: number;
  correct: number;
  accuracy: number;
  predictions: Int32Array;
  inputScale: InputScale;
  /** Seconds running the images (engine: excluding its compilation, given as compileSeconds). */
  seconds: number;
  compileSeconds?: number;
}

/** Every sample as the graph's input frame (contract or raw//255, host layout), frame after frame. */
function datasetFrames(g: Graph, ds: Dataset, scale: InputScale): Float64Array {
  const inShape = g.tensors.get(g.inputs[0]!)!.shape;
  const per = numel(inShape);
  const want = numel(contractOf(g)?.input.shape ?? inShape);
  if (numel(ds.imageShape) !== want) fail('E_SHAPE', `the model takes [${(contractOf(g)?.input.shape ?? inShape).join(',')}] but ${ds.name} samples are [${ds.imageShape.join(',')}]`);
  const out = new Float64Array(ds.count * per);
  for (let i = 0; i < ds.count; i++) out.set(datasetFrame(g, ds, i, scale), i * per);
  return out;
}

function scoreOutputs(g: Graph, y: Float64Array, perOut: number, ds: Dataset): { predictions: Int32Array; correct: number } {
  const labels = ds.labels ?? fail('E_DATASET', `${ds.name} has no labels: accuracy needs them`, 'give labels (npz key y / label_arr, or npy:<x.npy>,<y.npy>)');
  checkLabels(ds, classCount(g));
  const predict = predictor(g);
  const predictions = new Int32Array(ds.count);
  let correct = 0;
  for (let i = 0; i < ds.count; i++) {
    predictions[i] = predict(y.subarray(i * perOut, (i + 1) * perOut));
    if (predictions[i] === labels[i]) correct++;
  }
  return { predictions, correct };
}

/** Top-1 accuracy of a graph on a dataset with the engine (threads > 1: worker threads). */
export async function evaluateFast(g: Graph, ds: Dataset, scale: InputScale = detectInputScale(g).scale, o: RunOptions = {}): Promise<EvalResult> {
  if (o.executor === 'reference') return evaluate(g, ds, scale, o);
  const t0 = performance.now();
  const m = engineFor(g, o);
  try {
    const frames = datasetFrames(g, ds, scale);
    const t1 = performance.now();
    const y = await m.run(frames, ds.count);
    const seconds = (performance.now() - t1) / 1000;
    const { predictions, correct } = scoreOutputs(g, y, y.length / Math.max(1, ds.count), ds);
    return { images: ds.count, correct, accuracy: ds.count ? correct / ds.count : 0, predictions, inputScale: scale, seconds, compileSeconds: (t1 - t0) / 1000 };
  } finally {
    await m.close();
  }
}

/** Top-1 accuracy of a graph on a dataset: the engine in this thread, or (executor 'reference') the reference executor. */
export function evaluate(g: Graph, ds: Dataset, scale: InputScale = detectInputScale(g).scale, o: RunOptions = {}): EvalResult {
  if (o.executor !== 'reference') {
    const t0 = performance.now();
    const m = engineFor(g, { ...o, threads: 1 });
    const frames = datasetFrames(g, ds, scale);
    const t1 = performance.now();
    const y = m.runSync(frames, ds.count);
    const seconds = (performance.now() - t1) / 1000;
    const { predictions, correct } = scoreOutputs(g, y, y.length / Math.max(1, ds.count), ds);
    return { images: ds.count, correct, accuracy: ds.count ? correct / ds.count : 0, predictions, inputScale: scale, seconds, compileSeconds: (t1 - t0) / 1000 };
  }
  const inShape = g.tensors.get(g.inputs[0]!)!.shape;
  const frames = datasetFrames(g, ds, scale);
  const per = numel(inShape);
  const run = compileGraph(g);
  const t0 = performance.now();
  const outs: Float64Array[] = [];
  for (let i = 0; i < ds.count; i++) outs.push(run({ [g.inputs[0]!]: { shape: inShape, data: frames.subarray(i * per, (i + 1) * per) } }).get(g.outputs[0]!)!.data);
  const perOut = outs[0]?.length ?? 1;
  const y = new Float64Array(ds.count * perOut);
  outs.forEach((o, i) => y.set(o, i * perOut));
  const { predictions, correct } = scoreOutputs(g, y, perOut, ds);
  return { images: ds.count, correct, accuracy: ds.count ? correct / ds.count : 0, predictions, inputScale: scale, seconds: (performance.now() - t0) / 1000 };
}
