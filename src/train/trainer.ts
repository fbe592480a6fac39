/**
 * Quantization-aware training of FINN's MLPs (TFC/SFC/LFC) and the eval-mode network it produces.
 *
 * Training: seeded initialisation and shuffling, mini-batches, Adam with a cosine learning-rate schedule, per-epoch
 * progress through a callback. Eval mode ("freezing"): batch-norm statistics are recomputed exactly for the final
 * weights over the training images (population mean and variance, layer by layer, with earlier layers already in
 * eval mode), and all numbers are rounded to float32 as the ONNX file stores them.
 *
 * The eval-mode forward pass (`predict`) computes what the exported QONNX graph computes, image by image: the matrix
 * products run in TensorFlow.js but are exact (quantized operands on power-of-two grids, see model.ts), and
 * batch-norm, quantizers and the output scale are evaluated in float64 with the executor's own formulas.
 */
import { tf, useBackend, type TfBackend } from './tf.ts';
import { rng } from '../util/random.ts';
import { fail } from '../util/errors.ts';
import type { ImageDataset } from '../runtime/datasets.ts';
import { QatMlp } from './qat.ts';
import {
  BN_EPS, checkBits, float32Exact, activationQuantizer, quantizedWeightMatrix, quantizeInputPixel, quantizeInputs,
  mlpSizes, TOPOLOGIES, type FrozenBatchNorm, type FrozenLayer, type FrozenMlp, type MlpTopology, type Topology,
} from './model.ts';

export interface EpochProgress {
  readonly epoch: number;
  readonly epochs: number;
  /** Mean training loss (softmax cross-entropy) over the epoch. */
  readonly loss: number;
  /** Training-mode top-1 accuracy over the epoch's batches. */
  readonly trainAccuracy: number;
  /** Training throughput of the epoch (images through forward + backward + update per second). */
  readonly imagesPerSecond: number;
  readonly seconds: number;
  readonly lr: number;
  /** Eval-mode top-1 accuracy on the test set, when one is given and this epoch is evaluated. */
  readonly testAccuracy?: number;
}

export interface TrainOptions {
  readonly topology: Topology;
  readonly wbits: number;
  readonly abits: number;
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  /** Initial learning rate (cosine-decayed to lr/100 over the run). */
  readonly lr: number;
  /** Width multiplier of the hidden layers (default 1: FINN's sizes; see scaleWidth). */
  readonly width?: number;
  readonly train: ImageDataset;
  readonly test?: ImageDataset;
  /** Random translation of training images by up to this many pixels (0: none). */
  readonly shift?: number;
  /** Evaluate on the test set after every epoch (default), or only at the end. */
  readonly evalEveryEpoch?: boolean;
  /** Stop after this many optimisation steps in total (for tests and benchmarks). */
  readonly maxSteps?: number;
  readonly backend?: TfBackend;
  readonly onEpoch?: (p: EpochProgress) => void;
}

export interface Evaluation {
  readonly images: number;
  readonly correct: number;
  readonly accuracy: number;
}

export interface TrainResult {
  readonly model: FrozenMlp;
  readonly history: readonly EpochProgress[];
  /** Wall time of the optimisation steps only, and of the whole run (incl. data preparation and evaluation). */
  readonly trainSeconds: number;
  readonly totalSeconds: number;
  readonly backend: TfBackend;
  /** Final eval-mode accuracy on the test set (exactly what the exported model scores). */
  readonly test?: Evaluation;
}

/** At most this many training images are used to recompute batch-norm statistics. */
const CALIBRATION_IMAGES = 20000;

function checkDataset(ds: ImageDataset, what: string): void {
  const per = ds.imageShape.reduce((a, b) => a * b, 1);
  if (per !== 784) fail('E_DATASET', `${what} ${ds.name} has ${ds.imageShape.join('×')} images; the MLP topologies take 28×28 (784) inputs`, 'use MNIST (mnist or mnist-idx:<dir>)');
  if (ds.count === 0) fail('E_DATASET', `${what} ${ds.name} is empty`);
}

/** Copy rows `idx[from..to)` of a row-major [N, k] array into `dst`, optionally shifting each 28×28 image. */
function gatherRows(src: Float32Array, k: number, idx: Int32Array, from: number, to: number, dst: Float32Array,
  shift: number, fill: number, r: ReturnType<typeof rng>): void {
  for (let j = from; j < to; j++) {
    const row = src.subarray(idx[j]! * k, idx[j]! * k + k);
    const out = dst.subarray((j - from) * k, (j - from + 1) * k);
    if (shift === 0) { out.set(row); continue; }
    const dx = r.int(-shift, shift), dy = r.int(-shift, shift);
    for (let y = 0; y < 28; y++) {
      const sy = y - dy;
      for (let x = 0; x < 28; x++) {
        const sx = x - dx;
        out[y * 28 + x] = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? row[sy * 28 + sx]! : fill;
      }
    }
  }
}

