/**
 * Brevitas-style QONNX CNV networks (Conv → BatchNorm → quantizer, max-pool, then FC layers) with seeded random
 * weights and realistic batch-norm statistics — the structure of FINN's CNV (CIFAR-10) examples.
 */
import type { Graph, Node, TensorInfo } from '../ir/graph.ts';
import { FLOAT32, int } from '../ir/datatype.ts';
import type { Tensor } from '../ir/tensor.ts';
import { makeGraph } from '../ir/builder.ts';
import { rng, type Rng } from '../util/random.ts';

export type CnvLayer = { readonly conv: number; readonly pad?: number } | 'pool';

export interface CnvSpec {
  /** [C, H, W] of the input image. */
  readonly input: readonly [number, number, number];
  readonly layers: readonly CnvLayer[];
  /** FC widths after flattening, the last being the class count. */
  readonly fc: readonly number[];
  readonly wbits: number;
  readonly abits: number;
  /** Bits of the input quantizer (FINN's CNV: 8-bit fixed point in [−1, 1)). */
  readonly inBits?: number;
  readonly seed: number;
}

/** FINN's CNV: 3×32×32, conv 64, 64, pool, 128, 128, pool, 256, 256, FC 512-512-10. */
export const CNV_LAYERS: readonly CnvLayer[] = [{ conv: 64 }, { conv: 64 }, 'pool', { conv: 128 }, { conv: 128 }, 'pool', { conv: 256 }, { conv: 256 }];

const t = (shape: number[], data: ArrayLike<number>): Tensor => ({ shape, data: Float64Array.from(data) });

interface B { nodes: Node[]; tensors: TensorInfo[]; n: number }

function node(b: B, op: Node['op'], inputs: string[], shape: readonly number[]): string {
  const out = `t${b.n++}`;
  b.tensors.push({ name: out, shape, dtype: FLOAT32 });
  b.nodes.push({ name: `${op.kind}_${b.nodes.length}`, op, inputs, outputs: [out] });
  return out;
}

function constant(b: B, name: string, v: Tensor, dtype = FLOAT32): string {
  b.tensors.push({ name, shape: v.shape, dtype, value: v });
  return name;
}

function quant(b: B, x: string, shape: readonly number[], bits: number, tag: string, scale = 2 ** -(bits - 1)): string {
  if (bits === 1) return node(b, { kind: 'BipolarQuant' }, [x, constant(b, `${tag}_s`, t([], [1]))], shape);
  return node(b, { kind: 'Quant', signed: true, narrow: false, rounding: 'ROUND' },
    [x, constant(b, `${tag}_s`, t([], [scale])), constant(b, `${tag}_z`, t([], [0])), constant(b, `${tag}_b`, t([], [bits]))], shape);
}

function weights(b: B, r: Rng, shape: number[], wbits: number, tag: string): string {
  const n = shape.reduce((a, c) => a * c, 1);
  const w = constant(b, `${tag}.weight`, t(shape, Array.from({ length: n }, () => r.next() * 2 - 1)));
  if (wbits === 1) return node(b, { kind: 'BipolarQuant' }, [w, constant(b, `${tag}_ws`, t([], [1]))], shape);
  return node(b, { kind: 'Quant', signed: true, narrow: true, rounding: 'ROUND' },
    [w, constant(b, `${tag}_ws`, t([], [1 / 2 ** (wbits - 1)])), constant(b, `${tag}_wz`, t([], [0])), constant(b, `${tag}_wb`, t([], [wbits]))], shape);
}

function batchNorm(b: B, r: Rng, x: string, shape: readonly number[], fanIn: number, tag: string): string {
  const c = shape[1]!;
  const sd = Math.sqrt(fanIn);
  const gamma = Array.from({ length: c }, (_, i) => (i % 7 === 3 ? -1 : 1) * (0.2 + r.next()));
  const mean = Array.from({ length: c }, () => r.normal() * sd * 0.3);
  const variance = Array.from({ length: c }, () => sd * sd * (0.3 + r.next()));
  const beta = Array.from({ length: c }, () => r.normal() * 0.3);
  const ins = [x, constant(b, `${tag}.bn.weight`, t([c], gamma)), constant(b, `${tag}.bn.bias`, t([c], beta)),
    constant(b, `${tag}.bn.running_mean`, t([c], mean)), constant(b, `${tag}.bn.running_var`, t([c], variance))];
  return node(b, { kind: 'BatchNormalization', epsilon: 1e-5 }, ins, shape);
}

