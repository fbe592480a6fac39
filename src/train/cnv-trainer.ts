/**
 * Quantization-aware training of FINN's CNV (cnv.ts) on CIFAR-10-style images, and its eval-mode network.
 *
 * Training uses the MLP trainer's loop (seeded shuffling, mini-batches, Adam with the cosine schedule, per-epoch
 * progress) with the convolutional network of qat-cnv.ts; augmentation is a random translation by up to `shift` pixels
 * (uncovered pixels take the value of a black pixel) and, unless turned off, a random horizontal flip.
 *
 * Eval mode ("freezing"): batch-norm statistics are recomputed for the final weights over up to
 * CNV_CALIBRATION_IMAGES training images, layer by layer with the earlier layers already in eval mode, and every
 * number is rounded to float32 as the ONNX file stores it. The eval-mode forward pass (`predictCnvLogits`) computes
 * what the exported QONNX graph computes, image by image: convolutions and matrix products run in TensorFlow.js on
 * quantized operands (exact: integer multiples of power-of-two steps, summed in channel slices small enough to stay
 * below 2^24 steps), batch-norm, quantizers and the output scale in float64 with the executor's formulas.
 */
import { tf, useBackend, type TfBackend } from './tf.ts';
import { rng, type Rng } from '../util/random.ts';
import { fail } from '../util/errors.ts';
import type { ImageDataset } from '../runtime/datasets.ts';
import { actScale, BN_EPS, quantizedWeightMatrix, quantizeWeight, type FrozenBatchNorm, type FrozenLayer } from './model.ts';
import { QatCnv } from './qat-cnv.ts';
import {
  actLevelMax, bnQuantChannelsLast, CNV_INPUT_BITS, cnvInputLut, CONV_K, exactSliceChannels, flattenNchw, maxPoolChannelsLast, planCnv,
  weightLevelMax, type CnvPlan, type FrozenConv, type FrozenCnv,
} from './cnv.ts';
import { argmaxRows, checkTrainOptions, trainLoop, trainMeta, type EpochProgress, type Evaluation, type TrainOptions } from './trainer.ts';

export interface CnvTrainOptions extends TrainOptions {
  /** Random horizontal flips of training images (default true). */
  readonly flip?: boolean;
}

/** What training an image network returns: the frozen (eval-mode) network, the history and the times. */
export interface ImageTrainResult<M> {
  readonly model: M;
  readonly history: readonly EpochProgress[];
  readonly trainSeconds: number;
  readonly totalSeconds: number;
  readonly backend: TfBackend;
  readonly test?: Evaluation;
}
export type CnvTrainResult = ImageTrainResult<FrozenCnv>;

/** At most this many training images are used to recompute batch-norm statistics (each brings h·w samples per conv channel). */
export const CNV_CALIBRATION_IMAGES = 2000;
/** Images per chunk in eval-mode passes. */
const CHUNK = 50;

export function imageDims(ds: ImageDataset, what: string): [number, number, number] {
  if (ds.imageShape.length !== 3) fail('E_DATASET', `${what} ${ds.name} has ${ds.imageShape.join('×')} images; CNV takes C×H×W images`);
  if (ds.count === 0) fail('E_DATASET', `${what} ${ds.name} is empty`);
  return ds.imageShape as unknown as [number, number, number];
}

/** Write images order[from..to) as quantized channels-last input values, with the run's seeded augmentation. */
export function gatherImages(ds: ImageDataset, lut: Float32Array, order: Int32Array, from: number, to: number, dst: Float32Array,
  shift: number, flip: boolean, r: Rng): void {
  const [c, h, w] = ds.imageShape as [number, number, number];
  const per = c * h * w, fill = lut[0]!;
  for (let j = from; j < to; j++) {
    const src = ds.images.subarray(order[j]! * per, (order[j]! + 1) * per);
    const out = dst.subarray((j - from) * per, (j - from + 1) * per);
    const dx = shift ? r.int(-shift, shift) : 0, dy = shift ? r.int(-shift, shift) : 0;
    const mirror = flip && r.next() < 0.5;
    let o = 0;
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      for (let x = 0; x < w; x++) {
        const sx0 = x - dx;
        const inside = sy >= 0 && sy < h && sx0 >= 0 && sx0 < w;
        const sx = mirror ? w - 1 - sx0 : sx0;
        for (let ch = 0; ch < c; ch++) out[o++] = inside ? lut[src[(ch * h + sy) * w + sx]!]! : fill;
      }
    }
  }
}

