/**
 * The stitched design as plain data: a DAG of hardware layers with typed stream ports; every edge between two layers
 * is one AXI-Stream with a FIFO (and a width converter where the widths differ); graph inputs/outputs are the top's
 * s_axis_i / m_axis_i. A chain is the simplest DAG. A tensor read by two layers needs a DuplicateStreams in front
 * (the to-hw step inserts them), so every stream has exactly one producer and one consumer.
 */
import type { Graph, Node } from '../ir/graph.ts';
import { isHwOp } from '../ir/ops.ts';
import { withLayer, type HwKind, type HwOp } from '../hw/registry.ts';
import { rtlOptionsOf, type ElemCode, type LayerRtl, type RtlOptions, type StreamPort } from '../hw/layer.ts';
import { sanitizeIdentifier } from '../verilog/sanitize.ts';
import { INFRA_CORES } from '../rtl/cores.ts';
import { fail } from '../util/errors.ts';
import type { Tensor } from '../ir/tensor.ts';

export interface StreamInfo {
  readonly width: number;
  readonly perWord: number;
  readonly elem: ElemCode;
  readonly wordsPerFrame: number;
}

export interface LayerInfo {
  /** Node name in the graph (untrusted) and the sanitized Verilog module/instance identifier. */
  readonly node: string;
  readonly ident: string;
  readonly kind: HwKind;
  readonly cycles: number;
  readonly inputs: readonly StreamInfo[];
  readonly outputs: readonly StreamInfo[];
  /** Port 0 (most layers have one input and one output). */
  readonly input: StreamInfo;
  readonly output: StreamInfo;
  readonly rtl: LayerRtl;
}

/** A stream port of a layer. */
export interface PortRef { readonly layer: number; readonly port: number }

/** A stream between two layers: FIFO of `depth` words (width of the consumer's port), converter where widths differ. */
export interface Edge {
  readonly from: PortRef;
  readonly to: PortRef;
  readonly tensor: string;
  readonly depth: number;
}

/** A top-level stream: graph input i → a layer's input port, or a layer's output port → graph output i. */
export interface TopStream {
  readonly tensor: string;
  readonly ref: PortRef;
  readonly stream: StreamInfo;
}

export interface Design {
  readonly top: string;
  readonly layers: readonly LayerInfo[];
  /** Edges between layers, ordered by consumer (topological) then port; FIFO j of the design is edges[j]. */
  readonly edges: readonly Edge[];
  readonly inputs: readonly TopStream[];
  readonly outputs: readonly TopStream[];
  /** The part's RTL choices (recorded in the graph by the fold step). */
  readonly rtl: RtlOptions;
}

export const TOP_NAME = 'finn_design';

function stream(p: StreamPort): StreamInfo {
  const perWord = p.width / p.elem.bits;
  return { width: p.width, perWord, elem: p.elem, wordsPerFrame: p.elems / perWord };
}

interface Wiring { edges: { from: PortRef; to: PortRef; tensor: string }[]; inputs: { tensor: string; ref: PortRef }[]; outputs: { tensor: string; ref: PortRef }[] }

/** Connectivity of a hardware graph: who produces and who consumes every stream tensor. */
export function wiringOf(g: Graph): Wiring {
  const nodes = g.nodes;
  for (const n of nodes) if (!isHwOp(n.op)) fail('E_RTL', `node ${n.name} (${n.op.kind}) is not a hardware layer`);
  const producer = new Map<string, PortRef>();
  nodes.forEach((n, i) => n.outputs.forEach((t, k) => producer.set(t, { layer: i, port: k })));
  const consumed = new Map<string, PortRef[]>();
  const edges: Wiring['edges'] = [], inputs: Wiring['inputs'] = [];
  nodes.forEach((n, i) => {
    streamInputs(n).forEach((t, k) => {
      const to = { layer: i, port: k };
      consumed.set(t, [...(consumed.get(t) ?? []), to]);
      const from = producer.get(t);
      if (from) edges.push({ from, to, tensor: t });
      else if (g.inputs.includes(t)) inputs.push({ tensor: t, ref: to });
      else fail('E_RTL', `stream input "${t}" of ${n.name} is neither a graph input nor produced by a layer`);
    });
  });
  for (const [t, cs] of consumed) {
    if (cs.length + (g.outputs.includes(t) ? 1 : 0) > 1) {
      fail('E_RTL', `stream "${t}" is read by ${cs.map((c) => nodes[c.layer]!.name).join(', ')}${g.outputs.includes(t) ? ' and the graph output' : ''}; a stream has one reader`, 'a fork needs a DuplicateStreams layer (the to-hw step inserts one for every tensor read twice)');
    }
  }
  const outputs = g.outputs.map((t) => ({ tensor: t, ref: producer.get(t) ?? fail('E_RTL', `graph output "${t}" is not produced by a hardware layer`) }));
  inputs.sort((a, b) => g.inputs.indexOf(a.tensor) - g.inputs.indexOf(b.tensor));
  nodes.forEach((n, i) => n.outputs.forEach((t, k) => {
    if (!consumed.has(t) && !g.outputs.includes(t)) fail('E_RTL', `output ${k} ("${t}") of ${n.name} is not read by anything; every stream must be consumed`);
  }));
  return { edges, inputs, outputs };
}

