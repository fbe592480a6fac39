/**
 * Quantization-aware training of resnet8 (resnet.ts) on CIFAR-10-style images, and its eval-mode network.
 *
 * Training uses the MLP trainer's loop (seeded shuffling, mini-batches, Adam with the cosine schedule, per-epoch
 * progress) with the network of qat-resnet.ts and CNV's augmentation (random translation, optional horizontal flip).
 *
 * Eval mode ("freezing"): batch-norm statistics are recomputed for the final weights over up to
 * RESNET_CALIBRATION_IMAGES training images, in one eval-mode pass in which every batch-norm takes the statistics of
 * its own input (the earlier layers already in eval mode). The eval-mode forward pass (`predictResNetLogits`)
 * computes what the exported QONNX graph computes, image by image: convolutions and the FC run in TensorFlow.js on
 * quantized operands (exact), batch-norm, quantizers, residual adds, the global average pool and the output scale in
 * float64 with the executor's formulas.
 */
import { tf, useBackend } from './tf.ts';
import { rng } from '../util/random.ts';
import { fail } from '../util/errors.ts';
import type { ImageDataset } from '../runtime/datasets.ts';
import { roundHalfEven } from '../exec/arith.ts';
import { quantRange } from '../exec/quant.ts';
import { BN_EPS, quantizeWeight, type FrozenBatchNorm } from './model.ts';
import { bnUniformQuant, CNV_INPUT_BITS, cnvInputLut, weightLevelMax, type UniformQuant } from './cnv.ts';
import { calibrationRows, ChannelStats, ExactLayer, imageBatchStep, type ImageTrainResult, imageDims, inputChunk, quantizedConvWeights } from './cnv-trainer.ts';
import { QatResNet } from './qat-resnet.ts';
import { convQuant, planResNet8, resnetQuants, type FrozenResConv, type FrozenResNet, type ResNetPlan } from './resnet.ts';
import { argmaxRows, checkTrainOptions, trainLoop, trainMeta, type EpochProgress, type Evaluation, type TrainOptions } from './trainer.ts';

export interface ResNetTrainOptions extends TrainOptions {
  /** Random horizontal flips of training images (default true). */
  readonly flip?: boolean;
}

export type ResNetTrainResult = ImageTrainResult<FrozenResNet>;

/** Training images over which batch-norm statistics are recomputed (one eval-mode pass over all of them at once). */
export const RESNET_CALIBRATION_IMAGES = 256;
/** Images per chunk in eval-mode passes. */
const CHUNK = 50;

/** Largest |integer level| of a uniform quantizer. */
const levelMax = (q: UniformQuant): number => (q.signed ? 2 ** (q.bits - 1) : 2 ** q.bits - 1);

/** What an eval-mode pass needs: exact layers for the weights, and the output scale. */
interface EvalNet {
  readonly plan: ResNetPlan;
  readonly abits: number;
  readonly convs: readonly ExactLayer[];
  readonly fc: ExactLayer;
  readonly outScale: number;
}

/** Exact layers for latent conv weights [OC, IC, k, k] and FC weights [features, classes]. */
function evalNet(plan: ResNetPlan, wbits: number, abits: number, convW: readonly Float32Array[], fcW: Float32Array, outScale: number): EvalNet {
  const q = resnetQuants(abits), wMax = weightLevelMax(wbits);
  const inMax = (i: number): number => {
    if (i === 0) return 2 ** (CNV_INPUT_BITS - 1);
    return levelMax(plan.blocks.some((b) => b.conv2 === i) ? q.act : q.res);
  };
  const convs = plan.convs.map((c, i) => new ExactLayer(c, quantizedConvWeights({ ...c, weight: convW[i]! }, wbits, c.k), c.inChannels, c.outChannels, inMax(i), wMax));
  const fcq = Float32Array.from(fcW, (v) => quantizeWeight(v, wbits));
  const fc = new ExactLayer(null, fcq, plan.features[0], plan.classes, levelMax(q.pool), wMax);
  return { plan, abits, convs, fc, outScale };
}

function disposeNet(e: EvalNet): void {
  for (const l of [...e.convs, e.fc]) l.dispose();
}