/** Quantized channels-last input values of images [from, to) of a dataset (no augmentation). */
export function inputChunk(ds: ImageDataset, lut: Float32Array, from: number, to: number, rows?: Int32Array): Float32Array {
  const [c, h, w] = ds.imageShape as [number, number, number];
  const per = c * h * w;
  const out = new Float32Array((to - from) * per);
  for (let j = from; j < to; j++) {
    const i = rows ? rows[j]! : j;
    const src = ds.images.subarray(i * per, (i + 1) * per);
    let o = (j - from) * per;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[o++] = lut[src[(ch * h + y) * w + x]!]!;
  }
  return out;
}

/** Geometry of a square convolution: kernel k×k, stride, zero padding on every side. */
export interface ConvGeom {
  readonly k: number;
  readonly stride: number;
  readonly pad: number;
}
/** CNV's convolutions: valid 3×3, stride 1. */
const VALID3: ConvGeom = { k: CONV_K, stride: 1, pad: 0 };

/**
 * An exact product with quantized weights: a convolution (channels-last; CNV's valid 3×3 by default) or a matrix
 * product (geometry null), summed over input-channel slices whose float32 partial sums stay exact (one slice for
 * every supported CNV layer up to 7 bits).
 */
export class ExactLayer {
  private readonly parts: { from: number; size: number; w: tf.Tensor }[] = [];
  private readonly conv: boolean;

  /** wq: [k, k, c, oc] (conv) or [c, oc] (matrix), quantized values; xMax/wMax: largest |level| of input and weight. */
  constructor(private readonly geom: ConvGeom | null, wq: Float32Array, private readonly c: number, oc: number, xMax: number, wMax: number) {
    this.conv = geom !== null;
    const k = geom?.k ?? 1, k2 = k * k;
    const slice = Math.min(c, exactSliceChannels(k2, xMax, wMax));
    for (let from = 0; from < c; from += slice) {
      const size = Math.min(slice, c - from);
      const part = new Float32Array(k2 * size * oc);
      for (let j = 0; j < k2; j++) part.set(wq.subarray((j * c + from) * oc, (j * c + from + size) * oc), j * size * oc);
      this.parts.push({ from, size, w: geom ? tf.tensor4d(part, [k, k, size, oc]) : tf.tensor2d(part, [size, oc]) });
    }
  }

  /** Output map size of the convolution for an input of h×w. */
  outSize(h: number, w: number): [number, number] {
    const g = this.geom ?? VALID3;
    return [Math.floor((h + 2 * g.pad - g.k) / g.stride) + 1, Math.floor((w + 2 * g.pad - g.k) / g.stride) + 1];
  }

  /** Accumulators for n inputs (channels-last maps [n, h, w, c] or rows [n, c]). */
  run(x: Float32Array, n: number, h = 1, w = 1): Float32Array | Float64Array {
    const xt = this.conv ? tf.tensor4d(x, [n, h, w, this.c]) : tf.tensor2d(x, [n, this.c]);
    let sum: Float64Array | undefined;
    try {
      for (const p of this.parts) {
        // (tidy must not return the typed array: it would walk every element looking for tensors)
        const y = tf.tidy(() => {
          const xs = this.parts.length === 1 ? xt : this.conv ? tf.slice(xt, [0, 0, 0, p.from], [n, h, w, p.size]) : tf.slice(xt, [0, p.from], [n, p.size]);
          const g = this.geom;
          if (!g) return tf.matMul(xs as tf.Tensor2D, p.w as tf.Tensor2D);
          return tf.conv2d(xs as tf.Tensor4D, p.w as tf.Tensor4D, g.stride, g.pad === 0 ? 'valid' : [[0, 0], [g.pad, g.pad], [g.pad, g.pad], [0, 0]]);
        });
        const a = y.dataSync() as Float32Array;
        y.dispose();
        if (this.parts.length === 1) return a;
        sum ??= new Float64Array(a.length);
        for (let i = 0; i < a.length; i++) sum[i]! += a[i]!;
      }
    } finally {
      xt.dispose();
    }
    return sum!;
  }

  dispose(): void {
    for (const p of this.parts) p.w.dispose();
  }
}

/** Quantized conv weights in TensorFlow's layout [k, k, IC, OC] from the latent [OC, IC, k, k]. */
export function quantizedConvWeights(c: Pick<FrozenConv, 'inChannels' | 'outChannels' | 'weight'>, wbits: number, kernel = CONV_K): Float32Array {
  const { inChannels: ic, outChannels: oc, weight } = c;
  const out = new Float32Array(weight.length);
  const k2 = kernel * kernel;
  for (let o = 0; o < oc; o++) for (let i = 0; i < ic; i++) for (let k = 0; k < k2; k++) {
    out[(k * ic + i) * oc + o] = quantizeWeight(weight[(o * ic + i) * k2 + k]!, wbits);
  }
  return out;
}

