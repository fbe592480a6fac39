/** ONNX node (op_type, domain, attributes) → typed IR Op. Unknown ops fail here with E_UNSUPPORTED_OP. */
import type { Op, RoundingMode } from '../ir/ops.ts';
import type { Tensor } from '../ir/tensor.ts';
import { FinnError } from '../util/errors.ts';
import {
  attrBool, attrDtype, attrFloat, attrInt, attrInts, attrString, badAttr, hasAttr, type AttrSource,
} from './attrs.ts';
import { HW_PARSERS } from './hw-read.ts';

/** Everything needed to type one node. */
export interface NodeInput {
  readonly src: AttrSource;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly constOf: (tensor: string) => Tensor | undefined;
  readonly shapeOf: (tensor: string) => readonly number[] | undefined;
}

/** A typed node: its op, its (possibly trimmed) inputs, and constants it introduced. */
export interface ParsedNode {
  readonly op: Op;
  readonly inputs: readonly string[];
  readonly consts?: readonly { name: string; value: Tensor }[];
}

type Parser = (c: NodeInput) => ParsedNode;

/** Domains of standard ONNX operators. */
export const STANDARD_DOMAINS: readonly string[] = ['', 'ai.onnx'];
/** Domains accepted for QONNX/FINN custom operators. */
export const QONNX_DOMAINS: readonly string[] = ['onnx.brevitas', 'qonnx.custom_op.general', 'finn.custom_op.general'];
/** Domains accepted for FINN hardware layers. */
export const HW_DOMAINS: readonly string[] = ['finn.custom_op.fpgadataflow', 'finn.custom_op.fpgadataflow.hls', 'finn.custom_op.fpgadataflow.rtl'];

/** Op kinds that carry no attributes. */
type BareKind = { [K in Op['kind']]: { kind: K } extends Extract<Op, { kind: K }> ? K : never }[Op['kind']];

/** A Transpose perm: a permutation of 0 … n-1 (or absent: reverse the axes). */
function permutation(s: AttrSource, perm: readonly number[] | null): number[] | null {
  if (perm === null) return null;
  const sorted = [...perm].sort((a, b) => a - b);
  if (sorted.some((p, i) => p !== i)) {
    throw new FinnError('E_ONNX_MODEL', `${s.file}: node "${s.node}" (Transpose) has perm [${perm.join(',')}], which is not a permutation of its axes`, 'the model file is corrupt; re-export it');
  }
  return [...perm];
}

const simple = (kind: BareKind): Parser => (c) => ({ op: { kind }, inputs: c.inputs });

/** Axes from an attribute, or (opset ≥ 13) from a constant input 1, which is then dropped. */
function axesParser(kind: 'Squeeze' | 'Unsqueeze'): Parser {
  return (c) => {
    const attr = attrInts(c.src, 'axes', null);
    if (attr) return { op: { kind, axes: attr }, inputs: c.inputs.slice(0, 1) };
    const k = c.inputs[1] ? c.constOf(c.inputs[1]) : undefined;
    if (k) return { op: { kind, axes: [...k.data] }, inputs: c.inputs.slice(0, 1) };
    return { op: { kind, axes: null }, inputs: c.inputs };
  };
}

/** Clip bounds from attributes (opset < 11) or constant inputs; non-constant inputs stay inputs and bounds are null. */
const clip: Parser = (c) => {
  if (hasAttr(c.src, 'min') || hasAttr(c.src, 'max')) {
    const min = hasAttr(c.src, 'min') ? attrFloat(c.src, 'min') : null;
    const max = hasAttr(c.src, 'max') ? attrFloat(c.src, 'max') : null;
    return { op: { kind: 'Clip', min, max }, inputs: c.inputs.slice(0, 1) };
  }
  const bounds = c.inputs.slice(1).map((t) => (t ? c.constOf(t) : null));
  if (bounds.some((b) => b === undefined)) return { op: { kind: 'Clip', min: null, max: null }, inputs: c.inputs };
  const [lo, hi] = bounds;
  return { op: { kind: 'Clip', min: lo ? lo.data[0]! : null, max: hi ? hi.data[0]! : null }, inputs: c.inputs.slice(0, 1) };
};