/** ReLU → unsigned quantizer of the sum of two residual operands (exact: both are integers of one step). */
function addQuant(a: Float32Array, b: Float32Array, q: UniformQuant): Float32Array {
  const [lo, hi] = quantRange(q.bits, q.signed, false);
  return Float32Array.from(a, (v, i) => q.scale * Math.min(hi, Math.max(lo, roundHalfEven((v + b[i]!) / q.scale))));
}

/** Global average pool of channels-last maps [n, hw, c] → ReLU → quantizer: [n, c]. */
function poolQuant(x: Float32Array, n: number, hw: number, c: number, q: UniformQuant): Float32Array {
  const [lo, hi] = quantRange(q.bits, q.signed, false);
  const out = new Float32Array(n * c);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let p = 0; p < hw; p++) s += x[(b * hw + p) * c + ch]!;
    out[b * c + ch] = q.scale * Math.min(hi, Math.max(lo, roundHalfEven(s / hw / q.scale)));
  }
  return out;
}

/** Eval-mode logits of n channels-last quantized inputs; `bnOf` gives convolution i's batch-norm for its accumulators. */
function forward(e: EvalNet, x: Float32Array, n: number, bnOf: (i: number, acc: ArrayLike<number>) => FrozenBatchNorm): Float64Array {
  const { plan } = e;
  const q = resnetQuants(e.abits);
  const unit = (i: number, inp: Float32Array, h: number, w: number): Float32Array => {
    const acc = e.convs[i]!.run(inp, n, h, w);
    return bnUniformQuant(acc, plan.convs[i]!.outChannels, bnOf(i, acc), BN_EPS, convQuant(plan, q, i));
  };
  let [, h, w] = plan.input;
  let cur = unit(0, x, h, w);
  for (const b of plan.blocks) {
    const [oh, ow] = e.convs[b.conv1]!.outSize(h, w);
    const y = unit(b.conv2, unit(b.conv1, cur, h, w), oh, ow);
    const short = b.projection === undefined ? cur : unit(b.projection, cur, h, w);
    cur = addQuant(y, short, q.res);
    [h, w] = [oh, ow];
  }
  const acc = e.fc.run(poolQuant(cur, n, h * w, plan.features[0], q.pool), n);
  return Float64Array.from(acc, (v) => v * e.outScale);
}

/** Latent conv weights [OC, IC, k, k] from the training layout [k, k, IC, OC]. */
function latentConv(v: tf.Variable, k: number, ic: number, oc: number): Float32Array {
  const wkn = v.dataSync() as Float32Array;
  const out = new Float32Array(wkn.length);
  for (let t = 0; t < k * k; t++) for (let i = 0; i < ic; i++) for (let o = 0; o < oc; o++) out[(o * ic + i) * k * k + t] = wkn[(t * ic + i) * oc + o]!;
  return out;
}

/** Eval mode: the current weights, batch-norm statistics recomputed over training images, everything float32. */
export function freezeResNet(net: QatResNet, ds: ImageDataset, o: Pick<TrainOptions, 'wbits' | 'abits'>): FrozenResNet {
  const { plan } = net;
  const rows = calibrationRows(ds.count, RESNET_CALIBRATION_IMAGES);
  const convW = plan.convs.map((c, i) => latentConv(net.convWeights[i]!, c.k, c.inChannels, c.outChannels));
  const fc = Float32Array.from(net.fcWeight.dataSync());
  const outScale = Math.fround(Math.exp(net.logOutScale.dataSync()[0]!));
  const e = evalNet(plan, o.wbits, o.abits, convW, fc, outScale);
  const bns: FrozenBatchNorm[] = [];
  try {
    forward(e, inputChunk(ds, cnvInputLut(), 0, rows.length, rows), rows.length, (i, acc) => {
      const stats = new ChannelStats(plan.convs[i]!.outChannels);
      stats.add(acc);
      return (bns[i] = stats.frozen(net.gammas[i]!, net.betas[i]!));
    });
  } finally {
    disposeNet(e);
  }
  const convs: FrozenResConv[] = plan.convs.map((c, i) => ({ ...c, weight: convW[i]!, bn: bns[i]! }));
  return { kind: 'resnet8', name: `resnet8_w${o.wbits}a${o.abits}`, plan, wbits: o.wbits, abits: o.abits, convs, fc, outScale, meta: {} };
}

