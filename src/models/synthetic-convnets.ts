/**
 * Residual and depthwise-separable networks in Brevitas' QONNX conventions with seeded random weights, for tests,
 * benchmarks and `finn train`'s exports: resnet8 (CIFAR-10, basic blocks with 1×1 strided shortcuts, W2A2, a 4-bit
 * residual path quantized with one shared scale before every join, as Brevitas' residual examples do), mobilenet
 * (depthwise-separable blocks, W4A4, 8-bit first layer), and the full-size ImageNet topologies ResNet-50 (W1A2,
 * bottleneck blocks) and MobileNet-v1 (W4A4) for compile-time and estimate checks.
 *
 * Batch-norm statistics are measured: the builder runs a few random inputs through every node as it is added
 * (tracking), so each BatchNormalization centres and scales its real pre-activations. Full-size models skip that
 * (statistics from fan-in) since only their structure and size matter.
 */
import type { Node } from '../ir/graph.ts';
import { FLOAT32, type DataType } from '../ir/datatype.ts';
import type { Tensor } from '../ir/tensor.ts';
import { runNode } from '../exec/run.ts';
import { rng, type Rng } from '../util/random.ts';
import { modelBuilder, quantNode, tensorOf, type ModelBuilder } from './builder.ts';
import type { PatternModel } from './patterns.ts';

/** A builder that also runs sample inputs through every node it adds (for calibrated batch-norm statistics). */
interface Tracked {
  readonly b: ModelBuilder;
  readonly r: Rng;
  /** Sample values per tensor (absent when not tracking). */
  readonly samples?: Map<string, Tensor[]>;
  shapeOf(t: string): readonly number[];
}

function node(tr: Tracked, op: Node['op'], inputs: string[], shape: readonly number[], dtype: DataType = FLOAT32): string {
  const out = tr.b.node(op, inputs, shape, dtype);
  const s = tr.samples;
  if (s) {
    const n = tr.b.nodes.at(-1)!;
    const k = [...s.values()][0]!.length;
    const value = (t: string, i: number): Tensor => s.get(t)?.[i] ?? tr.b.tensors.find((x) => x.name === t)!.value!;
    s.set(out, Array.from({ length: k }, (_, i) => runNode(n, inputs.map((t) => value(t, i)))[0]!));
  }
  return out;
}

const shapeOf = (b: ModelBuilder) => (t: string): readonly number[] => b.tensors.find((x) => x.name === t)!.shape;

function quantW(tr: Tracked, shape: number[], bits: number, tag: string): string {
  const n = shape.reduce((a, c) => a * c, 1);
  const w = tr.b.constant(`${tag}.weight`, tensorOf(shape, Array.from({ length: n }, () => tr.r.next() * 2 - 1)));
  if (bits === 1) return node(tr, { kind: 'BipolarQuant' }, [w, tr.b.constant(`${tag}.wscale`, tensorOf([], [1]))], shape);
  const scales = Array.from({ length: shape[0]! }, () => (0.5 + tr.r.next()) / 2 ** (bits - 1));
  return nodeQuant(tr, w, shape, bits, true, true, tensorOf([shape[0]!, ...shape.slice(1).map(() => 1)], scales), `${tag}.wq`);
}

function nodeQuant(tr: Tracked, x: string, shape: readonly number[], bits: number, signed: boolean, narrow: boolean, scale: Tensor, tag: string): string {
  quantNode(tr.b, x, shape, { bits, signed, narrow, scale, tag });
  const n = tr.b.nodes.pop()!;
  tr.b.tensors.pop();
  return node(tr, n.op, n.inputs as string[], shape);
}

/** Activation quantizer: bipolar (1 bit), unsigned after a ReLU, or signed. */
function act(tr: Tracked, x: string, shape: readonly number[], bits: number, kind: 'relu' | 'signed', scale: number, tag: string): string {
  if (bits === 1) return node(tr, { kind: 'BipolarQuant' }, [x, tr.b.constant(`${tag}.scale`, tensorOf([], [1]))], shape);
  const y = kind === 'relu' ? node(tr, { kind: 'Relu' }, [x], shape) : x;
  return nodeQuant(tr, y, shape, bits, kind === 'signed', false, tensorOf([], [scale]), tag);
}