/** Learning rate at a step: cosine from lr to lr/100. */
export function learningRate(lr: number, step: number, total: number): number {
  const p = total <= 1 ? 0 : Math.min(1, step / (total - 1));
  return lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** The epoch/batch loop shared by the MLP and CNV trainers. */
export interface LoopOptions {
  /** Training images, batch size, and the run's length. */
  readonly n: number;
  readonly batch: number;
  readonly epochs: number;
  readonly totalSteps: number;
  readonly lr: number;
  /** The run's seeded generator: shuffles the images every epoch (and is passed on to `step` for augmentation). */
  readonly r: ReturnType<typeof rng>;
  /** One optimisation step on the images order[from..to) at a learning rate; returns [mean loss, correct]. */
  readonly step: (order: Int32Array, from: number, to: number, lr: number) => [number, number];
  /** Eval-mode test accuracy of the current weights, when there is a test set (called per epoch or at the end). */
  readonly evaluate?: () => number;
  readonly evalEveryEpoch?: boolean;
  readonly onEpoch?: (p: EpochProgress) => void;
}

/** Seeded shuffling, mini-batches, the cosine schedule, per-epoch progress; returns the history and optimisation time. */
export function trainLoop(o: LoopOptions): { history: EpochProgress[]; trainSeconds: number } {
  const { n, batch, r } = o;
  const stepsPerEpoch = Math.floor(n / batch);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const history: EpochProgress[] = [];
  let trainSeconds = 0;
  let step = 0;
  for (let epoch = 1; epoch <= o.epochs && step < o.totalSteps; epoch++) {
    // Fisher–Yates with the seeded generator: the same seed gives the same batches
    for (let i = n - 1; i > 0; i--) { const j = r.int(0, i); const t = order[i]!; order[i] = order[j]!; order[j] = t; }
    const te = performance.now();
    let lossSum = 0, correct = 0, seen = 0, lr = 0;
    for (let b = 0; b < stepsPerEpoch && step < o.totalSteps; b++, step++) {
      lr = learningRate(o.lr, step, o.totalSteps);
      const [loss, c] = o.step(order, b * batch, (b + 1) * batch, lr);
      if (!Number.isFinite(loss)) fail('E_INTERNAL', `training diverged at epoch ${epoch}, step ${step + 1} (loss ${loss})`, 'lower --lr');
      lossSum += loss * batch;
      correct += c;
      seen += batch;
    }
    const seconds = (performance.now() - te) / 1000;
    trainSeconds += seconds;
    const last = epoch === o.epochs || step >= o.totalSteps;
    const testAccuracy = o.evaluate && (last || o.evalEveryEpoch !== false) ? o.evaluate() : undefined;
    const p: EpochProgress = { epoch, epochs: o.epochs, loss: lossSum / seen, trainAccuracy: correct / seen, imagesPerSecond: seen / seconds, seconds, lr, ...(testAccuracy === undefined ? {} : { testAccuracy }) };
    history.push(p);
    o.onEpoch?.(p);
  }
  return { history, trainSeconds };
}

/** Validate the options every topology shares; returns the batch size actually used (at most the image count). */
export function checkTrainOptions(o: Pick<TrainOptions, 'wbits' | 'abits' | 'epochs' | 'batch' | 'lr'>, n: number): number {
  checkBits('--wbits', o.wbits);
  checkBits('--abits', o.abits);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) fail('E_USAGE', `--epochs must be a positive integer, got ${o.epochs}`);
  if (!Number.isInteger(o.batch) || o.batch < 2) fail('E_USAGE', `--batch must be an integer of at least 2 (batch-norm needs batch statistics), got ${o.batch}`);
  if (!(o.lr > 0)) fail('E_USAGE', `--lr must be positive, got ${o.lr}`);
  return Math.min(o.batch, n);
}

/** Provenance written into the exported model's metadata. */
export function trainMeta(o: TrainOptions, epochs: number, batch: number, test: Evaluation | undefined): Record<string, string> {
  return {
    'finn_ts.train.topology': o.topology, 'finn_ts.train.wbits': String(o.wbits), 'finn_ts.train.abits': String(o.abits),
    'finn_ts.train.epochs': String(epochs), 'finn_ts.train.batch': String(batch), 'finn_ts.train.seed': String(o.seed),
    'finn_ts.train.lr': String(o.lr), 'finn_ts.train.shift': String(o.shift ?? 0), 'finn_ts.train.dataset': o.train.name,
    ...(o.width !== undefined && o.width !== 1 ? { 'finn_ts.train.width': String(o.width) } : {}),
    ...(test ? { 'finn_ts.train.test_dataset': o.test!.name, 'finn_ts.train.test_accuracy': test.accuracy.toFixed(4) } : {}),
  };
}