/** TopK; opset 1 kept k as an attribute, which becomes a constant K input. */
const topK: Parser = (c) => {
  const op: Op = { kind: 'TopK', axis: attrInt(c.src, 'axis', -1), largest: attrBool(c.src, 'largest', true), sorted: attrBool(c.src, 'sorted', true) };
  if (!hasAttr(c.src, 'k')) return { op, inputs: c.inputs };
  const name = `${c.src.node}_K`;
  return { op, inputs: [c.inputs[0]!, name], consts: [{ name, value: { shape: [1], data: Float64Array.of(attrInt(c.src, 'k')) } }] };
};

const pair = (v: readonly number[] | null, def: number): [number, number] => [v?.[0] ?? def, v?.[1] ?? v?.[0] ?? def];
const quad = (v: readonly number[] | null): [number, number, number, number] => [v?.[0] ?? 0, v?.[1] ?? 0, v?.[2] ?? 0, v?.[3] ?? 0];

function noAutoPad(c: NodeInput): void {
  const a = attrString(c.src, 'auto_pad', 'NOTSET');
  if (a !== 'NOTSET') badAttr(c.src, 'auto_pad', a, 'NOTSET (explicit pads)');
}

const conv: Parser = (c) => {
  noAutoPad(c);
  const k = attrInts(c.src, 'kernel_shape', null);
  const w = c.constOf(c.inputs[1]!)?.shape ?? c.shapeOf(c.inputs[1]!);
  return {
    op: { kind: 'Conv', kernel: pair(k ?? (w ? w.slice(2) : null), 1), strides: pair(attrInts(c.src, 'strides', null), 1), pads: quad(attrInts(c.src, 'pads', null)),
      dilations: pair(attrInts(c.src, 'dilations', null), 1), group: attrInt(c.src, 'group', 1) },
    inputs: c.inputs,
  };
};

const maxPool: Parser = (c) => {
  noAutoPad(c);
  if (attrInt(c.src, 'ceil_mode', 0) !== 0) badAttr(c.src, 'ceil_mode', '1', '0');
  const k = pair(attrInts(c.src, 'kernel_shape'), 1);
  return { op: { kind: 'MaxPool', kernel: k, strides: pair(attrInts(c.src, 'strides', null), 1), pads: quad(attrInts(c.src, 'pads', null)) }, inputs: c.inputs.slice(0, 1) };
};

const averagePool: Parser = (c) => {
  noAutoPad(c);
  if (attrInt(c.src, 'ceil_mode', 0) !== 0) badAttr(c.src, 'ceil_mode', '1', '0');
  return {
    op: { kind: 'AveragePool', kernel: pair(attrInts(c.src, 'kernel_shape'), 1), strides: pair(attrInts(c.src, 'strides', null), 1), pads: quad(attrInts(c.src, 'pads', null)), countIncludePad: attrBool(c.src, 'count_include_pad', false) },
    inputs: c.inputs.slice(0, 1),
  };
};

/** ReduceMean over the spatial axes of NCHW data with keepdims = global average pooling (other reductions are not supported). */
const reduceMean: Parser = (c) => {
  const axes = attrInts(c.src, 'axes', null) ?? (c.inputs[1] ? Array.from(c.constOf(c.inputs[1])?.data ?? []) : null);
  const rank = c.shapeOf(c.inputs[0]!)?.length ?? 4;
  const norm = axes?.map((a) => (a < 0 ? a + rank : a)).sort();
  if (rank !== 4 || !norm || norm.join() !== '2,3' || !attrBool(c.src, 'keepdims', true)) {
    throw new FinnError('E_UNSUPPORTED_OP', `${c.src.file}: node "${c.src.node}" (ReduceMean) over axes [${axes?.join(',') ?? 'all'}] of a rank-${rank} tensor: only the mean over H and W of NCHW data with keepdims=1 (global average pooling) is supported`, 'export global average pooling as GlobalAveragePool or ReduceMean(axes=[2,3], keepdims=1)');
  }
  return { op: { kind: 'GlobalAveragePool' }, inputs: c.inputs.slice(0, 1) };
};

