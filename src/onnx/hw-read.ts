/** FINN fpgadataflow nodes (MVAU, Thresholding, LabelSelect) → typed hw.* ops, using FINN's attribute names. */
import type { ChannelPadParams, FmPaddingParams, LabelSelectParams, MaxPoolParams, MvauParams, RamStyle, SwgParams, ThresholdingParams } from '../hw/params.ts';
import { smallestIntType, dtName } from '../ir/datatype.ts';
import { FinnError } from '../util/errors.ts';
import { attrBool, attrDtype, attrFloat, attrInt, attrInts, attrString, badAttr, hasAttr, type AttrSource } from './attrs.ts';
import type { NodeInput, ParsedNode } from './ops-read.ts';

const RAM_STYLES: readonly RamStyle[] = ['auto', 'block', 'distributed', 'ultra'];

function ramStyle(s: AttrSource): RamStyle {
  const v = attrString(s, 'ram_style', 'auto');
  if (!(RAM_STYLES as readonly string[]).includes(v)) badAttr(s, 'ram_style', v, RAM_STYLES.join(', '));
  return v as RamStyle;
}

/** Number of thresholds per channel: the 2nd dim of the threshold tensor at input `idx`. */
function thresholdCount(c: NodeInput, idx: number): number {
  const name = c.inputs[idx];
  const shape = name ? (c.constOf(name)?.shape ?? c.shapeOf(name)) : undefined;
  if (!shape || shape.length !== 2) {
    throw new FinnError('E_ONNX_MODEL', `${c.src.file}: node "${c.src.node}" (${c.src.opType}) needs a threshold tensor of shape [channels, steps] as input ${idx}${name ? ` ("${name}")` : ''}`,
      'give the node its threshold initializer, or set noActivation=1');
  }
  return shape[1]!;
}

function mvau(c: NodeInput): ParsedNode {
  const s = c.src;
  const noActivation = attrBool(s, 'noActivation', false);
  const p: MvauParams = {
    mw: attrInt(s, 'MW'), mh: attrInt(s, 'MH'), pe: attrInt(s, 'PE'), simd: attrInt(s, 'SIMD'),
    inputType: attrDtype(s, 'inputDataType'), weightType: attrDtype(s, 'weightDataType'),
    accType: attrDtype(s, 'accDataType', 'INT32'), outputType: attrDtype(s, 'outputDataType'),
    binaryXnor: attrBool(s, 'binaryXnorMode', false), noActivation,
    numThresholds: noActivation ? 0 : thresholdCount(c, 2),
    actVal: attrInt(s, 'ActVal', 0), numVectors: attrInts(s, 'numInputVectors', [1])!, ramStyle: ramStyle(s),
  };
  return { op: { kind: 'hw.MVAU', p }, inputs: c.inputs };
}

function thresholding(c: NodeInput): ParsedNode {
  const s = c.src;
  const p: ThresholdingParams = {
    channels: attrInt(s, 'NumChannels'), pe: attrInt(s, 'PE'),
    inputType: attrDtype(s, 'inputDataType'), outputType: attrDtype(s, 'outputDataType'),
    numThresholds: hasAttr(s, 'numSteps') ? attrInt(s, 'numSteps') : thresholdCount(c, 1),
    actVal: attrInt(s, 'ActVal', 0), numVectors: attrInts(s, 'numInputVectors', [1])!, ramStyle: ramStyle(s),
  };
  return { op: { kind: 'hw.Thresholding', p }, inputs: c.inputs };
}

function labelSelect(c: NodeInput): ParsedNode {
  const s = c.src;
  const labels = attrInt(s, 'Labels');
  const p: LabelSelectParams = {
    labels, validLabels: attrInt(s, 'ValidLabels', labels), pe: attrInt(s, 'PE'), k: attrInt(s, 'K'),
    inputType: attrDtype(s, 'inputDataType'),
    outputType: attrDtype(s, 'outputDataType', dtName(smallestIntType(0, Math.max(labels - 1, 1)))),
  };
  return { op: { kind: 'hw.LabelSelect', p }, inputs: c.inputs };
}