/** A QONNX CNV graph in Brevitas' export conventions (input [1, C, H, W] in [0, 1], logits out). */
export function syntheticQonnxCnv(spec: CnvSpec): Graph {
  const r = rng(spec.seed);
  const b: B = { nodes: [], tensors: [], n: 0 };
  let [c, h, w] = spec.input;
  b.tensors.push({ name: 'input', shape: [1, c, h, w], dtype: FLOAT32 });
  let x = node(b, { kind: 'Mul' }, ['input', constant(b, 'in_mul', t([], [2]))], [1, c, h, w]);
  x = node(b, { kind: 'Sub' }, [x, constant(b, 'in_sub', t([], [1]))], [1, c, h, w]);
  x = quant(b, x, [1, c, h, w], spec.inBits ?? 8, 'in_q');
  spec.layers.forEach((l, i) => {
    if (l === 'pool') {
      [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
      x = node(b, { kind: 'MaxPool', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, [x], [1, c, h, w]);
      return;
    }
    const p = l.pad ?? 0;
    const wq = weights(b, r, [l.conv, c, 3, 3], spec.wbits, `conv${i}`);
    [h, w] = [h + 2 * p - 2, w + 2 * p - 2];
    x = node(b, { kind: 'Conv', kernel: [3, 3], strides: [1, 1], pads: [p, p, p, p], dilations: [1, 1], group: 1 }, [x, wq], [1, l.conv, h, w]);
    x = batchNorm(b, r, x, [1, l.conv, h, w], 9 * c, `conv${i}`);
    c = l.conv;
    x = quant(b, x, [1, c, h, w], spec.abits, `act${i}`);
  });
  let k = c * h * w;
  x = node(b, { kind: 'Reshape' }, [x, constant(b, 'flat_shape', t([2], [1, k]), int(64))], [1, k]);
  spec.fc.forEach((n, i) => {
    const wq = weights(b, r, [n, k], spec.wbits, `fc${i}`);
    const wt = node(b, { kind: 'Transpose', perm: [1, 0] }, [wq], [k, n]);
    x = node(b, { kind: 'MatMul' }, [x, wt], [1, n]);
    if (i < spec.fc.length - 1) {
      x = batchNorm(b, r, x, [1, n], k, `fc${i}`);
      x = quant(b, x, [1, n], spec.abits, `fcact${i}`);
    } else {
      x = node(b, { kind: 'Mul' }, [x, constant(b, 'out_scale', t([1], [0.5 + r.next()]))], [1, n]);
    }
    k = n;
  });
  return makeGraph({ name: `cnv_w${spec.wbits}a${spec.abits}`, nodes: b.nodes, tensors: b.tensors, inputs: ['input'], outputs: [x], meta: { producer_name: 'finn-ts synthetic' } });
}

/** BNN-PYNQ's folding of CNV (FINN's cnv-w1a1 folding config): MVAU (PE, SIMD) per layer and the sliding windows' SIMD. */
export const BNN_PYNQ_CNV_FOLDING: Readonly<Record<string, { PE?: number; SIMD: number }>> = Object.fromEntries([
  ...[[16, 3], [32, 32], [16, 32], [16, 32], [4, 32], [1, 32], [1, 4], [1, 8], [5, 1]].map(([pe, simd], i) => [`MVAU_${i}`, { PE: pe!, SIMD: simd! }]),
  ...[3, 32, 32, 32, 32, 32].map((simd, i) => [`ConvolutionInputGenerator_${i}`, { SIMD: simd }]),
]);
