/** Write the typed IR as FINN-style ONNX (opset 13, QONNX annotations) that Netron, QONNX and FINN open. */
import { writeFileSync } from 'node:fs';
import { dtEquals, dtName, FLOAT32, int } from '../ir/datatype.ts';
import type { Graph, TensorInfo } from '../ir/graph.ts';
import { FinnError } from '../util/errors.ts';
import { HW_DOMAIN, QONNX_DOMAIN, writeNode, type ExtraConst } from './ops-write.ts';
import {
  ElemType, encodeModelProto, PRODUCER, type PAnnotation, type PGraph, type PModel, type PNode, type POpset, type PValueInfo,
} from './proto.ts';
import { tensorToProto } from './tensors.ts';

const IR_VERSION = 8;
const OPSET = 13;

/** Encode a graph as ONNX bytes; deterministic (same graph → same bytes). */
export function encodeModel(g: Graph): Uint8Array {
  return encodeModelProto(modelProto(g));
}

/** Write a graph to an .onnx file. */
export function writeModel(g: Graph, path: string): void {
  try {
    writeFileSync(path, encodeModel(g));
  } catch (e) {
    if (e instanceof FinnError) throw e;
    throw new FinnError('E_FILE', `cannot write model file "${path}": ${(e as Error).message}`, 'check that the directory exists and is writable');
  }
}

function modelProto(g: Graph): PModel {
  const { nodes, extra } = writeNodes(g);
  return {
    ir_version: IR_VERSION,
    producer_name: PRODUCER,
    opset_import: opsets(nodes),
    graph: graphProto(g, nodes, extra),
    metadata_props: Object.keys(g.meta).sort().map((key) => ({ key, value: g.meta[key]! })),
  };
}

/** The default opset 13, plus the custom domains the nodes use (version 1). */
function opsets(nodes: readonly PNode[]): POpset[] {
  const used = new Set(nodes.map((n) => n.domain));
  return [{ domain: '', version: OPSET }, ...[QONNX_DOMAIN, HW_DOMAIN].filter((d) => used.has(d)).map((domain) => ({ domain, version: 1 }))];
}

function writeNodes(g: Graph): { nodes: PNode[]; extra: ExtraConst[] } {
  const taken = new Set(g.tensors.keys());
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 0; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const nodes: PNode[] = [];
  const extra: ExtraConst[] = [];
  for (const n of g.nodes) {
    const rank = g.tensors.get(n.inputs[0] ?? '')?.shape.length ?? 0;
    const w = writeNode(n, rank, fresh);
    nodes.push(w.node);
    extra.push(...w.consts);
  }
  return { nodes, extra };
}

/**
 * Tensors in graph order (inputs, then each node's inputs and outputs, then any others): the file does not depend
 * on the order a graph's tensor map was filled in, so a model read back and written again gives the same bytes
 * (a resumed build equals an uninterrupted one).
 */
function tensorsInGraphOrder(g: Graph): TensorInfo[] {
  const names = new Set<string>([...g.inputs, ...g.nodes.flatMap((n) => [...n.inputs, ...n.outputs]), ...g.outputs, ...g.tensors.keys()]);
  return [...names].map((n) => g.tensors.get(n)).filter((t): t is TensorInfo => t !== undefined);
}

function graphProto(g: Graph, node: PNode[], extra: readonly ExtraConst[]): PGraph {
  const all = tensorsInGraphOrder(g);
  const io = new Set([...g.inputs, ...g.outputs]);
  const int64Outs = int64Outputs(g);
  const vi = (t: TensorInfo, io = false): PValueInfo => valueInfo(t, int64Outs.has(t.name), io);
  const info = (name: string): TensorInfo => g.tensors.get(name) ?? { name, shape: [], dtype: FLOAT32 };
  return {
    name: g.name,
    node,
    initializer: [
      ...all.filter((t) => t.value).map((t) => tensorToProto(t.name, t.value!, dtEquals(t.dtype, int(64)))),
      ...extra.map((c) => tensorToProto(c.name, c.value, c.int64)),
    ],
    input: g.inputs.map((n) => vi(info(n), true)),
    output: g.outputs.map((n) => vi(info(n), true)),
    value_info: all.filter((t) => !t.value && !io.has(t.name)).map((t) => vi(t)),
    quantization_annotation: all.map(annotation).filter((a): a is PAnnotation => a !== undefined),
  };
}

/** Tensors ONNX defines as INT64: Shape and ArgMax outputs, TopK indices. */
function int64Outputs(g: Graph): Set<string> {
  const out = new Set<string>();
  for (const n of g.nodes) {
    if (n.op.kind === 'Shape' || n.op.kind === 'ArgMax') out.add(n.outputs[0]!);
    if (n.op.kind === 'TopK' && n.outputs[1]) out.add(n.outputs[1]);
  }
  return out;
}

/** Value info: FLOAT container (INT64 where ONNX requires it); the shape when known (always for graph inputs/outputs, as ONNX requires). */
function valueInfo(t: TensorInfo, int64Out: boolean, io: boolean): PValueInfo {
  const elem = int64Out || dtEquals(t.dtype, int(64)) ? ElemType.INT64 : ElemType.FLOAT;
  const shape = t.shape.length > 0 || io ? { shape: { dim: t.shape.map((d) => ({ dim_value: d })) } } : {};
  return { name: t.name, type: { tensor_type: { elem_type: elem, ...shape } } };
}

/** finn_datatype for non-FLOAT32 tensors, tensor_layout when known. */
function annotation(t: TensorInfo): PAnnotation | undefined {
  if (dtEquals(t.dtype, FLOAT32) && !t.layout) return undefined;
  const entries = [{ key: 'finn_datatype', value: dtName(t.dtype) }];
  if (t.layout) entries.push({ key: 'tensor_layout', value: formatLayout(t.layout) });
  return { tensor_name: t.name, quant_parameter_tensor_names: entries };
}

/** FINN's Python-list spelling of a layout, e.g. "['N', 'C']". */
export function formatLayout(layout: readonly string[]): string {
  return `[${layout.map((s) => `'${s}'`).join(', ')}]`;
}
