/** FINN-style pre/post-processing: raw UINT8 pixels in (x/255 in front), class index out (TopK k=1 at the end). */
import type { Graph } from '../../ir/graph.ts';
import { FLOAT32, int, uint } from '../../ir/datatype.ts';
import { makeGraph, consumers } from '../../ir/index.ts';
import { emitter } from '../util.ts';
import type { Pass } from '../pass.ts';

/** Whether the graph already scales its input by 1/255 (Div 255 or Mul 1/255 first). */
export function hasDiv255(g: Graph): boolean {
  const first = consumers(g, g.inputs[0]!);
  return first.length === 1 && first.some((n) => {
    const c = g.tensors.get(n.inputs[1] ?? '')?.value;
    if (!c || c.data.length !== 1) return false;
    return (n.op.kind === 'Div' && c.data[0] === 255) || (n.op.kind === 'Mul' && Math.abs(c.data[0]! * 255 - 1) < 1e-6);
  });
}

/** Whether the graph already ends in a class index (TopK indices / ArgMax). */
export function hasTopK(g: Graph): boolean {
  return g.nodes.some((n) => (n.op.kind === 'TopK' && n.outputs[1] === g.outputs[0]) || (n.op.kind === 'ArgMax' && n.outputs[0] === g.outputs[0]));
}

export const addPreprocessing: Pass = {
  name: 'tidy/add-preprocessing',
  summary: 'take raw UINT8 pixels: insert x/255 before the model',
  run(g) {
    if (hasDiv255(g)) {
      const inp = g.tensors.get(g.inputs[0]!)!;
      return inp.dtype.kind === 'int' ? g : makeGraph({ ...g, tensors: new Map(g.tensors).set(inp.name, { ...inp, dtype: uint(8) }) });
    }
    const old = g.inputs[0]!;
    const info = g.tensors.get(old)!;
    const e = emitter(g);
    const raw = e.value(`${old}_uint8`, info.shape, uint(8));
    e.node('Preprocess_Div255', { kind: 'Div' }, [raw, e.constant('preproc_255', { shape: [], data: Float64Array.of(255) })], [old]);
    const tensors = new Map(g.tensors);
    for (const t of e.tensors) tensors.set(t.name, t);
    tensors.set(old, { ...info, dtype: FLOAT32 });
    return makeGraph({ ...g, nodes: [...e.nodes, ...g.nodes], tensors, inputs: [raw] });
  },
};

/** Append TopK(k) on the last axis of the output; the graph then returns the k class indices. */
export function appendTopK(g: Graph, k: number): Graph {
  const logits = g.outputs[0]!;
  const shape = g.tensors.get(logits)!.shape;
  const e = emitter(g);
  const kc = e.constant('topk_k', { shape: [1], data: Float64Array.of(k) }, int(64));
  const values = e.value(`${logits}_topk_values`, [...shape.slice(0, -1), k], FLOAT32);
  const idx = e.value(`${logits}_topk_index`, [...shape.slice(0, -1), k], uint(32));
  e.node('Postprocess_TopK', { kind: 'TopK', axis: -1, largest: true, sorted: true }, [logits, kc], [values, idx]);
  const tensors = new Map(g.tensors);
  for (const t of e.tensors) tensors.set(t.name, t);
  return makeGraph({ ...g, nodes: [...g.nodes, ...e.nodes], tensors, outputs: [idx] });
}

export const addTopK: Pass = {
  name: 'tidy/add-topk',
  summary: 'return the class index: append TopK(k=1)',
  run: (g) => (hasTopK(g) ? g : appendTopK(g, 1)),
};
