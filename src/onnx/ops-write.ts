/** Typed IR node → ONNX NodeProto (FINN conventions: QONNX ops in qonnx.custom_op.general, hw.* in finn.custom_op.fpgadataflow). */
import { dtName } from '../ir/datatype.ts';
import type { Node } from '../ir/graph.ts';
import { isHwOp, type Op } from '../ir/ops.ts';
import type { Tensor } from '../ir/tensor.ts';
import { layerOf, withLayer, type HwOp } from '../hw/registry.ts';
import type { FinnAttr } from '../hw/layer.ts';
import { aFloat, aInt, aInts, aString, aStrings, aTensor } from './attrs.ts';
import type { PAttribute, PNode } from './proto.ts';

/** Domain written for QONNX/FINN custom ops. */
export const QONNX_DOMAIN = 'qonnx.custom_op.general';
/** Domain written for hw.* layers. */
export const HW_DOMAIN = 'finn.custom_op.fpgadataflow';

/** A constant input the writer adds (opset-13 form of Squeeze/Unsqueeze axes and Clip bounds). */
export interface ExtraConst { readonly name: string; readonly value: Tensor; readonly int64: boolean }

/** A written node plus the constants it needs. */
export interface WrittenNode { readonly node: PNode; readonly consts: readonly ExtraConst[] }

interface OpForm { opType: string; domain: string; attrs: PAttribute[] }

const bare = (opType: string): OpForm => ({ opType, domain: '', attrs: [] });
const std = (opType: string, attrs: PAttribute[]): OpForm => ({ opType, domain: '', attrs });
const qonnx = (opType: string, attrs: PAttribute[]): OpForm => ({ opType, domain: QONNX_DOMAIN, attrs });

/** op_type, domain and attributes of an op; input-borne parameters are handled by writeNode. */
function opForm(op: Op, inputRank: number): OpForm {
  if (isHwOp(op)) return hwForm(op);
  switch (op.kind) {
    case 'Gemm': return std('Gemm', [aFloat('alpha', op.alpha), aFloat('beta', op.beta), aInt('transA', op.transA), aInt('transB', op.transB)]);
    case 'BatchNormalization': return std('BatchNormalization', [aFloat('epsilon', op.epsilon)]);
    case 'Flatten': return std('Flatten', [aInt('axis', op.axis)]);
    case 'Transpose': return std('Transpose', op.perm ? [aInts('perm', op.perm)] : []);
    case 'TopK': return std('TopK', [aInt('axis', op.axis), aInt('largest', op.largest), aInt('sorted', op.sorted)]);
    case 'ArgMax': return std('ArgMax', [aInt('axis', op.axis), aInt('keepdims', op.keepdims), aInt('select_last_index', op.selectLastIndex)]);
    case 'Gather': return std('Gather', [aInt('axis', op.axis)]);
    case 'Softmax': case 'LogSoftmax': return std(op.kind, [aInt('axis', op.axis)]);
    case 'Concat': return std('Concat', [aInt('axis', op.axis)]);
    case 'Constant': return std('Constant', [aTensor('value', op.value)]);
    case 'Quant': return qonnx('Quant', [aInt('signed', op.signed), aInt('narrow', op.narrow), aString('rounding_mode', op.rounding)]);
    case 'Trunc': return qonnx('Trunc', [aString('rounding_mode', op.rounding)]);
    case 'BipolarQuant': case 'XnorPopcountMatMul': return qonnx(op.kind, []);
    case 'MultiThreshold': return qonnx('MultiThreshold', [
      aFloat('out_scale', op.outScale), aFloat('out_bias', op.outBias), aString('out_dtype', dtName(op.outType)),
      aString('data_layout', dataLayout(op.channelsLast, inputRank)),
      ...(op.evenTies !== undefined ? [aInt('even_ties_first_level', op.evenTies)] : []),
    ]);
    case 'Conv': return std('Conv', [aInts('kernel_shape', op.kernel), aInts('strides', op.strides), aInts('pads', op.pads), aInts('dilations', op.dilations), aInt('group', op.group)]);
    case 'MaxPool': return std('MaxPool', [aInts('kernel_shape', op.kernel), aInts('strides', op.strides), aInts('pads', op.pads)]);
    case 'Pad': return std('Pad', op.pads ? [aInts('pads', op.pads), aFloat('value', op.value)] : [aFloat('value', op.value)]);
    case 'Im2Col': return qonnx('Im2Col', [aInts('kernel_size', op.kernel), aInts('stride', op.stride), aInts('pad_amount', op.pads), aFloat('pad_value', op.padValue)]);
    case 'MaxPoolNHWC': return qonnx('MaxPoolNHWC', [aInts('kernel_shape', op.kernel), aInts('strides', op.strides)]);
    case 'GlobalSumPool': return qonnx('GlobalSumPool', [aString('data_layout', op.channelsLast ? 'NHWC' : 'NCHW')]);
    case 'AveragePool': return std('AveragePool', [aInts('kernel_shape', op.kernel), aInts('strides', op.strides), aInts('pads', op.pads), aInt('count_include_pad', op.countIncludePad)]);
    case 'MatMul': case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Sqrt': case 'Neg': case 'Identity':
    case 'Reshape': case 'Sign': case 'Relu': case 'Sigmoid': case 'GlobalAveragePool': case 'Shape': case 'Squeeze': case 'Unsqueeze': case 'Clip':
      return bare(op.kind);
  }
}

