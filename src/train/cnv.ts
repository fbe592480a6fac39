/**
 * FINN's CNV (the BNN-PYNQ CIFAR-10 network) as finn-ts trains it, and its frozen eval-mode form: exactly the numbers
 * the exported QONNX graph holds (the structure of src/models/synthetic-cnv.ts).
 *
 * Topology: input [C, H, W] (CIFAR-10: 3×32×32) → conv 64, 64, max-pool, 128, 128, max-pool, 256, 256 (3×3, stride 1,
 * no padding) → flatten (NCHW order) → FC 512, 512, 10. With 32×32 inputs the last convolution sees a 3×3 map and the
 * flattened vector has 256 values, as in FINN. Smaller inputs give a shorter network rather than padded convolutions
 * (padding cannot be represented for bipolar activations in hardware): a convolution is left out when its input map is
 * smaller than 3×3, a max-pool when its input is smaller than 2×2 (e.g. 16×16: conv 64, 64, pool, 128, 128, pool, FC).
 *
 * Quantizers (per tensor, power-of-two scales — see model.ts; the matrix products are exact in float32):
 * - input: x·2 − 1, then a signed 8-bit Quant with scale 2^−7 (FINN's CNV: 8-bit fixed-point first-layer input);
 * - weights: BipolarQuant (W = 1) or signed narrow W-bit Quant with scale 2^−(W−1), on the latent weights in [−1, 1];
 * - after every convolution and hidden FC layer: batch-norm, then BipolarQuant (A = 1) or a signed A-bit Quant with
 *   scale 2^(2−A); the max-pools act on quantized values;
 * - output: the last MatMul's accumulator times one learned positive per-tensor scale.
 */
import { CNV_LAYERS, type CnvLayer } from '../models/synthetic-cnv.ts';
import { quantRange } from '../exec/quant.ts';
import { roundHalfEven } from '../exec/arith.ts';
import { fail } from '../util/errors.ts';
import { actScale, quantizeInputPixel, scaleWidth, type FrozenBatchNorm, type FrozenLayer } from './model.ts';

export type { CnvLayer };

/** FC widths of FINN's CNV after flattening (the last is the class count). */
export const CNV_FC: readonly number[] = [512, 512, 10];
/** Bits of the first layer's input quantizer (signed, scale 2^−7: levels −1 … 127/128). */
export const CNV_INPUT_BITS = 8;
export const CNV_INPUT_SCALE = 2 ** -(CNV_INPUT_BITS - 1);
/** Kernel of every convolution and of the max-pools. */
export const CONV_K = 3;
export const POOL_K = 2;

export interface ConvShape {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Input map height and width (the output is two pixels smaller in each). */
  readonly h: number;
  readonly w: number;
}

/** The CNV layers that fit an input size, with the shapes they see. */
export interface CnvPlan {
  /** [C, H, W] of one input image. */
  readonly input: readonly [number, number, number];
  /** The layers kept, in order (convolutions without padding). */
  readonly layers: readonly CnvLayer[];
  /** FINN's layers left out because the feature map became too small (empty for 32×32). */
  readonly omitted: readonly CnvLayer[];
  readonly convs: readonly ConvShape[];
  /** [C, H, W] of the last feature map, and its flattened length (the first FC layer's inputs). */
  readonly features: readonly [number, number, number];
  readonly flat: number;
  /** FC widths, the last being the class count. */
  readonly fc: readonly number[];
}

/** Plan FINN's CNV for an input of C×H×W; `width` scales every convolution's channels and the hidden FC layers (scaleWidth). */
export function planCnv(input: readonly [number, number, number], classes = CNV_FC[CNV_FC.length - 1]!, width = 1): CnvPlan {
  let [c, h, w] = input;
  if (!(c >= 1 && h >= CONV_K && w >= CONV_K)) fail('E_DATASET', `CNV needs images of at least ${CONV_K}×${CONV_K} pixels, got ${input.join('×')}`);
  const layers: CnvLayer[] = [], omitted: CnvLayer[] = [], convs: ConvShape[] = [];
  for (const l0 of CNV_LAYERS) {
    const l: CnvLayer = l0 === 'pool' || width === 1 ? l0 : { conv: scaleWidth(l0.conv, width) };
    if (l === 'pool') {
      if (h < POOL_K || w < POOL_K) { omitted.push(l); continue; }
      [h, w] = [Math.floor(h / POOL_K), Math.floor(w / POOL_K)];
    } else {
      if (h < CONV_K || w < CONV_K) { omitted.push(l); continue; }
      convs.push({ inChannels: c, outChannels: l.conv, h, w });
      [c, h, w] = [l.conv, h - CONV_K + 1, w - CONV_K + 1];
    }
    layers.push(l);
  }
  return { input: [...input], layers, omitted, convs, features: [c, h, w], flat: c * h * w, fc: [...CNV_FC.slice(0, -1).map((n) => scaleWidth(n, width)), classes] };
}

