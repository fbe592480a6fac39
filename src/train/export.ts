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
 */
import type { Graph, Node, TensorInfo } from '../ir/graph.ts';
import { FLOAT32, int } from '../ir/datatype.ts';
import type { Tensor } from '../ir/tensor.ts';
import { makeGraph } from '../ir/builder.ts';
import { writeModel } from '../onnx/write.ts';
import { actScale, BN_EPS, inputScale, weightScale, type FrozenLayer, type FrozenMlp } from './model.ts';
import { CNV_INPUT_BITS, CNV_INPUT_SCALE, CONV_K, POOL_K, type FrozenCnv } from './cnv.ts';

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

/** A trained network of either kind. */
export type FrozenModel = FrozenMlp | FrozenCnv;
export const isCnv = (m: FrozenModel): m is FrozenCnv => 'kind' in m && m.kind === 'cnv';

/** Export and write the .onnx file. */
export function writeTrainedModel(m: FrozenModel, path: string): Graph {
  const g = isCnv(m) ? exportCnvGraph(m) : exportGraph(m);
  writeModel(g, path);
  return g;
}
