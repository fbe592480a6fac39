/** The stitched design as plain data: the chain of layers with their streams, converters and FIFOs. */
import type { Graph, Node } from '../ir/graph.ts';
import { isHwOp } from '../ir/ops.ts';
import type { HwOp } from '../hw/params.ts';
import { withLayer } from '../hw/registry.ts';
import type { ElemCode, LayerRtl } from '../hw/layer.ts';
import { sanitizeIdentifier } from '../verilog/sanitize.ts';
import { CORE_NAMES } from '../rtl/cores.ts';
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
  readonly kind: HwOp['kind'];
  readonly cycles: number;
  readonly input: StreamInfo;
  readonly output: StreamInfo;
  readonly rtl: LayerRtl;
}

export interface Design {
  readonly top: string;
  readonly layers: readonly LayerInfo[];
  /** FIFO depth in front of each layer after the first (index i: between layer i-1 and layer i). */
  readonly fifoDepths: readonly number[];
}

export const TOP_NAME = 'finn_design';

function stream(width: number, elem: ElemCode, elems: number): StreamInfo {
  const perWord = width / elem.bits;
  return { width, perWord, elem, wordsPerFrame: elems / perWord };
}

/** Check that the hardware graph is one chain from the input to the output and return its nodes in order. */
export function chainOf(g: Graph): Node[] {
  const chain: Node[] = [];
  let cur = g.inputs[0]!;
  for (;;) {
    const next = g.nodes.filter((n) => n.inputs[0] === cur);
    if (next.length === 0) break;
    if (next.length > 1) fail('E_RTL', `tensor ${cur} feeds ${next.length} layers; only single-chain dataflow graphs can be stitched yet`);
    chain.push(next[0]!);
    cur = next[0]!.outputs[0]!;
  }
  if (chain.length !== g.nodes.length || cur !== g.outputs[0]) fail('E_RTL', 'the hardware graph is not a single chain from its input to its output');
  for (const n of chain) if (!isHwOp(n.op)) fail('E_RTL', `node ${n.name} (${n.op.kind}) is not a hardware layer`);
  return chain;
}

/** Describe the design for a folded hardware graph (FIFO depths: a frame of the consumer's input, at least 2). */
export function designOf(g: Graph, fifoDepths?: readonly number[]): Design {
  const taken = new Set<string>([TOP_NAME, ...CORE_NAMES, 'finn_rom'].map((s) => s.toLowerCase()));
  const layers = chainOf(g).map((n): LayerInfo => {
    const consts = n.inputs.slice(1).map((x) => g.tensors.get(x)!.value as Tensor);
    return withLayer(n.op as HwOp, (layer, p) => ({
      node: n.name,
      ident: sanitizeIdentifier(n.name, taken),
      kind: (n.op as HwOp).kind,
      cycles: layer.cycles(p),
      input: stream(layer.inWidth(p), layer.inElem(p), layer.inElems(p)),
      output: stream(layer.outWidth(p), layer.outElem(p), layer.outElems(p)),
      rtl: layer.rtl(p, consts),
    }));
  });
  // FIFO depths: given, or sized earlier (graph metadata), or one frame of the consumer's input
  const sized = g.meta.fifo_depths?.split(',').map(Number);
  const depths = fifoDepths ?? (sized && sized.length === layers.length - 1 ? sized : defaultFifoDepths(layers));
  if (depths.length !== Math.max(0, layers.length - 1)) fail('E_RTL', `expected ${layers.length - 1} FIFO depths, got ${depths.length}`);
  return { top: TOP_NAME, layers, fifoDepths: depths };
}

/** Unsized FIFOs: one frame of the consumer's input plus 2 words. */
export function defaultFifoDepths(layers: readonly LayerInfo[]): number[] {
  return layers.slice(1).map((l) => Math.max(2, l.input.wordsPerFrame + 2));
}

/** Top-level stream width: padded to a multiple of 8 bits (AXI-Stream bytes). */
export const padTo8 = (w: number): number => Math.ceil(w / 8) * 8;