/** Per-channel population mean and variance (float64), merged over chunks (Chan et al.). */
export class ChannelStats {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  constructor(private readonly c: number) {
    this.mean = new Float64Array(c);
    this.m2 = new Float64Array(c);
  }
  add(acc: ArrayLike<number>): void {
    const c = this.c, nb = acc.length / c;
    const mb = new Float64Array(c), qb = new Float64Array(c);
    for (let i = 0; i < acc.length; i++) mb[i % c]! += acc[i]!;
    for (let j = 0; j < c; j++) mb[j]! /= nb;
    for (let i = 0; i < acc.length; i++) qb[i % c]! += (acc[i]! - mb[i % c]!) ** 2;
    const na = this.n, n = na + nb;
    for (let j = 0; j < c; j++) {
      const d = mb[j]! - this.mean[j]!;
      this.mean[j]! += (d * nb) / n;
      this.m2[j]! += qb[j]! + (d * d * na * nb) / n;
    }
    this.n = n;
  }
  frozen(gamma: tf.Variable, beta: tf.Variable): FrozenBatchNorm {
    return {
      gamma: Float32Array.from(gamma.dataSync()), beta: Float32Array.from(beta.dataSync()),
      mean: Float32Array.from(this.mean), variance: Float32Array.from(this.m2, (v) => v / this.n),
    };
  }
}

/** Evenly spaced calibration rows (all of them when there are few). */
export function calibrationRows(n: number, most = CNV_CALIBRATION_IMAGES): Int32Array {
  const m = Math.min(n, most);
  return Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
}

/** Integer levels (Int8) of quantized values with a power-of-two step, and back. */
function toLevels(x: Float32Array, step: number): Int8Array {
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! / step;
  return out;
}
function fromLevels(x: Int8Array, step: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * step;
  return out;
}

/** Eval mode: the current weights, batch-norm statistics recomputed over training images, everything float32. */
export function freezeCnv(net: QatCnv, ds: ImageDataset, o: Pick<TrainOptions, 'wbits' | 'abits'>): FrozenCnv {
  const { plan } = net;
  const rows = calibrationRows(ds.count);
  const m = rows.length;
  const lut = cnvInputLut();
  const inStep = 2 ** -(CNV_INPUT_BITS - 1), aStep = actScale(o.abits);
  // the current layer's input for every calibration image, as integer levels (at most 8 bits) to bound memory
  let levels = toLevels(inputChunk(ds, lut, 0, m, rows), inStep);
  let step = inStep, xMax = actLevelMax(CNV_INPUT_BITS);
  let [c, h, w] = plan.input;
  const convs: FrozenConv[] = [];
  for (const l of plan.layers) {
    if (l === 'pool') {
      levels = toLevels(maxPoolChannelsLast(fromLevels(levels, 1), m, h, w, c), 1);
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
      continue;
    }
    const i = convs.length, shape = plan.convs[i]!;
    const wkn = net.convWeights[i]!.dataSync() as Float32Array; // [3, 3, IC, OC]
    const weight = new Float32Array(wkn.length);
    for (let k = 0; k < CONV_K * CONV_K; k++) for (let ic = 0; ic < c; ic++) for (let oc = 0; oc < l.conv; oc++) {
      weight[(oc * c + ic) * CONV_K * CONV_K + k] = wkn[(k * c + ic) * l.conv + oc]!;
    }
    const layer = new ExactLayer(VALID3, quantizedConvWeights({ ...shape, weight }, o.wbits), c, l.conv, xMax, weightLevelMax(o.wbits));
    const [oh, ow] = [h - CONV_K + 1, w - CONV_K + 1];
    const per = h * w * c, outPer = oh * ow * l.conv;
    try {
      const stats = new ChannelStats(l.conv);
      for (let s = 0; s < m; s += CHUNK) {
        const e = Math.min(m, s + CHUNK);
        stats.add(layer.run(fromLevels(levels.subarray(s * per, e * per), step), e - s, h, w));
      }
      const conv: FrozenConv = { ...shape, weight, bn: stats.frozen(net.gammas[i]!, net.betas[i]!) };
      convs.push(conv);
      const next = new Int8Array(m * outPer);
      for (let s = 0; s < m; s += CHUNK) {
        const e = Math.min(m, s + CHUNK);
        const acc = layer.run(fromLevels(levels.subarray(s * per, e * per), step), e - s, h, w);
        next.set(toLevels(bnQuantChannelsLast(acc, l.conv, conv.bn, o.abits, BN_EPS), aStep), s * outPer);
      }
      levels = next;
    } finally {
      layer.dispose();
    }
    [c, h, w] = [l.conv, oh, ow];
    step = aStep;
    xMax = actLevelMax(o.abits);
  }
  let x = flattenNchw(fromLevels(levels, step), m, h, w, c);
  let k = plan.flat;
  const fc: FrozenLayer[] = [];
  plan.fc.forEach((n, i) => {
    const wkn = net.fcWeights[i]!.dataSync() as Float32Array; // [in, out]
    const weight = new Float32Array(k * n);
    for (let a = 0; a < k; a++) for (let b = 0; b < n; b++) weight[b * k + a] = wkn[a * n + b]!;
    const layer0: FrozenLayer = { inputs: k, outputs: n, weight };
    if (i === plan.fc.length - 1) { fc.push(layer0); return; }
    const ex = new ExactLayer(null, quantizedWeightMatrix(layer0, o.wbits), k, n, xMax, weightLevelMax(o.wbits));
    try {
      const acc = ex.run(x, m);
      const stats = new ChannelStats(n);
      stats.add(acc);
      const layer: FrozenLayer = { ...layer0, bn: stats.frozen(net.gammas[plan.convs.length + i]!, net.betas[plan.convs.length + i]!) };
      fc.push(layer);
      x = bnQuantChannelsLast(acc, n, layer.bn!, o.abits, BN_EPS);
    } finally {
      ex.dispose();
    }
    k = n;
    xMax = actLevelMax(o.abits);
  });
  const outScale = Math.fround(Math.exp(net.logOutScale.dataSync()[0]!));
  return { kind: 'cnv', name: `cnv_w${o.wbits}a${o.abits}`, plan, wbits: o.wbits, abits: o.abits, convs, fc, outScale, meta: {} };
}