/** Parsers by FINN op_type, including the _hls/_rtl and older *_Batch spellings. */
function channelPad(c: NodeInput): ParsedNode {
  const s = c.src;
  const p: ChannelPadParams = {
    inElems: attrInt(s, 'InElems'), outElems: attrInt(s, 'OutElems'), simd: attrInt(s, 'SIMD'),
    dtype: attrDtype(s, 'inputDataType'), value: attrFloat(s, 'PadValue', 0), numVectors: attrInts(s, 'numInputVectors', [1]) ?? [1],
  };
  return { op: { kind: 'hw.ChannelPad', p }, inputs: c.inputs };
}

const two = (v: readonly number[] | null, what: string, s: AttrSource): [number, number] => {
  if (!v || v.length < 1) return badAttr(s, what, String(v), 'one or two integers');
  return [v[0]!, v[1] ?? v[0]!];
};

function swg(c: NodeInput): ParsedNode {
  const s = c.src;
  const p: SwgParams = {
    ifm: two(attrInts(s, 'IFMDim'), 'IFMDim', s), ofm: two(attrInts(s, 'OFMDim'), 'OFMDim', s), channels: attrInt(s, 'IFMChannels'),
    kernel: two(attrInts(s, 'ConvKernelDim'), 'ConvKernelDim', s), stride: two(attrInts(s, 'Stride', [1, 1]), 'Stride', s), simd: attrInt(s, 'SIMD'),
    dtype: attrDtype(s, 'inputDataType'), ramStyle: ramStyle(s),
  };
  return { op: { kind: 'hw.ConvolutionInputGenerator', p }, inputs: c.inputs };
}

function fmPadding(c: NodeInput): ParsedNode {
  const s = c.src;
  const pads = attrInts(s, 'Padding') ?? [];
  const p: FmPaddingParams = {
    ifm: two(attrInts(s, 'ImgDim'), 'ImgDim', s), pads: [pads[0] ?? 0, pads[1] ?? 0, pads[2] ?? 0, pads[3] ?? 0], channels: attrInt(s, 'NumChannels'),
    simd: attrInt(s, 'SIMD'), dtype: attrDtype(s, 'inputDataType'), value: attrFloat(s, 'PadValue', 0),
  };
  return { op: { kind: 'hw.FMPadding', p }, inputs: c.inputs };
}

function maxPool(c: NodeInput): ParsedNode {
  const s = c.src;
  const p: MaxPoolParams = {
    ifm: two(attrInts(s, 'ImgDim'), 'ImgDim', s), kernel: two(attrInts(s, 'PoolDim'), 'PoolDim', s), channels: attrInt(s, 'NumChannels'),
    pe: attrInt(s, 'PE', 1), dtype: attrDtype(s, 'dataType'),
  };
  return { op: { kind: 'hw.StreamingMaxPool', p }, inputs: c.inputs };
}

export const HW_PARSERS: Record<string, (c: NodeInput) => ParsedNode> = {
  ConvolutionInputGenerator: swg, ConvolutionInputGenerator_rtl: swg, ConvolutionInputGenerator_hls: swg,
  FMPadding: fmPadding, FMPadding_rtl: fmPadding, FMPadding_Batch: fmPadding,
  StreamingMaxPool: maxPool, StreamingMaxPool_hls: maxPool, StreamingMaxPool_Batch: maxPool,
  ChannelPad: channelPad,
  MVAU: mvau, MatrixVectorActivation: mvau, MVAU_hls: mvau, MVAU_rtl: mvau,
  Thresholding: thresholding, Thresholding_hls: thresholding, Thresholding_rtl: thresholding, Thresholding_Batch: thresholding,
  LabelSelect: labelSelect, LabelSelect_hls: labelSelect, LabelSelect_Batch: labelSelect,
};
