/**
 * The quantized MLPs finn-ts trains (FINN's TFC/SFC/LFC) and their frozen, eval-mode form: exactly the numbers the
 * exported QONNX graph holds. Quantizer semantics here are QONNX's (the executor's own primitives), so the trainer's
 * eval-mode forward pass and the exported model agree image by image.
 *
 * Quantizers (all per tensor, all scales powers of two, so every matrix product is exact in float32 and float64):
 * - input: x·2 − 1, then BipolarQuant (A = 1) or a signed A-bit Quant with scale 2^−(A−1) (levels −1 … 1 − 2^−(A−1));
 * - weights: BipolarQuant scale 1 (W = 1) or a signed narrow-range W-bit Quant with scale 2^−(W−1) on the latent
 *   weights, which training keeps in [−1, 1];
 * - hidden activations, after batch-norm: BipolarQuant (A = 1) or a signed A-bit Quant with scale 2^(2−A) (clip range
 *   [−2, 2), i.e. about ±2σ of the normalised pre-activation);
 * - output: the last MatMul's accumulator times one learned positive scale (argmax unchanged, softmax temperature).
 */
import { roundHalfEven } from '../exec/arith.ts';
import { quantRange } from '../exec/quant.ts';
import { fail } from '../util/errors.ts';

export type MlpTopology = 'tfc' | 'sfc' | 'lfc';
/** FINN's MLPs, CNV (the convolutional CIFAR-10 network, see cnv.ts) and resnet8 (residual, see resnet.ts). */
export type Topology = MlpTopology | 'cnv' | 'resnet8';

/** FINN's fully connected MNIST networks: 784 inputs, three hidden layers, 10 classes. */
export const TOPOLOGIES: Readonly<Record<MlpTopology, readonly number[]>> = {
  tfc: [784, 64, 64, 64, 10],
  sfc: [784, 256, 256, 256, 10],
  lfc: [784, 1024, 1024, 1024, 10],
};

export const MAX_BITS = 8;

/**
 * A hidden layer's width scaled by a width multiplier (`finn train --width`, `finn explore --widths`): n·width rounded
 * to the nearest multiple of 8, at least 8 — so ×0.5 and ×2 of FINN's 64/256/1024 (and CNV's 64…512) stay exact,
 * other multipliers give sizes that PE/SIMD can fold evenly, and width 1 is FINN's topology unchanged.
 */
export function scaleWidth(n: number, width: number): number {
  if (!(width > 0 && Number.isFinite(width))) fail('E_USAGE', `a width multiplier must be a positive number, got ${width}`);
  return Math.max(8, 8 * Math.round((n * width) / 8));
}

/** Layer sizes of an MLP topology with its hidden layers scaled by `width` (inputs and classes unchanged). */
export function mlpSizes(topology: MlpTopology, width = 1): number[] {
  const sizes = TOPOLOGIES[topology];
  return sizes.map((n, i) => (i === 0 || i === sizes.length - 1 ? n : scaleWidth(n, width)));
}

/** Batch-norm epsilon, as a float32 value (what the ONNX attribute holds once written). */
export const BN_EPS = Math.fround(1e-5);

/** Scale of the input quantizer (1 for BipolarQuant). */
export const inputScale = (abits: number): number => (abits === 1 ? 1 : 2 ** -(abits - 1));
/** Scale of the weight quantizers (1 for BipolarQuant). */
export const weightScale = (wbits: number): number => (wbits === 1 ? 1 : 2 ** -(wbits - 1));
/** Scale of the hidden activation quantizers (1 for BipolarQuant). */
export const actScale = (abits: number): number => (abits === 1 ? 1 : 2 ** (2 - abits));

export interface FrozenBatchNorm {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
}

export interface FrozenLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** Latent float weights, row-major [outputs, inputs] (PyTorch/Brevitas layout). */
  readonly weight: Float32Array;
  /** Hidden layers only. */
  readonly bn?: FrozenBatchNorm;
}

/** An eval-mode network: every number is a float32 value, as stored in the exported ONNX file. */
export interface FrozenMlp {
  readonly name: string;
  readonly sizes: readonly number[];
  readonly wbits: number;
  readonly abits: number;
  readonly layers: readonly FrozenLayer[];
  /** Per-tensor scale applied to the last layer's output (positive). */
  readonly outScale: number;
  /** Free-form provenance written into the model's metadata. */
  readonly meta: Readonly<Record<string, string>>;
}