/** FINN's data_layout string for a channels-first/last tensor of the given rank. */
function dataLayout(channelsLast: boolean, rank: number): string {
  if (rank === 2 && !channelsLast) return 'NC';
  if (rank === 3) return channelsLast ? 'NWC' : 'NCW';
  return channelsLast ? 'NHWC' : 'NCHW';
}

function hwForm(op: HwOp): OpForm {
  const attrs = withLayer(op, (layer, p) => layer.writeFinn(p)).map(toProto);
  return { opType: layerOf(op.kind).finnName, domain: HW_DOMAIN, attrs: [...attrs, aString('backend', 'fpgadataflow')] };
}

function toProto(a: FinnAttr): PAttribute {
  if ('int' in a) return aInt(a.name, a.int);
  if ('ints' in a) return aInts(a.name, a.ints);
  if ('float' in a) return aFloat(a.name, a.float);
  if ('strs' in a) return aStrings(a.name, a.strs);
  return aString(a.name, a.str);
}

/** Inputs carrying what the IR keeps as typed fields: Squeeze/Unsqueeze axes (INT64) and Clip bounds. */
function extraInputs(n: Node, fresh: (base: string) => string): { inputs: string[]; consts: ExtraConst[] } {
  const op = n.op;
  const inputs = [...n.inputs];
  const consts: ExtraConst[] = [];
  const add = (suffix: string, data: readonly number[], shape: readonly number[], int64: boolean): string => {
    const name = fresh(`${n.name}_${suffix}`);
    consts.push({ name, value: { shape: [...shape], data: Float64Array.from(data) }, int64 });
    return name;
  };
  if ((op.kind === 'Squeeze' || op.kind === 'Unsqueeze') && op.axes) {
    return { inputs: [inputs[0]!, add('axes', op.axes, [op.axes.length], true)], consts };
  }
  if (op.kind === 'Clip' && (op.min !== null || op.max !== null)) {
    const min = op.min === null ? '' : add('min', [op.min], [], false);
    const max = op.max === null ? [] : [add('max', [op.max], [], false)];
    return { inputs: [inputs[0]!, min, ...max], consts };
  }
  return { inputs, consts };
}

/** Encode one node; `inputRank` is the rank of its first input (for MultiThreshold's data_layout). */
export function writeNode(n: Node, inputRank: number, fresh: (base: string) => string): WrittenNode {
  const form = opForm(n.op, inputRank);
  const { inputs, consts } = extraInputs(n, fresh);
  const attribute = [...form.attrs].sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
  const node: PNode = { name: n.name, op_type: form.opType, domain: form.domain, input: inputs, output: [...n.outputs], attribute };
  return { node, consts };
}