/** One line describing a plan, e.g. "3×16×16 → conv 64, 64, pool, 128, 128, pool → FC 512, 512, 10". */
export function describePlan(p: CnvPlan): string {
  const name = (l: CnvLayer): string => (l === 'pool' ? 'pool' : String(l.conv));
  const conv = p.layers.map(name).join(', ');
  const left = p.omitted.length ? ` (left out for the small input: ${p.omitted.map(name).join(', ')})` : '';
  return `${p.input.join('×')} → conv ${conv} → FC ${p.fc.join(', ')}${left}`;
}

export interface FrozenConv extends ConvShape {
  /** Latent float weights [outChannels, inChannels, 3, 3] (PyTorch/Brevitas layout). */
  readonly weight: Float32Array;
  readonly bn: FrozenBatchNorm;
}

/** An eval-mode CNV: every number is a float32 value, as stored in the exported ONNX file. */
export interface FrozenCnv {
  readonly kind: 'cnv';
  readonly name: string;
  readonly plan: CnvPlan;
  readonly wbits: number;
  readonly abits: number;
  readonly convs: readonly FrozenConv[];
  /** FC layers, weights [outputs, inputs] over the NCHW-flattened features; all but the last have batch-norm. */
  readonly fc: readonly FrozenLayer[];
  /** Per-tensor scale applied to the last layer's output (positive). */
  readonly outScale: number;
  readonly meta: Readonly<Record<string, string>>;
}

/** Largest |integer level| of an activation (input: 8-bit) or weight quantizer. */
export const actLevelMax = (abits: number): number => (abits === 1 ? 1 : 2 ** (abits - 1));
export const weightLevelMax = (wbits: number): number => (wbits === 1 ? 1 : 2 ** (wbits - 1) - 1);

/**
 * How many input channels (convolution: each brings 9 products; FC: 1) a float32 sum may cover and stay exact: every
 * partial sum is an integer number of (input step × weight step) below 2^24. Wider layers are summed in slices.
 */
export function exactSliceChannels(perChannel: number, xMax: number, wMax: number): number {
  return Math.max(1, Math.floor((2 ** 24 - 1) / (perChannel * xMax * wMax)));
}

/** Quantized input value of every pixel byte (pixel/255 · 2 − 1, then the 8-bit input quantizer). */
export function cnvInputLut(): Float32Array {
  return Float32Array.from({ length: 256 }, (_, p) => quantizeInputPixel(p, CNV_INPUT_BITS));
}

/**
 * Batch-norm and activation quantizer in float64 with the executor's formulas (BatchNormalization, then Quant or
 * BipolarQuant), for channels-last data; the results are exact in float32.
 */
export function bnQuantChannelsLast(acc: Float32Array | Float64Array, channels: number, bn: FrozenBatchNorm, abits: number, eps: number): Float32Array {
  return bnUniformQuant(acc, channels, bn, eps, abits === 1 ? null : { bits: abits, signed: true, scale: actScale(abits) });
}

/** A uniform activation quantizer (zero point 0, ROUND); unsigned equals Quant after a ReLU. */
export interface UniformQuant {
  readonly bits: number;
  readonly signed: boolean;
  readonly scale: number;
}

/** Batch-norm, then BipolarQuant (q null) or a uniform Quant, channels-last, in float64 with the executor's formulas. */
export function bnUniformQuant(acc: Float32Array | Float64Array, channels: number, bn: FrozenBatchNorm, eps: number, q: UniformQuant | null): Float32Array {
  const out = new Float32Array(acc.length);
  const den = Float64Array.from(bn.variance, (v) => Math.sqrt(v + eps));
  const s = q?.scale ?? 1;
  const [lo, hi] = q ? quantRange(q.bits, q.signed, false) : [-1, 1];
  for (let i = 0, ch = 0; i < acc.length; i++) {
    const v = ((acc[i]! - bn.mean[ch]!) / den[ch]!) * bn.gamma[ch]! + bn.beta[ch]!;
    // BipolarQuant: scale·(x ≥ 0 ? 1 : −1); Quant (zero point 0, ROUND): scale·clamp(round_half_even(x / scale))
    out[i] = q === null ? (v >= 0 ? 1 : -1) : s * Math.min(hi, Math.max(lo, roundHalfEven(v / s)));
    if (++ch === channels) ch = 0;
  }
  return out;
}

/** 2×2 max-pool, stride 2 (floor), on channels-last maps [n, h, w, c]. */
export function maxPoolChannelsLast(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const oh = Math.floor(h / POOL_K), ow = Math.floor(w / POOL_K);
  const out = new Float32Array(n * oh * ow * c);
  let o = 0;
  for (let b = 0; b < n; b++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    const base = ((b * h + 2 * y) * w + 2 * xx) * c;
    for (let ch = 0; ch < c; ch++) {
      const i = base + ch;
      out[o++] = Math.max(x[i]!, x[i + c]!, x[i + w * c]!, x[i + w * c + c]!);
    }
  }
  return out;
}

/** Channels-last [n, h, w, c] to per-image NCHW-flattened rows [n, c·h·w] (Brevitas' Reshape of an NCHW map). */
export function flattenNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const k = c * h * w;
  const out = new Float32Array(n * k);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
    const src = ((b * h + y) * w + xx) * c;
    for (let ch = 0; ch < c; ch++) out[b * k + (ch * h + y) * w + xx] = x[src + ch]!;
  }
  return out;
}