const STANDARD: Record<string, Parser> = {
  GlobalAveragePool: simple('GlobalAveragePool'), AveragePool: averagePool, ReduceMean: reduceMean,
  Conv: conv,
  MaxPool: maxPool,
  Pad: (c) => ({ op: { kind: 'Pad', pads: attrInts(c.src, 'pads', null), value: attrFloat(c.src, 'value', 0) }, inputs: c.inputs }),
  MatMul: simple('MatMul'), Add: simple('Add'), Sub: simple('Sub'), Mul: simple('Mul'), Div: simple('Div'),
  Pow: simple('Pow'), Sqrt: simple('Sqrt'), Neg: simple('Neg'), Identity: simple('Identity'), Reshape: simple('Reshape'),
  Sign: simple('Sign'), Relu: simple('Relu'), Shape: simple('Shape'), Sigmoid: simple('Sigmoid'),
  Softmax: (c) => ({ op: { kind: 'Softmax', axis: attrInt(c.src, 'axis', -1) }, inputs: c.inputs }),
  LogSoftmax: (c) => ({ op: { kind: 'LogSoftmax', axis: attrInt(c.src, 'axis', -1) }, inputs: c.inputs }),
  Gemm: (c) => ({
    op: { kind: 'Gemm', alpha: attrFloat(c.src, 'alpha', 1), beta: attrFloat(c.src, 'beta', 1), transA: attrBool(c.src, 'transA', false), transB: attrBool(c.src, 'transB', false) },
    inputs: c.inputs,
  }),
  BatchNormalization: (c) => ({ op: { kind: 'BatchNormalization', epsilon: attrFloat(c.src, 'epsilon', 1e-5) }, inputs: c.inputs }),
  Flatten: (c) => ({ op: { kind: 'Flatten', axis: attrInt(c.src, 'axis', 1) }, inputs: c.inputs }),
  Transpose: (c) => ({ op: { kind: 'Transpose', perm: permutation(c.src, attrInts(c.src, 'perm', null)) }, inputs: c.inputs }),
  Squeeze: axesParser('Squeeze'),
  Unsqueeze: axesParser('Unsqueeze'),
  Clip: clip,
  TopK: topK,
  ArgMax: (c) => ({
    op: { kind: 'ArgMax', axis: attrInt(c.src, 'axis', 0), keepdims: attrBool(c.src, 'keepdims', true), selectLastIndex: attrBool(c.src, 'select_last_index', false) },
    inputs: c.inputs,
  }),
  Gather: (c) => ({ op: { kind: 'Gather', axis: attrInt(c.src, 'axis', 0) }, inputs: c.inputs }),
  Concat: (c) => ({ op: { kind: 'Concat', axis: attrInt(c.src, 'axis') }, inputs: c.inputs }),
};

const ROUNDING: readonly RoundingMode[] = ['ROUND', 'ROUND_TO_ZERO', 'CEIL', 'FLOOR'];

function rounding(s: AttrSource, def: RoundingMode): RoundingMode {
  const v = attrString(s, 'rounding_mode', def).toUpperCase();
  if (!(ROUNDING as readonly string[]).includes(v)) badAttr(s, 'rounding_mode', v, ROUNDING.join(', '));
  return v as RoundingMode;
}

function channelsLast(s: AttrSource): boolean {
  const layout = attrString(s, 'data_layout', 'NCHW').toUpperCase();
  if (['NCHW', 'NCW', 'NC'].includes(layout)) return false;
  if (['NHWC', 'NWC'].includes(layout)) return true;
  return badAttr(s, 'data_layout', layout, 'NCHW, NCW, NC, NHWC, NWC');
}

/**
 * The constant parameters of a quantizer, checked: scales finite and positive, zero-points finite, the bit width a
 * whole number of 1 to 64 bits (QONNX's definition; anything else cannot be computed with).
 */
function fail2(c: NodeInput, names: string): never {
  throw new FinnError('E_ONNX_MODEL', `${c.src.file}: node "${c.src.node}" (${c.src.opType}) has inputs [${c.inputs.join(', ')}]; it takes 2 (${names})`, 'the model does not follow the QONNX operator definition; re-export it');
}

function checkQuantParams(c: NodeInput, scale: number, zero?: number, bits?: number): void {
  const bad = (what: string, v: Tensor, ok: (x: number) => boolean): void => {
    const x = Array.from(v.data).find((e) => !ok(e));
    if (x !== undefined) throw new FinnError('E_ONNX_MODEL', `${c.src.file}: node "${c.src.node}" (${c.src.opType}) has ${what} ${x}`, 'quantizer scales must be finite and positive, zero-points finite, bit widths whole numbers from 1 to 64');
  };
  const want = bits !== undefined ? 4 : 2;
  if (c.inputs.length !== want || c.inputs.some((x) => !x)) {
    throw new FinnError('E_ONNX_MODEL', `${c.src.file}: node "${c.src.node}" (${c.src.opType}) has inputs [${c.inputs.join(', ')}]; it takes ${want} (${want === 4 ? 'x, scale, zero-point, bit width' : 'x, scale'})`, 'the model does not follow the QONNX operator definition; re-export it');
  }
  const at = (i: number | undefined): Tensor | undefined => (i === undefined ? undefined : c.constOf(c.inputs[i] ?? ''));
  const s = at(scale), z = at(zero), b = at(bits);
  if (s) bad('scale', s, (x) => Number.isFinite(x) && x > 0);
  if (z) bad('zero-point', z, Number.isFinite);
  if (b) bad('bit width', b, (x) => Number.isInteger(x) && x >= 1 && x <= 64);
}