/** Train a quantized MLP; returns the frozen (eval-mode) network and the history. */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const sizes = o.topology in TOPOLOGIES ? mlpSizes(o.topology as MlpTopology, o.width ?? 1) : undefined;
  if (!sizes) fail('E_USAGE', `unknown topology "${o.topology}"`, o.topology === 'cnv' ? 'train CNV with trainCnv (src/train/cnv-trainer.ts)' : 'use tfc, sfc or lfc');
  const batch = checkTrainOptions(o, o.train.count);
  checkDataset(o.train, 'training set');
  if (o.test) checkDataset(o.test, 'test set');
  const backend = await useBackend(o.backend ?? 'wasm');

  const n = o.train.count, k = sizes[0]!;
  const inputs = quantizeInputs(o.train.images.subarray(0, n * k), o.abits);
  const labels = Int32Array.from(o.train.labels.subarray(0, n));
  const totalSteps = Math.min(Math.floor(n / batch) * o.epochs, o.maxSteps ?? Infinity);
  const r = rng(o.seed);
  const net = new QatMlp(sizes, o.wbits, o.abits, r);
  const xbuf = new Float32Array(batch * k);
  const ybuf = new Int32Array(batch);
  const fill = quantizeInputPixel(0, o.abits);
  const frozen = { ...o, topology: o.topology as MlpTopology };
  let model: FrozenMlp | undefined;
  let loop: { history: EpochProgress[]; trainSeconds: number };
  try {
    loop = trainLoop({
      n, batch, epochs: o.epochs, totalSteps, lr: o.lr, r, ...(o.evalEveryEpoch === undefined ? {} : { evalEveryEpoch: o.evalEveryEpoch }),
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
      step: (order, from, to, lr) => {
        gatherRows(inputs, k, order, from, to, xbuf, o.shift ?? 0, fill, r);
        for (let j = 0; j < batch; j++) ybuf[j] = labels[order[from + j]!]!;
        const x = tf.tensor2d(xbuf, [batch, k]);
        const y = tf.tensor1d(ybuf, 'int32');
        try {
          return net.step(x, y, lr);
        } finally {
          tf.dispose([x, y]);
        }
      },
      ...(o.test ? { evaluate: () => { model = freeze(net, inputs, n, frozen); return evaluateFrozen(model, o.test!).accuracy; } } : {}),
    });
    model ??= freeze(net, inputs, n, frozen);
  } finally {
    net.dispose();
  }
  const test = o.test ? evaluateFrozen(model, o.test) : undefined;
  const meta = trainMeta(o, loop.history.length, batch, test);
  return { model: { ...model, meta }, history: loop.history, trainSeconds: loop.trainSeconds, totalSeconds: (performance.now() - t0) / 1000, backend, ...(test ? { test } : {}) };
}

/** Evenly spaced calibration rows (all of them when there are few). */
function calibrationRows(n: number): Int32Array {
  const m = Math.min(n, CALIBRATION_IMAGES);
  return Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
}

/** Exact accumulators x·Wq for a batch of rows (x: [rows, k] float32 on quantization grids). */
function accumulate(x: Float32Array, rows: number, k: number, wq: tf.Tensor2D): Float32Array {
  // (tidy must not return the typed array: it would walk every element looking for tensors)
  const y = tf.tidy(() => tf.matMul(tf.tensor2d(x, [rows, k]), wq));
  try {
    return y.dataSync() as Float32Array;
  } finally {
    y.dispose();
  }
}

