/** Read QONNX / FINN-ONNX files into the typed IR: the only place where op names, attributes and datatype names become types. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BINARY, FLOAT32, int, parseDataType, uint, type DataType } from '../ir/datatype.ts';
import type { Graph, Node, TensorInfo } from '../ir/graph.ts';
import { makeGraph } from '../ir/builder.ts';
import { verifyGraph } from '../ir/verify.ts';
import type { Tensor } from '../ir/tensor.ts';
import { FinnError } from '../util/errors.ts';
import { attrFloat, attrInt, attrInts, attrMap, attrTensor, hasAttr, type AttrSource } from './attrs.ts';
import { parseNode, STANDARD_DOMAINS } from './ops-read.ts';
import { decodeModelProto, ElemType, PRODUCER, type PGraph, type PModel, type PNode, type PValueInfo } from './proto.ts';
import { tensorFromProto } from './tensors.ts';

/** A constant tensor and the ONNX element type it was stored with. */
interface Const { readonly value: Tensor; readonly elem: number }

interface Annotation { dtype?: DataType; layout?: string[] }

/** Read and type an .onnx file. */
export function readModel(path: string): Graph {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new FinnError('E_FILE', `cannot read model file "${path}": ${reason}`, 'check the path; models are .onnx files exported by Brevitas/QONNX or FINN');
  }
  return decodeModel(bytes, path);
}

/** Decode and type ONNX model bytes; `label` names the source in errors and in graph meta. */
export function decodeModel(bytes: Uint8Array, label: string): Graph {
  const m = parseProto(bytes, label);
  const g = m.graph!;
  const opsets = new Map((m.opset_import ?? []).map((o) => [o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), Number(o.version ?? 1)]));
  const consts = readConstants(g, label);
  const shapes = readShapes(g);
  const nodes = typeNodes(g, label, consts, shapes);
  checkFinite(label, consts, nodes);
  const notes = readAnnotations(g, label);
  const names = new Set<string>([...consts.keys(), ...(g.input ?? []).map((v) => v.name ?? ''), ...(g.output ?? []).map((v) => v.name ?? '')]);
  for (const n of nodes) for (const t of [...n.inputs, ...n.outputs]) if (t) names.add(t);
  const tensors = [...names].map((name) => tensorInfo(name, consts.get(name), shapes.get(name), notes.get(name)));
  const inputs = (g.input ?? []).map((v) => v.name ?? '').filter((n) => !consts.has(n));
  const outputs = (g.output ?? []).map((v) => v.name ?? '');
  if (inputs.length === 0 || outputs.length === 0) throw new FinnError('E_GRAPH', `${label}: the graph has ${inputs.length} inputs and ${outputs.length} outputs (besides initializers)`, 'a network needs at least one input and one output');
  let graph: Graph;
  try {
    graph = makeGraph({ name: g.name ?? 'graph', nodes, tensors, inputs, outputs, meta: readMeta(m, label, opsets) });
  } catch (e) {
    if (e instanceof FinnError) throw new FinnError(e.code, `${label}: ${e.message}`, e.hint);
    throw e;
  }
  const problems = verifyGraph(graph);
  if (problems.length) throw new FinnError('E_GRAPH', `${label}: ${problems.slice(0, 3).join('; ')}`, 'the model is malformed; re-export it');
  return graph;
}

/** Most nodes a graph may have (ImageNet networks have a few thousand; every pass is at least linear in this). */
export const MAX_NODES = 100000;

function parseProto(bytes: Uint8Array, label: string): PModel {
  let m: PModel;
  try {
    m = decodeModelProto(bytes);
  } catch (e) {
    throw notOnnx(label, (e as Error).message);
  }
  if (!m.graph) throw notOnnx(label, 'it holds no graph');
  if (!m.graph.node?.length) throw notOnnx(label, 'its graph has no nodes');
  if (m.graph.node.length > MAX_NODES) {
    throw new FinnError('E_ONNX_MODEL', `${label}: the graph has ${m.graph.node.length} nodes; finn-ts reads graphs of at most ${MAX_NODES}`,
      'quantized networks for FPGAs have hundreds to a few thousand nodes: check that this is the intended model');
  }
  if (m.graph.sparse_initializer?.length) {
    throw new FinnError('E_ONNX_MODEL', `${label}: the model uses sparse initializers, which finn-ts does not read`, 'convert them to dense initializers before exporting');
  }
  return m;
}