const QONNX: Record<string, Parser> = {
  Quant: (c) => {
    checkQuantParams(c, 1, 2, 3);
    return { op: { kind: 'Quant', signed: attrBool(c.src, 'signed', true), narrow: attrBool(c.src, 'narrow', false), rounding: rounding(c.src, 'ROUND') }, inputs: c.inputs };
  },
  BipolarQuant: (c) => {
    checkQuantParams(c, 1);
    return { op: { kind: 'BipolarQuant' }, inputs: c.inputs };
  },
  Trunc: (c) => ({ op: { kind: 'Trunc', rounding: rounding(c.src, 'FLOOR') }, inputs: c.inputs }),
  MultiThreshold: (c) => ({
    ...(c.inputs.length !== 2 || c.inputs.some((x) => !x) ? fail2(c, 'x, thresholds') : {}),
    op: {
      kind: 'MultiThreshold', outScale: attrFloat(c.src, 'out_scale', 1), outBias: attrFloat(c.src, 'out_bias', 0),
      outType: attrDtype(c.src, 'out_dtype'), channelsLast: channelsLast(c.src),
      ...(hasAttr(c.src, 'even_ties_first_level') ? { evenTies: attrInt(c.src, 'even_ties_first_level') } : {}),
    },
    inputs: c.inputs,
  }),
  XnorPopcountMatMul: simple('XnorPopcountMatMul'),
  Im2Col: (c) => ({
    op: { kind: 'Im2Col', kernel: pair(attrInts(c.src, 'kernel_size'), 1), stride: pair(attrInts(c.src, 'stride', null), 1),
      pads: quad(attrInts(c.src, 'pad_amount', null)), padValue: attrFloat(c.src, 'pad_value', 0) },
    inputs: c.inputs,
  }),
  GlobalSumPool: (c) => ({ op: { kind: 'GlobalSumPool', channelsLast: channelsLast(c.src) }, inputs: c.inputs }),
  MaxPoolNHWC: (c) => ({ op: { kind: 'MaxPoolNHWC', kernel: pair(attrInts(c.src, 'kernel_shape'), 1), strides: pair(attrInts(c.src, 'strides', null), 1) }, inputs: c.inputs }),
};

/** Type one ONNX node; throws E_UNSUPPORTED_OP for ops finn-ts does not know. */
export function parseNode(c: NodeInput): ParsedNode {
  const op = c.src.opType;
  const table = STANDARD_DOMAINS.includes(c.domain) ? STANDARD
    : QONNX_DOMAINS.includes(c.domain) ? QONNX
      : HW_DOMAINS.includes(c.domain) ? HW_PARSERS : undefined;
  const parser = table && Object.hasOwn(table, op) ? table[op] : undefined;
  if (!parser) throw unsupported(c);
  return parser(c);
}

function unsupported(c: NodeInput): FinnError {
  const dom = (ds: readonly string[]): string => ds.map((d) => `"${d}"`).join(', ');
  const supported = [
    `standard (domain ${dom(STANDARD_DOMAINS)}): ${['Constant', ...Object.keys(STANDARD)].join(', ')}`,
    `QONNX/FINN (domains ${dom(QONNX_DOMAINS)}): ${Object.keys(QONNX).join(', ')}`,
    `hardware (domains ${dom(HW_DOMAINS)}): ${Object.keys(HW_PARSERS).join(', ')}`,
  ].join('; ');
  return new FinnError('E_UNSUPPORTED_OP',
    `${c.src.file}: node "${c.src.node}" has op_type "${c.src.opType}" in domain "${c.domain}", which finn-ts does not support. Supported: ${supported}`,
    'export the model with these operators only (e.g. run qonnx cleanup / FINN tidy-up first), and keep custom ops in their QONNX/FINN domains');
}