function bn(tr: Tracked, x: string, shape: readonly number[], fanIn: number, tag: string): string {
  const c = shape[1]!;
  let mean: number[], variance: number[];
  const s = tr.samples?.get(x);
  if (s) {
    const per = s[0]!.data.length / c, n = s.length * per;
    mean = new Array(c).fill(0); variance = new Array(c).fill(0);
    for (const t of s) for (let i = 0; i < t.data.length; i++) mean[Math.floor(i / per) % c]! += t.data[i]! / n;
    for (const t of s) for (let i = 0; i < t.data.length; i++) variance[Math.floor(i / per) % c]! += (t.data[i]! - mean[Math.floor(i / per) % c]!) ** 2 / n;
    variance = variance.map((v) => Math.max(v, 1e-6));
  } else {
    mean = Array.from({ length: c }, () => tr.r.normal() * Math.sqrt(fanIn) * 0.1);
    variance = Array.from({ length: c }, () => fanIn * (0.3 + tr.r.next()));
  }
  const cst = (n: string, v: number[]): string => tr.b.constant(`${tag}.bn.${n}`, tensorOf([c], v));
  const gamma = Array.from({ length: c }, (_, i) => (i % 9 === 4 ? -1 : 1) * (0.6 + 0.8 * tr.r.next()));
  return node(tr, { kind: 'BatchNormalization', epsilon: 1e-5 }, [x, cst('weight', gamma), cst('bias', Array.from({ length: c }, () => 0.3 + tr.r.normal() * 0.3)), cst('running_mean', mean), cst('running_var', variance)], shape);
}

function conv(tr: Tracked, x: string, cout: number, k: number, stride: number, pad: number, wbits: number, tag: string, depthwise = false): string {
  const [n, cin, h, w] = tr.shapeOf(x) as [number, number, number, number];
  const wq = quantW(tr, [cout, depthwise ? 1 : cin, k, k], wbits, tag);
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1, ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  return node(tr, { kind: 'Conv', kernel: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1], group: depthwise ? cin : 1 }, [x, wq], [n, cout, oh, ow]);
}

/** conv → BN → activation quantizer. */
function convBnAct(tr: Tracked, x: string, cout: number, k: number, stride: number, pad: number, o: { wbits: number; abits: number; scale: number; kind?: 'relu' | 'signed'; depthwise?: boolean }, tag: string): string {
  const y = conv(tr, x, cout, k, stride, pad, o.wbits, tag, o.depthwise);
  const cin = tr.shapeOf(x)[1]!;
  const z = bn(tr, y, tr.shapeOf(y), (o.depthwise ? 1 : cin) * k * k, tag);
  return act(tr, z, tr.shapeOf(z), o.abits, o.kind ?? 'relu', o.scale, `${tag}.act`);
}

interface Start { tr: Tracked; input: string; x: string }

/** Input [1, C, H, W] in [0, 1] → x·2 − 1 → signed 8-bit Quant (scale 2^−7), tracking `samples` random images. */
function start(seed: number, shape: readonly [number, number, number], samples: number): Start {
  const r = rng(seed);
  const b = modelBuilder();
  const full = [1, ...shape];
  const input = b.input('global_in', full);
  const n = full.reduce((a, c) => a * c, 1);
  const tr: Tracked = { b, r, shapeOf: shapeOf(b), ...(samples > 0 ? { samples: new Map([[input, Array.from({ length: samples }, () => tensorOf(full, Array.from({ length: n }, () => r.next())))]]) } : {}) };
  let x = node(tr, { kind: 'Mul' }, [input, b.constant('in_mul', tensorOf([], [2]))], full);
  x = node(tr, { kind: 'Sub' }, [x, b.constant('in_sub', tensorOf([], [1]))], full);
  x = nodeQuant(tr, x, full, 8, true, false, tensorOf([], [2 ** -7]), 'in_q');
  return { tr, input, x };
}