function notOnnx(label: string, detail: string): FinnError {
  return new FinnError('E_ONNX_PARSE', `${label}: not a valid ONNX model (truncated?): ${detail}`,
    'check that the file is a complete .onnx export (re-download or re-export it)');
}

/**
 * Constants must be numbers: NaN nowhere, ±Infinity only as MultiThreshold thresholds (a level never reached). A
 * non-finite weight, scale or bias makes every later computation with it meaningless (and NaN never compares equal,
 * so rewriting to a fixed point would not stop).
 */
function checkFinite(label: string, consts: ReadonlyMap<string, Const>, nodes: readonly Node[]): void {
  const thresholds = new Set(nodes.filter((n) => n.op.kind === 'MultiThreshold').map((n) => n.inputs[1]));
  for (const [name, c] of consts) {
    const infOk = thresholds.has(name);
    const bad = c.value.data.find((v) => Number.isNaN(v) || (!infOk && !Number.isFinite(v)));
    if (bad !== undefined) {
      throw new FinnError('E_ONNX_MODEL', `${label}: constant "${name}" holds ${bad}`, 'weights, scales, biases and other constants must be finite numbers (thresholds may be ±Infinity)');
    }
  }
}

/** Initializers and Constant-node outputs. */
function readConstants(g: PGraph, label: string): Map<string, Const> {
  const out = new Map<string, Const>();
  for (const t of g.initializer ?? []) {
    out.set(t.name ?? '', { value: tensorFromProto(t, label), elem: t.data_type ?? ElemType.FLOAT });
  }
  for (const [i, n] of (g.node ?? []).entries()) {
    if (!isConstantNode(n)) continue;
    const src: AttrSource = { file: label, node: n.name || `Constant_${i}`, opType: 'Constant', attrs: attrMap(n.attribute) };
    out.set(n.output?.[0] ?? '', constantValue(src));
  }
  return out;
}

function isConstantNode(n: PNode): boolean {
  return n.op_type === 'Constant' && STANDARD_DOMAINS.includes(n.domain ?? '');
}

function constantValue(s: AttrSource): Const {
  if (hasAttr(s, 'value')) return { value: attrTensor(s, 'value'), elem: s.attrs.get('value')!.t!.data_type ?? ElemType.FLOAT };
  if (hasAttr(s, 'value_float')) return { value: { shape: [], data: Float64Array.of(attrFloat(s, 'value_float')) }, elem: ElemType.FLOAT };
  if (hasAttr(s, 'value_int')) return { value: { shape: [], data: Float64Array.of(attrInt(s, 'value_int')) }, elem: ElemType.INT64 };
  if (hasAttr(s, 'value_ints')) {
    const v = attrInts(s, 'value_ints')!;
    return { value: { shape: [v.length], data: Float64Array.from(v) }, elem: ElemType.INT64 };
  }
  if (hasAttr(s, 'value_floats')) {
    const v = (s.attrs.get('value_floats')!.floats ?? []).map(Number);
    return { value: { shape: [v.length], data: Float64Array.from(v) }, elem: ElemType.FLOAT };
  }
  throw new FinnError('E_ONNX_MODEL', `${s.file}: Constant node "${s.node}" has no numeric value attribute`,
    'finn-ts reads Constant nodes with value, value_float(s) or value_int(s)');
}

/** Shapes declared for graph inputs, outputs and value_info; symbolic batch dims become 1, other symbolic dims drop the shape. */
function readShapes(g: PGraph): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.value_info ?? [])]) {
    const shape = declaredShape(v);
    if (shape) out.set(v.name ?? '', shape);
  }
  return out;
}

function declaredShape(v: PValueInfo): number[] | undefined {
  const dims = v.type?.tensor_type?.shape?.dim;
  if (!dims) return undefined;
  const shape: number[] = [];
  for (const [i, d] of dims.entries()) {
    const known = d.dim_value !== undefined && d.dim_param === undefined && Number(d.dim_value) > 0;
    if (known) shape.push(Number(d.dim_value));
    else if (i === 0) shape.push(1);
    else return undefined;
  }
  return shape;
}