/** Eval mode: the current weights, batch-norm statistics recomputed over training images, everything float32. */
export function freeze(net: QatMlp, inputs: Float32Array, n: number, o: { topology: MlpTopology; wbits: number; abits: number }): FrozenMlp {
  const sizes = net.sizes;
  if (!float32Exact(sizes, o.wbits, o.abits)) fail('E_INTERNAL', `float32 products are not exact for ${sizes.join('-')} W${o.wbits}A${o.abits}`);
  const rows = calibrationRows(n);
  const k0 = sizes[0]!;
  let x: Float32Array = new Float32Array(rows.length * k0);
  rows.forEach((r, i) => x.set(inputs.subarray(r * k0, (r + 1) * k0), i * k0));
  const layers: FrozenLayer[] = [];
  const L = sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const [k, c] = [sizes[l]!, sizes[l + 1]!];
    const wkn = net.weights[l]!.dataSync() as Float32Array;
    const weight = new Float32Array(k * c);
    for (let i = 0; i < k; i++) for (let j = 0; j < c; j++) weight[j * k + i] = wkn[i * c + j]!;
    if (l === L - 1) { layers.push({ inputs: k, outputs: c, weight }); break; }
    const layer0: FrozenLayer = { inputs: k, outputs: c, weight };
    const acc = accumulateAll(x, rows.length, layer0, o.wbits);
    // population statistics in float64, stored as float32
    const mean = new Float64Array(c), sq = new Float64Array(c);
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < c; j++) mean[j]! += acc[i * c + j]!;
    for (let j = 0; j < c; j++) mean[j]! /= rows.length;
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < c; j++) sq[j]! += (acc[i * c + j]! - mean[j]!) ** 2;
    const bn: FrozenBatchNorm = {
      gamma: Float32Array.from(net.gammas[l]!.dataSync()), beta: Float32Array.from(net.betas[l]!.dataSync()),
      mean: Float32Array.from(mean), variance: Float32Array.from(sq, (v) => v / rows.length),
    };
    const layer: FrozenLayer = { ...layer0, bn };
    layers.push(layer);
    x = hiddenOutput(acc, rows.length, layer, o.abits);
  }
  const outScale = Math.fround(Math.exp(net.logOutScale.dataSync()[0]!));
  return { name: `${o.topology}_w${o.wbits}a${o.abits}`, sizes: [...sizes], wbits: o.wbits, abits: o.abits, layers, outScale, meta: {} };
}

/** Accumulators of one layer for all rows, in chunks. */
function accumulateAll(x: Float32Array, rows: number, layer: FrozenLayer, wbits: number): Float32Array {
  const { inputs: k, outputs: c } = layer;
  const out = new Float32Array(rows * c);
  const wq = tf.tensor2d(quantizedWeightMatrix(layer, wbits), [k, c]);
  try {
    const chunk = Math.max(1, Math.floor(4_000_000 / Math.max(k, c)));
    for (let s = 0; s < rows; s += chunk) {
      const e = Math.min(rows, s + chunk);
      out.set(accumulate(x.subarray(s * k, e * k), e - s, k, wq), s * c);
    }
  } finally {
    wq.dispose();
  }
  return out;
}

/** Batch-norm and activation quantizer of a hidden layer, in float64 (executor formulas); the result is exact in float32. */
function hiddenOutput(acc: Float32Array, rows: number, layer: FrozenLayer, abits: number): Float32Array {
  const c = layer.outputs, bn = layer.bn!;
  const out = new Float32Array(rows * c);
  // the executor's formula ((x − μ) / √(σ² + ε))·γ + β, with the per-channel square root computed once
  const den = Float64Array.from(bn.variance, (v) => Math.sqrt(v + BN_EPS));
  const quant = activationQuantizer(abits);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < c; j++) out[i * c + j] = quant(((acc[i * c + j]! - bn.mean[j]!) / den[j]!) * bn.gamma[j]! + bn.beta[j]!);
  }
  return out;
}

/** Eval-mode logits (float64) for raw 8-bit images: exactly the exported graph's outputs. Needs the backend ready. */
export function predictLogits(m: FrozenMlp, images: Uint8Array, count: number): Float64Array {
  if (!float32Exact(m.sizes, m.wbits, m.abits)) fail('E_INTERNAL', `float32 products are not exact for ${m.sizes.join('-')} W${m.wbits}A${m.abits}`);
  let x: Float32Array = quantizeInputs(images.subarray(0, count * m.sizes[0]!), m.abits);
  const L = m.layers.length;
  for (let l = 0; l < L; l++) {
    const layer = m.layers[l]!;
    const acc = accumulateAll(x, count, layer, m.wbits);
    if (l < L - 1) { x = hiddenOutput(acc, count, layer, m.abits); continue; }
    const out = new Float64Array(acc.length);
    for (let i = 0; i < acc.length; i++) out[i] = acc[i]! * m.outScale;
    return out;
  }
  throw new Error('internal: network without layers');
}

/** Predicted classes (argmax, the lowest index wins ties — as ONNX TopK and FINN's LabelSelect). */
export function argmaxRows(logits: Float64Array, classes: number): Int32Array {
  const n = logits.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (logits[i * classes + j]! > logits[i * classes + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** Top-1 accuracy of the eval-mode network on a dataset. */
export function evaluateFrozen(m: FrozenMlp, ds: ImageDataset): Evaluation & { predictions: Int32Array } {
  const classes = m.sizes[m.sizes.length - 1]!;
  const predictions = argmaxRows(predictLogits(m, ds.images, ds.count), classes);
  let correct = 0;
  for (let i = 0; i < ds.count; i++) if (predictions[i] === ds.labels[i]) correct++;
  return { images: ds.count, correct, accuracy: correct / ds.count, predictions };
}