/** Global average pool → 8-bit quantizer → flatten → FC (per-tensor weight scale) → logits. */
function head(tr: Tracked, x: string, classes: number, wbits: number): string {
  const c = tr.shapeOf(x)[1]!;
  let y = node(tr, { kind: 'GlobalAveragePool' }, [x], [1, c, 1, 1]);
  // the pooled features are re-quantized before the classifier (Brevitas' TruncAvgPool / a QuantIdentity): 8 bits
  y = act(tr, y, [1, c, 1, 1], 8, 'relu', 2 ** -6, 'pool.act');
  y = node(tr, { kind: 'Flatten', axis: 1 }, [y], [1, c]);
  const w = tr.b.constant('fc.weight', tensorOf([c, classes], Array.from({ length: c * classes }, () => tr.r.next() * 2 - 1)));
  const wq = wbits === 1 ? node(tr, { kind: 'BipolarQuant' }, [w, tr.b.constant('fc.wscale', tensorOf([], [1]))], [c, classes])
    : nodeQuant(tr, w, [c, classes], wbits, true, true, tensorOf([], [1 / 2 ** (wbits - 1)]), 'fc.wq');
  y = node(tr, { kind: 'MatMul' }, [y, wq], [1, classes]);
  return node(tr, { kind: 'Mul' }, [y, tr.b.constant('fc.out_scale', tensorOf([], [0.25]))], [1, classes]);
}

export interface ResNetSpec {
  readonly input: readonly [number, number, number];
  /** Stem width, then per stage: [width, blocks, stride]. */
  readonly stem: number;
  /** ImageNet stem: 7×7 stride-2 conv, then 2×2 stride-2 max pool (ResNet-50's 3×3/2 pool, at the same resolution); default a 3×3 stride-1 conv. */
  readonly imagenetStem?: boolean;
  readonly stages: readonly (readonly [number, number, number])[];
  /** Basic blocks (two 3×3 convs) or bottlenecks (1×1, 3×3, 1×1 with 4× expansion). */
  readonly bottleneck: boolean;
  readonly wbits: number;
  readonly abits: number;
  /** Bits of the residual path (the join's operands and the block outputs). */
  readonly rbits: number;
  readonly classes: number;
  readonly seed: number;
  /** Random images tracked for batch-norm statistics (0: statistics from fan-in). */
  readonly samples: number;
}

const RES_SCALE = 0.25;

function residualBlock(tr: Tracked, x: string, width: number, stride: number, s: ResNetSpec, tag: string): string {
  const cin = tr.shapeOf(x)[1]!;
  const a = { wbits: s.wbits, abits: s.abits, scale: 0.5 };
  const out = s.bottleneck ? width * 4 : width;
  let y = s.bottleneck ? convBnAct(tr, x, width, 1, 1, 0, a, `${tag}.conv1`) : x;
  y = convBnAct(tr, y, width, 3, stride, 1, a, `${tag}.conv${s.bottleneck ? 2 : 1}`);
  // the last conv of the branch and the shortcut end in the same residual quantizer (shared scale) before the join
  const r = { wbits: s.wbits, abits: s.rbits, scale: RES_SCALE, kind: 'signed' as const };
  y = convBnAct(tr, y, out, s.bottleneck ? 1 : 3, 1, s.bottleneck ? 0 : 1, r, `${tag}.conv${s.bottleneck ? 3 : 2}`);
  const short = stride !== 1 || cin !== out ? convBnAct(tr, x, out, 1, stride, 0, r, `${tag}.shortcut`) : x;
  const sum = node(tr, { kind: 'Add' }, [y, short], tr.shapeOf(y));
  return act(tr, sum, tr.shapeOf(sum), s.rbits, 'relu', RES_SCALE, `${tag}.out`);
}