/** Eval-mode logits (float64) for raw 8-bit CHW images: exactly the exported graph's outputs. Needs the backend ready. */
export function predictCnvLogits(m: FrozenCnv, images: Uint8Array, count: number): Float64Array {
  const { plan } = m;
  const [c0, h0, w0] = plan.input;
  const ds: ImageDataset = { name: 'images', count, imageShape: plan.input, images, labels: new Uint8Array(count) };
  if (images.length < count * c0 * h0 * w0) fail('E_INTERNAL', `predictCnvLogits: ${count} images need ${count * c0 * h0 * w0} bytes, got ${images.length}`);
  const lut = cnvInputLut();
  const wMax = weightLevelMax(m.wbits);
  const convs = m.convs.map((cv, i) => new ExactLayer(VALID3, quantizedConvWeights(cv, m.wbits), cv.inChannels, cv.outChannels, i === 0 ? actLevelMax(CNV_INPUT_BITS) : actLevelMax(m.abits), wMax));
  const fcs = m.fc.map((l, i) => new ExactLayer(null, quantizedWeightMatrix(l, m.wbits), l.inputs, l.outputs, i === 0 && convs.length === 0 ? actLevelMax(CNV_INPUT_BITS) : actLevelMax(m.abits), wMax));
  const classes = plan.fc[plan.fc.length - 1]!;
  const out = new Float64Array(count * classes);
  try {
    for (let s = 0; s < count; s += CHUNK) {
      const n = Math.min(count, s + CHUNK) - s;
      let x = inputChunk(ds, lut, s, s + n);
      let [c, h, w] = plan.input;
      let ci = 0;
      for (const l of plan.layers) {
        if (l === 'pool') {
          x = maxPoolChannelsLast(x, n, h, w, c);
          [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
          continue;
        }
        const cv = m.convs[ci]!;
        x = bnQuantChannelsLast(convs[ci]!.run(x, n, h, w), cv.outChannels, cv.bn, m.abits, BN_EPS);
        [c, h, w] = [cv.outChannels, h - CONV_K + 1, w - CONV_K + 1];
        ci++;
      }
      x = flattenNchw(x, n, h, w, c);
      m.fc.forEach((l, i) => {
        const acc = fcs[i]!.run(x, n);
        if (l.bn) { x = bnQuantChannelsLast(acc, l.outputs, l.bn, m.abits, BN_EPS); return; }
        for (let j = 0; j < acc.length; j++) out[s * classes + j] = acc[j]! * m.outScale;
      });
    }
  } finally {
    for (const e of [...convs, ...fcs]) e.dispose();
  }
  return out;
}

/** Top-1 accuracy of the eval-mode CNV on a dataset. */
export function evaluateFrozenCnv(m: FrozenCnv, ds: ImageDataset): Evaluation & { predictions: Int32Array } {
  const dims = imageDims(ds, 'dataset');
  if (dims.join() !== m.plan.input.join()) fail('E_DATASET', `${ds.name} has ${dims.join('×')} images; the network takes ${m.plan.input.join('×')}`);
  const predictions = argmaxRows(predictCnvLogits(m, ds.images, ds.count), m.plan.fc[m.plan.fc.length - 1]!);
  let correct = 0;
  for (let i = 0; i < ds.count; i++) if (predictions[i] === ds.labels[i]) correct++;
  return { images: ds.count, correct, accuracy: correct / ds.count, predictions };
}

/** Train FINN's CNV (sized for the training images) with QAT; returns the frozen (eval-mode) network and the history. */
/** The training step of an image network: gather a batch (shift/flip augmentation) and run the net's QAT step on it. */
export function imageBatchStep(net: { step(x: tf.Tensor4D, y: tf.Tensor1D, lr: number): [number, number] }, o: Pick<CnvTrainOptions, 'train' | 'shift' | 'flip'>,
  batch: number, dims: readonly [number, number, number], r: ReturnType<typeof rng>): (order: Int32Array, from: number, to: number, lr: number) => [number, number] {
  const labels = Int32Array.from(o.train.labels.subarray(0, o.train.count));
  const lut = cnvInputLut();
  const xbuf = new Float32Array(batch * dims[0] * dims[1] * dims[2]);
  const ybuf = new Int32Array(batch);
  return (order, from, to, lr) => {
    gatherImages(o.train, lut, order, from, to, xbuf, o.shift ?? 0, o.flip ?? true, r);
    for (let j = 0; j < batch; j++) ybuf[j] = labels[order[from + j]!]!;
    const x = tf.tensor4d(xbuf, [batch, dims[1], dims[2], dims[0]]);
    const y = tf.tensor1d(ybuf, 'int32');
    try {
      return net.step(x, y, lr);
    } finally {
      tf.dispose([x, y]);
    }
  };
}

export async function trainCnv(o: CnvTrainOptions): Promise<CnvTrainResult> {
  const t0 = performance.now();
  if (o.topology !== 'cnv') fail('E_USAGE', `trainCnv trains the cnv topology, not "${o.topology}"`);
  const batch = checkTrainOptions(o, o.train.count);
  const dims = imageDims(o.train, 'training set');
  if (o.test) {
    const t = imageDims(o.test, 'test set');
    if (t.join() !== dims.join()) fail('E_DATASET', `the test set has ${t.join('×')} images but the training set ${dims.join('×')}`);
  }
  const plan = planCnv(dims, undefined, o.width ?? 1);
  const backend = await useBackend(o.backend ?? 'wasm');
  const n = o.train.count;
  const totalSteps = Math.min(Math.floor(n / batch) * o.epochs, o.maxSteps ?? Infinity);
  const r = rng(o.seed);
  const net = new QatCnv(plan, o.wbits, o.abits, r);
  let model: FrozenCnv | undefined;
  let loop: { history: EpochProgress[]; trainSeconds: number };
  try {
    loop = trainLoop({
      n, batch, epochs: o.epochs, totalSteps, lr: o.lr, r, ...(o.evalEveryEpoch === undefined ? {} : { evalEveryEpoch: o.evalEveryEpoch }),
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
      step: imageBatchStep(net, o, batch, dims, r),
      ...(o.test ? { evaluate: () => { model = freezeCnv(net, o.train, o); return evaluateFrozenCnv(model, o.test!).accuracy; } } : {}),
    });
    model ??= freezeCnv(net, o.train, o);
  } finally {
    net.dispose();
  }
  const test = o.test ? evaluateFrozenCnv(model, o.test) : undefined;
  const meta: Record<string, string> = {
    ...trainMeta(o, loop.history.length, batch, test), 'finn_ts.train.flip': String(o.flip ?? true),
    'finn_ts.train.input': plan.input.join('x'),
  };
  return { model: { ...model, meta }, history: loop.history, trainSeconds: loop.trainSeconds, totalSeconds: (performance.now() - t0) / 1000, backend, ...(test ? { test } : {}) };
}

export type { CnvPlan };