/** The stream inputs of a hardware node (its first inputs; the rest are constants). */
export function streamInputs(n: Node): readonly string[] {
  return n.inputs.slice(0, withLayer(n.op as HwOp, (l, p) => l.inputs(p).length));
}

/** Describe the design for a folded hardware graph (FIFO depths: given, sized earlier, or a frame of the consumer's input). */
export function designOf(g: Graph, fifoDepths?: readonly number[]): Design {
  const taken = new Set<string>([TOP_NAME, ...INFRA_CORES, 'finn_rom'].map((s) => s.toLowerCase()));
  const w = wiringOf(g);
  const ro = rtlOptionsOf(g);
  const layers = g.nodes.map((n): LayerInfo => layerInfo(n.name, sanitizeIdentifier(n.name, taken), n.op as HwOp, layerConsts(g, n), ro));
  for (const l of layers) taken.add(l.rtl.core.toLowerCase());
  const sized = g.meta.fifo_depths?.split(',').map(Number);
  const depths = fifoDepths ?? (sized && sized.length === w.edges.length ? sized : w.edges.map((e) => defaultDepth(layers[e.to.layer]!.inputs[e.to.port]!)));
  if (depths.length !== w.edges.length) fail('E_RTL', `expected ${w.edges.length} FIFO depths, got ${depths.length}`);
  return {
    top: TOP_NAME, layers, rtl: ro,
    edges: w.edges.map((e, j) => ({ ...e, depth: depths[j]! })),
    inputs: w.inputs.map((t) => ({ ...t, stream: layers[t.ref.layer]!.inputs[t.ref.port]! })),
    outputs: w.outputs.map((t) => ({ ...t, stream: layers[t.ref.layer]!.outputs[t.ref.port]! })),
  };
}

/** The constant inputs of a hardware node (weights, thresholds), after its stream inputs. */
export function layerConsts(g: Graph, n: Node): Tensor[] {
  return n.inputs.slice(streamInputs(n).length).map((x) => g.tensors.get(x)!.value as Tensor);
}

/** One layer of a design: its streams, cycles and core binding. */
export function layerInfo(node: string, ident: string, op: HwOp, consts: readonly Tensor[], ro: RtlOptions): LayerInfo {
  return withLayer(op, (layer, p) => {
    const ins = layer.inputs(p).map(stream), outs = layer.outputs(p).map(stream);
    return { node, ident, kind: op.kind, cycles: layer.cycles(p), inputs: ins, outputs: outs, input: ins[0]!, output: outs[0]!, rtl: layer.rtl(p, consts, ro) };
  });
}

/** Unsized FIFO: one frame of the consumer's input plus 2 words. */
const defaultDepth = (consumer: StreamInfo): number => Math.max(2, consumer.wordsPerFrame + 2);

/** Unsized FIFOs of a design: one frame of each consumer's input plus 2 words. */
export function defaultFifoDepths(d: Design): number[] {
  return d.edges.map((e) => defaultDepth(consumerStream(d, e)));
}

/** The stream a FIFO carries (the consumer's input port) and the producer's port. */
export const consumerStream = (d: Design, e: Edge): StreamInfo => d.layers[e.to.layer]!.inputs[e.to.port]!;
export const producerStream = (d: Design, e: Edge): StreamInfo => d.layers[e.from.layer]!.outputs[e.from.port]!;

/** The design's single input and output stream (the verification harness and drivers take one of each). */
export function singleIo(d: Design): { input: TopStream; output: TopStream } {
  if (d.inputs.length !== 1 || d.outputs.length !== 1) fail('E_RTL', `the design has ${d.inputs.length} input and ${d.outputs.length} output streams; co-simulation and drivers support one of each`);
  return { input: d.inputs[0]!, output: d.outputs[0]! };
}

/** Top-level stream width: padded to a multiple of 8 bits (AXI-Stream bytes). */
export const padTo8 = (w: number): number => Math.ceil(w / 8) * 8;