export function syntheticResNet(s: ResNetSpec): PatternModel {
  const { tr, input, x: x0 } = start(s.seed, s.input, s.samples);
  const [k, stride, pad] = s.imagenetStem ? [7, 2, 3] : [3, 1, 1];
  let x = convBnAct(tr, x0, s.stem, k, stride, pad, { wbits: s.wbits, abits: s.rbits, scale: RES_SCALE }, 'stem');
  if (s.imagenetStem) {
    const [n, c, h, w] = tr.shapeOf(x) as [number, number, number, number];
    x = node(tr, { kind: 'MaxPool', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, [x], [n, c, Math.floor(h / 2), Math.floor(w / 2)]);
  }
  s.stages.forEach(([width, blocks, stride], i) => {
    for (let j = 0; j < blocks; j++) x = residualBlock(tr, x, width, j === 0 ? stride : 1, s, `stage${i + 1}.block${j + 1}`);
  });
  const y = head(tr, x, s.classes, s.wbits);
  return { graph: tr.b.graph(`resnet_w${s.wbits}a${s.abits}`, [input], [y]), domain: { kind: 'uniform', lo: 0, hi: 1 } };
}

/** resnet8: CIFAR-10 32×32, stem 16, stages 16/32/64 (one basic block each, 1×1 strided shortcuts), W2A2, 4-bit residual path. */
export const RESNET8: Omit<ResNetSpec, 'seed' | 'samples'> = { input: [3, 32, 32], stem: 16, stages: [[16, 1, 1], [32, 1, 2], [64, 1, 2]], bottleneck: false, wbits: 2, abits: 2, rbits: 4, classes: 10 };
/** ResNet-50 on ImageNet (224×224, bottlenecks 3-4-6-3), W1A2 with a 4-bit residual path. */
export const RESNET50: Omit<ResNetSpec, 'seed' | 'samples'> = { input: [3, 224, 224], stem: 64, imagenetStem: true, stages: [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]], bottleneck: true, wbits: 1, abits: 2, rbits: 4, classes: 1000 };

export interface MobileNetSpec {
  readonly input: readonly [number, number, number];
  readonly stem: number;
  /** Per depthwise-separable block: [output width, stride]. */
  readonly blocks: readonly (readonly [number, number])[];
  readonly wbits: number;
  readonly abits: number;
  readonly classes: number;
  readonly seed: number;
  readonly samples: number;
}

export function syntheticMobileNet(s: MobileNetSpec): PatternModel {
  const { tr, input, x: x0 } = start(s.seed, s.input, s.samples);
  const a = { wbits: s.wbits, abits: s.abits, scale: 0.25 };
  // the first layer sees the 8-bit input with 8-bit weights (MobileNet-v1 W4A4 keeps its first layer at 8 bits)
  let x = convBnAct(tr, x0, s.stem, 3, 2, 1, { ...a, wbits: 8 }, 'stem');
  s.blocks.forEach(([width, stride], i) => {
    const c = tr.shapeOf(x)[1]!;
    x = convBnAct(tr, x, c, 3, stride, 1, { ...a, depthwise: true }, `block${i + 1}.dw`);
    x = convBnAct(tr, x, width, 1, 1, 0, a, `block${i + 1}.pw`);
  });
  const y = head(tr, x, s.classes, s.wbits);
  return { graph: tr.b.graph(`mobilenet_w${s.wbits}a${s.abits}`, [input], [y]), domain: { kind: 'uniform', lo: 0, hi: 1 } };
}

/** A small MobileNet for CIFAR-sized inputs: stem 16 (stride 2), four depthwise-separable blocks, W4A4. */
export const MOBILENET_SMALL: Omit<MobileNetSpec, 'seed' | 'samples'> = { input: [3, 32, 32], stem: 16, blocks: [[32, 1], [64, 2], [64, 1], [128, 2]], wbits: 4, abits: 4, classes: 10 };
/** MobileNet-v1 on ImageNet (224×224, 13 depthwise-separable blocks), W4A4 with an 8-bit first layer. */
export const MOBILENET_V1: Omit<MobileNetSpec, 'seed' | 'samples'> = {
  input: [3, 224, 224], stem: 32, wbits: 4, abits: 4, classes: 1000,
  blocks: [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]],
};

