/**
 * Export a trained network as QONNX in Brevitas' conventions.
 *
 * MLPs (the structure of the QONNX model zoo's TFC exports and of src/models/synthetic.ts): input [1,1,28,28] in [0,1]
 * → Reshape → Mul 2 → Sub 1 → input quantizer → per layer Quant/BipolarQuant on the float weight [out, in] → Transpose
 * → MatMul → BatchNormalization → activation quantizer; the last layer is a MatMul followed by a per-tensor Mul (the
 * learned output scale).
 *
 * CNV (the structure of src/models/synthetic-cnv.ts): input [1,C,H,W] in [0,1] → Mul 2 → Sub 1 → 8-bit signed Quant
 * (scale 2^−7) → per convolution Quant/BipolarQuant on the float weight [OC, IC, 3, 3] → Conv (3×3, stride 1, no
 * padding) → BatchNormalization → activation quantizer, MaxPool 2×2 where the topology has one → Reshape [1, k] → the
 * FC layers as in the MLPs.
 *
 * resnet8 (the structure of src/models/synthetic-convnets.ts' syntheticResNet; quantizers in resnet.ts): the CNV input
 * → per convolution weight quantizer → Conv (zero padding, stride) → BatchNormalization → [ReLU →] Quant; per block
 * Add of the two branch quantizers' outputs → ReLU → Quant; GlobalAveragePool → ReLU → 8-bit Quant → Flatten →
 * MatMul (weights [features, classes]) → Mul (the learned output scale).
 */
import type { Graph, Node, TensorInfo } from '../ir/graph.ts';
import { FLOAT32, int } from '../ir/datatype.ts';
import type { Tensor } from '../ir/tensor.ts';
import { makeGraph } from '../ir/builder.ts';
import { writeModel } from '../onnx/write.ts';
import { actScale, BN_EPS, inputScale, weightScale, type FrozenLayer, type FrozenMlp } from './model.ts';
import { CNV_INPUT_BITS, CNV_INPUT_SCALE, CONV_K, POOL_K, type FrozenCnv, type UniformQuant } from './cnv.ts';
import { convQuant, resnetQuants, type FrozenResNet } from './resnet.ts';

const t = (shape: number[], data: ArrayLike<number>): Tensor => ({ shape, data: Float64Array.from(data) });

function builder() {
  const nodes: Node[] = [];
  const tensors: TensorInfo[] = [];
  let id = 0;
  const constant = (name: string, v: Tensor, dtype = FLOAT32): string => { tensors.push({ name, shape: v.shape, dtype, value: v }); return name; };
  const node = (op: Node['op'], inputs: string[], shape: readonly number[], out?: string): string => {
    const name = out ?? `t${id++}`;
    tensors.push({ name, shape, dtype: FLOAT32 });
    nodes.push({ name: `${op.kind}_${nodes.length}`, op, inputs, outputs: [name] });
    return name;
  };
  return { nodes, tensors, constant, node };
}

type B = ReturnType<typeof builder>;

/** BipolarQuant (1 bit) or a signed Quant (zero point 0, ROUND) with a per-tensor scale. */
function quant(b: B, x: string, shape: readonly number[], bits: number, scale: number, narrow: boolean, tag: string): string {
  if (bits === 1) return b.node({ kind: 'BipolarQuant' }, [x, b.constant(`${tag}.scale`, t([], [scale]))], shape);
  return b.node({ kind: 'Quant', signed: true, narrow, rounding: 'ROUND' },
    [x, b.constant(`${tag}.scale`, t([], [scale])), b.constant(`${tag}.zeropt`, t([], [0])), b.constant(`${tag}.bitwidth`, t([], [bits]))], shape);
}

/** FC layers: weight quantizer → Transpose → MatMul → BatchNormalization → activation quantizer; the last → Mul (scale). */
function fcLayers(b: B, input: string, layers: readonly FrozenLayer[], wbits: number, abits: number, outScale: number): string {
  let x = input;
  layers.forEach((layer, i) => {
    const tag = `fc${i + 1}`;
    const last = i === layers.length - 1;
    const w = b.constant(`${tag}.weight`, t([layer.outputs, layer.inputs], layer.weight));
    const wq = quant(b, w, [layer.outputs, layer.inputs], wbits, weightScale(wbits), true, `${tag}.weight_quant`);
    const wt = b.node({ kind: 'Transpose', perm: [1, 0] }, [wq], [layer.inputs, layer.outputs]);
    x = b.node({ kind: 'MatMul' }, [x, wt], [1, layer.outputs]);
    if (!last) {
      x = batchNorm(b, x, [1, layer.outputs], layer.bn!, tag);
      x = quant(b, x, [1, layer.outputs], abits, actScale(abits), false, `${tag}.act_quant`);
    } else {
      x = b.node({ kind: 'Mul' }, [x, b.constant('output.scale', t([1], [outScale]))], [1, layer.outputs], 'global_out');
    }
  });
  return x;
}

