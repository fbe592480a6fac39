/**
 * resnet8 as finn-ts trains it, and its frozen eval-mode form: exactly the numbers the exported QONNX graph holds (the
 * structure of src/models/synthetic-convnets.ts' syntheticResNet, which the compiler turns into residual hardware).
 *
 * Topology: input [3, 32, 32] → stem conv 3×3 (16) → three stages of one basic block each (16, 32 and 64 channels,
 * strides 1, 2, 2; two 3×3 convolutions with zero padding 1, the shortcut is the identity or a 1×1 strided projection)
 * → global average pool → FC to the classes. `width` scales every convolution's channels (scaleWidth).
 *
 * Quantizers (per tensor, power-of-two scales, so every convolution and matrix product is exact in float32):
 * - input: x·2 − 1, then a signed 8-bit Quant with scale 2^−7 (as CNV);
 * - weights: BipolarQuant (W = 1) or signed narrow W-bit Quant with scale 2^−(W−1) on latent weights in [−1, 1];
 * - inside a block: batch-norm → ReLU → unsigned A-bit Quant with scale 2^(1−A) (levels 0 … (2^A − 1)·2^(1−A));
 * - the residual path has R = max(4, A) bits and one scale 2^(2−R): the stem's output and every block output are
 *   ReLU → unsigned R-bit Quant; a block's second convolution and its projection shortcut end in batch-norm → signed
 *   R-bit Quant with that same scale, so the join adds integers of one step (Brevitas' shared residual quantizer);
 * - after the global average pool: ReLU → unsigned 8-bit Quant with scale 2^−6; the FC's output is multiplied by one
 *   learned positive per-tensor scale.
 */
import { fail } from '../util/errors.ts';
import { scaleWidth, type FrozenBatchNorm } from './model.ts';
import type { UniformQuant } from './cnv.ts';

/** resnet8's stem width, then per stage [width, stride] (one basic block per stage). */
export const RESNET8_STEM = 16;
export const RESNET8_STAGES: readonly (readonly [number, number])[] = [[16, 1], [32, 2], [64, 2]];

/** One convolution of the network: channels, square kernel, stride, zero padding, and the input map it sees. */
export interface ResConv {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly k: number;
  readonly stride: number;
  readonly pad: number;
  readonly h: number;
  readonly w: number;
}

export interface ResBlock {
  /** Indices into ResNetPlan.convs: the two 3×3 convolutions and the projection shortcut (absent: identity). */
  readonly conv1: number;
  readonly conv2: number;
  readonly projection?: number;
}

export interface ResNetPlan {
  readonly input: readonly [number, number, number];
  /** Every convolution in order: stem, then per block conv1, conv2 and the projection if any. */
  readonly convs: readonly ResConv[];
  readonly blocks: readonly ResBlock[];
  /** [C, H, W] of the last feature map (its C values reach the FC after the global pool). */
  readonly features: readonly [number, number, number];
  readonly classes: number;
}

const outDim = (n: number, k: number, stride: number, pad: number): number => Math.floor((n + 2 * pad - k) / stride) + 1;

/** Plan resnet8 for C×H×W inputs (H, W ≥ 4: two stride-2 stages). */
export function planResNet8(input: readonly [number, number, number], classes = 10, width = 1): ResNetPlan {
  let [c, h, w] = input;
  if (!(c >= 1 && h >= 4 && w >= 4)) fail('E_DATASET', `resnet8 needs images of at least 4×4 pixels, got ${input.join('×')}`);
  const convs: ResConv[] = [];
  const add = (out: number, k: number, stride: number, pad: number, from: readonly [number, number, number]): number => {
    convs.push({ inChannels: from[0], outChannels: out, k, stride, pad, h: from[1], w: from[2] });
    return convs.length - 1;
  };
  add(scaleWidth(RESNET8_STEM, width), 3, 1, 1, [c, h, w]);
  c = convs[0]!.outChannels;
  const blocks: ResBlock[] = [];
  for (const [w0, stride] of RESNET8_STAGES) {
    const out = scaleWidth(w0, width);
    const x: [number, number, number] = [c, h, w];
    const [oh, ow] = [outDim(h, 3, stride, 1), outDim(w, 3, stride, 1)];
    const conv1 = add(out, 3, stride, 1, x);
    const conv2 = add(out, 3, 1, 1, [out, oh, ow]);
    const projection = stride !== 1 || c !== out ? add(out, 1, stride, 0, x) : undefined;
    blocks.push({ conv1, conv2, ...(projection === undefined ? {} : { projection }) });
    [c, h, w] = [out, oh, ow];
  }
  return { input: [...input], convs, blocks, features: [c, h, w], classes };
}

/** One line describing a plan, e.g. "3×32×32 → stem 16 → blocks 16, 32/2, 64/2 → GAP → FC 10". */
export function describeResNet(p: ResNetPlan): string {
  const blocks = p.blocks.map((b) => { const c = p.convs[b.conv1]!; return `${c.outChannels}${c.stride > 1 ? `/${c.stride}` : ''}`; });
  return `${p.input.join('×')} → stem ${p.convs[0]!.outChannels} → blocks ${blocks.join(', ')} → GAP → FC ${p.classes}`;
}

/** Bits of the residual path for A-bit activations. */
export const residualBits = (abits: number): number => Math.max(4, abits);

/** The quantizers of a W/A network (see the file comment). */
export interface ResNetQuants {
  /** Inside a block (after conv1): ReLU, unsigned A bits. */
  readonly act: UniformQuant;
  /** Residual path values (stem, block outputs): ReLU, unsigned R bits. */
  readonly res: UniformQuant;
  /** Residual branch ends (conv2, projection) before the join: signed R bits, the same scale. */
  readonly branch: UniformQuant;
  /** After the global average pool: unsigned 8 bits. */
  readonly pool: UniformQuant;
}

export function resnetQuants(abits: number): ResNetQuants {
  const r = residualBits(abits), rs = 2 ** (2 - r);
  return {
    act: { bits: abits, signed: false, scale: 2 ** (1 - abits) },
    res: { bits: r, signed: false, scale: rs },
    branch: { bits: r, signed: true, scale: rs },
    pool: { bits: 8, signed: false, scale: 2 ** -6 },
  };
}

/** The quantizer that ends convolution i (stem, conv1, conv2 or projection). */
export function convQuant(p: ResNetPlan, q: ResNetQuants, i: number): UniformQuant {
  if (i === 0) return q.res;
  return p.blocks.some((b) => b.conv1 === i) ? q.act : q.branch;
}

export interface FrozenResConv extends ResConv {
  /** Latent float weights [outChannels, inChannels, k, k] (PyTorch/Brevitas layout). */
  readonly weight: Float32Array;
  readonly bn: FrozenBatchNorm;
}

/** An eval-mode resnet8: every number is a float32 value, as stored in the exported ONNX file. */
export interface FrozenResNet {
  readonly kind: 'resnet8';
  readonly name: string;
  readonly plan: ResNetPlan;
  readonly wbits: number;
  readonly abits: number;
  readonly convs: readonly FrozenResConv[];
  /** FC latent weights [features, classes] (the MatMul's right operand, no Transpose). */
  readonly fc: Float32Array;
  readonly outScale: number;
  readonly meta: Readonly<Record<string, string>>;
}