/** Type every non-Constant node, naming unnamed ones `<OpType>_<i>`. */
function typeNodes(g: PGraph, label: string, consts: Map<string, Const>, shapes: Map<string, number[]>): Node[] {
  const pnodes = g.node ?? [];
  const taken = new Set(pnodes.map((n) => n.name ?? '').filter((n) => n));
  const nodes: Node[] = [];
  for (const [i, pn] of pnodes.entries()) {
    if (isConstantNode(pn)) continue;
    const opType = pn.op_type ?? '';
    const name = pn.name || uniqueName(`${opType}_${i}`, taken);
    const parsed = parseNode({
      src: { file: label, node: name, opType, attrs: attrMap(pn.attribute) },
      domain: pn.domain ?? '',
      inputs: pn.input ?? [],
      constOf: (t) => consts.get(t)?.value,
      shapeOf: (t) => shapes.get(t),
    });
    for (const k of parsed.consts ?? []) consts.set(k.name, { value: k.value, elem: ElemType.INT64 });
    nodes.push({ name, op: parsed.op, inputs: parsed.inputs, outputs: pn.output ?? [] });
  }
  return nodes;
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let k = 0; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

/** finn_datatype and tensor_layout entries of graph.quantization_annotation. */
function readAnnotations(g: PGraph, label: string): Map<string, Annotation> {
  const out = new Map<string, Annotation>();
  for (const a of g.quantization_annotation ?? []) {
    const note: Annotation = {};
    for (const e of a.quant_parameter_tensor_names ?? []) {
      if (e.key === 'finn_datatype') note.dtype = annotatedType(label, a.tensor_name ?? '', e.value ?? '');
      else if (e.key === 'tensor_layout') note.layout = parseLayout(e.value ?? '');
    }
    out.set(a.tensor_name ?? '', note);
  }
  return out;
}

function annotatedType(label: string, tensor: string, name: string): DataType {
  try {
    return parseDataType(name);
  } catch {
    throw new FinnError('E_ONNX_MODEL', `${label}: tensor "${tensor}" is annotated with unknown finn_datatype "${name}"`,
      'use a QONNX datatype name such as BIPOLAR, INT4, UINT8 or FLOAT32');
  }
}

/** Parse FINN's Python-list layout string, e.g. "['N', 'C']". */
export function parseLayout(s: string): string[] {
  const body = s.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  if (!body) return [];
  return body.split(',').map((x) => x.trim().replace(/^['"]|['"]$/g, ''));
}

const ELEM_DTYPES: Partial<Record<number, DataType>> = {
  [ElemType.INT8]: int(8), [ElemType.UINT8]: uint(8), [ElemType.INT16]: int(16), [ElemType.UINT16]: uint(16),
  [ElemType.INT32]: int(32), [ElemType.UINT32]: uint(32), [ElemType.INT64]: int(64), [ElemType.UINT64]: uint(64),
  [ElemType.BOOL]: BINARY,
};

/** Datatype: INT64 constants are always int(64) (shapes, axes, K); else the annotation, else the element type, else FLOAT32. */
function tensorInfo(name: string, c: Const | undefined, shape: number[] | undefined, note: Annotation | undefined): TensorInfo {
  const elemType = c ? ELEM_DTYPES[c.elem] : undefined;
  const dtype = c?.elem === ElemType.INT64 ? int(64) : (note?.dtype ?? elemType ?? FLOAT32);
  const info: TensorInfo = { name, shape: c ? c.value.shape : (shape ?? []), dtype };
  return { ...info, ...(c ? { value: c.value } : {}), ...(note?.layout ? { layout: note.layout } : {}) };
}

/** Graph meta: files written by finn-ts carry their meta verbatim; others get producer, opsets and file name. */
function readMeta(m: PModel, label: string, opsets: Map<string, number>): Record<string, string> {
  const props: Record<string, string> = Object.fromEntries((m.metadata_props ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  if (m.producer_name === PRODUCER) return props;
  const meta: Record<string, string> = {};
  if (m.producer_name) meta['producer_name'] = m.producer_name;
  if (m.producer_version) meta['producer_version'] = m.producer_version;
  for (const [d, v] of [...opsets].sort(([a], [b]) => a.localeCompare(b))) meta[d === '' ? 'opset' : `opset:${d}`] = String(v);
  meta['file'] = basename(label);
  return { ...meta, ...props };
}