/** BatchNormalization over axis 1 with the frozen statistics. */
function batchNorm(b: B, x: string, shape: readonly number[], bn: NonNullable<FrozenLayer['bn']>, tag: string): string {
  const c = shape[1]!;
  return b.node({ kind: 'BatchNormalization', epsilon: BN_EPS }, [x,
    b.constant(`${tag}.bn.weight`, t([c], bn.gamma)), b.constant(`${tag}.bn.bias`, t([c], bn.beta)),
    b.constant(`${tag}.bn.running_mean`, t([c], bn.mean)), b.constant(`${tag}.bn.running_var`, t([c], bn.variance))], shape);
}

/** The trained MLP as a QONNX graph (our IR). */
export function exportGraph(m: FrozenMlp): Graph {
  const b = builder();
  const k0 = m.sizes[0]!;
  const input = 'global_in';
  b.tensors.push({ name: input, shape: [1, 1, 28, 28], dtype: FLOAT32 });
  if (k0 !== 784) throw new Error(`internal: exportGraph expects 784 inputs (28×28 images), got ${k0}`);
  let x = b.node({ kind: 'Reshape' }, [input, b.constant('flatten.shape', t([2], [1, k0]), int(64))], [1, k0]);
  x = b.node({ kind: 'Mul' }, [x, b.constant('input.mul', t([], [2]))], [1, k0]);
  x = b.node({ kind: 'Sub' }, [x, b.constant('input.sub', t([], [1]))], [1, k0]);
  x = quant(b, x, [1, k0], m.abits, inputScale(m.abits), false, 'input_quant');
  x = fcLayers(b, x, m.layers, m.wbits, m.abits, m.outScale);
  const meta: Record<string, string> = { producer_name: 'finn-ts train', ...m.meta };
  return makeGraph({ name: m.name, nodes: b.nodes, tensors: b.tensors, inputs: [input], outputs: [x], meta });
}

/** The trained CNV as a QONNX graph (our IR). */
export function exportCnvGraph(m: FrozenCnv): Graph {
  const b = builder();
  let [c, h, w] = m.plan.input;
  const input = 'global_in';
  b.tensors.push({ name: input, shape: [1, c, h, w], dtype: FLOAT32 });
  let x = b.node({ kind: 'Mul' }, [input, b.constant('input.mul', t([], [2]))], [1, c, h, w]);
  x = b.node({ kind: 'Sub' }, [x, b.constant('input.sub', t([], [1]))], [1, c, h, w]);
  x = quant(b, x, [1, c, h, w], CNV_INPUT_BITS, CNV_INPUT_SCALE, false, 'input_quant');
  let ci = 0;
  for (const l of m.plan.layers) {
    if (l === 'pool') {
      [h, w] = [Math.floor(h / POOL_K), Math.floor(w / POOL_K)];
      x = b.node({ kind: 'MaxPool', kernel: [POOL_K, POOL_K], strides: [POOL_K, POOL_K], pads: [0, 0, 0, 0] }, [x], [1, c, h, w]);
      continue;
    }
    const conv = m.convs[ci++]!, tag = `conv${ci}`;
    const shape = [conv.outChannels, conv.inChannels, CONV_K, CONV_K];
    const wq = quant(b, b.constant(`${tag}.weight`, t(shape, conv.weight)), shape, m.wbits, weightScale(m.wbits), true, `${tag}.weight_quant`);
    [c, h, w] = [conv.outChannels, h - CONV_K + 1, w - CONV_K + 1];
    x = b.node({ kind: 'Conv', kernel: [CONV_K, CONV_K], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }, [x, wq], [1, c, h, w]);
    x = batchNorm(b, x, [1, c, h, w], conv.bn, tag);
    x = quant(b, x, [1, c, h, w], m.abits, actScale(m.abits), false, `${tag}.act_quant`);
  }
  x = b.node({ kind: 'Reshape' }, [x, b.constant('flatten.shape', t([2], [1, m.plan.flat]), int(64))], [1, m.plan.flat]);
  x = fcLayers(b, x, m.fc, m.wbits, m.abits, m.outScale);
  const meta: Record<string, string> = { producer_name: 'finn-ts train', ...m.meta };
  return makeGraph({ name: m.name, nodes: b.nodes, tensors: b.tensors, inputs: [input], outputs: [x], meta });
}