export function checkBits(what: string, bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BITS) fail('E_USAGE', `${what} must be an integer from 1 to ${MAX_BITS}, got ${bits}`);
}

/** BipolarQuant as QONNX defines it: scale · (x ≥ 0 ? +1 : −1). */
export function bipolarQuant(x: number, scale: number): number {
  return scale * (x >= 0 ? 1 : -1);
}

/** A signed QONNX Quant with zero point 0 and ROUND (half to even), written exactly as the executor computes it. */
export function intQuant(x: number, scale: number, bits: number, narrow: boolean): number {
  const [lo, hi] = quantRange(bits, true, narrow);
  const z = 0;
  const q = Math.min(hi, Math.max(lo, roundHalfEven(x / scale + z)));
  return scale * (q - z);
}

/** The quantized input (after x·2 − 1 and the input quantizer) of one pixel byte, fed as pixel / 255. */
export function quantizeInputPixel(px: number, abits: number): number {
  const v = (px / 255) * 2 - 1;
  return abits === 1 ? bipolarQuant(v, inputScale(1)) : intQuant(v, inputScale(abits), abits, false);
}

/** Quantize images (count × features bytes) into the network's first-layer input, float32 (exactly representable). */
export function quantizeInputs(images: Uint8Array, abits: number): Float32Array {
  const lut = new Float32Array(256);
  for (let p = 0; p < 256; p++) lut[p] = quantizeInputPixel(p, abits);
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = lut[images[i]!]!;
  return out;
}

/** Quantized weight value of one latent weight. */
export function quantizeWeight(w: number, wbits: number): number {
  return wbits === 1 ? bipolarQuant(w, weightScale(1)) : intQuant(w, weightScale(wbits), wbits, true);
}

/** Hidden activation quantizer applied to one batch-norm output. */
export function quantizeActivation(x: number, abits: number): number {
  return abits === 1 ? bipolarQuant(x, actScale(1)) : intQuant(x, actScale(abits), abits, false);
}

/** intQuant with its constants computed once (the same operations, so the same results). */
function intQuantizer(scale: number, bits: number, narrow: boolean): (x: number) => number {
  const [lo, hi] = quantRange(bits, true, narrow);
  const z = 0;
  return (x) => scale * (Math.min(hi, Math.max(lo, roundHalfEven(x / scale + z))) - z);
}

/** quantizeActivation for one precision, as a function (for loops over many values). */
export function activationQuantizer(abits: number): (x: number) => number {
  const scale = actScale(abits);
  return abits === 1 ? (x) => bipolarQuant(x, scale) : intQuantizer(scale, abits, false);
}

/** quantizeWeight for one precision, as a function (for loops over many values). */
export function weightQuantizer(wbits: number): (x: number) => number {
  const scale = weightScale(wbits);
  return wbits === 1 ? (x) => bipolarQuant(x, scale) : intQuantizer(scale, wbits, true);
}

/** Batch-norm of one value, in the executor's (ONNX's) order of operations. */
export function batchNorm(x: number, bn: FrozenBatchNorm, c: number): number {
  return ((x - bn.mean[c]!) / Math.sqrt(bn.variance[c]! + BN_EPS)) * bn.gamma[c]! + bn.beta[c]!;
}

/** The layer's quantized weights transposed to [inputs, outputs] (the MatMul operand), float32 (exact). */
export function quantizedWeightMatrix(layer: FrozenLayer, wbits: number): Float32Array {
  const { inputs: k, outputs: n, weight } = layer;
  const out = new Float32Array(k * n);
  const quant = weightQuantizer(wbits);
  for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) out[i * n + o] = quant(weight[o * k + i]!);
  return out;
}

/**
 * Whether float32 matrix products of this network are exact: every partial sum is an integer multiple of
 * (input step × weight step) below 2^24 of those steps. True for all supported widths up to 1024 inputs and 8 bits.
 */
export function float32Exact(sizes: readonly number[], wbits: number, abits: number): boolean {
  const xMax = abits === 1 ? 1 : 2 ** (abits - 1);
  const wMax = wbits === 1 ? 1 : 2 ** (wbits - 1) - 1;
  return sizes.slice(0, -1).every((k) => k * xMax * wMax < 2 ** 24);
}