/** Eval-mode logits (float64) for raw 8-bit CHW images: exactly the exported graph's outputs. Needs the backend ready. */
export function predictResNetLogits(m: FrozenResNet, images: Uint8Array, count: number): Float64Array {
  const { plan } = m;
  const per = plan.input[0] * plan.input[1] * plan.input[2];
  if (images.length < count * per) fail('E_INTERNAL', `predictResNetLogits: ${count} images need ${count * per} bytes, got ${images.length}`);
  const ds: ImageDataset = { name: 'images', count, imageShape: plan.input, images, labels: new Uint8Array(count) };
  const e = evalNet(plan, m.wbits, m.abits, m.convs.map((c) => c.weight), m.fc, m.outScale);
  const out = new Float64Array(count * plan.classes);
  try {
    for (let s = 0; s < count; s += CHUNK) {
      const n = Math.min(count, s + CHUNK) - s;
      out.set(forward(e, inputChunk(ds, cnvInputLut(), s, s + n), n, (i) => m.convs[i]!.bn), s * plan.classes);
    }
  } finally {
    disposeNet(e);
  }
  return out;
}

/** Top-1 accuracy of the eval-mode resnet8 on a dataset. */
export function evaluateFrozenResNet(m: FrozenResNet, ds: ImageDataset): Evaluation & { predictions: Int32Array } {
  const dims = imageDims(ds, 'dataset');
  if (dims.join() !== m.plan.input.join()) fail('E_DATASET', `${ds.name} has ${dims.join('×')} images; the network takes ${m.plan.input.join('×')}`);
  const predictions = argmaxRows(predictResNetLogits(m, ds.images, ds.count), m.plan.classes);
  let correct = 0;
  for (let i = 0; i < ds.count; i++) if (predictions[i] === ds.labels[i]) correct++;
  return { images: ds.count, correct, accuracy: correct / ds.count, predictions };
}

/** Typed errors for settings resnet8 cannot take. */
function checkResNetOptions(o: ResNetTrainOptions): [number, number, number] {
  if (o.topology !== 'resnet8') fail('E_USAGE', `trainResNet trains the resnet8 topology, not "${o.topology}"`);
  if (o.abits < 2) fail('E_USAGE', `resnet8 needs at least 2-bit activations (ReLU then an unsigned quantizer), got --abits ${o.abits}`, 'use --abits 2 or more');
  const dims = imageDims(o.train, 'training set');
  if (o.test) {
    const t = imageDims(o.test, 'test set');
    if (t.join() !== dims.join()) fail('E_DATASET', `the test set has ${t.join('×')} images but the training set ${dims.join('×')}`);
  }
  return dims;
}

/** Train resnet8 (sized for the training images) with QAT; returns the frozen (eval-mode) network and the history. */
export async function trainResNet(o: ResNetTrainOptions): Promise<ResNetTrainResult> {
  const t0 = performance.now();
  const dims = checkResNetOptions(o);
  const batch = checkTrainOptions(o, o.train.count);
  const plan = planResNet8(dims, 10, o.width ?? 1);
  const backend = await useBackend(o.backend ?? 'wasm');
  const n = o.train.count;
  const r = rng(o.seed);
  const net = new QatResNet(plan, o.wbits, o.abits, r);
  let model: FrozenResNet | undefined;
  let loop: { history: EpochProgress[]; trainSeconds: number };
  try {
    loop = trainLoop({
      n, batch, epochs: o.epochs, totalSteps: Math.min(Math.floor(n / batch) * o.epochs, o.maxSteps ?? Infinity), lr: o.lr, r,
      ...(o.evalEveryEpoch === undefined ? {} : { evalEveryEpoch: o.evalEveryEpoch }), ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
      step: imageBatchStep(net, o, batch, dims, r),
      ...(o.test ? { evaluate: () => { model = freezeResNet(net, o.train, o); return evaluateFrozenResNet(model, o.test!).accuracy; } } : {}),
    });
    model ??= freezeResNet(net, o.train, o);
  } finally {
    net.dispose();
  }
  const test = o.test ? evaluateFrozenResNet(model, o.test) : undefined;
  const meta: Record<string, string> = {
    ...trainMeta(o, loop.history.length, batch, test), 'finn_ts.train.flip': String(o.flip ?? true), 'finn_ts.train.input': plan.input.join('x'),
  };
  return { model: { ...model, meta }, history: loop.history, trainSeconds: loop.trainSeconds, totalSeconds: (performance.now() - t0) / 1000, backend, ...(test ? { test } : {}) };
}