/** A uniform Quant (zero point 0, ROUND), preceded by a ReLU when unsigned (Brevitas' QuantReLU). */
function uniformAct(b: B, x: string, shape: readonly number[], q: UniformQuant, tag: string): string {
  const y = q.signed ? x : b.node({ kind: 'Relu' }, [x], shape);
  return b.node({ kind: 'Quant', signed: q.signed, narrow: false, rounding: 'ROUND' },
    [y, b.constant(`${tag}.scale`, t([], [q.scale])), b.constant(`${tag}.zeropt`, t([], [0])), b.constant(`${tag}.bitwidth`, t([], [q.bits]))], shape);
}

/** Convolution i of a resnet8 → BatchNormalization → its activation quantizer; `shape` is the input's [1, C, H, W]. */
function resConvUnit(b: B, m: FrozenResNet, i: number, x: string, shape: readonly number[]): [string, number[]] {
  const c = m.convs[i]!, tag = `conv${i}`;
  const ws = [c.outChannels, c.inChannels, c.k, c.k];
  const wq = quant(b, b.constant(`${tag}.weight`, t(ws, c.weight)), ws, m.wbits, weightScale(m.wbits), true, `${tag}.weight_quant`);
  const out = [1, c.outChannels, Math.floor((shape[2]! + 2 * c.pad - c.k) / c.stride) + 1, Math.floor((shape[3]! + 2 * c.pad - c.k) / c.stride) + 1];
  const y = b.node({ kind: 'Conv', kernel: [c.k, c.k], strides: [c.stride, c.stride], pads: [c.pad, c.pad, c.pad, c.pad], dilations: [1, 1], group: 1 }, [x, wq], out);
  const z = batchNorm(b, y, out, c.bn, tag);
  return [uniformAct(b, z, out, convQuant(m.plan, resnetQuants(m.abits), i), `${tag}.act_quant`), out];
}

/** The trained resnet8 as a QONNX graph (our IR). */
export function exportResNetGraph(m: FrozenResNet): Graph {
  const b = builder();
  const q = resnetQuants(m.abits);
  const input = 'global_in';
  let shape = [1, ...m.plan.input];
  b.tensors.push({ name: input, shape, dtype: FLOAT32 });
  let x = b.node({ kind: 'Mul' }, [input, b.constant('input.mul', t([], [2]))], shape);
  x = b.node({ kind: 'Sub' }, [x, b.constant('input.sub', t([], [1]))], shape);
  x = quant(b, x, shape, CNV_INPUT_BITS, CNV_INPUT_SCALE, false, 'input_quant');
  [x, shape] = resConvUnit(b, m, 0, x, shape);
  m.plan.blocks.forEach((blk, j) => {
    const [y1, s1] = resConvUnit(b, m, blk.conv1, x, shape);
    const [y, s2] = resConvUnit(b, m, blk.conv2, y1, s1);
    const short = blk.projection === undefined ? x : resConvUnit(b, m, blk.projection, x, shape)[0];
    x = uniformAct(b, b.node({ kind: 'Add' }, [y, short], s2), s2, q.res, `block${j + 1}.out_quant`);
    shape = s2;
  });
  const c = m.plan.features[0], k = m.plan.classes;
  x = uniformAct(b, b.node({ kind: 'GlobalAveragePool' }, [x], [1, c, 1, 1]), [1, c, 1, 1], q.pool, 'pool.act_quant');
  x = b.node({ kind: 'Flatten', axis: 1 }, [x], [1, c]);
  const wq = quant(b, b.constant('fc.weight', t([c, k], m.fc)), [c, k], m.wbits, weightScale(m.wbits), true, 'fc.weight_quant');
  x = b.node({ kind: 'MatMul' }, [x, wq], [1, k]);
  x = b.node({ kind: 'Mul' }, [x, b.constant('output.scale', t([1], [m.outScale]))], [1, k], 'global_out');
  const meta: Record<string, string> = { producer_name: 'finn-ts train', ...m.meta };
  return makeGraph({ name: m.name, nodes: b.nodes, tensors: b.tensors, inputs: [input], outputs: [x], meta });
}

/** A trained network of any kind. */
export type FrozenModel = FrozenMlp | FrozenCnv | FrozenResNet;
export const isCnv = (m: FrozenModel): m is FrozenCnv => 'kind' in m && m.kind === 'cnv';
export const isResNet = (m: FrozenModel): m is FrozenResNet => 'kind' in m && m.kind === 'resnet8';

/** Export and write the .onnx file. */
export function writeTrainedModel(m: FrozenModel, path: string): Graph {
  const g = isCnv(m) ? exportCnvGraph(m) : isResNet(m) ? exportResNetGraph(m) : exportGraph(m);
  writeModel(g, path);
  return g;
}
